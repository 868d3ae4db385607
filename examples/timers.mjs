// A tour of kyoto's timers: sleep, timeout (with an op and with a function), interval with
// each missed-tick behaviour, and an hour-long sleep that takes no real time on the sim
// clock. Run it with `node examples/timers.mjs` (or `npx kyoto run examples/timers.mjs` inside QuickJS) after `npm run build`.

import { Semaphore, createRuntime, interval, now, sleep, timeout } from "kyoto";
import { createSimRuntime } from "kyoto/sim";

/** @param {string} title */
function section(title) {
  console.log("\n== " + title);
}

async function realClock() {
  section("sleep on the host clock (one host timer, however many sleeps)");
  const start = now();
  const naps = [];
  for (let i = 0; i < 10000; i++) naps.push(sleep(20 + (i % 30)));
  await Promise.all(naps.map((op) => new Promise((resolve) => op.then(resolve))));
  console.log(`10,000 sleeps of 20-49 ms finished after ${now() - start} ms`);

  section("timeout(ms, op): a waiter that gives up leaves nothing behind");
  const sem = new Semaphore(0);
  try {
    await timeout(30, sem.acquire());
  } catch (/** @type {any} */ err) {
    console.log(`${err.code}: ${err.message}; waiters still queued: ${sem.waiterCount()}`);
  }

  section("timeout(ms, fn): fn gets a signal that is aborted on expiry");
  try {
    await timeout(25, async ({ signal }) => {
      while (!signal.aborted) await sleep(10);
      console.log(`the work saw its signal abort (reason ${/** @type {any} */ (signal.reason).code})`);
    });
  } catch (/** @type {any} */ err) {
    console.log(`timeout rejected with ${err.code}`);
  }
  await sleep(20); // let the abandoned work notice its signal
}

async function simClock() {
  const rt = createSimRuntime();
  await rt.run(async () => {
    section("sim clock: an hour-long sleep finishes at once, to the millisecond");
    const t0 = now();
    await sleep(3_600_000);
    console.log(`virtual time passed: ${now() - t0} ms`);

    section("interval(300) and the missed-tick behaviours (a 650 ms stall after tick 300)");
    for (const behavior of /** @type {const} */ (["burst", "delay", "skip"])) {
      const s = now();
      const every = interval(300, { missedTickBehavior: behavior });
      const ticks = [];
      ticks.push((await every.tick()) - s);
      ticks.push((await every.tick()) - s);
      await sleep(650); // the caller is busy and misses a tick
      for (let i = 0; i < 4; i++) ticks.push((await every.tick()) - s);
      every.cancel();
      console.log(`${behavior.padEnd(5)} ticks at +${ticks.join(", +")} ms`);
    }
  });
  console.log(`timers armed after the tour: ${rt.stats().timers.live}`);
  rt.close();
}

const rt = createRuntime();
await rt.run(realClock);
rt.close();
await simClock();
