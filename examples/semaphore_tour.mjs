// A tour of kyoto's semaphore: fair FIFO hand-off, batch requests, and cancellation that
// leaves nothing behind. Run it with `npm start` (after `npm run build`) or
// `node examples/semaphore_tour.mjs`.

import { CancelSource, Semaphore } from "kyoto";
import { NodePool } from "kyoto/core";

/** @param {string} title */
function section(title) {
  console.log("\n== " + title);
}

async function fairness() {
  section("FIFO hand-off: three workers share one permit");
  const sem = new Semaphore(1);
  /** @type {string[]} */
  const order = [];
  /** @param {string} name */
  async function worker(name) {
    for (let round = 0; round < 2; round++) {
      const permit = await sem.acquire();
      order.push(name);
      await null; // hold the permit across a turn, as real work would
      permit.release();
    }
  }
  await Promise.all([worker("a"), worker("b"), worker("c")]);
  console.log("grants in order:", order.join(" "));
}

async function batch() {
  section("Batch fairness: a request for 3 of 3 permits is not overtaken");
  const sem = new Semaphore(3);
  const held = await sem.acquire(1);
  const big = sem.acquire(3); // takes the 2 free permits now and queues for one more
  const small = sem.acquire(1); // queued behind the big request
  console.log("free while the big request waits:", sem.availablePermits(), "| queued:", sem.waiterCount());
  held.release();
  const bigPermit = await big;
  console.log("big request granted with", bigPermit.permits, "permits; small one still queued:", sem.waiterCount() === 1);
  bigPermit.release();
  (await small).release();
}

async function cancellation() {
  section("Cancellation: 100,000 waiters give up, nothing stays behind");
  // A pool of its own (kyoto/core), so we can look inside: it starts at 1024 slots and may grow.
  const pool = new NodePool({ capacity: 1024, maxCapacity: 1 << 17 });
  const sem = new Semaphore(1, { pool });
  const holder = await sem.acquire();
  const source = new CancelSource();
  const waiters = [];
  for (let i = 0; i < 100000; i++) waiters.push(sem.acquire(1, { signal: source.signal }));
  const stats = pool.stats();
  console.log("parked:", sem.waiterCount(), "waiters in a pool of", stats.capacity, "typed-array slots");
  source.cancel("shutting down");
  let cancelled = 0;
  await Promise.all(waiters.map((op) => Promise.resolve(op).catch((err) => err.code === "ERR_CANCELLED" && cancelled++)));
  console.log("cancelled:", cancelled, "| still queued:", sem.waiterCount(), "| pool nodes in use:", pool.stats().live);
  holder.release();
  const fresh = await sem.acquire();
  console.log("a fresh acquire is granted at once; permits free after release:", (fresh.release(), sem.availablePermits()));
}

async function closing() {
  section("Close: waiters fail with ERR_CLOSED, held permits stay valid");
  const sem = new Semaphore(1);
  const held = await sem.acquire();
  const waiting = sem.acquire();
  sem.close();
  try {
    await waiting;
  } catch (/** @type {any} */ err) {
    console.log("waiter rejected with", err.code);
  }
  held.release();
  console.log("released after close; free permits:", sem.availablePermits());
}

await fairness();
await batch();
await cancellation();
await closing();
