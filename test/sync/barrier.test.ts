import { CancelSource } from "../../src/core/cancel";
import { Op } from "../../src/core/op";
import { whenDone } from "../helpers";
import { NodePool } from "../../src/core/pool";
import { Barrier, BarrierWaitResult } from "../../src/sync/barrier";
import { assert } from "../assert";

const VM = typeof process === "undefined";

function pool(size?: number): NodePool {
  return new NodePool({ capacity: 2, maxCapacity: size || 1024 });
}

// Ports of tokio/tests/sync_barrier.rs
describe("Barrier (Tokio sync_barrier scenarios)", function () {
  it("never blocks a Barrier(0), and every wait leads (zero_does_not_block)", async function () {
    const b = new Barrier(0);
    for (let i = 0; i < 3; i++) {
      const op = b.wait();
      assert.ok(op.isDone());
      assert.equal((await op).isLeader, true);
    }
  });

  it("never blocks a Barrier(1), and every wait leads (single)", async function () {
    const b = new Barrier(1);
    for (let i = 0; i < 3; i++) {
      const op = b.wait();
      assert.ok(op.isDone());
      assert.equal((await op).isLeader, true);
    }
  });

  it("releases two waiters together with exactly one leader (tango)", async function () {
    const b = new Barrier(2);
    const w1 = b.wait();
    assert.ok(!w1.isDone());
    const w2 = b.wait();
    assert.ok(w2.isDone() && w1.isDone());
    const r1 = await w1;
    const r2 = await w2;
    assert.equal(r1.isLeader, false);
    assert.equal(r2.isLeader, true, "the arrival that completed the generation leads");
  });

  it("runs ten generations of a hundred with one leader each (lots)", async function () {
    const b = new Barrier(100, { pool: pool() });
    for (let gen = 0; gen < 10; gen++) {
      const ops: Array<Op<BarrierWaitResult>> = [];
      for (let i = 0; i < 99; i++) ops.push(b.wait());
      for (let i = 0; i < 99; i++) assert.ok(!ops[i].isDone(), "gen " + gen + " waiter " + i + " waits");
      ops.push(b.wait());
      let leaders = 0;
      for (let i = 0; i < 100; i++) {
        assert.ok(ops[i].isDone());
        if ((await ops[i]).isLeader) leaders++;
      }
      assert.equal(leaders, 1, "gen " + gen);
    }
  });
});

describe("Barrier", function () {
  it("withdraws the arrival of a cancelled wait", function () {
    const b = new Barrier(3, { pool: pool() });
    const a = b.wait();
    const c = b.wait();
    assert.ok(a.cancel());
    const d = b.wait();
    assert.ok(!c.isDone() && !d.isDone(), "only two arrivals count");
    const e = b.wait();
    assert.ok(c.isDone() && d.isDone() && e.isDone());
  });

  it("withdraws the arrival of a wait aborted through its signal", async function () {
    const b = new Barrier(2, { pool: pool() });
    const src = new CancelSource();
    const a = b.wait({ signal: src.signal });
    src.cancel("late");
    await assert.rejects(a, { code: "ERR_CANCELLED" });
    const c = b.wait();
    assert.ok(!c.isDone());
    b.wait();
    assert.ok(c.isDone());
  });

  it("does not count a wait whose signal was already aborted", async function () {
    const b = new Barrier(2, { pool: pool() });
    const src = new CancelSource();
    src.cancel("no");
    await assert.rejects(b.wait({ signal: src.signal }), { code: "ERR_CANCELLED" });
    const a = b.wait();
    assert.ok(!a.isDone(), "the aborted wait did not arrive");
  });

  it("leaves a released generation alone when one of its waits is cancelled before delivery", function () {
    const b = new Barrier(2, { pool: pool() });
    const a = b.wait();
    b.wait();
    assert.ok(a.isDone());
    assert.ok(a.cancel(), "undelivered, so cancellable");
    const next = b.wait();
    assert.ok(!next.isDone(), "the next generation starts from zero");
    b.wait();
    assert.ok(next.isDone());
  });

  it("puts waits started from a completion into the next generation", function () {
    const p = pool(8);
    const b = new Barrier(3, { pool: p });
    const w0 = b.wait();
    const w1 = b.wait();
    const box: { inner: Op<BarrierWaitResult> | null } = { inner: null };
    let cancelled = false;
    whenDone(w0, function () {
      // w1 is still queued for release when this runs: cancelling it must neither fail
      // nor touch the new generation's count.
      cancelled = w1.cancel("from a completion");
      box.inner = b.wait();
    });
    const w2 = b.wait(); // completes the generation
    assert.ok(w0.isDone() && w2.isDone());
    assert.ok(cancelled, "w1 was cancellable from the completion");
    // Assigned inside a callback, which TypeScript's narrowing cannot see.
    const inner = box.inner as unknown as Op<BarrierWaitResult> | null;
    assert.ok(inner !== null && !inner.isDone(), "a completion's wait belongs to the next generation");
    b.wait();
    assert.ok(!(inner as Op<BarrierWaitResult>).isDone(), "two arrivals of three");
    b.wait();
    assert.ok((inner as Op<BarrierWaitResult>).isDone());
    assert.equal(p.live, 0);
  });

  it("rejects ERR_POOL_EXHAUSTED without counting the arrival", async function () {
    const b = new Barrier(3, { pool: new NodePool({ capacity: 1, maxCapacity: 1 }) });
    const a = b.wait();
    await assert.rejects(b.wait(), { code: "ERR_POOL_EXHAUSTED" });
    a.cancel();
    const c = b.wait();
    assert.ok(!c.isDone());
  });

  it("names n in misuse errors", function () {
    assert.throws(function () {
      new Barrier(-1);
    }, { name: "RangeError", message: /^n must.*received -1/ });
    assert.throws(function () {
      new Barrier(2.5);
    }, { name: "TypeError", message: /^n must.*received 2\.5/ });
    assert.throws(function () {
      new Barrier("3" as any);
    }, { name: "TypeError", message: /^n must.*received "3"/ });
  });

  it("leaves its pool empty after many cancelled waits", function () {
    const count = VM ? 10000 : 100000;
    const p = new NodePool({ capacity: 64, maxCapacity: 131072 });
    const b = new Barrier(count + 1, { pool: p });
    const ops: Array<Op<BarrierWaitResult>> = [];
    for (let i = 0; i < count; i++) ops.push(b.wait());
    assert.equal(p.live, count);
    for (let i = 0; i < count; i++) ops[i].cancel();
    assert.equal(p.live, 0);
    assert.ok(!b.wait().isDone(), "every arrival was withdrawn");
  });
});
