import { CancelSource, SignalLike, signalOf } from "../../src/core/cancel";
import { NodePool } from "../../src/core/pool";
import { Op } from "../../src/core/op";
import { channel } from "../../src/sync/mpsc/bounded";
import { Notify } from "../../src/sync/notify";
import { Permit, Semaphore } from "../../src/sync/semaphore";
import { assert } from "../assert";
import { settle } from "../helpers";

const VM = typeof process === "undefined";

/** Wraps a signal's add/removeEventListener to count the abort listeners attached now. */
function countListeners(signal: SignalLike): { now: () => number; added: () => number } {
  let now = 0;
  let added = 0;
  const target = signal as { addEventListener: SignalLike["addEventListener"]; removeEventListener: SignalLike["removeEventListener"] };
  const add = target.addEventListener;
  const remove = target.removeEventListener;
  target.addEventListener = function (type, listener) {
    now++;
    added++;
    add.call(signal, type, listener);
  };
  target.removeEventListener = function (type, listener) {
    now--;
    remove.call(signal, type, listener);
  };
  return {
    now: function () {
      return now;
    },
    added: function () {
      return added;
    },
  };
}

/** A plain object shaped like a host AbortSignal. */
function hostSignal(): { signal: SignalLike; abort(reason: unknown): void; listeners(): number } {
  const listeners: Array<() => void> = [];
  const signal = {
    aborted: false,
    reason: undefined as unknown,
    addEventListener(_type: "abort", listener: () => void): void {
      listeners.push(listener);
    },
    removeEventListener(_type: "abort", listener: () => void): void {
      const i = listeners.indexOf(listener);
      if (i >= 0) listeners.splice(i, 1);
    },
  };
  return {
    signal: signal,
    abort(reason: unknown): void {
      signal.aborted = true;
      signal.reason = reason;
      const copy = listeners.slice();
      for (let i = 0; i < copy.length; i++) copy[i]();
    },
    listeners(): number {
      return listeners.length;
    },
  };
}

describe("cancellation signals", function () {
  it("fans 20,000 ops on one signal out from a single listener and cancels them all on abort", async function () {
    this.timeout(20000);
    const n = VM ? 4000 : 20000;
    const s = new Semaphore(0, { pool: { capacity: 16, maxCapacity: 32768 } });
    const source = new CancelSource();
    const count = countListeners(source.signal);
    const ops: Op<Permit>[] = [];
    for (let i = 0; i < n; i++) ops.push(s.acquire(1, { signal: source.signal }));
    assert.equal(count.now(), 1, "one listener for the whole fan-out");
    assert.equal(count.added(), 1);
    source.cancel("enough");
    assert.equal(s.waiterCount(), 0);
    assert.equal(s.inner.pool.live, 0);
    assert.equal(count.now(), 0, "the listener is gone once the last op settled");
    for (let i = 0; i < n; i += Math.floor(n / 7)) {
      const err = (await assert.rejects(ops[i], { code: "ERR_CANCELLED" })) as { cause: unknown };
      assert.equal(err.cause, "enough");
    }
  });

  it("removes the listener after the last op on the signal settles, by any route", async function () {
    const s = new Semaphore(0);
    const source = new CancelSource();
    const count = countListeners(source.signal);
    const a = s.acquire(1, { signal: source.signal });
    const b = s.acquire(1, { signal: source.signal });
    const c = s.acquire(1, { signal: source.signal });
    assert.equal(count.now(), 1);
    a.cancel();
    assert.equal(count.now(), 1, "others still watch it");
    s.addPermits(1); // b is granted; its abort still matters until delivery
    assert.equal(count.now(), 1);
    const pb = await b;
    assert.equal(count.now(), 1, "c still watches it");
    s.close(); // c fails
    await assert.rejects(c, { code: "ERR_CLOSED" });
    assert.equal(count.now(), 0);
    pb.release();
    source.cancel();
    await assert.rejects(a, { code: "ERR_CANCELLED" });
  });

  it("rejects at once and takes nothing when the signal is already aborted, even with permits free", async function () {
    const s = new Semaphore(3);
    const source = new CancelSource();
    source.cancel("before");
    const count = countListeners(source.signal);
    const op = s.acquire(2, { signal: source.signal });
    assert.ok(op.isDone());
    assert.equal(s.availablePermits(), 3);
    assert.equal(s.waiterCount(), 0);
    assert.equal(count.added(), 0, "no listener for an aborted signal");
    const err = (await assert.rejects(op, { code: "ERR_CANCELLED" })) as { cause: unknown };
    assert.equal(err.cause, "before");
  });

  it("cancels an op satisfied but not yet delivered when the signal aborts, returning the permit", async function () {
    const s = new Semaphore(1);
    const source = new CancelSource();
    const op = s.acquire(1, { signal: source.signal });
    assert.equal(s.availablePermits(), 0);
    source.cancel();
    assert.equal(s.availablePermits(), 1);
    await assert.rejects(op, { code: "ERR_CANCELLED" });
  });

  it("leaves a delivered op alone when the signal aborts later", async function () {
    const s = new Semaphore(1);
    const source = new CancelSource();
    const count = countListeners(source.signal);
    const p = await s.acquire(1, { signal: source.signal });
    assert.equal(count.now(), 0, "delivery detached it");
    source.cancel();
    assert.equal(p.permits, 1);
    assert.equal(s.availablePermits(), 0);
  });

  it("gives the waiter's partial permits to the next waiter when its signal aborts", async function () {
    const s = new Semaphore(2);
    const source = new CancelSource();
    const big = s.acquire(3, { signal: source.signal });
    const next = s.acquire(2);
    source.cancel();
    assert.equal((await next).permits, 2);
    await assert.rejects(big, { code: "ERR_CANCELLED" });
  });

  it("works with a plain host-like signal object", async function () {
    const host = hostSignal();
    const s = new Semaphore(0);
    const a = s.acquire(1, { signal: host.signal });
    const b = s.acquire(1, { signal: host.signal });
    assert.equal(host.listeners(), 1);
    host.abort("host reason");
    assert.equal(host.listeners(), 0);
    const err = (await assert.rejects(a, { code: "ERR_CANCELLED" })) as { cause: unknown };
    assert.equal(err.cause, "host reason");
    await assert.rejects(b, { code: "ERR_CANCELLED" });
    assert.equal(s.waiterCount(), 0);
    // The same object can be used again once it settled (a fresh, aborted signal now).
    await assert.rejects(s.acquire(1, { signal: host.signal }), { code: "ERR_CANCELLED" });
  });

  it("works with the host's AbortController where there is one", async function () {
    const AC = (globalThis as { AbortController?: new () => { signal: SignalLike; abort(r?: unknown): void } }).AbortController;
    if (typeof AC !== "function") return;
    const controller = new AC();
    const s = new Semaphore(0);
    const op = s.acquire(1, { signal: controller.signal });
    controller.abort("host");
    const err = (await assert.rejects(op, { code: "ERR_CANCELLED" })) as { cause: unknown };
    assert.equal(err.cause, "host");
    assert.equal(s.waiterCount(), 0);
  });

  // A frozen signal cannot carry the shared fan-out as an expando property: it gets a
  // fan-out of its own, and watching it must neither throw nor strand the waiter.
  it("watches a frozen (non-extensible) signal: its abort cancels the op and nothing stays queued", async function () {
    if (typeof Object.freeze !== "function") this.skip(); // Espruino: nothing can be frozen
    const listeners: Array<() => void> = [];
    const state = { aborted: false, reason: undefined as unknown };
    const signal = Object.freeze({
      get aborted(): boolean {
        return state.aborted;
      },
      get reason(): unknown {
        return state.reason;
      },
      addEventListener(_type: "abort", listener: () => void): void {
        listeners.push(listener);
      },
      removeEventListener(_type: "abort", listener: () => void): void {
        const i = listeners.indexOf(listener);
        if (i >= 0) listeners.splice(i, 1);
      },
    });
    const s = new Semaphore(0, { pool: new NodePool() }); // its own pool: live counts only this op
    const op: Op<Permit> = s.acquire(1, { signal: signal });
    assert.equal(listeners.length, 1, "the op listens to the frozen signal");
    state.aborted = true;
    state.reason = "frozen";
    const copy = listeners.slice();
    for (let i = 0; i < copy.length; i++) copy[i]();
    const err = (await assert.rejects(op, { code: "ERR_CANCELLED" })) as { cause: unknown };
    assert.equal(err.cause, "frozen");
    assert.equal(s.waiterCount(), 0);
    assert.equal(s.inner.pool.live, 0);
    assert.equal(listeners.length, 0, "the listener was removed");
  });

  describe("CancelSource", function () {
    it("aborts once, with an AbortError reason by default", function () {
      const source = new CancelSource();
      const calls: number[] = [];
      source.signal.addEventListener("abort", function () {
        calls.push(1);
      });
      assert.ok(!source.signal.aborted);
      source.signal.throwIfAborted();
      source.cancel();
      assert.ok(source.signal.aborted);
      assert.equal((source.signal.reason as Error).name, "AbortError");
      source.abort("again");
      assert.equal((source.signal.reason as Error).name, "AbortError", "the first reason stays");
      assert.deepEqual(calls, [1], "listeners run once");
      assert.throws(() => source.signal.throwIfAborted(), { name: "AbortError" });
    });

    it("does not call a removed listener", function () {
      const source = new CancelSource();
      let called = false;
      const f = function (): void {
        called = true;
      };
      source.signal.addEventListener("abort", f);
      source.signal.removeEventListener("abort", f);
      source.cancel();
      assert.ok(!called);
    });

    it("follows another signal's abort, and can be cancelled on its own", function () {
      const parent = new CancelSource();
      const child = CancelSource.follow(parent.signal);
      assert.ok(!child.signal.aborted);
      parent.cancel("up");
      assert.ok(child.signal.aborted);
      assert.equal(child.signal.reason, "up");

      const parent2 = new CancelSource();
      const child2 = CancelSource.follow(parent2.signal);
      child2.cancel("own");
      assert.ok(child2.signal.aborted);
      assert.ok(!parent2.signal.aborted, "the parent is unaffected");
    });

    it("is aborted at once when following an aborted signal", function () {
      const host = hostSignal();
      host.abort("already");
      const child = CancelSource.follow(host.signal);
      assert.ok(child.signal.aborted);
      assert.equal(child.signal.reason, "already");
    });
  });

  describe("signalOf", function () {
    it("returns null when there is no signal", function () {
      assert.equal(signalOf(undefined), null);
      assert.equal(signalOf(null as never), null);
      assert.equal(signalOf({}), null);
      assert.equal(signalOf({ signal: null }), null);
      assert.equal(signalOf({ signal: undefined }), null);
    });

    it("returns the signal it was given", function () {
      const source = new CancelSource();
      assert.equal(signalOf({ signal: source.signal }), source.signal);
    });

    it("names the argument and the value on misuse", function () {
      assert.throws(() => signalOf(5 as never), { name: "TypeError", message: /options.*5/ });
      assert.throws(() => signalOf("x" as never, "opts"), { name: "TypeError", message: /opts.*"x"/ });
      assert.throws(() => signalOf({ signal: 3 as never }), { name: "TypeError", message: /options\.signal.*3/ });
      assert.throws(() => signalOf({ signal: { aborted: false } as never }), { name: "TypeError", message: /options\.signal/ });
      assert.throws(() => signalOf({ signal: {} as never }, "init"), { name: "TypeError", message: /init\.signal/ });
    });
  });

  describe("an op whose start throws leaves nothing queued", function () {
    /** A signal whose host refuses the listener (a broken polyfill, a sealed host object). */
    function refusingSignal(): SignalLike {
      return {
        aborted: false,
        reason: undefined,
        addEventListener(): void {
          throw new TypeError("no listeners here");
        },
        removeEventListener(): void {},
      } as unknown as SignalLike;
    }

    it("Semaphore.acquire: the waiter is withdrawn and the next permit is not swallowed", function () {
      const s = new Semaphore(0);
      assert.throws(() => s.acquire(1, { signal: refusingSignal() }), { name: "TypeError", message: /no listeners/ });
      assert.equal(s.waiterCount(), 0, "no waiter left queued");
      s.addPermits(1);
      assert.equal(s.availablePermits(), 1, "the released permit stays free");
    });

    it("Semaphore.acquire granted at once: the permit is given back", function () {
      const s = new Semaphore(1);
      assert.throws(() => s.acquire(1, { signal: refusingSignal() }), { name: "TypeError" });
      assert.equal(s.availablePermits(), 1);
    });

    it("Sender.send on a full channel: nothing queued, the slot and the message stay out", function () {
      const [tx, rx] = channel<number>(1);
      assert.ok(tx.trySend(1));
      assert.throws(() => tx.send(2, { signal: refusingSignal() }), { name: "TypeError" });
      assert.equal(rx.tryRecv(), 1);
      assert.equal(rx.tryRecv(), undefined, "the refused send left no message behind");
      assert.ok(tx.trySend(3), "its slot is free");
    });

    it("Notify.notified: no waiter is left to swallow a notification", function () {
      const n = new Notify();
      assert.throws(() => n.notified({ signal: refusingSignal() }), { name: "TypeError" });
      n.notifyOne();
      let woke = false;
      n.notified().then(function () {
        woke = true;
      });
      return settle(4).then(function () {
        assert.ok(woke, "the stored notification went to the next waiter");
      });
    });
  });
});
