import { CancelSource } from "../../src/core/cancel";
import { Op } from "../../src/core/op";
import { whenDone } from "../helpers";
import { NodePool } from "../../src/core/pool";
import { Notify } from "../../src/sync/notify";
import { assert } from "../assert";

const VM = typeof process === "undefined";

function fresh(): Notify {
  return new Notify({ pool: new NodePool({ capacity: 2, maxCapacity: 1024 }) });
}

// Ports of tokio/tests/sync_notify.rs, tokio/src/sync/tests/notify.rs and loom_notify.rs
describe("Notify (Tokio sync_notify scenarios)", function () {
  it("stores a notifyOne with nobody waiting for the next notified (notify_notified_one)", async function () {
    const n = fresh();
    n.notifyOne();
    const op = n.notified();
    assert.ok(op.isDone());
    await op;
  });

  it("wakes only the oldest waiter on notifyOne (notify_multi_notified_one)", function () {
    const n = fresh();
    const a = n.notified();
    const b = n.notified();
    n.notifyOne();
    assert.ok(a.isDone() && !b.isDone());
  });

  it("wakes only the newest waiter on notifyLast (notify_multi_notified_last)", function () {
    const n = fresh();
    const a = n.notified();
    const b = n.notified();
    n.notifyLast();
    assert.ok(!a.isDone() && b.isDone());
  });

  it("lets the stored permit satisfy only the first of two waiters (notify_notified_multi)", function () {
    const n = fresh();
    n.notifyOne();
    const a = n.notified();
    const b = n.notified();
    assert.ok(a.isDone() && !b.isDone());
    n.notifyOne();
    assert.ok(b.isDone());
  });

  it("unlinks a cancelled waiter so the notification reaches the next (notified_drop_notified_notify)", function () {
    const n = fresh();
    const a = n.notified();
    a.cancel();
    const b = n.notified();
    n.notifyOne();
    assert.ok(b.isDone());
    assert.equal(n.waiterCount(), 0);
  });

  it("forwards a notification from a waiter cancelled before delivery (notified_multi_notify_drop_one)", function () {
    const n = fresh();
    const a = n.notified();
    const b = n.notified();
    n.notifyOne();
    assert.ok(a.isDone() && !b.isDone());
    assert.ok(a.cancel());
    assert.ok(b.isDone(), "the notification moved on to b");
  });

  it("forwards a notifyOne to the next oldest and a notifyLast to the next newest (notified_multi_notify_one_drop / last_drop)", function () {
    const n = fresh();
    const a = n.notified();
    const b = n.notified();
    const c = n.notified();
    n.notifyOne();
    a.cancel();
    assert.ok(b.isDone() && !c.isDone());

    const m = fresh();
    const x = m.notified();
    const y = m.notified();
    const z = m.notified();
    m.notifyLast();
    z.cancel();
    assert.ok(y.isDone() && !x.isDone());
  });

  it("survives notifyWaiters called from a completion while it wakes (notify_in_drop_after_wake)", function () {
    const n = fresh();
    let late: Op<void> | null = null;
    const first = n.notified();
    const second = n.notified();
    let secondDone = false;
    whenDone(first, function () {
      late = n.notified();
      n.notifyWaiters();
    });
    whenDone(second, function () {
      secondDone = true;
    });
    n.notifyWaiters();
    assert.ok(secondDone, "the second waiter was woken");
    assert.ok(late !== null && (late as Op<void>).isDone(), "the nested call woke the op created before it");
    assert.equal(n.waiterCount(), 0);
    const after = n.notified();
    assert.ok(!after.isDone());
    n.notifyWaiters();
    assert.ok(after.isDone());
  });

  it("unlinks cleanly a waiter cancelled from a completion while notifyWaiters is still waking", function () {
    const pool = new NodePool({ capacity: 8, maxCapacity: 8 });
    const n = new Notify({ pool });
    const ops: Array<Op<void>> = [];
    for (let i = 0; i < 4; i++) ops.push(n.notified());
    let cancelled = false;
    whenDone(ops[0], function () {
      cancelled = ops[3].cancel("from a completion");
    });
    n.notifyWaiters();
    assert.ok(cancelled, "the last waiter was still cancellable");
    assert.ok(ops[1].isDone() && ops[2].isDone());
    assert.equal(pool.live, 0);
    assert.equal(n.waiterCount(), 0);
    const later = n.notified();
    assert.ok(!later.isDone());
    n.notifyOne();
    assert.ok(later.isDone(), "the queue still works");
  });

  it("keeps a notifyOne permit when a notifyWaiters-woken op is cancelled (notify_one_after_dropped_all)", function () {
    const n = fresh();
    const a = n.notified();
    n.notifyWaiters();
    n.notifyOne();
    assert.ok(a.cancel());
    const b = n.notified();
    assert.ok(b.isDone(), "the stored permit is still there");
    assert.ok(!n.notified().isDone(), "and only one");
  });

  it("completes an op created before notifyOne (test_notify_one_not_enabled)", function () {
    const n = fresh();
    const a = n.notified();
    n.notifyOne();
    assert.ok(a.isDone());
  });

  it("does not spend a notifyOne permit on an op notifyWaiters completed (unpolled_future_completed_by_notify_waiters_preserves_notify_one_permit)", function () {
    const n = fresh();
    const a = n.notified();
    n.notifyWaiters();
    n.notifyOne();
    assert.ok(a.isDone());
    assert.ok(n.notified().isDone());
  });

  it("wakes every one of many waiters but none created after the call (notify_waiters_sequential_notified_await)", function () {
    const n = fresh();
    const ops: Array<Op<void>> = [];
    for (let i = 0; i < 40; i++) ops.push(n.notified());
    n.notifyWaiters();
    for (let i = 0; i < ops.length; i++) assert.ok(ops[i].isDone(), "waiter " + i);
    assert.ok(!n.notified().isDone(), "a waiter created after the call is not woken");
  });

  it("does not lose a notification when the notified waiter is dropped (loom notify_drop)", function () {
    const n = fresh();
    const a = n.notified();
    n.notifyOne();
    a.cancel();
    assert.ok(n.notified().isDone(), "the notification was stored for the next waiter");
  });

  it("completes two ops on one notifyWaiters together (loom notify_waiters_poll_consistency)", function () {
    const n = fresh();
    const a = n.notified();
    const b = n.notified();
    assert.ok(!a.isDone() && !b.isDone());
    n.notifyWaiters();
    assert.ok(a.isDone() && b.isDone());
  });
});

describe("Notify", function () {
  it("stores at most one permit however many times notifyOne is called", function () {
    const n = fresh();
    n.notifyOne();
    n.notifyOne();
    n.notifyLast();
    assert.ok(n.notified().isDone());
    assert.ok(!n.notified().isDone());
  });

  it("stores a permit on notifyLast with nobody waiting", function () {
    const n = fresh();
    n.notifyLast();
    assert.ok(n.notified().isDone());
  });

  it("stores nothing on notifyWaiters with nobody waiting", function () {
    const n = fresh();
    n.notifyWaiters();
    assert.ok(!n.notified().isDone());
  });

  it("gives a consumed permit back when its op is cancelled before delivery", function () {
    const n = fresh();
    n.notifyOne();
    const a = n.notified();
    assert.ok(a.isDone());
    a.cancel();
    assert.ok(n.notified().isDone());
  });

  it("passes nothing on from a notifyWaiters-woken op that is cancelled", function () {
    const n = fresh();
    const a = n.notified();
    n.notifyWaiters();
    const b = n.notified();
    a.cancel();
    assert.ok(!b.isDone());
    assert.ok(!n.notified().isDone(), "nothing was stored either");
  });

  it("changes nothing when an op is cancelled after delivery", async function () {
    const n = fresh();
    const a = n.notified();
    n.notifyOne();
    await a;
    assert.equal(a.cancel(), false);
    assert.ok(!n.notified().isDone(), "no permit appeared");
  });

  it("rejects an already-aborted signal without consuming the stored permit", async function () {
    const n = fresh();
    n.notifyOne();
    const src = new CancelSource();
    src.cancel("no");
    await assert.rejects(n.notified({ signal: src.signal }), { code: "ERR_CANCELLED" });
    assert.ok(n.notified().isDone());
  });

  it("rejects a waiter aborted through its signal and forwards nothing it did not get", async function () {
    const n = fresh();
    const src = new CancelSource();
    const a = n.notified({ signal: src.signal });
    const b = n.notified();
    src.cancel("stop");
    await assert.rejects(a, { code: "ERR_CANCELLED" });
    assert.ok(!b.isDone());
    n.notifyOne();
    assert.ok(b.isDone());
  });

  it("rejects ERR_POOL_EXHAUSTED when the pool is full", async function () {
    const n = new Notify({ pool: new NodePool({ capacity: 1, maxCapacity: 1 }) });
    const a = n.notified();
    await assert.rejects(n.notified(), { code: "ERR_POOL_EXHAUSTED" });
    n.notifyOne();
    assert.ok(a.isDone());
  });

  it("names options.signal when the signal is not signal-like", function () {
    assert.throws(function () {
      fresh().notified({ signal: 5 as any });
    }, { name: "TypeError", message: /options\.signal/ });
  });

  it("leaves its pool empty after many cancelled waiters", function () {
    const count = VM ? 10000 : 100000;
    const pool = new NodePool({ capacity: 64, maxCapacity: 131072 });
    const n = new Notify({ pool });
    const ops: Array<Op<void>> = [];
    for (let i = 0; i < count; i++) ops.push(n.notified());
    assert.equal(pool.live, count);
    for (let i = 0; i < count; i += 2) ops[i].cancel();
    n.notifyWaiters();
    for (let i = 1; i < count; i += 2) ops[i].cancel();
    assert.equal(pool.live, 0);
    assert.equal(n.waiterCount(), 0);
    assert.ok(!n.notified().isDone(), "nothing was stored by the cancellations");
  });
});
