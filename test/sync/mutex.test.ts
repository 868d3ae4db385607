import { CancelSource } from "../../src/core/cancel";
import { Op } from "../../src/core/op";
import { NodePool } from "../../src/core/pool";
import { Mutex, MutexGuard } from "../../src/sync/mutex";
import { assert } from "../assert";
import { quiesce, settle } from "../helpers";

const VM = typeof process === "undefined";

/** Lets queued deliveries run (a few microtask turns). */

function smallPool(size?: number): NodePool {
  return new NodePool({ capacity: 4, maxCapacity: size || 64 });
}

// Ports of tokio/tests/sync_mutex.rs
describe("Mutex (Tokio sync_mutex scenarios)", function () {
  it("locks three times in a row and sees each write (straight_execution)", async function () {
    const m = new Mutex(100);
    const g1 = await m.lock();
    assert.equal(g1.value, 100);
    g1.value = 99;
    g1.release();
    const g2 = await m.lock();
    assert.equal(g2.value, 99);
    g2.value = 98;
    g2.release();
    const g3 = await m.lock();
    assert.equal(g3.value, 98);
    g3.release();
  });

  it("wakes the second locker when the first guard is released (readiness)", async function () {
    const m = new Mutex(0);
    const t1 = m.lock();
    const t2 = m.lock();
    assert.ok(t1.isDone(), "first lock is ready at once");
    assert.ok(!t2.isDone(), "second lock waits");
    const g1 = await t1;
    g1.release();
    assert.ok(t2.isDone(), "second lock granted on release");
    (await t2).release();
  });

  it("releases the lock when a holder is cancelled mid-work (aborted_future_1)", async function () {
    const m = new Mutex(0);
    const src = new CancelSource();
    // The holder's work: lock, then wait for something that never comes, under a signal.
    const work = (async function () {
      const g = await m.lock({ signal: src.signal });
      try {
        await m.lock({ signal: src.signal }); // a second lock never comes while g is held
      } finally {
        g.release();
      }
    })();
    await quiesce();
    assert.ok(m.isLocked());
    src.cancel("timeout");
    await assert.rejects(work, { code: "ERR_CANCELLED" });
    const again = m.lock();
    assert.ok(again.isDone(), "a later lock succeeds at once");
    (await again).release();
  });

  it("leaves no waiter or permit behind when a queued locker is cancelled (aborted_future_2)", async function () {
    const m = new Mutex(0);
    const held = m.tryLock() as MutexGuard<number>;
    const src = new CancelSource();
    const waiting = m.lock({ signal: src.signal });
    src.cancel("timeout");
    await assert.rejects(waiting, { code: "ERR_CANCELLED" });
    held.release();
    assert.ok(!m.isLocked());
    const next = m.lock();
    assert.ok(next.isDone(), "a later lock succeeds at once");
    (await next).release();
  });

  it("tryLock fails while held and succeeds after release (try_lock)", function () {
    const m = new Mutex(0);
    const g1 = m.tryLock();
    assert.ok(g1 !== null);
    assert.equal(m.tryLock(), null);
    (g1 as MutexGuard<number>).release();
    const g3 = m.tryLock();
    assert.ok(g3 !== null);
    (g3 as MutexGuard<number>).release();
  });
});

describe("Mutex", function () {
  it("grants the lock to waiters in FIFO order", async function () {
    const m = new Mutex<number[]>([]);
    const first = m.tryLock() as MutexGuard<number[]>;
    const order: number[] = [];
    const ops: Array<Promise<void>> = [];
    for (let i = 0; i < 5; i++) {
      ops.push(
        (async function () {
          const g = await m.lock();
          order.push(i);
          g.release();
        })(),
      );
    }
    first.release();
    await Promise.all(ops);
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
  });

  it("tryLock does not overtake a queued waiter", function () {
    const m = new Mutex(0);
    const g = m.tryLock() as MutexGuard<number>;
    const w = m.lock();
    g.release();
    assert.ok(w.isDone(), "the waiter got the lock on release");
    assert.equal(m.tryLock(), null);
    w.cancel();
    assert.ok(m.tryLock() !== null, "cancelling the granted waiter freed the lock");
  });

  it("reports isLocked while a guard or an undelivered grant holds the lock", function () {
    const m = new Mutex(0);
    assert.ok(!m.isLocked());
    const op = m.lock();
    assert.ok(m.isLocked(), "granted but not yet delivered still holds it");
    op.cancel();
    assert.ok(!m.isLocked(), "cancelling the undelivered grant gives the lock back");
  });

  it("makes guard.value throw TypeError after release, and release idempotent", function () {
    const m = new Mutex({ n: 1 });
    const g = m.tryLock() as MutexGuard<{ n: number }>;
    g.release();
    g.release();
    assert.throws(function () {
      return g.value;
    }, { name: "TypeError", message: /value/ });
    assert.throws(function () {
      g.value = { n: 2 };
    }, { name: "TypeError" });
    const again = m.tryLock() as MutexGuard<{ n: number }>;
    assert.ok(again !== null, "a double release did not leave an extra permit or lose one");
    assert.equal(m.tryLock(), null, "only one holder even after a double release");
    again.release();
  });

  it("releases through Symbol.dispose where the host has it", function () {
    if (typeof Symbol !== "function" || typeof (Symbol as any).dispose !== "symbol") return;
    const m = new Mutex(0);
    const g = m.tryLock() as any;
    g[(Symbol as any).dispose]();
    assert.ok(!m.isLocked());
  });

  it("hands a lock granted to a cancelled waiter on to the next one", async function () {
    const m = new Mutex(0);
    const g = m.tryLock() as MutexGuard<number>;
    const a = m.lock();
    const b = m.lock();
    g.release();
    assert.ok(a.isDone() && !b.isDone());
    assert.ok(a.cancel(), "an undelivered grant can be cancelled");
    assert.ok(b.isDone(), "b got the lock a gave back");
    await assert.rejects(a, { code: "ERR_CANCELLED" });
    (await b).release();
    assert.ok(!m.isLocked());
  });

  it("rejects an already-aborted signal without taking the free lock", async function () {
    const m = new Mutex(0);
    const src = new CancelSource();
    src.cancel("no");
    await assert.rejects(m.lock({ signal: src.signal }), { code: "ERR_CANCELLED" });
    assert.ok(!m.isLocked());
  });

  it("rejects ERR_POOL_EXHAUSTED when the waiter pool is full, leaving the queue intact", async function () {
    const pool = new NodePool({ capacity: 1, maxCapacity: 1 });
    const m = new Mutex(0, { pool });
    const g = m.tryLock() as MutexGuard<number>;
    const a = m.lock();
    await assert.rejects(m.lock(), { code: "ERR_POOL_EXHAUSTED" });
    g.release();
    (await a).release();
    assert.equal(pool.live, 0);
  });

  it("leaves its pool empty after many cancelled waiters", function () {
    const n = VM ? 10000 : 100000;
    const pool = new NodePool({ capacity: 64, maxCapacity: 131072 });
    const m = new Mutex(0, { pool });
    const g = m.tryLock() as MutexGuard<number>;
    const ops: Array<Op<MutexGuard<number>>> = [];
    for (let i = 0; i < n; i++) ops.push(m.lock());
    assert.equal(pool.live, n);
    for (let i = 0; i < n; i++) ops[i].cancel();
    assert.equal(pool.live, 0);
    g.release();
    assert.ok(m.tryLock() !== null, "the lock is free after the mass cancellation");
  });

  it("frees waiters sharing one aborted signal", async function () {
    const pool = smallPool(4096);
    const m = new Mutex(0, { pool });
    const g = m.tryLock() as MutexGuard<number>;
    const src = new CancelSource();
    const ops: Array<Op<MutexGuard<number>>> = [];
    for (let i = 0; i < 1000; i++) ops.push(m.lock({ signal: src.signal }));
    src.cancel("bye");
    assert.equal(pool.live, 0);
    for (let i = 0; i < ops.length; i++) await assert.rejects(ops[i], { code: "ERR_CANCELLED" });
    g.release();
    assert.ok(!m.isLocked());
  });
});

describe("Mutex.runExclusive", function () {
  it("passes the guard to fn and resolves with its result", async function () {
    const m = new Mutex(41);
    const r = await m.runExclusive(function (g) {
      g.value = g.value + 1;
      return g.value;
    });
    assert.equal(r, 42);
    assert.ok(!m.isLocked());
  });

  it("releases when fn throws", async function () {
    const m = new Mutex(0);
    await assert.rejects(
      m.runExclusive(function () {
        throw new Error("boom");
      }),
      { message: /boom/ },
    );
    assert.ok(!m.isLocked());
  });

  it("releases when fn's promise rejects, and only then", async function () {
    const m = new Mutex(0);
    let fail: (e: Error) => void = function () {};
    const p = m.runExclusive(function () {
      return new Promise<number>(function (_res, rej) {
        fail = rej;
      });
    });
    await quiesce();
    assert.ok(m.isLocked(), "held while fn's promise is pending");
    fail(new Error("later"));
    await assert.rejects(p, { message: /later/ });
    assert.ok(!m.isLocked());
  });

  it("runs callers one at a time in FIFO order", async function () {
    const m = new Mutex<string[]>([]);
    const all: Array<Promise<void>> = [];
    for (let i = 0; i < 4; i++) {
      all.push(
        m.runExclusive(async function (g) {
          g.value.push("in" + i);
          await settle(5);
          g.value.push("out" + i);
        }),
      );
    }
    await Promise.all(all);
    const g = m.tryLock() as MutexGuard<string[]>;
    assert.deepEqual(g.value, ["in0", "out0", "in1", "out1", "in2", "out2", "in3", "out3"]);
    g.release();
  });

  it("ignores an abort that arrives while fn runs", async function () {
    const m = new Mutex(0);
    const src = new CancelSource();
    let finish: () => void = function () {};
    const p = m.runExclusive(
      function () {
        return new Promise<string>(function (res) {
          finish = function () {
            res("done");
          };
        });
      },
      { signal: src.signal },
    );
    await quiesce();
    src.cancel("late");
    finish();
    assert.equal(await p, "done");
    assert.ok(!m.isLocked());
  });

  it("rejects ERR_CANCELLED without calling fn when aborted while waiting", async function () {
    const m = new Mutex(0);
    const g = m.tryLock() as MutexGuard<number>;
    const src = new CancelSource();
    let called = false;
    const p = m.runExclusive(
      function () {
        called = true;
      },
      { signal: src.signal },
    );
    src.cancel("stop");
    await assert.rejects(p, { code: "ERR_CANCELLED" });
    assert.ok(!called);
    g.release();
    assert.ok(!m.isLocked());
  });

  it("throws TypeError naming fn when fn is not a function", function () {
    const m = new Mutex(0);
    assert.throws(function () {
      m.runExclusive(42 as any);
    }, { name: "TypeError", message: /fn must be a function, received 42/ });
  });

  it("throws TypeError naming options.signal for a bad signal", function () {
    const m = new Mutex(0);
    assert.throws(function () {
      m.lock({ signal: {} as any });
    }, { name: "TypeError", message: /options\.signal/ });
  });
});
