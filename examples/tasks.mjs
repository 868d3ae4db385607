// A tour of kyoto's runtime: spawned tasks and their handles, a JoinSet joined in completion
// order, select and tryJoin giving back what losing branches held, and the cooperative budget
// keeping a timer on time while two tasks ping-pong forever. Everything runs on the sim
// clock, so the output is the same on every run. Run it with `node examples/tasks.mjs` after
// `npm run build`.

import { JoinSet, Semaphore, channel, select, sleep, spawn, tryJoin, yieldNow } from "kyoto";
import { createSimRuntime } from "kyoto/sim";

/** @param {string} title */
function section(title) {
  console.log("\n== " + title);
}

const rt = createSimRuntime({ seed: 1 });

await rt.run(async () => {
  section("spawn: a task's handle is an op; abort() cancels what the task waits on");
  const sem = new Semaphore(2);
  const hog = await sem.acquire(2);
  const task = spawn(async ({ signal }) => {
    const permit = await sem.acquire(2, { signal });
    permit.release();
    return "never";
  });
  await yieldNow();
  console.log("task waits:", sem.waiterCount(), "waiter(s)");
  task.abort();
  try {
    await task;
  } catch (/** @type {any} */ err) {
    console.log("task handle:", err.code, "| waiters left:", sem.waiterCount());
  }
  hog.release();

  section("JoinSet: results in completion order");
  const set = new JoinSet();
  for (const ms of [30, 10, 20]) set.spawn(async () => (await sleep(ms), ms));
  /** @type {string[]} */
  const order = [];
  for (let r = await set.joinNext(); r !== undefined; r = await set.joinNext()) order.push(r);
  console.log("joined:", order.join(", "), "at t =", rt.now(), "ms");

  section("select: the first op wins; a losing receive leaves its message in the channel");
  const [tx, rx] = channel(4);
  const won = await select([sleep(5), rx.recv()]);
  console.log("winner index:", won.index, "(the sleep)");
  tx.trySend("kept");
  const lock = new Semaphore(1);
  const raced = await select([rx.recv(), lock.acquire()]);
  console.log("winner index:", raced.index, "value:", raced.value, "| lock permits free:", lock.availablePermits());

  section("tryJoin: the first failure cancels the rest and returns what they held");
  const pool = new Semaphore(1);
  const failing = spawn(async () => {
    await sleep(3);
    throw new Error("disk full");
  });
  try {
    await tryJoin([pool.acquire(), failing]);
  } catch (/** @type {any} */ err) {
    console.log("tryJoin:", err.message, "| permit back in the pool:", pool.availablePermits() === 1);
  }

  section("budget: a ping-pong that never waits on a timer cannot starve one");
  const ping = new Semaphore(1);
  const pong = new Semaphore(0);
  let rounds = 0;
  let stop = false;
  spawn(async () => {
    while (!stop) {
      (await ping.acquire()).forget();
      rounds++;
      pong.addPermits(1);
    }
  });
  spawn(async () => {
    while (!stop) {
      (await pong.acquire()).forget();
      ping.addPermits(1);
    }
  });
  const start = rt.now();
  await sleep(10);
  stop = true;
  ping.addPermits(1);
  pong.addPermits(1);
  console.log(`sleep(10) woke at +${rt.now() - start} ms after ${rounds} ping-pong rounds`);
});
rt.close();
