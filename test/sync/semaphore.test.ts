import { Op } from "../../src/core/op";
import { Permit, Semaphore } from "../../src/sync/semaphore";
import { assert } from "../assert";
import { quiesce, track } from "../helpers";

const VM = typeof process === "undefined";
const MAX = Semaphore.MAX_PERMITS;

/** Lets queued deliveries (one microtask per batch) and awaits that follow them run. */

// Ports of tokio/tests/sync_semaphore.rs
describe("Semaphore (Tokio sync_semaphore scenarios)", function () {
  it("constructs with no permits (no_permits)", function () {
    const s = new Semaphore(0);
    assert.equal(s.availablePermits(), 0);
    assert.equal(s.tryAcquire(), null);
  });

  it("refuses a second try while the first permit is held (try_acquire)", function () {
    const s = new Semaphore(1);
    const p1 = s.tryAcquire();
    assert.ok(p1 instanceof Permit);
    assert.equal(s.tryAcquire(), null);
    (p1 as Permit).release();
    assert.ok(s.tryAcquire() !== null);
  });

  it("lets a waiting task finish once the holder releases (acquire)", async function () {
    const s = new Semaphore(1);
    const held = s.tryAcquire() as Permit;
    const op = s.acquire();
    const out = track(op);
    await quiesce();
    assert.ok(!out.done, "still waiting");
    held.release();
    const p = await op;
    assert.equal(p.permits, 1);
    assert.equal(s.availablePermits(), 0);
  });

  it("lets a waiting task finish once a permit is added (add_permits)", async function () {
    const s = new Semaphore(0);
    const op = s.acquire();
    s.addPermits(1);
    const p = await op;
    assert.equal(p.permits, 1);
  });

  it("adds permits to an open or a closed semaphore without reopening it (add_permits_open/closed)", function () {
    for (let size = 0; size < 3; size++) {
      for (let add = 0; add < 3; add++) {
        const open = new Semaphore(size);
        open.addPermits(add);
        assert.equal(open.availablePermits(), size + add);
        assert.ok(!open.isClosed());
        const closed = new Semaphore(size);
        closed.close();
        closed.addPermits(add);
        assert.equal(closed.availablePermits(), size + add);
        assert.ok(closed.isClosed());
      }
    }
  });

  it("keeps a forgotten permit out of the semaphore for good (forget)", function () {
    const s = new Semaphore(1);
    const p = s.tryAcquire() as Permit;
    assert.equal(s.availablePermits(), 0);
    p.forget();
    assert.equal(p.permits, 0);
    p.release();
    assert.equal(s.availablePermits(), 0);
    assert.equal(s.tryAcquire(), null);
  });

  it("forgets up to the free permits and keeps the closed flag (forget_open/closed)", function () {
    for (let size = 0; size < 3; size++) {
      for (let sub = 0; sub < 3; sub++) {
        for (let c = 0; c < 2; c++) {
          const s = new Semaphore(size);
          if (c === 1) s.close();
          assert.equal(s.forgetPermits(sub), Math.min(size, sub));
          assert.equal(s.availablePermits(), size - Math.min(size, sub));
          assert.equal(s.isClosed(), c === 1);
        }
      }
    }
  });

  it("merges permits of the same semaphore (merge)", function () {
    const s = new Semaphore(3);
    const p1 = s.tryAcquire() as Permit;
    assert.equal(s.availablePermits(), 2);
    const p2 = s.tryAcquire(2) as Permit;
    assert.equal(s.availablePermits(), 0);
    p1.merge(p2);
    assert.equal(p1.permits, 3);
    assert.equal(p2.permits, 0);
    assert.equal(s.availablePermits(), 0);
    p2.release();
    assert.equal(s.availablePermits(), 0, "a merged-away permit releases nothing");
    p1.release();
    assert.equal(s.availablePermits(), 3);
    p1.merge(p1);
    assert.equal(p1.permits, 0);
  });

  it("throws when merging permits of different semaphores (merge_unrelated_permits)", function () {
    const a = new Semaphore(1);
    const b = new Semaphore(1);
    const pa = a.tryAcquire() as Permit;
    const pb = b.tryAcquire() as Permit;
    assert.throws(() => pa.merge(pb), { name: "TypeError", message: /other/ });
    assert.equal(pa.permits, 1);
    assert.equal(pb.permits, 1);
    assert.throws(() => pa.merge({} as Permit), { name: "TypeError", message: /other.*Permit/ });
  });

  it("splits permits off, including zero, and refuses more than held (split)", function () {
    const s = new Semaphore(5);
    const p1 = s.tryAcquire(3) as Permit;
    assert.equal(s.availablePermits(), 2);
    const p2 = p1.split(1) as Permit;
    assert.equal(p1.permits, 2);
    assert.equal(p2.permits, 1);
    assert.equal(s.availablePermits(), 2);
    const p3 = p1.split(0) as Permit;
    assert.ok(p3 !== null);
    assert.equal(p3.permits, 0);
    p1.release();
    assert.equal(s.availablePermits(), 4);
    const p4 = p2.split(1) as Permit;
    assert.equal(p2.permits, 0);
    assert.equal(p2.split(1), null);
    p2.release();
    assert.equal(s.availablePermits(), 4);
    p3.release();
    assert.equal(s.availablePermits(), 4);
    p4.release();
    assert.equal(s.availablePermits(), 5);
    assert.throws(() => p4.split(-1), { name: "RangeError", message: /\bn\b/ });
  });

  it("never lets more than 5 of 1000 tasks in, and ends with exactly 5 permits (stress_test)", async function () {
    const s = new Semaphore(5);
    let active = 0;
    let most = 0;
    const tasks: Promise<void>[] = [];
    for (let i = 0; i < 1000; i++) {
      tasks.push(
        (async function () {
          const p = await s.acquire();
          active++;
          if (active > most) most = active;
          await Promise.resolve();
          active--;
          p.release();
        })(),
      );
    }
    await Promise.all(tasks);
    assert.ok(most <= 5 && most >= 1, "at most 5 at once, saw " + most);
    for (let i = 0; i < 5; i++) assert.ok(s.tryAcquire() !== null, "permit " + i);
    assert.equal(s.tryAcquire(), null);
  });

  it("adds up to MAX_PERMITS (add_max_amount_permits)", function () {
    const s = new Semaphore(0);
    s.addPermits(MAX);
    assert.equal(s.availablePermits(), MAX);
  });

  it("throws RangeError past MAX_PERMITS and changes nothing (add_more_than_max_amount_permits1/2)", function () {
    const s = new Semaphore(1);
    assert.throws(() => s.addPermits(MAX), { name: "RangeError", message: /\bn\b/ });
    assert.equal(s.availablePermits(), 1);
    const t = new Semaphore(MAX - 1);
    t.addPermits(1);
    assert.throws(() => t.addPermits(1), { name: "RangeError" });
    assert.equal(t.availablePermits(), MAX);
  });

  it("accepts MAX_PERMITS and refuses more on construction (no_panic_at_maxpermits, panic_when_exceeds_maxpermits)", function () {
    assert.equal(MAX, 1073741823);
    assert.equal(new Semaphore(MAX).availablePermits(), MAX);
    const s = new Semaphore(MAX - 1);
    s.addPermits(1);
    assert.equal(s.availablePermits(), MAX);
    assert.throws(() => new Semaphore(MAX + 1), { name: "RangeError", message: /permits.*1073741824/ });
  });

  it("rejects every acquire on a closed semaphore with ERR_CLOSED (blocking_acquire_closed)", async function () {
    const s = new Semaphore(5);
    s.close();
    await assert.rejects(s.acquire(), { code: "ERR_CLOSED" });
    await assert.rejects(s.acquire(3), { code: "ERR_CLOSED" });
    await assert.rejects(s.acquire(0), { code: "ERR_CLOSED" });
    assert.equal(s.availablePermits(), 5);
  });
});

describe("Semaphore", function () {
  it("throws ERR_CLOSED from tryAcquire once closed, even for zero permits", function () {
    const s = new Semaphore(3);
    s.close();
    assert.throws(() => s.tryAcquire(), { code: "ERR_CLOSED" });
    assert.throws(() => s.tryAcquire(0), { code: "ERR_CLOSED" });
  });

  it("gives a 0-permit Permit at once even while others wait", async function () {
    const s = new Semaphore(0);
    const waiting = track(s.acquire(2));
    const zero = s.tryAcquire(0) as Permit;
    assert.ok(zero !== null);
    assert.equal(zero.permits, 0);
    const p = await s.acquire(0);
    assert.equal(p.permits, 0);
    assert.ok(!waiting.done);
    assert.equal(s.waiterCount(), 1);
  });

  it("releases a permit once however often release() is called", function () {
    const s = new Semaphore(2);
    const p = s.tryAcquire(2) as Permit;
    p.release();
    assert.equal(p.permits, 0);
    p.release();
    assert.equal(s.availablePermits(), 2);
  });

  it("counts only waiters still queued in waiterCount()", async function () {
    const s = new Semaphore(0);
    const a = s.acquire();
    const b = s.acquire(2);
    assert.equal(s.waiterCount(), 2);
    s.addPermits(1);
    assert.equal(s.waiterCount(), 1, "a was served, even though not delivered yet");
    b.cancel();
    assert.equal(s.waiterCount(), 0);
    (await a).release();
  });

  it("rejects every waiter with ERR_CLOSED on close and keeps availablePermits", async function () {
    const s = new Semaphore(1);
    const held = s.tryAcquire() as Permit;
    const ops = [s.acquire(), s.acquire(3), s.acquire()];
    s.close();
    assert.equal(s.waiterCount(), 0);
    for (let i = 0; i < ops.length; i++) await assert.rejects(ops[i], { code: "ERR_CLOSED" });
    assert.equal(s.availablePermits(), 0);
    held.release();
    assert.equal(s.availablePermits(), 1, "held permits stay valid after close");
  });

  it("returns a waiter's partial permits to the counter when it fails on close", async function () {
    const s = new Semaphore(2);
    const op = s.acquire(3);
    assert.equal(s.availablePermits(), 0);
    s.close();
    assert.equal(s.availablePermits(), 2);
    await assert.rejects(op, { code: "ERR_CLOSED" });
  });

  it("hands a cancelled waiter's partial permits to the next waiter, waking it", async function () {
    const s = new Semaphore(2);
    const a = s.acquire(3);
    const b = s.acquire(2);
    assert.equal(a.cancel("stop"), true);
    const p = await b;
    assert.equal(p.permits, 2);
    assert.equal(s.availablePermits(), 0);
    const err = (await assert.rejects(a, { code: "ERR_CANCELLED", name: "AbortError" })) as { cause: unknown };
    assert.equal(err.cause, "stop");
  });

  it("completes an acquire that a release satisfies while it waits (release_during_acquire)", async function () {
    const s = new Semaphore(10);
    const p8 = s.tryAcquire(8) as Permit;
    const op = s.acquire(4);
    assert.equal(s.availablePermits(), 0, "the waiter took the 2 free permits");
    p8.release();
    assert.equal(s.availablePermits(), 6);
    const p4 = await op;
    assert.equal(p4.permits, 4);
    p4.release();
    assert.equal(s.availablePermits(), 10);
  });

  it("passes the permit of an op cancelled during another op's delivery to the next waiter", async function () {
    const s = new Semaphore(0);
    const a = s.acquire();
    const b = s.acquire();
    const c = s.acquire();
    const cOut = track(c);
    let cancelled: boolean | null = null;
    a.then(function (p) {
      cancelled = b.cancel(); // b was granted but not yet delivered
      p.release();
    });
    s.addPermits(2);
    await quiesce();
    assert.equal(cancelled, true);
    await assert.rejects(b, { code: "ERR_CANCELLED" });
    assert.ok(cOut.done && cOut.value instanceof Permit, "c got b's permit");
    assert.equal(s.availablePermits(), 1, "a's permit came back");
  });

  it("grants a 4-of-4 request as the 4 permits come back, with no 1-permit user overtaking it", async function () {
    const s = new Semaphore(4);
    const held: Permit[] = [];
    for (let i = 0; i < 4; i++) held.push(s.tryAcquire() as Permit);
    const order: string[] = [];
    const big = s.acquire(4);
    big.then(function () {
      order.push("big");
    });
    const smalls: Op<Permit>[] = [];
    for (let i = 0; i < 4; i++) {
      held[i].release();
      // A stream of 1-permit users keeps arriving while the big request waits.
      const op = s.acquire(1);
      op.then(function () {
        order.push("small");
      });
      smalls.push(op);
      assert.equal(s.tryAcquire(), null, "no try overtakes it either");
    }
    const permit = await big;
    await quiesce();
    assert.deepEqual(order, ["big"]);
    permit.release();
    for (let i = 0; i < smalls.length; i++) (await smalls[i]).release();
    assert.deepEqual(order, ["big", "small", "small", "small", "small"]);
    assert.equal(s.availablePermits(), 4);
  });

  it("rejects only the waiter that finds the pool full, with ERR_POOL_EXHAUSTED naming the pool", async function () {
    const s = new Semaphore(1, { pool: { capacity: 2, maxCapacity: 2 } });
    const held = s.tryAcquire() as Permit;
    const first = s.acquire();
    const second = s.acquire();
    const third = s.acquire();
    const err = (await assert.rejects(third, { code: "ERR_POOL_EXHAUSTED" })) as { pool: string };
    assert.equal(err.pool, "waiters");
    assert.equal(s.waiterCount(), 2);
    assert.equal(s.availablePermits(), 0);
    held.release();
    const p1 = await first;
    p1.release();
    const p2 = await second;
    assert.equal(p2.permits, 1);
    const again = s.acquire();
    p2.release();
    (await again).release();
    assert.equal(s.availablePermits(), 1);
  });

  it("leaves no pool node behind for 100,000 cancelled waiters", async function () {
    this.timeout(20000);
    const n = VM ? 20000 : 100000;
    const s = new Semaphore(0, { pool: { capacity: 16, maxCapacity: 131072 } });
    const pool = s.inner.pool;
    const ops: Op<Permit>[] = [];
    for (let i = 0; i < n; i++) ops.push(s.acquire());
    assert.equal(pool.live, n);
    assert.equal(s.waiterCount(), n);
    // Cancel from both ends and the middle: every removal is O(1).
    for (let i = 0; i < n; i += 2) ops[i].cancel();
    for (let i = n - 1; i > 0; i -= 2) ops[i].cancel();
    assert.equal(pool.live, 0);
    assert.equal(s.waiterCount(), 0);
    s.addPermits(1);
    assert.equal(s.availablePermits(), 1, "no cancelled waiter absorbed the permit");
    const p = await s.acquire();
    assert.equal(p.permits, 1);
    await assert.rejects(ops[n - 1], { code: "ERR_CANCELLED" });
  });

  it("throws if releasing a permit would pass MAX_PERMITS, and the permit keeps its count", function () {
    const s = new Semaphore(1);
    const p = s.tryAcquire() as Permit;
    s.addPermits(MAX);
    assert.throws(() => p.release(), { name: "RangeError" });
    assert.equal(s.availablePermits(), MAX);
    assert.equal(p.permits, 1, "nothing changed: the permit is still held");
    s.forgetPermits(1);
    p.release();
    assert.equal(s.availablePermits(), MAX);
  });

  it("releases through Symbol.dispose where the host has it", function () {
    const s = new Semaphore(1);
    const p = s.tryAcquire() as Permit;
    const sym = typeof Symbol === "function" ? (Symbol as unknown as { dispose?: symbol }).dispose : undefined;
    if (typeof sym !== "symbol") return;
    (p as unknown as { [k: symbol]: () => void })[sym]();
    assert.equal(s.availablePermits(), 1);
  });

  it("names the argument and the value in misuse errors", function () {
    const s = new Semaphore(1);
    assert.throws(() => new Semaphore(-1), { name: "RangeError", message: /permits.*-1/ });
    assert.throws(() => new Semaphore(0.5), { name: "TypeError", message: /permits.*0\.5/ });
    assert.throws(() => new Semaphore("3" as unknown as number), { name: "TypeError", message: /permits.*"3"/ });
    assert.throws(() => s.acquire(-1), { name: "RangeError", message: /\bn\b.*-1/ });
    assert.throws(() => s.acquire(1.5), { name: "TypeError", message: /\bn\b.*1\.5/ });
    assert.throws(() => s.acquire(MAX + 1), { name: "RangeError", message: /\bn\b/ });
    assert.throws(() => s.tryAcquire(NaN), { name: "TypeError", message: /\bn\b.*NaN/ });
    assert.throws(() => s.addPermits(-2), { name: "RangeError", message: /\bn\b.*-2/ });
    assert.throws(() => s.forgetPermits(Infinity), { name: "RangeError", message: /\bn\b/ });
    assert.throws(() => s.acquire(1, 5 as unknown as object), { name: "TypeError", message: /options.*5/ });
    assert.throws(() => s.acquire(1, { signal: {} as never }), { name: "TypeError", message: /options\.signal/ });
    assert.equal(s.availablePermits(), 1, "misuse takes nothing");
    assert.equal(s.waiterCount(), 0);
  });
});
