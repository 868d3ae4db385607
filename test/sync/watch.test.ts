import { CancelSource } from "../../src/core/cancel";
import { NodePool } from "../../src/core/pool";
import { watch } from "../../src/sync/watch";
import { assert } from "../assert";
import { forEachSeed } from "../rng";
import { quiesce, track } from "../helpers";

const SCALE = typeof process === "undefined" ? 10000 : 100000;

describe("watch", function () {
  // Tokio sync_watch.rs single_rx_recv
  it("completes changed() on a send and rejects it once the sender closes", async function () {
    const [tx, rx] = watch("one");
    const c = track(rx.changed());
    await quiesce();
    assert.ok(!c.done);
    assert.ok(tx.send("two"));
    await quiesce();
    assert.ok(c.ok);
    assert.equal(rx.borrow(), "two");
    const c2 = track(rx.changed());
    tx.close();
    await quiesce();
    assert.equal(c2.error.code, "ERR_CLOSED");
    assert.equal(rx.borrow(), "two");
  });

  // Tokio sync_watch.rs rx_mark_changed / rx_mark_unchanged / rx_version_underflow
  it("markChanged and markUnchanged set the seen state of one receiver only", async function () {
    const [tx, rx] = watch(1);
    const rx2 = rx.clone();
    rx.markChanged();
    rx.markChanged();
    assert.ok(rx.hasChanged());
    assert.ok(!rx2.hasChanged(), "clones are unaffected");
    await rx.changed();
    assert.ok(!rx.hasChanged());
    rx.markChanged();
    assert.equal(rx.borrowAndUpdate(), 1);
    assert.ok(!rx.hasChanged());
    tx.send(2);
    assert.ok(rx.hasChanged());
    rx.markUnchanged();
    assert.ok(!rx.hasChanged());
    const c = track(rx.changed());
    await quiesce();
    assert.ok(!c.done);
    c.done = false;
    tx.send(3);
    await quiesce();
    assert.ok(c.ok);
  });

  // Tokio sync_watch.rs multi_rx / rx_observes_final_value / borrow_and_update
  it("wakes every receiver, and one that missed several sends sees only the latest once", async function () {
    const [tx, rx1] = watch(0);
    const rx2 = tx.subscribe();
    const a = track(rx1.changed());
    const b = track(rx2.changed());
    tx.send(1);
    await quiesce();
    assert.ok(a.ok && b.ok);
    tx.send(2);
    tx.send(3);
    tx.send(4);
    await rx1.changed();
    assert.equal(rx1.borrowAndUpdate(), 4);
    const again = track(rx1.changed());
    await quiesce();
    assert.ok(!again.done, "changed() completes once for several sends");
    tx.send(5);
    tx.close();
    await quiesce();
    assert.ok(again.ok);
    await rx2.changed(); // the unseen final value
    assert.equal(rx2.borrow(), 5);
    await assert.rejects(rx2.changed(), { code: "ERR_CLOSED" });
  });

  // Tokio sync_watch.rs multiple_sender / receiver_is_notified_when_last_sender_is_dropped
  it("with two senders a receiver sees both values and closes only after the last", async function () {
    const [tx1, rx] = watch(0);
    const tx2 = tx1.clone();
    tx1.send(1);
    await rx.changed();
    assert.equal(rx.borrowAndUpdate(), 1);
    tx2.send(2);
    await rx.changed();
    assert.equal(rx.borrowAndUpdate(), 2);
    const c = track(rx.changed());
    tx1.close();
    await quiesce();
    assert.ok(!c.done, "not woken while a sender remains");
    assert.throws(() => tx1.send(3), { code: "ERR_CLOSED" });
    tx2.close();
    await quiesce();
    assert.equal(c.error.code, "ERR_CLOSED");
  });

  // Tokio sync_watch.rs poll_close / reopened_after_subscribe
  it("resolves tx.closed() when the last receiver closes and reopens on subscribe", async function () {
    const [tx, rx] = watch(0);
    const rx2 = rx.clone();
    assert.equal(tx.receiverCount(), 2);
    const c = track(tx.closed());
    rx.close();
    await quiesce();
    assert.ok(!c.done);
    rx2.close();
    await quiesce();
    assert.ok(c.ok);
    assert.ok(tx.isClosed());
    assert.equal(tx.send(1), false, "no receivers: nothing stored");
    assert.equal(tx.borrow(), 0);
    const rx3 = tx.subscribe();
    assert.ok(!tx.isClosed());
    assert.ok(!rx3.hasChanged(), "a new receiver has seen the current value");
    assert.ok(tx.send(2));
    assert.ok(rx3.hasChanged());
  });

  // Tokio sync_watch.rs send_modify_panic
  it("keeps a mutation from a throwing sendModify but notifies nobody", async function () {
    const [tx, rx] = watch({ n: 0 });
    const c = track(rx.changed());
    assert.throws(
      () =>
        tx.sendModify(function (v) {
          v.n = 1;
          throw new Error("boom");
        }),
      { message: /boom/ },
    );
    await quiesce();
    assert.ok(!c.done, "a throwing modify notifies nobody");
    assert.equal(rx.borrow().n, 1);
    tx.sendModify(function (v) {
      v.n = 2;
      return "ignored";
    });
    await quiesce();
    assert.ok(c.ok);
    assert.equal(rx.borrow().n, 2);
    assert.throws(() => tx.sendModify(null as unknown as () => void), { name: "TypeError", message: /fn/ });
  });

  // Tokio sync_watch.rs: changed/has_changed/wait_for on a closed channel
  it("on a closed channel changed() resolves once if unseen, hasChanged throws, waitFor checks the last value", async function () {
    const [tx, rx] = watch(1);
    const rx2 = rx.clone();
    tx.send(2);
    tx.close();
    assert.throws(() => rx.hasChanged(), { code: "ERR_CLOSED" });
    await rx.changed();
    await assert.rejects(rx.changed(), { code: "ERR_CLOSED" });
    assert.equal(await rx2.waitFor((v) => v === 2), 2);
    await assert.rejects(rx2.waitFor((v) => v === 3), { code: "ERR_CLOSED" });
  });

  it("waitFor checks the current value first and then each new one", async function () {
    const [tx, rx] = watch(0);
    assert.equal(await rx.waitFor((v) => v === 0), 0);
    const w = track(rx.waitFor((v) => v >= 3));
    for (let i = 1; i <= 2; i++) tx.send(i);
    await quiesce();
    assert.ok(!w.done);
    tx.send(3);
    await quiesce();
    assert.equal(w.value, 3);
    assert.ok(!rx.hasChanged(), "waitFor marks the value seen");
    const thrown = rx.waitFor(function () {
      throw new Error("bad pred");
    });
    await assert.rejects(thrown, { message: /bad pred/ });
    assert.throws(() => rx.waitFor(5 as unknown as () => boolean), { name: "TypeError", message: /pred/ });
  });

  it("sendReplace stores without receivers and returns the old value", function () {
    const [tx, rx] = watch("a");
    rx.close();
    assert.equal(tx.sendReplace("b"), "a");
    assert.equal(tx.borrow(), "b");
    tx.close();
    assert.throws(() => tx.sendReplace("c"), { code: "ERR_CLOSED" });
    assert.throws(() => tx.send("c"), { code: "ERR_CLOSED" });
  });

  it("borrow returns the value itself and clone copies the seen state", function () {
    const obj = { x: 1 };
    const [tx, rx] = watch(obj);
    assert.equal(rx.borrow(), obj);
    assert.equal(tx.borrow(), obj);
    tx.send({ x: 2 });
    const c = rx.clone();
    assert.ok(c.hasChanged(), "the clone has not seen what its source had not seen");
    rx.borrowAndUpdate();
    assert.ok(!rx.clone().hasChanged());
  });

  it("rx.close() rejects that receiver's pending ops only", async function () {
    const [tx, rx] = watch(0);
    const other = rx.clone();
    const a = track(rx.changed());
    const b = track(other.changed());
    rx.close();
    await quiesce();
    assert.equal(a.error.code, "ERR_CLOSED");
    assert.ok(!b.done);
    await assert.rejects(rx.changed(), { code: "ERR_CLOSED" });
    assert.throws(() => rx.hasChanged(), { code: "ERR_CLOSED" });
    tx.send(1);
    await quiesce();
    assert.ok(b.ok);
  });

  it("a cancelled changed() that had completed leaves the change unseen", async function () {
    const [tx, rx] = watch(0);
    const c = rx.changed();
    tx.send(1);
    assert.ok(c.cancel());
    assert.ok(rx.hasChanged(), "the version is unseen again");
    await rx.changed();
    const w = rx.waitFor((v) => v === 1);
    assert.ok(w.cancel());
    tx.send(1);
    const source = new CancelSource();
    source.cancel();
    await assert.rejects(rx.changed({ signal: source.signal }), { code: "ERR_CANCELLED" });
    assert.ok(rx.hasChanged(), "an aborted signal consumes nothing");
  });

  it("cancelled waiters leave no node behind", function () {
    const pool = new NodePool({ capacity: 16, maxCapacity: 1 << 20 });
    const [tx, rx] = watch(0, { pool });
    const source = new CancelSource();
    for (let i = 0; i < SCALE; i++) rx.changed({ signal: source.signal });
    assert.equal(pool.live, SCALE);
    source.cancel();
    assert.equal(pool.live, 0);
    const ops = [];
    for (let i = 0; i < 1000; i++) ops.push(rx.waitFor((v) => v > 10));
    for (let i = 0; i < 1000; i++) ops[i].cancel();
    assert.equal(pool.live, 0);
    const c = tx.closed();
    c.cancel();
    assert.equal(pool.live, 0);
  });

  // Tokio loom_watch.rs smoke / wait_for_returns_correct_value / multiple_sender_drop_concurrently
  it("under random interleavings every receiver ends seeing the last value", async function () {
    const runs: Array<Promise<void>> = [];
    forEachSeed(30, function (rng) {
      const [tx1, rx] = watch(0);
      const tx2 = tx1.clone();
      const receivers = [rx, rx.clone(), tx1.subscribe()];
      const seen: number[][] = [[], [], []];
      const last = 5 + rng.int(20);
      const loops = receivers.map(function (r, k) {
        return (async function () {
          for (;;) {
            try {
              await r.changed();
            } catch (e) {
              assert.equal((e as { code: string }).code, "ERR_CLOSED");
              return;
            }
            const v = r.borrowAndUpdate();
            const prev = seen[k].length > 0 ? seen[k][seen[k].length - 1] : 0;
            assert.ok(v > prev, "values only move forward");
            seen[k].push(v);
          }
        })();
      });
      const sender = (async function () {
        for (let v = 1; v <= last; v++) {
          (rng.int(2) === 0 ? tx1 : tx2).send(v);
          const pause = rng.int(3);
          for (let i = 0; i < pause; i++) await Promise.resolve();
        }
        if (rng.int(2) === 0) {
          tx1.close();
          tx2.close();
        } else {
          tx2.close();
          tx1.close();
        }
      })();
      runs.push(
        Promise.all(loops.concat([sender])).then(function () {
          for (let k = 0; k < 3; k++) assert.equal(seen[k][seen[k].length - 1], last, "seed " + rng.seed);
        }),
      );
    });
    await Promise.all(runs);
  });
});
