import { CancelSource } from "../../src/core/cancel";
import { Op } from "../../src/core/op";
import { NodePool } from "../../src/core/pool";
import { MAX_PERMITS } from "../../src/sync/batch_semaphore";
import { RwLock, RwLockReadGuard, RwLockWriteGuard } from "../../src/sync/rwlock";
import { assert } from "../assert";
import { settle } from "../helpers";

const VM = typeof process === "undefined";

/** The guard of an op that must already be complete (granted), taken without waiting. */
async function granted<T>(op: Op<T>): Promise<T> {
  assert.ok(op.isDone(), "expected the op to be granted already");
  return await op;
}

// Ports of tokio/tests/sync_rwlock.rs and tokio/src/sync/tests/loom_rwlock.rs
describe("RwLock (Tokio sync_rwlock scenarios)", function () {
  it("gives readers the value it was built with (into_inner)", async function () {
    const lock = new RwLock(42);
    const r = await lock.read();
    assert.equal(r.value, 42);
    r.release();
  });

  it("lets two readers in at once (read_shared)", function () {
    const lock = new RwLock(0);
    const a = lock.read();
    const b = lock.read();
    assert.ok(a.isDone() && b.isDone());
  });

  it("makes a writer wait while a reader holds the lock (write_shared_pending)", function () {
    const lock = new RwLock(0);
    lock.read();
    assert.ok(!lock.write().isDone());
  });

  it("makes a reader wait while a writer holds the lock (read_exclusive_pending)", function () {
    const lock = new RwLock(0);
    lock.write();
    assert.ok(!lock.read().isDone());
  });

  it("makes a reader wait once maxReaders readers hold the lock, until one leaves (exhaust_reading)", async function () {
    const lock = new RwLock(0, { maxReaders: 1024 });
    const guards: Array<RwLockReadGuard<number>> = [];
    for (let i = 0; i < 1024; i++) {
      const g = lock.tryRead();
      assert.ok(g !== null, "reader " + i + " gets in");
      guards.push(g as RwLockReadGuard<number>);
    }
    assert.equal(lock.tryRead(), null);
    const waiting = lock.read();
    assert.ok(!waiting.isDone());
    guards[0].release();
    assert.ok(waiting.isDone());
  });

  it("refuses maxReaders 0 with a RangeError naming options.maxReaders (zero_max_readers)", function () {
    assert.throws(function () {
      new RwLock(0, { maxReaders: 0 });
    }, { name: "RangeError", message: /options\.maxReaders.*received 0/ });
  });

  it("makes a second writer wait while a writer holds the lock (write_exclusive_pending)", function () {
    const lock = new RwLock(0);
    lock.write();
    assert.ok(!lock.write().isDone());
  });

  it("wakes a waiting writer when the reader leaves (write_shared_drop)", async function () {
    const lock = new RwLock(0);
    const r = lock.tryRead() as RwLockReadGuard<number>;
    const w = lock.write();
    assert.ok(!w.isDone());
    r.release();
    assert.ok(w.isDone());
  });

  it("makes a new reader queue behind a waiting writer (write_read_shared_pending)", function () {
    const lock = new RwLock(0);
    lock.read();
    lock.read();
    const w = lock.write();
    assert.ok(!w.isDone());
    const r3 = lock.read();
    assert.ok(!r3.isDone(), "a reader may not overtake the queued writer");
    assert.equal(lock.tryRead(), null);
  });

  it("lets readers queued behind a writer in at once when the writer is cancelled (write_read_shared_drop_pending)", function () {
    const lock = new RwLock(0);
    const r1 = lock.tryRead() as RwLockReadGuard<number>;
    const w = lock.write(); // takes the free permits, waits for r1's
    const r2 = lock.read();
    assert.ok(!w.isDone() && !r2.isDone());
    assert.ok(w.cancel());
    assert.ok(r2.isDone(), "r2 is granted as soon as the writer leaves");
    r1.release();
  });

  it("grants writers in the order they queued (write_order)", async function () {
    const lock = new RwLock<number[]>([]);
    const r = lock.tryRead() as RwLockReadGuard<number[]>;
    const second = lock.write();
    const first = lock.write();
    r.release();
    const g2 = await second;
    g2.value.push(1);
    g2.release();
    const g1 = await first;
    g1.value.push(2);
    g1.release();
    const check = lock.tryRead() as RwLockReadGuard<number[]>;
    assert.deepEqual(check.value, [1, 2]);
  });

  it("sums concurrent writes from four tasks (multithreaded)", async function () {
    const lock = new RwLock(0);
    const tasks: Array<Promise<void>> = [];
    const adds = [2, 3, 5, 7];
    for (let t = 0; t < 4; t++) {
      tasks.push(
        (async function () {
          for (let i = 0; i < 1000; i++) {
            const g = await lock.write();
            g.value = g.value + adds[t];
            g.release();
          }
        })(),
      );
    }
    await Promise.all(tasks);
    const r = await lock.read();
    assert.equal(r.value, 17000);
  });

  it("tryWrite fails while a reader holds the lock and succeeds after (try_write)", function () {
    const lock = new RwLock(0);
    const r = lock.tryRead() as RwLockReadGuard<number>;
    assert.equal(lock.tryWrite(), null);
    r.release();
    assert.ok(lock.tryWrite() !== null);
  });

  it("mixes tryRead and tryWrite (try_read_try_write)", function () {
    const lock = new RwLock(15);
    const a = lock.tryRead() as RwLockReadGuard<number>;
    const b = lock.tryRead() as RwLockReadGuard<number>;
    assert.ok(a !== null && b !== null);
    assert.equal(lock.tryWrite(), null);
    a.release();
    b.release();
    const w = lock.tryWrite() as RwLockWriteGuard<number>;
    assert.ok(w !== null);
    w.value = 1515;
    assert.equal(lock.tryRead(), null);
    w.release();
    const c = lock.tryRead() as RwLockReadGuard<number>;
    assert.equal(c.value, 1515);
  });

  it("lets a queued reader in on downgrade, sharing the data (downgrade_map)", async function () {
    const lock = new RwLock({ n: 1 });
    const w = lock.tryWrite() as RwLockWriteGuard<{ n: number }>;
    const r = lock.read();
    assert.ok(!r.isDone());
    w.value = { n: 5 };
    const mine = w.downgrade();
    assert.ok(r.isDone(), "the reader is let in by the downgrade");
    const theirs = await r;
    assert.equal(mine.value, theirs.value);
    assert.equal(theirs.value.n, 5);
  });

  it("keeps a queued writer out until the downgraded reader leaves (loom downgrade)", async function () {
    const lock = new RwLock(1);
    const w = lock.tryWrite() as RwLockWriteGuard<number>;
    const other = lock.write();
    const r = w.downgrade();
    assert.equal(r.value, 1, "no writer slipped in between");
    assert.ok(!other.isDone());
    r.release();
    const g = await granted(other);
    g.value = 2;
    g.release();
    assert.equal((lock.tryRead() as RwLockReadGuard<number>).value, 2);
  });

  it("never shows readers a torn value while writers add (loom concurrent_read_write)", async function () {
    const lock = new RwLock(0);
    const seen: number[] = [];
    const tasks: Array<Promise<void>> = [];
    for (let t = 0; t < 2; t++) {
      tasks.push(
        (async function () {
          const g = await lock.write();
          const v = g.value;
          await settle(5);
          g.value = v + 5;
          g.release();
        })(),
      );
      tasks.push(
        (async function () {
          const g = await lock.read();
          seen.push(g.value);
          await settle(5);
          g.release();
        })(),
      );
    }
    await Promise.all(tasks);
    for (let i = 0; i < seen.length; i++) assert.ok(seen[i] === 0 || seen[i] === 5 || seen[i] === 10, "saw " + seen[i]);
    assert.equal((await lock.read()).value, 10);
  });
});

describe("RwLock", function () {
  it("lets readers queued before a writer in on downgrade, but not those after it", function () {
    const lock = new RwLock(0, { maxReaders: 8 });
    const w = lock.tryWrite() as RwLockWriteGuard<number>;
    const r1 = lock.read();
    const r2 = lock.read();
    const w2 = lock.write();
    const r3 = lock.read();
    w.downgrade();
    assert.ok(r1.isDone() && r2.isDone(), "readers ahead of the writer get in");
    assert.ok(!w2.isDone(), "the writer waits for every reader");
    assert.ok(!r3.isDone(), "a reader behind the writer keeps waiting");
  });

  it("downgrades with maxReaders 1 by keeping the single permit", function () {
    const lock = new RwLock("x", { maxReaders: 1 });
    const w = lock.tryWrite() as RwLockWriteGuard<string>;
    const r = w.downgrade();
    assert.equal(r.value, "x");
    assert.equal(lock.tryRead(), null);
    r.release();
    assert.ok(lock.tryWrite() !== null);
  });

  it("ends the write guard on downgrade: its value throws, its release does nothing", function () {
    const lock = new RwLock(3, { maxReaders: 4 });
    const w = lock.tryWrite() as RwLockWriteGuard<number>;
    const r = w.downgrade();
    assert.throws(function () {
      return w.value;
    }, { name: "TypeError" });
    w.release();
    assert.equal(lock.tryWrite(), null, "the read guard still holds its permit");
    assert.throws(function () {
      w.downgrade();
    }, { name: "TypeError", message: /downgrade/ });
    r.release();
    assert.ok(lock.tryWrite() !== null, "all permits are back");
  });

  it("throws TypeError after release on both guards and releases idempotently", function () {
    const lock = new RwLock(1, { maxReaders: 2 });
    const r = lock.tryRead() as RwLockReadGuard<number>;
    r.release();
    r.release();
    assert.throws(function () {
      return r.value;
    }, { name: "TypeError" });
    const w = lock.tryWrite() as RwLockWriteGuard<number>;
    assert.ok(w !== null, "double read release left exactly maxReaders permits");
    w.release();
    w.release();
    assert.throws(function () {
      w.value = 2;
    }, { name: "TypeError" });
    assert.ok(lock.tryWrite() !== null, "double write release did not lose permits");
  });

  it("gives back what a cancelled op held: queued, partially granted or granted-undelivered", function () {
    const lock = new RwLock(0, { maxReaders: 3 });
    const r1 = lock.tryRead() as RwLockReadGuard<number>;
    const w = lock.write(); // took 2 of 3, needs 1 more
    const r2 = lock.read();
    r1.release(); // w is granted, not yet delivered
    assert.ok(w.isDone() && !r2.isDone());
    w.cancel();
    assert.ok(r2.isDone(), "the writer's permits went on to the reader");
    r2.cancel();
    assert.ok(lock.tryWrite() !== null, "every permit is back");
  });

  it("defaults maxReaders to MAX_PERMITS", function () {
    assert.equal(new RwLock(0).maxReaders, MAX_PERMITS);
  });

  it("names options.maxReaders in misuse errors", function () {
    assert.throws(function () {
      new RwLock(0, { maxReaders: 1.5 });
    }, { name: "TypeError", message: /options\.maxReaders.*1\.5/ });
    assert.throws(function () {
      new RwLock(0, { maxReaders: "many" as any });
    }, { name: "TypeError", message: /options\.maxReaders/ });
    assert.throws(function () {
      new RwLock(0, { maxReaders: MAX_PERMITS + 1 });
    }, { name: "RangeError", message: /options\.maxReaders/ });
    assert.throws(function () {
      new RwLock(0, { maxReaders: -1 });
    }, { name: "RangeError", message: /options\.maxReaders/ });
  });

  it("rejects an already-aborted signal without taking the free lock", async function () {
    const lock = new RwLock(0);
    const src = new CancelSource();
    src.cancel("no");
    await assert.rejects(lock.write({ signal: src.signal }), { code: "ERR_CANCELLED" });
    await assert.rejects(lock.read({ signal: src.signal }), { code: "ERR_CANCELLED" });
    assert.ok(lock.tryWrite() !== null);
  });

  it("lets readers behind an aborted writer in at once", async function () {
    const lock = new RwLock(0);
    const r1 = lock.tryRead() as RwLockReadGuard<number>;
    const src = new CancelSource();
    const w = lock.write({ signal: src.signal });
    const r2 = lock.read();
    src.cancel("gave up");
    await assert.rejects(w, { code: "ERR_CANCELLED" });
    assert.ok(r2.isDone());
    r1.release();
    (await r2).release();
    assert.ok(lock.tryWrite() !== null);
  });

  it("leaves its pool empty after many cancelled readers and writers", function () {
    const n = VM ? 10000 : 100000;
    const pool = new NodePool({ capacity: 64, maxCapacity: 131072 });
    const lock = new RwLock(0, { pool, maxReaders: 16 });
    const w = lock.tryWrite() as RwLockWriteGuard<number>;
    const ops: Array<Op<unknown>> = [];
    for (let i = 0; i < n; i++) ops.push(i % 2 === 0 ? lock.read() : lock.write());
    assert.equal(pool.live, n);
    for (let i = 0; i < n; i++) ops[i].cancel();
    assert.equal(pool.live, 0);
    w.release();
    assert.ok(lock.tryWrite() !== null, "the lock is entirely free afterwards");
  });
});
