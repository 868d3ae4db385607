// kyoto's locks and signals in one short tour: Mutex, RwLock (with downgrade), Notify,
// Barrier and oneshot. Run it with `node examples/locks.mjs` after `npm run build`.

import { Barrier, CancelSource, Mutex, Notify, RwLock, oneshot } from "kyoto";

/** @param {string} title */
function section(title) {
  console.log("\n== " + title);
}

async function mutex() {
  section("Mutex: runExclusive serializes, an abort frees a queued waiter");
  const counter = new Mutex(0);
  const workers = [];
  for (let w = 0; w < 3; w++) {
    workers.push(
      counter.runExclusive(async (guard) => {
        const seen = guard.value;
        await null; // another task would interleave here without the lock
        guard.value = seen + 1;
      }),
    );
  }
  await Promise.all(workers);
  const guard = await counter.lock();
  console.log("counter after three locked increments:", guard.value);
  const gaveUp = new CancelSource();
  const waiting = counter.lock({ signal: gaveUp.signal });
  gaveUp.cancel("too slow");
  try {
    await waiting;
  } catch (/** @type {any} */ err) {
    console.log("queued lock rejected with", err.code, "- the queue is empty again");
  }
  guard.release();
  console.log("locked after release?", counter.isLocked());
}

async function rwlock() {
  section("RwLock: readers share, a queued writer is not overtaken, downgrade lets readers in");
  const config = new RwLock({ version: 1 });
  const r1 = await config.read();
  const writer = config.write(); // waits for r1
  const lateReader = config.read(); // queued behind the writer, not let in early
  console.log("writer waiting:", !writer.isDone(), "| late reader waiting:", !lateReader.isDone());
  r1.release();
  const w = await writer;
  w.value = { version: 2 };
  const mine = w.downgrade(); // no other writer can slip in between
  const theirs = await lateReader;
  console.log("both readers see version", mine.value.version, "and", theirs.value.version);
  mine.release();
  theirs.release();
}

async function notify() {
  section("Notify: one permit is remembered; notifyWaiters wakes whoever waits now");
  const ready = new Notify();
  ready.notifyOne(); // nobody waits yet: stored
  await ready.notified();
  console.log("a notification sent before the wait was not lost");
  /** @type {number[]} */
  const woken = [];
  // Op.then only registers callbacks (no chaining), so wrap each wait in an async function.
  const waits = [1, 2, 3].map(async (i) => {
    await ready.notified();
    woken.push(i);
  });
  ready.notifyWaiters();
  await Promise.all(waits);
  console.log("notifyWaiters woke", woken.join(", "));
}

async function barrier() {
  section("Barrier: three tasks meet, exactly one leads each generation");
  const meet = new Barrier(3);
  for (let generation = 1; generation <= 2; generation++) {
    const results = await Promise.all([meet.wait(), meet.wait(), meet.wait()]);
    console.log("generation", generation, "leaders:", results.filter((r) => r.isLeader).length);
  }
}

async function oneshotDemo() {
  section("oneshot: one value, and the sender learns when the receiver is gone");
  const [tx, rx] = oneshot();
  setTimeout(() => tx.send("hello from a timer"), 5);
  console.log("received:", await rx);
  const [tx2, rx2] = oneshot();
  tx2.closed().then(() => console.log("sender sees the receiver closed"));
  rx2.close();
  console.log("send after close returns", tx2.send("lost"));
  await null;
}

await mutex();
await rwlock();
await notify();
await barrier();
await oneshotDemo();
