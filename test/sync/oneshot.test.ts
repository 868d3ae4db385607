import { CancelSource } from "../../src/core/cancel";
import { Op } from "../../src/core/op";
import { NodePool } from "../../src/core/pool";
import { oneshot } from "../../src/sync/oneshot";
import { assert } from "../assert";
import { quiesce } from "../helpers";

const VM = typeof process === "undefined";

// Ports of tokio/tests/sync_oneshot.rs and tokio/src/sync/tests/loom_oneshot.rs
describe("oneshot (Tokio sync_oneshot scenarios)", function () {
  it("delivers a value sent while the receiver waits (send_recv)", async function () {
    const [tx, rx] = oneshot<number>();
    let got: number | undefined;
    rx.then(function (v) {
      got = v;
    });
    await quiesce();
    assert.equal(got, undefined);
    assert.equal(tx.send(1), true);
    await quiesce();
    assert.equal(got, 1);
  });

  it("rejects the waiting receiver ERR_CLOSED when the sender closes (close_tx)", async function () {
    const [tx, rx] = oneshot<number>();
    const p = assert.rejects(rx, { code: "ERR_CLOSED" });
    tx.close();
    await p;
  });

  it("refuses a send after the receiver was dropped, and wakes tx.closed() (close_rx)", async function () {
    const [tx1, rx1] = oneshot<number>();
    rx1.cancel();
    assert.equal(tx1.send(1), false);

    const [tx, rx] = oneshot<number>();
    const closed = tx.closed();
    assert.ok(!closed.isDone());
    assert.ok(!tx.isClosed());
    rx.cancel();
    assert.ok(closed.isDone());
    assert.ok(tx.isClosed());
    await closed;
    assert.equal(tx.send(1), false);
  });

  it("still yields a value sent before rx.close(), by await or tryRecv (explicit_close_poll / try_recv, value sent)", async function () {
    const [tx1, rx1] = oneshot<string>();
    tx1.send("a");
    rx1.close();
    assert.equal(await rx1, "a");

    const [tx2, rx2] = oneshot<string>();
    tx2.send("b");
    rx2.close();
    assert.equal(rx2.tryRecv(), "b");
  });

  it("wakes tx.closed(), refuses send and fails the receiver after rx.close() with nothing sent (explicit_close_poll / try_recv)", async function () {
    const [tx, rx] = oneshot<number>();
    const closed = tx.closed();
    rx.close();
    assert.ok(closed.isDone());
    assert.equal(tx.send(5), false);
    assert.throws(function () {
      rx.tryRecv();
    }, { code: "ERR_CLOSED" });
    await assert.rejects(rx, { code: "ERR_CLOSED" });
  });

  it("rejects awaiting after tryRecv reported closed (close_try_recv_poll)", async function () {
    const [, rx] = oneshot<number>();
    rx.close();
    assert.throws(function () {
      rx.tryRecv();
    }, { code: "ERR_CLOSED" });
    await assert.rejects(rx, { code: "ERR_CLOSED" });
  });

  it("yields the value once, then reports closed; close() afterwards is harmless (try_recv_after_completion)", async function () {
    const [tx, rx] = oneshot<number>();
    tx.send(17);
    assert.equal(rx.tryRecv(), 17);
    assert.throws(function () {
      rx.tryRecv();
    }, { code: "ERR_CLOSED" });
    rx.close();
    await assert.rejects(rx, { code: "ERR_CLOSED" }, "awaiting after tryRecv took the value");
  });

  it("reports closed to tryRecv after an await took the value (try_recv_after_completion_await)", async function () {
    const [tx, rx] = oneshot<number>();
    tx.send(17);
    assert.equal(await rx, 17);
    assert.throws(function () {
      rx.tryRecv();
    }, { code: "ERR_CLOSED" });
    rx.close();
  });

  it("leaves no closed() waiter behind once both ends are gone (drops_tasks)", function () {
    const p = new NodePool({ capacity: 2, maxCapacity: 16 });
    const [tx, rx] = oneshot<number>({ pool: p });
    tx.closed();
    tx.closed();
    assert.equal(p.live, 2);
    rx.cancel();
    tx.close();
    assert.equal(p.live, 0);
  });
});

describe("oneshot", function () {
  it("returns undefined from tryRecv while nothing has arrived", function () {
    const [, rx] = oneshot<number>();
    assert.equal(rx.tryRecv(), undefined);
    assert.equal(rx.tryRecv(), undefined);
  });

  it("refuses a second send and keeps the first value", async function () {
    const [tx, rx] = oneshot<number>();
    assert.equal(tx.send(1), true);
    assert.equal(tx.send(2), false);
    assert.equal(await rx, 1);
  });

  it("throws TypeError naming the value when sending undefined", function () {
    const [tx] = oneshot<unknown>();
    assert.throws(function () {
      tx.send(undefined);
    }, { name: "TypeError", message: /value must be .*received undefined/ });
  });

  it("keeps a sent value when the sender closes afterwards", async function () {
    const [tx, rx] = oneshot<number>();
    tx.send(3);
    tx.close();
    assert.equal(await rx, 3);
  });

  it("refuses a send after the sender closed", async function () {
    const [tx, rx] = oneshot<number>();
    tx.close();
    assert.equal(tx.send(1), false);
    await assert.rejects(rx, { code: "ERR_CLOSED" });
  });

  it("throws ERR_CLOSED from tryRecv once the sender closed without a value", function () {
    const [tx, rx] = oneshot<number>();
    tx.close();
    assert.throws(function () {
      rx.tryRecv();
    }, { code: "ERR_CLOSED" });
  });

  it("resolves tx.closed() when the value is taken, not merely sent", async function () {
    const [tx, rx] = oneshot<number>();
    const closed = tx.closed();
    tx.send(9);
    assert.ok(!closed.isDone(), "sent but not taken");
    assert.ok(!tx.isClosed());
    assert.equal(await rx, 9);
    assert.ok(closed.isDone());
    assert.ok(tx.isClosed());

    const [tx2, rx2] = oneshot<number>();
    const closed2 = tx2.closed();
    tx2.send(10);
    assert.equal(rx2.tryRecv(), 10);
    assert.ok(closed2.isDone(), "taken through tryRecv");
  });

  it("resolves tx.closed() at once when the receiver is already closed", function () {
    const [tx, rx] = oneshot<number>();
    rx.close();
    assert.ok(tx.closed().isDone());
  });

  it("keeps a sent, untaken value for tryRecv when the receiver is cancelled (SPEC §10)", async function () {
    const [tx, rx] = oneshot<number>();
    const closed = tx.closed();
    tx.send(4);
    assert.ok(rx.cancel());
    assert.ok(closed.isDone());
    await assert.rejects(rx, { code: "ERR_CANCELLED" });
    assert.equal(rx.tryRecv(), 4, "nothing is lost");
    assert.throws(function () {
      rx.tryRecv();
    }, { code: "ERR_CLOSED" });
  });

  it("closes the receiver when a delivered-pending value is cancelled", async function () {
    const [tx, rx] = oneshot<number>();
    const closed = tx.closed();
    let delivered = false;
    let error: any = null;
    rx.then(
      function () {
        delivered = true;
      },
      function (e) {
        error = e;
      },
    );
    tx.send(4);
    assert.ok(rx.cancel());
    assert.ok(closed.isDone());
    await quiesce();
    assert.ok(!delivered, "the value is not delivered after cancel");
    assert.equal(error && error.code, "ERR_CANCELLED");
  });

  it("delivers the value to every subscriber of the receiver", async function () {
    const [tx, rx] = oneshot<string>();
    const got: string[] = [];
    rx.then(function (v) {
      got.push(v + "1");
    });
    rx.then(function (v) {
      got.push(v + "2");
    });
    tx.send("x");
    await quiesce();
    assert.deepEqual(got, ["x1", "x2"]);
  });

  it("does not change anything when the receiver is cancelled after delivery", async function () {
    const [tx, rx] = oneshot<number>();
    tx.send(1);
    assert.equal(await rx, 1);
    assert.equal(rx.cancel(), false);
  });

  it("rejects tx.closed() with an aborted signal, taking no node", async function () {
    const p = new NodePool({ capacity: 2, maxCapacity: 16 });
    const [tx] = oneshot<number>({ pool: p });
    const src = new CancelSource();
    src.cancel("no");
    await assert.rejects(tx.closed({ signal: src.signal }), { code: "ERR_CANCELLED" });
    const c = tx.closed({ signal: new CancelSource().signal });
    assert.equal(p.live, 1);
    c.cancel();
    assert.equal(p.live, 0);
  });

  it("rejects tx.closed() ERR_POOL_EXHAUSTED when the pool is full", async function () {
    const [tx] = oneshot<number>({ pool: new NodePool({ capacity: 1, maxCapacity: 1 }) });
    tx.closed();
    await assert.rejects(tx.closed(), { code: "ERR_POOL_EXHAUSTED" });
  });

  it("leaves its pool empty after many cancelled tx.closed() waiters", function () {
    const count = VM ? 10000 : 100000;
    const p = new NodePool({ capacity: 64, maxCapacity: 131072 });
    const [tx, rx] = oneshot<number>({ pool: p });
    const ops: Array<Op<void>> = [];
    for (let i = 0; i < count; i++) ops.push(tx.closed());
    assert.equal(p.live, count);
    for (let i = 0; i < count; i++) ops[i].cancel();
    assert.equal(p.live, 0);
    const last = tx.closed();
    rx.close();
    assert.ok(last.isDone());
  });
});
