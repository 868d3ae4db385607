import { CancelSource } from "../../src/core/cancel";
import { NodePool } from "../../src/core/pool";
import { channel, SendPermit } from "../../src/sync/mpsc/bounded";
import { unboundedChannel } from "../../src/sync/mpsc/unbounded";
import { assert } from "../assert";
import { quiesce, track } from "../helpers";

const SCALE = typeof process === "undefined" ? 10000 : 100000;

describe("mpsc bounded channel", function () {
  // Tokio sync_mpsc.rs send_recv_with_buffer
  it("delivers messages in order and ends with undefined once the sender closes", async function () {
    const [tx, rx] = channel<number>(16);
    const permit = await tx.reserve();
    permit.send(1);
    assert.ok(tx.trySend(2));
    tx.close();
    assert.equal(await rx.recv(), 1);
    assert.equal(await rx.recv(), 2);
    assert.equal(await rx.recv(), undefined);
  });

  // Tokio sync_mpsc.rs reserve_disarm
  it("frees a slot when a message is received, not when it is sent", async function () {
    const [tx1, rx] = channel<number>(2);
    const tx2 = tx1.clone();
    const tx3 = tx1.clone();
    const tx4 = tx1.clone();
    const p1 = await tx1.reserve();
    const p2 = await tx2.reserve();
    const r3 = track(tx3.reserve());
    const r4 = track(tx4.reserve());
    await quiesce();
    assert.ok(!r3.done && !r4.done);
    p1.send(1);
    await quiesce();
    assert.ok(!r3.done, "sending does not free a slot");
    assert.equal(await rx.recv(), 1);
    await quiesce();
    assert.ok(r3.done && r3.ok, "receiving frees the slot for the oldest reserver");
    assert.ok(!r4.done);
    p2.release();
    await quiesce();
    assert.ok(r4.done && r4.ok);
    const again = track(tx1.reserve());
    await quiesce();
    assert.ok(!again.done);
  });

  // Tokio sync_mpsc.rs async_send_recv_many_with_buffer
  it("receives batches with recvMany and returns 0 once closed and drained", async function () {
    const [tx, rx] = channel<number>(2);
    const buf: number[] = [];
    assert.equal(await rx.recvMany(buf, 0), 0);
    const producer = (async function () {
      await tx.send(1);
      await tx.send(2);
      await tx.send(7);
      await tx.send(0);
      tx.close();
    })();
    while (buf.length < 4) await rx.recvMany(buf, 3);
    assert.deepEqual(buf, [1, 2, 7, 0]);
    await producer;
    assert.equal(await rx.recvMany(buf, 3), 0);
    assert.deepEqual(buf, [1, 2, 7, 0]);
  });

  // Tokio sync_mpsc.rs start_send_past_cap
  it("skips a cancelled reserve when a slot frees", async function () {
    const [tx1, rx] = channel<number>(1);
    const tx2 = tx1.clone();
    assert.ok(tx1.trySend(0));
    const r1 = tx1.reserve();
    const r2 = track(tx2.reserve());
    assert.ok(r1.cancel());
    assert.equal(await rx.recv(), 0);
    await quiesce();
    assert.ok(r2.done && r2.ok);
    (r2.value as SendPermit<number>).release();
    tx1.close();
    tx2.close();
    assert.equal(await rx.recv(), undefined);
  });

  // Tokio sync_mpsc.rs buffer_gteq_one
  it("rejects a capacity below 1 or not an integer, naming capacity", function () {
    assert.throws(() => channel(0), { name: "RangeError", message: /capacity.*received 0/ });
    assert.throws(() => channel(-1), { name: "RangeError", message: /capacity/ });
    assert.throws(() => channel(1.5), { name: "TypeError", message: /capacity.*1\.5/ });
    assert.throws(() => channel("4" as unknown as number), { name: "TypeError", message: /capacity/ });
  });

  // Tokio sync_mpsc.rs send_recv_many_bounded_capacity
  it("recvMany takes at most limit messages and waits for the last sender", async function () {
    const [tx, rx] = channel<string>(100);
    for (let i = 0; i < 9; i++) tx.trySend("m" + i);
    tx.trySend("one more");
    const buf: string[] = [];
    assert.equal(await rx.recvMany(buf, 9), 9);
    assert.equal(await rx.recvMany(buf, 9), 1);
    assert.equal(buf[9], "one more");
    const pending = track(rx.recvMany(buf, 9));
    await quiesce();
    assert.ok(!pending.done, "waits while a sender is open");
    tx.trySend("final");
    tx.close();
    await quiesce();
    assert.equal(pending.value, 1);
    assert.equal(await rx.recvMany(buf, 9), 0);
    assert.equal(buf.length, 11);
  });

  // Tokio sync_mpsc.rs recv_many_with_non_empty_buffer_*_rx_closed_and_idle
  it("recvMany on a closed idle channel returns 0 and leaves the buffer as it was", async function () {
    const [, rx] = channel<number>(4);
    rx.close();
    const buf = [1];
    assert.equal(await rx.recvMany(buf, 1), 0);
    assert.deepEqual(buf, [1]);
  });

  // Tokio sync_mpsc.rs send_recv_buffer_limited
  it("hands a freed slot to the waiting reserver, so trySend then fails", async function () {
    const [tx, rx] = channel<number>(1);
    const p1 = await tx.reserve();
    p1.send(1);
    const p2 = track(tx.reserve());
    await quiesce();
    assert.ok(!p2.done);
    assert.equal(await rx.recv(), 1);
    assert.ok(!tx.trySend(9), "the slot went to the waiting reserver");
    await quiesce();
    assert.ok(p2.done);
    (p2.value as SendPermit<number>).send(2);
    assert.equal(await rx.recv(), 2);
  });

  // Tokio sync_mpsc.rs recv_close_gets_none_idle
  it("recv resolves undefined after rx.close() on an idle channel and sends reject with the value", async function () {
    const [tx, rx] = channel<number>(10);
    rx.close();
    assert.equal(await rx.recv(), undefined);
    const err = (await assert.rejects(tx.send(1), { code: "ERR_CLOSED" })) as { value: number };
    assert.equal(err.value, 1);
  });

  // Tokio sync_mpsc.rs recv_close_gets_none_reserved
  it("after rx.close() recv waits for an outstanding permit and receives what it sends", async function () {
    const [tx1, rx] = channel<number>(1);
    const tx2 = tx1.clone();
    const permit1 = await tx1.reserve();
    const permit2 = track(tx2.reserve());
    await quiesce();
    assert.ok(!permit2.done);
    rx.close();
    await quiesce();
    assert.equal(permit2.error.code, "ERR_CLOSED");
    const r = track(rx.recv());
    await quiesce();
    assert.ok(!r.done, "a permit is outstanding");
    permit1.send(123);
    await quiesce();
    assert.equal(r.value, 123);
    assert.equal(await rx.recv(), undefined);
  });

  // Tokio sync_mpsc.rs failed_reserve_wakes_closed_receiver / cancelled_reserve_wakes_closed_receiver
  // (adapted: a reserve granted before rx.close() completes with its permit; SPEC §10)
  it("a reserve granted before rx.close() keeps the receiver open until it is cancelled", async function () {
    const [tx, rx] = channel<number>(1);
    const held = tx.tryReserve() as SendPermit<number>;
    const r = tx.reserve();
    held.release();
    rx.close();
    const recv = track(rx.recv());
    await quiesce();
    assert.ok(!recv.done);
    assert.ok(r.cancel(), "a granted, undelivered reserve can be cancelled");
    await quiesce();
    assert.ok(recv.done && recv.ok);
    assert.equal(recv.value, undefined);
  });

  // Tokio sync_mpsc.rs tx_close_gets_none
  it("recv resolves undefined when every sender closed at once", async function () {
    const [tx, rx] = channel<number>(10);
    tx.close();
    assert.equal(await rx.recv(), undefined);
  });

  // Tokio sync_mpsc.rs try_send_fail and try_send_fail_with_try_recv
  it("trySend returns false when full and tryRecv throws ERR_CLOSED once drained", async function () {
    const [tx, rx] = channel<string>(1);
    assert.ok(tx.trySend("hello"));
    assert.equal(tx.trySend("fail"), false);
    assert.equal(rx.tryRecv(), "hello");
    assert.ok(tx.trySend("goodbye"));
    tx.close();
    assert.equal(rx.tryRecv(), "goodbye");
    assert.throws(() => rx.tryRecv(), { code: "ERR_CLOSED" });
    assert.equal(await rx.recv(), undefined);
  });

  // Tokio sync_mpsc.rs try_reserve_fails
  it("tryReserve returns null when full and a released permit frees the slot", async function () {
    const [tx, rx] = channel<string>(1);
    const permit = tx.tryReserve() as SendPermit<string>;
    assert.ok(permit !== null);
    assert.equal(tx.tryReserve(), null);
    permit.send("foo");
    assert.equal(await rx.recv(), "foo");
    const p = tx.tryReserve() as SendPermit<string>;
    p.release();
    p.release();
    assert.ok(tx.tryReserve() !== null);
  });

  // Tokio sync_mpsc.rs drop_permit_releases_permit
  it("releasing a permit wakes the next reserver", async function () {
    const [tx] = channel<number>(1);
    const permit = await tx.reserve();
    const r2 = track(tx.reserve());
    await quiesce();
    assert.ok(!r2.done);
    permit.release();
    await quiesce();
    assert.ok(r2.done && r2.ok);
  });

  // Tokio sync_mpsc.rs dropping/sending/releasing_last_permit_wakes_closed_receiver
  it("sending or releasing the last permit wakes a receiver waiting on a closed channel", async function () {
    for (let mode = 0; mode < 2; mode++) {
      const [tx, rx] = channel<number>(100);
      const permit = await tx.reserve();
      rx.close();
      assert.ok(!rx.isClosed(), "open while a permit is outstanding");
      const r = track(rx.recv());
      await quiesce();
      assert.ok(!r.done);
      if (mode === 0) permit.send(5);
      else permit.release();
      await quiesce();
      assert.ok(r.done && r.ok);
      assert.equal(r.value, mode === 0 ? 5 : undefined);
      assert.equal(await rx.recv(), undefined);
      assert.ok(rx.isClosed());
    }
  });

  // Tokio sync_mpsc.rs dropping_rx_closes_channel(_for_try)
  it("after rx.close() reserve rejects and trySend/tryReserve throw ERR_CLOSED", async function () {
    const [tx, rx] = channel<number>(100);
    tx.trySend(1);
    rx.close();
    await assert.rejects(tx.reserve(), { code: "ERR_CLOSED" });
    const err = assert.throws(() => tx.trySend(2), { code: "ERR_CLOSED" }) as { value: number };
    assert.equal(err.value, 2);
    assert.throws(() => tx.tryReserve(), { code: "ERR_CLOSED" });
    assert.ok(tx.isClosed());
    assert.equal(await rx.recv(), 1, "buffered messages stay receivable");
  });

  // Tokio sync_mpsc.rs permit_available_not_acquired_close
  it("a reserve woken after rx.close() and cancelled unpolled lets recv end", async function () {
    const [tx1, rx] = channel<number>(1);
    const tx2 = tx1.clone();
    const permit1 = await tx1.reserve();
    const permit2 = tx2.reserve();
    rx.close();
    permit1.release();
    permit2.cancel();
    assert.equal(await rx.recv(), undefined);
  });

  // Tokio sync_mpsc.rs try_recv_bounded
  it("try-sends and try-receives up to the capacity, in order", function () {
    const [tx, rx] = channel<string>(5);
    for (let i = 0; i < 5; i++) assert.ok(tx.trySend("m" + i));
    assert.equal(tx.trySend("x"), false);
    for (let i = 0; i < 5; i++) assert.equal(rx.tryRecv(), "m" + i);
    assert.equal(rx.tryRecv(), undefined);
    for (let i = 0; i < 4; i++) assert.ok(tx.trySend("a" + i));
    assert.equal(rx.tryRecv(), "a0");
    assert.ok(tx.trySend("a4"));
    assert.ok(tx.trySend("a5"));
    assert.equal(tx.trySend("x"), false);
    for (let i = 1; i <= 5; i++) assert.equal(rx.tryRecv(), "a" + i);
    assert.equal(rx.tryRecv(), undefined);
    for (let i = 0; i < 3; i++) tx.trySend("b" + i);
    tx.close();
    for (let i = 0; i < 3; i++) assert.equal(rx.tryRecv(), "b" + i);
    assert.throws(() => rx.tryRecv(), { code: "ERR_CLOSED" });
  });

  // Tokio sync_mpsc.rs try_recv_after_receiver_close(_with_permit)
  it("tryRecv stays empty after close while a permit is outstanding, then throws", function () {
    const [tx, rx] = channel<number>(2);
    assert.equal(rx.tryRecv(), undefined);
    const permit = tx.tryReserve() as SendPermit<number>;
    rx.close();
    assert.equal(rx.tryRecv(), undefined);
    permit.release();
    assert.throws(() => rx.tryRecv(), { code: "ERR_CLOSED" });
  });

  // Tokio sync_mpsc.rs recv_timeout (send_timeout with an abort in place of the clock)
  it("a send waiting on a full channel is cancelled by its signal and a later one sees the value on close", async function () {
    const [tx, rx] = channel<number>(5);
    for (let i = 0; i < 5; i++) await tx.send(i);
    const source = new CancelSource();
    const sixth = tx.send(60, { signal: source.signal });
    source.cancel("timeout");
    const err = (await assert.rejects(sixth, { code: "ERR_CANCELLED", name: "AbortError" })) as { cause: unknown };
    assert.equal(err.cause, "timeout");
    rx.close();
    const closed = (await assert.rejects(tx.send(70), { code: "ERR_CLOSED" })) as { value: number };
    assert.equal(closed.value, 70);
  });

  // Tokio sync_mpsc.rs test_tx_capacity
  it("reports free slots with capacity() and the total with maxCapacity()", async function () {
    const [tx, rx] = channel<number>(10);
    assert.equal(tx.capacity(), 10);
    assert.equal(tx.maxCapacity(), 10);
    const permit = await tx.reserve();
    assert.equal(tx.capacity(), 9);
    await tx.send(1);
    assert.equal(tx.capacity(), 8);
    permit.send(2);
    assert.equal(tx.capacity(), 8);
    await rx.recv();
    assert.equal(tx.capacity(), 9);
    assert.equal(tx.maxCapacity(), 10);
  });

  // Tokio sync_mpsc.rs is_closed family
  it("isClosed follows rx.close(), the last sender and outstanding permits", async function () {
    let [tx, rx] = channel<number>(1);
    rx.close();
    assert.ok(rx.isClosed());
    [tx, rx] = channel<number>(1);
    tx.close();
    assert.ok(rx.isClosed());
    [tx, rx] = channel<number>(1);
    tx.trySend(1);
    assert.ok(!rx.isClosed(), "a full buffer is not closed");
    [tx, rx] = channel<number>(1);
    const permit = await tx.reserve();
    tx.close();
    assert.ok(!rx.isClosed(), "an outstanding permit keeps it open");
    permit.release();
    assert.ok(rx.isClosed());
    [tx, rx] = channel<number>(2);
    tx.trySend(1);
    tx.close();
    assert.ok(rx.isClosed(), "buffered messages with no senders");
  });

  // Tokio sync_mpsc.rs len / is_empty family, including regression #6602
  it("len and isEmpty count queued messages across many wrap-arounds", async function () {
    const [tx, rx] = channel<number>(33);
    assert.ok(rx.isEmpty());
    tx.trySend(1);
    tx.trySend(2);
    assert.equal(rx.len(), 2);
    rx.close();
    assert.equal(rx.len(), 2);
    await rx.recv();
    assert.equal(rx.len(), 1);
    const [tx2, rx2] = channel<number>(33);
    for (let i = 0; i < 256; i++) {
      await tx2.send(i);
      assert.equal(await rx2.recv(), i);
      assert.ok(rx2.isEmpty());
    }
    tx.close();
  });

  it("rejects undefined as a message, naming value", function () {
    const [tx] = channel<unknown>(1);
    assert.throws(() => tx.send(undefined), { name: "TypeError", message: /value/ });
    assert.throws(() => tx.trySend(undefined), { name: "TypeError", message: /value/ });
    const permit = tx.tryReserve() as SendPermit<unknown>;
    assert.throws(() => permit.send(undefined), { name: "TypeError", message: /value/ });
  });

  it("names buf and limit when recvMany is misused", function () {
    const [, rx] = channel<number>(1);
    assert.throws(() => rx.recvMany(null as unknown as number[], 1), { name: "TypeError", message: /buf/ });
    assert.throws(() => rx.recvMany([], -1), { name: "RangeError", message: /limit/ });
    assert.throws(() => rx.recvMany([], 0.5), { name: "TypeError", message: /limit/ });
  });

  it("rejects a send on a sender you closed with ERR_CLOSED carrying the value", async function () {
    const [tx, rx] = channel<number>(4);
    const tx2 = tx.clone();
    tx.close();
    const err = (await assert.rejects(tx.send(3), { code: "ERR_CLOSED" })) as { value: number };
    assert.equal(err.value, 3);
    assert.ok(tx.isClosed() && !tx2.isClosed());
    await tx2.send(4);
    assert.equal(await rx.recv(), 4);
    assert.throws(() => tx.clone(), { code: "ERR_CLOSED" });
  });

  it("wakes pending sends with ERR_CLOSED and their values when the receiver closes", async function () {
    const [tx, rx] = channel<string>(1);
    await tx.send("kept");
    const a = tx.send("a");
    const b = tx.send("b");
    rx.close();
    const ea = (await assert.rejects(a, { code: "ERR_CLOSED" })) as { value: string };
    const eb = (await assert.rejects(b, { code: "ERR_CLOSED" })) as { value: string };
    assert.deepEqual([ea.value, eb.value], ["a", "b"]);
    assert.equal(await rx.recv(), "kept");
    assert.equal(await rx.recv(), undefined);
  });

  it("resolves tx.closed() when the receiver closes", async function () {
    const [tx, rx] = channel<number>(1);
    const c = track(tx.closed());
    await quiesce();
    assert.ok(!c.done);
    const cancelled = tx.closed();
    assert.ok(cancelled.cancel());
    rx.close();
    await quiesce();
    assert.ok(c.done && c.ok);
    await tx.closed();
  });

  it("iterates with for await and closes the receiver when the loop is left early", async function () {
    if (typeof Symbol !== "function") this.skip(); // Espruino: no Symbol.asyncIterator, no for await
    const [tx, rx] = channel<number>(8);
    for (let i = 1; i <= 5; i++) tx.trySend(i);
    const got: number[] = [];
    for await (const v of rx as unknown as AsyncIterable<number>) {
      got.push(v);
      if (v === 3) break;
    }
    assert.deepEqual(got, [1, 2, 3]);
    assert.ok(tx.isClosed(), "leaving the loop closed the receiver");
    assert.equal(await rx.recv(), 4);
    const [tx2, rx2] = channel<number>(8);
    tx2.trySend(1);
    tx2.close();
    const all: number[] = [];
    for await (const v of rx2 as unknown as AsyncIterable<number>) all.push(v);
    assert.deepEqual(all, [1]);
  });
});

describe("mpsc cancellation", function () {
  it("a cancelled send that was granted its slot withdraws the message and frees the slot", async function () {
    const [tx, rx] = channel<number>(1);
    tx.trySend(1);
    const send = tx.send(2);
    assert.equal(rx.tryRecv(), 1);
    // The slot is granted to the send; its message is not in the queue until delivery.
    assert.ok(send.cancel());
    assert.equal(rx.len(), 0);
    assert.equal(tx.capacity(), 1);
    await assert.rejects(send, { code: "ERR_CANCELLED" });
    assert.ok(tx.trySend(3));
    assert.equal(await rx.recv(), 3);
  });

  it("a cancelled fast-path send never reaches the receiver", async function () {
    const [tx, rx] = channel<number>(4);
    const send = tx.send(1);
    assert.ok(send.cancel());
    await quiesce();
    assert.equal(rx.tryRecv(), undefined);
    assert.equal(tx.capacity(), 4);
  });

  it("a send nobody awaits still delivers its message", async function () {
    const [tx, rx] = channel<number>(4);
    tx.send(1);
    tx.send(2);
    assert.equal(await rx.recv(), 1);
    assert.equal(await rx.recv(), 2);
  });

  it("an aborted signal fails the op without taking a slot or a message", async function () {
    const [tx, rx] = channel<number>(1);
    const source = new CancelSource();
    source.cancel("gone");
    await assert.rejects(tx.send(1, { signal: source.signal }), { code: "ERR_CANCELLED" });
    await assert.rejects(tx.reserve({ signal: source.signal }), { code: "ERR_CANCELLED" });
    assert.equal(tx.capacity(), 1);
    tx.trySend(2);
    await assert.rejects(rx.recv({ signal: source.signal }), { code: "ERR_CANCELLED" });
    await assert.rejects(rx.recvMany([], 4, { signal: source.signal }), { code: "ERR_CANCELLED" });
    assert.equal(rx.len(), 1);
  });

  it("a cancelled recv that had been handed a message puts it back at the head", async function () {
    const [tx, rx] = channel<number>(4);
    tx.trySend(1);
    tx.trySend(2);
    const r = rx.recv();
    assert.ok(r.cancel());
    assert.equal(rx.len(), 2);
    assert.equal(await rx.recv(), 1);
    assert.equal(await rx.recv(), 2);
  });

  it("cancelled complete receives give their messages to later receives, keeping send order", async function () {
    const [tx, rx] = channel<number>(8);
    for (let i = 1; i <= 6; i++) tx.trySend(i);
    const a = rx.recv(); // holds 1
    const b = rx.recvMany([], 2); // holds 2, 3
    const c = rx.recv(); // holds 4
    const dOp = rx.recv(); // holds 5
    a.cancel(); // b: 1, 2; c: 3; d: 4; 5 back at the head
    c.cancel(); // d: 3; 4 back at the head
    const d = track(dOp); // observed only now (observing a done op delivers it at once)
    assert.equal(rx.tryRecv(), undefined, "b is still in flight ahead of the queue");
    await quiesce();
    assert.equal(d.value, 3);
    b.cancel();
    const rest: number[] = [];
    while (rx.len() > 0) rest.push(rx.tryRecv() as number);
    assert.deepEqual(rest, [1, 2, 4, 5, 6]);
  });

  it("a recv waiting on an empty channel is skipped once cancelled", async function () {
    const [tx, rx] = channel<number>(2);
    const first = rx.recv();
    const second = track(rx.recv());
    first.cancel();
    tx.trySend(7);
    await quiesce();
    assert.equal(second.value, 7);
  });

  it("a cancelled recvMany returns its batch to the head", async function () {
    const [tx, rx] = channel<number>(4);
    for (let i = 1; i <= 4; i++) tx.trySend(i);
    const buf: number[] = [];
    const op = rx.recvMany(buf, 3);
    assert.ok(op.cancel());
    await quiesce();
    assert.deepEqual(buf, []);
    assert.equal(await rx.recvMany(buf, 10), 4);
    assert.deepEqual(buf, [1, 2, 3, 4]);
  });

  it("the slot of a received message stays taken until the receive is delivered", async function () {
    const [tx, rx] = channel<number>(1);
    tx.trySend(1);
    const r = rx.recv();
    assert.equal(tx.trySend(2), false, "the message still owns its slot");
    assert.equal(await r, 1);
    assert.ok(tx.trySend(2));
  });

  it("cancelled receivers and senders leave no waiter node behind", async function () {
    const pool = new NodePool({ capacity: 16, maxCapacity: 1 << 20 });
    const [tx, rx] = channel<number>(1, { pool });
    const ops = [];
    for (let i = 0; i < SCALE; i++) ops.push(rx.recv());
    assert.equal(pool.live, SCALE);
    for (let i = 0; i < SCALE; i++) ops[i].cancel();
    assert.equal(pool.live, 0);
    const source = new CancelSource();
    for (let i = 0; i < SCALE; i++) rx.recv({ signal: source.signal }).then(undefined, function () {});
    for (let i = 0; i < 100; i++) tx.reserve({ signal: source.signal });
    source.cancel();
    assert.equal(pool.live, 0);
    tx.trySend(1);
    const sends = [];
    for (let i = 0; i < SCALE; i++) sends.push(tx.send(i));
    for (let i = 0; i < SCALE; i++) sends[i].cancel();
    assert.equal(pool.live, 0);
    assert.equal(await rx.recv(), 1);
    assert.ok(tx.trySend(2));
  });

  it("fails a wait with ERR_POOL_EXHAUSTED when the waiter pool is full, changing nothing", async function () {
    const pool = new NodePool({ capacity: 1, maxCapacity: 1 });
    const [tx, rx] = channel<number>(1, { pool });
    const r = rx.recv();
    await assert.rejects(rx.recv(), { code: "ERR_POOL_EXHAUSTED" });
    tx.trySend(1);
    assert.equal(await r, 1);
  });
});

describe("mpsc unbounded channel", function () {
  it("sends synchronously and receives in order", async function () {
    const [tx, rx] = unboundedChannel<number>();
    for (let i = 0; i < 1000; i++) tx.send(i);
    assert.equal(rx.len(), 1000);
    for (let i = 0; i < 1000; i++) assert.equal(await rx.recv(), i);
    tx.close();
    assert.equal(await rx.recv(), undefined);
  });

  it("throws ERR_CLOSED with the value when the receiver closed or the sender was closed", function () {
    const [tx, rx] = unboundedChannel<string>();
    const tx2 = tx.clone();
    tx2.close();
    const e1 = assert.throws(() => tx2.send("a"), { code: "ERR_CLOSED" }) as { value: string };
    assert.equal(e1.value, "a");
    rx.close();
    const e2 = assert.throws(() => tx.send("b"), { code: "ERR_CLOSED" }) as { value: string };
    assert.equal(e2.value, "b");
    assert.throws(() => tx.send(undefined as unknown as string), { name: "TypeError", message: /value/ });
  });

  // Tokio loom_mpsc.rs closing_unbounded_tx / dropping_unbounded_tx
  it("ends the receiver only after the last clone closes", async function () {
    const [tx1, rx] = unboundedChannel<number>();
    const tx2 = tx1.clone();
    const r = track(rx.recv());
    tx1.close();
    await quiesce();
    assert.ok(!r.done);
    tx2.send(1);
    tx2.close();
    await quiesce();
    assert.equal(r.value, 1);
    assert.equal(await rx.recv(), undefined);
  });

  // Tokio loom_mpsc.rs closing_unbounded_rx
  it("resolves tx.closed() and keeps queued messages after rx.close()", async function () {
    const [tx, rx] = unboundedChannel<number>();
    tx.send(1);
    const c = track(tx.closed());
    rx.close();
    await quiesce();
    assert.ok(c.done);
    assert.ok(tx.isClosed());
    assert.equal(rx.tryRecv(), 1);
    assert.throws(() => rx.tryRecv(), { code: "ERR_CLOSED" });
  });
});
