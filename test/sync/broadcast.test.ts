import { CancelSource } from "../../src/core/cancel";
import { NodePool } from "../../src/core/pool";
import { broadcast, BroadcastReceiver } from "../../src/sync/broadcast";
import { assert } from "../assert";
import { forEachSeed } from "../rng";
import { quiesce, track } from "../helpers";

function lagged(fn: () => unknown): number {
  const err = assert.throws(fn, { code: "ERR_LAGGED" }) as { skipped: number };
  return err.skipped;
}

const SCALE = typeof process === "undefined" ? 10000 : 100000;

describe("broadcast", function () {
  // Tokio sync_broadcast.rs send_try_recv_bounded / send_two_recv / send_recv_bounded
  it("sends to every receiver and returns how many it reached", async function () {
    const [tx, rx1] = broadcast<string>(16);
    assert.equal(tx.send("a"), 1);
    const rx2 = tx.subscribe();
    assert.equal(tx.send("b"), 2);
    assert.equal(await rx1.recv(), "a");
    assert.equal(await rx1.recv(), "b");
    assert.equal(await rx2.recv(), "b");
    assert.equal(rx2.tryRecv(), undefined);
    assert.equal(tx.receiverCount(), 2);
  });

  // Tokio sync_broadcast.rs send_recv_bounded (pending recv woken by send)
  it("wakes a pending recv on send", async function () {
    const [tx, rx] = broadcast<number>(4);
    const r = track(rx.recv());
    await quiesce();
    assert.ok(!r.done);
    tx.send(1);
    await quiesce();
    assert.equal(r.value, 1);
  });

  // Tokio sync_broadcast.rs send_no_rx
  it("drops a value sent with no receivers; a later receiver sees only later messages", async function () {
    const [tx, rx] = broadcast<number>(4);
    rx.close();
    assert.equal(tx.send(1), 0);
    const rx2 = tx.subscribe();
    tx.send(2);
    assert.equal(await rx2.recv(), 2);
  });

  // Tokio sync_broadcast.rs zero_capacity / capacity_too_big
  it("rejects capacities outside 1 … 2**30, naming capacity", function () {
    assert.throws(() => broadcast(0), { name: "RangeError", message: /capacity/ });
    assert.throws(() => broadcast(2 ** 30 + 1), { name: "RangeError", message: /capacity/ });
    assert.throws(() => broadcast(2.5), { name: "TypeError", message: /capacity/ });
  });

  // Tokio sync_broadcast.rs lagging_rx
  it("reports a lag to a slow receiver and resumes at the oldest kept message", function () {
    const [tx, rx1] = broadcast<string>(2);
    const rx2 = tx.subscribe();
    tx.send("one");
    tx.send("two");
    assert.equal(rx1.tryRecv(), "one");
    tx.send("three");
    assert.equal(lagged(() => rx2.tryRecv()), 1);
    assert.equal(rx2.tryRecv(), "two");
    assert.equal(rx2.tryRecv(), "three");
    assert.equal(rx1.tryRecv(), "two");
  });

  // Tokio sync_broadcast.rs lagging_receiver_recovers_after_wrap_closed_2
  it("a lagging receiver recovers after the wrap and then sees the close", function () {
    const [tx, rx] = broadcast<number>(2);
    for (let i = 1; i <= 4; i++) tx.send(i);
    tx.close();
    assert.equal(lagged(() => rx.tryRecv()), 2);
    assert.equal(rx.tryRecv(), 3);
    assert.equal(rx.tryRecv(), 4);
    assert.throws(() => rx.tryRecv(), { code: "ERR_CLOSED" });
  });

  // Tokio sync_broadcast.rs lag_uses_power_of_two_buffer_length
  it("rounds the capacity up to a power of two", function () {
    const [tx, rx] = broadcast<number>(3);
    for (let i = 1; i <= 4; i++) tx.send(i);
    assert.equal(rx.len(), 4);
    assert.equal(rx.tryRecv(), 1);
    tx.send(5);
    assert.equal(rx.len(), 4);
    tx.send(6);
    assert.equal(rx.len(), 5);
    assert.equal(lagged(() => rx.tryRecv()), 1);
    for (let i = 3; i <= 6; i++) assert.equal(rx.tryRecv(), i);
  });

  // Tokio sync_broadcast.rs lagged_count_matches_number_of_overwritten_messages
  it("counts exactly the overwritten messages as skipped", function () {
    const [tx, rx] = broadcast<number>(4);
    for (let i = 1; i <= 4; i++) tx.send(i);
    assert.equal(rx.tryRecv(), 1);
    for (let i = 5; i <= 8; i++) tx.send(i);
    assert.equal(lagged(() => rx.tryRecv()), 3);
    for (let i = 5; i <= 8; i++) assert.equal(rx.tryRecv(), i);
  });

  // Tokio sync_broadcast.rs lag_again_before_reading_retained_messages / single_slot_capacity_lag_semantics
  it("lags again when overwritten before the retained messages are read", function () {
    const [tx, rx] = broadcast<number>(1);
    tx.send(1);
    assert.equal(rx.tryRecv(), 1);
    tx.send(2);
    tx.send(3);
    assert.equal(lagged(() => rx.tryRecv()), 1);
    tx.send(4);
    tx.send(5);
    tx.send(6);
    assert.equal(lagged(() => rx.tryRecv()), 3);
    assert.equal(rx.tryRecv(), 6);
  });

  // Tokio sync_broadcast.rs lag_is_per_receiver
  it("a lag is per receiver", function () {
    const [tx, slow] = broadcast<number>(2);
    const fast = tx.subscribe();
    for (let i = 1; i <= 5; i++) {
      tx.send(i);
      assert.equal(fast.tryRecv(), i);
    }
    assert.equal(lagged(() => slow.tryRecv()), 3);
  });

  // Tokio sync_broadcast.rs receiver_len_with_lagged / receiver_len_after_lag_error_advances_cursor
  it("len counts overwritten messages until the lag is reported", function () {
    const [tx, rx] = broadcast<number>(2);
    for (let i = 1; i <= 5; i++) tx.send(i);
    assert.equal(rx.len(), 5);
    lagged(() => rx.tryRecv());
    assert.equal(rx.len(), 2);
    assert.ok(!rx.isEmpty());
  });

  // Tokio sync_broadcast.rs async_recv_lagged_then_resumes_from_oldest_retained
  it("an awaited recv reports the lag and then resumes from the oldest kept", async function () {
    const [tx, rx] = broadcast<number>(2);
    for (let i = 1; i <= 4; i++) tx.send(i);
    const err = (await assert.rejects(rx.recv(), { code: "ERR_LAGGED" })) as { skipped: number };
    assert.equal(err.skipped, 2);
    assert.equal(await rx.recv(), 3);
    assert.equal(await rx.recv(), 4);
  });

  // Tokio sync_broadcast.rs dropping_tx_notifies_rx / dropping_sender_does_not_overwrite
  it("ends receivers only after the last sender clone closes, after they drain", async function () {
    const [tx1, rx] = broadcast<number>(4);
    const tx2 = tx1.clone();
    tx1.send(1);
    tx1.close();
    assert.throws(() => tx1.send(2), { code: "ERR_CLOSED" });
    assert.equal(await rx.recv(), 1);
    const r = track(rx.recv());
    await quiesce();
    assert.ok(!r.done);
    tx2.send(2);
    await quiesce();
    assert.equal(r.value, 2);
    tx2.send(3);
    const last = track(rx.recv());
    tx2.close();
    await quiesce();
    assert.equal(last.value, 3);
    await assert.rejects(rx.recv(), { code: "ERR_CLOSED" });
    assert.throws(() => tx2.send(4), { code: "ERR_CLOSED" });
  });

  // Tokio sync_broadcast.rs resubscribe_points_to_tail / resubscribe_lagged / resubscribe_to_closed_channel
  it("resubscribe starts at the tail and sees a closed channel as closed", async function () {
    const [tx, rx] = broadcast<number>(2);
    for (let i = 1; i <= 5; i++) tx.send(i);
    const rx2 = rx.resubscribe();
    assert.equal(rx2.tryRecv(), undefined);
    tx.send(6);
    assert.equal(rx2.tryRecv(), 6);
    assert.equal(lagged(() => rx.tryRecv()), 4);
    tx.close();
    const rx3 = rx.resubscribe();
    await assert.rejects(rx3.recv(), { code: "ERR_CLOSED" });
  });

  it("rx.close() rejects that receiver's pending recv only", async function () {
    const [tx, rx] = broadcast<number>(2);
    const other = tx.subscribe();
    const a = track(rx.recv());
    const b = track(other.recv());
    rx.close();
    await quiesce();
    assert.equal(a.error.code, "ERR_CLOSED");
    assert.ok(!b.done);
    assert.equal(tx.receiverCount(), 1);
    assert.equal(tx.send(1), 1);
    await quiesce();
    assert.equal(b.value, 1);
    assert.throws(() => rx.tryRecv(), { code: "ERR_CLOSED" });
  });

  it("serves several pending recvs of one receiver in order", async function () {
    const [tx, rx] = broadcast<number>(4);
    const a = track(rx.recv());
    const b = track(rx.recv());
    tx.send(1);
    await quiesce();
    assert.equal(a.value, 1);
    assert.ok(!b.done);
    tx.send(2);
    await quiesce();
    assert.equal(b.value, 2);
  });

  it("a cancelled recv that had completed leaves its message unread", async function () {
    const [tx, rx] = broadcast<number>(4);
    tx.send(1);
    const r = rx.recv();
    assert.ok(r.cancel());
    assert.equal(rx.len(), 1);
    assert.equal(await rx.recv(), 1);
    const w = rx.recv();
    w.cancel();
    tx.send(2);
    assert.equal(rx.tryRecv(), 2);
  });

  it("lets go of every value once each receiver read it, closed or was overwritten", function () {
    const [tx, rx1] = broadcast<{ n: number }>(4);
    const rx2 = tx.subscribe();
    const values = (tx as unknown as { sharedState: { values: unknown[] } }).sharedState.values;
    const held = function (): number {
      let n = 0;
      for (let i = 0; i < values.length; i++) if (values[i] !== undefined) n++;
      return n;
    };
    tx.send({ n: 1 });
    tx.send({ n: 2 });
    rx1.tryRecv();
    assert.equal(held(), 2, "rx2 has not read them");
    rx2.tryRecv();
    assert.equal(held(), 1);
    rx2.close();
    assert.equal(held(), 1, "rx1 still wants the second");
    rx1.tryRecv();
    assert.equal(held(), 0);
    for (let i = 0; i < 10; i++) tx.send({ n: i });
    assert.equal(held(), 4, "only the ring is kept");
    rx1.close();
    assert.equal(held(), 0, "the last receiver closing releases all");
  });

  it("cancelled waiters leave no node behind", function () {
    const pool = new NodePool({ capacity: 16, maxCapacity: 1 << 20 });
    const [tx, rx] = broadcast<number>(4, { pool });
    const source = new CancelSource();
    for (let i = 0; i < SCALE; i++) rx.recv({ signal: source.signal });
    assert.equal(pool.live, SCALE);
    source.cancel();
    assert.equal(pool.live, 0);
    tx.send(1);
    assert.equal(rx.tryRecv(), 1);
  });

  // Tokio loom_broadcast.rs broadcast_send / broadcast_two / broadcast_wrap / drop_rx
  it("under random interleavings each receiver gets every message in order or a lag covering it", async function () {
    const runs: Array<Promise<void>> = [];
    forEachSeed(30, function (rng) {
      const cap = 1 + rng.int(4);
      const [tx1, rx0] = broadcast<number>(cap);
      const tx2 = tx1.clone();
      const receivers: BroadcastReceiver<number>[] = [rx0, tx1.subscribe(), tx1.subscribe()];
      const total = 10 + rng.int(30);
      const dropAt = rng.int(total);
      const loops = receivers.map(function (rx, k) {
        return (async function () {
          let expect = 1;
          for (;;) {
            let v: number;
            try {
              v = await rx.recv();
            } catch (e) {
              const err = e as { code: string; skipped: number };
              if (err.code === "ERR_LAGGED") {
                expect += err.skipped;
                continue;
              }
              assert.equal(err.code, "ERR_CLOSED");
              if (k !== 2) assert.equal(expect, total + 1, "seed " + rng.seed + ": all seen or skipped");
              return;
            }
            assert.equal(v, expect, "seed " + rng.seed + ": in order");
            expect++;
            if (k === 2 && v === dropAt) {
              rx.close();
              return;
            }
            const pause = rng.int(3);
            for (let i = 0; i < pause; i++) await Promise.resolve();
          }
        })();
      });
      const sender = (async function () {
        for (let v = 1; v <= total; v++) {
          (rng.int(2) === 0 ? tx1 : tx2).send(v);
          if (rng.int(2) === 0) await Promise.resolve();
        }
        tx1.close();
        tx2.close();
      })();
      runs.push(Promise.all(loops.concat([sender])).then(function () {}));
    });
    await Promise.all(runs);
  });
});
