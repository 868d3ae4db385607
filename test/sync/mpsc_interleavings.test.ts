/**
 * Randomized interleavings of a bounded (and an unbounded) mpsc channel, in the spirit of
 * Tokio's loom_mpsc.rs: two sender clones and one receiver take random steps — sends,
 * try-sends, reserves, receives of every kind, cancellations at every waiting point,
 * deliveries one at a time, closes from either side — and a model checks that every value
 * is received exactly once, in order per sender, or given back (a rejected send's `value`,
 * a cancelled send, a throwing trySend), and that no slot or waiter node is left behind.
 */

import { NodePool } from "../../src/core/pool";
import { channel, Sender, SendPermit } from "../../src/sync/mpsc/bounded";
import { unboundedChannel, UnboundedSender } from "../../src/sync/mpsc/unbounded";
import { Receiver } from "../../src/sync/mpsc/chan";
import { assert } from "../assert";
import { SyncDeliveries } from "../helpers";
import { forEachSeed, Rng } from "../rng";

interface Cancellable {
  cancel(reason?: unknown): boolean;
}

class Model {
  /** value → "accepted" | "returned" | "received" */
  state: { [value: number]: string } = {};
  lastBySender = [0, 0];
  received: number[] = [];
  pending: Cancellable[] = [];
  permits: Array<SendPermit<number>> = [];
  next = [1, 1];
  permitNext = [0, 0];
  failures: string[] = [];
  readonly deliveries = new SyncDeliveries();

  constructor(readonly rng: Rng) {}

  /** Values are sender * 1e6 + n, so a value names its sender and its order. */
  value(sender: number): number {
    return sender * 1000000 + this.next[sender]++;
  }

  got(v: number, ordered: boolean): void {
    if (this.state[v] === "received") this.failures.push("received twice: " + v);
    if (this.state[v] === "returned") this.failures.push("received a returned value: " + v);
    this.state[v] = "received";
    this.received.push(v);
    const s = v >= 1000000 ? 1 : 0;
    const n = v - s * 1000000;
    if (ordered) {
      if (n <= this.lastBySender[s]) this.failures.push("out of order: " + v + " after " + this.lastBySender[s]);
      this.lastBySender[s] = n;
    }
  }

  returned(v: number): void {
    if (this.state[v] === "received") this.failures.push("returned a received value: " + v);
    this.state[v] = "returned";
  }

  accepted(v: number): void {
    if (this.state[v] === undefined) this.state[v] = "accepted";
  }
}

/** Permit-sent values may overtake a queued send of the same sender: no order check for them. */
const PERMIT_BASE = 500000;

function recvOp(m: Model, rx: Receiver<number>): void {
  if (m.rng.int(3) === 0) {
    const buf: number[] = [];
    const op = rx.recvMany(buf, 1 + m.rng.int(3));
    m.deliveries.watch(
      op,
      function () {
        for (let i = 0; i < buf.length; i++) m.got(buf[i], buf[i] % 1000000 < PERMIT_BASE);
      },
      function () {},
    );
    m.pending.push(op);
  } else {
    const op = rx.recv();
    m.deliveries.watch(
      op,
      function (v) {
        if (v !== undefined) m.got(v, v % 1000000 < PERMIT_BASE);
      },
      function () {},
    );
    m.pending.push(op);
  }
}

function sendOp(m: Model, tx: Sender<number>, s: number): void {
  const v = m.value(s);
  const op = tx.send(v);
  m.deliveries.watch(
    op,
    function () {
      m.accepted(v);
    },
    function (err) {
      const e = err as { code: string; value?: number };
      if (e.code === "ERR_CLOSED") assert.equal(e.value, v, "a failed send carries its value");
      m.returned(v);
    },
  );
  m.pending.push(op);
}

function trySendOp(m: Model, tx: Sender<number> | UnboundedSender<number>, s: number, bounded: boolean): void {
  const v = m.value(s);
  try {
    if (bounded) {
      if ((tx as Sender<number>).trySend(v)) m.accepted(v);
      else m.returned(v);
    } else {
      (tx as UnboundedSender<number>).send(v);
      m.accepted(v);
    }
  } catch (e) {
    assert.equal((e as { code: string }).code, "ERR_CLOSED");
    assert.equal((e as { value: number }).value, v);
    m.returned(v);
  }
}

function run(rng: Rng, bounded: boolean): void {
  const m = new Model(rng);
  const pool = new NodePool({ capacity: 1 + rng.int(4), maxCapacity: 256 });
  const capacity = 1 + rng.int(4);
  const pair = bounded ? channel<number>(capacity, { pool }) : unboundedChannel<number>({ pool });
  const tx0 = pair[0];
  const rx = pair[1];
  const senders: Array<Sender<number> | UnboundedSender<number>> = [tx0, tx0.clone()];
  const steps = 40 + rng.int(80);
  for (let step = 0; step < steps; step++) {
    const s = rng.int(2);
    const tx = senders[s];
    const roll = rng.int(20);
    if (roll < 4) {
      if (bounded) sendOp(m, tx as Sender<number>, s);
      else trySendOp(m, tx, s, false);
    } else if (roll < 6) trySendOp(m, tx, s, bounded);
    else if (roll < 7 && bounded) {
      const op = (tx as Sender<number>).reserve();
      m.deliveries.watch(
      op,
        function (p) {
          m.permits.push(p);
        },
        function () {},
      );
      m.pending.push(op);
    } else if (roll < 8 && m.permits.length > 0) {
      const p = m.permits.splice(rng.int(m.permits.length), 1)[0];
      if (rng.int(2) === 0) p.release();
      else {
        const v = s * 1000000 + PERMIT_BASE + m.permitNext[s]++;
        p.send(v);
        m.accepted(v);
      }
    } else if (roll < 12) recvOp(m, rx);
    else if (roll < 13) {
      try {
        const v = rx.tryRecv();
        if (v !== undefined) m.got(v, v % 1000000 < PERMIT_BASE);
      } catch (e) {
        assert.equal((e as { code: string }).code, "ERR_CLOSED");
      }
    } else if (roll < 16 && m.pending.length > 0) {
      m.pending[rng.int(m.pending.length)].cancel("random");
    } else if (roll < 19) m.deliveries.run(1 + rng.int(3));
    else if (rng.int(10) === 0) {
      if (rng.int(3) === 0) rx.close();
      else tx.close();
    }
    m.deliveries.sweep();
  }
  // Wind down: close every sender, use or release the permits, deliver everything, drain.
  senders[0].close();
  senders[1].close();
  while (m.deliveries.run(Infinity) > 0) {}
  for (let i = 0; i < m.permits.length; i++) m.permits[i].release();
  m.permits = [];
  while (m.deliveries.run(Infinity) > 0) {}
  for (;;) {
    let v: number | undefined;
    try {
      v = rx.tryRecv();
    } catch (_e) {
      break;
    }
    if (v === undefined) {
      m.failures.push("tryRecv empty on a closed channel that is not drained");
      break;
    }
    m.got(v, v % 1000000 < PERMIT_BASE);
  }
  for (const key in m.state) {
    if (m.state[key] === "accepted") m.failures.push("accepted but never received: " + key);
  }
  if (pool.live !== 0) m.failures.push("waiter nodes left: " + pool.live);
  if (bounded) {
    const tx = senders[0] as Sender<number>;
    if (tx.capacity() !== tx.maxCapacity()) m.failures.push("slots left taken: " + (tx.maxCapacity() - tx.capacity()));
  }
  if (m.failures.length > 0) assert.fail(m.failures.join("; "));
}

describe("mpsc interleavings", function () {
  it("bounded: every value is received once and in order, or given back, and nothing is left held", function () {
    forEachSeed(typeof process === "undefined" ? 150 : 600, function (rng) {
      run(rng, true);
    });
  });

  it("unbounded: every value is received once and in order, or given back", function () {
    forEachSeed(typeof process === "undefined" ? 100 : 300, function (rng) {
      run(rng, false);
    });
  });
});
