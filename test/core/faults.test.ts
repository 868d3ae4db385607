/**
 * Fault injection (issue 8, item 4): user code that throws — a then-callback, a signal
 * listener, a low-level waker, a waitFor predicate, a sendModify function, a foreign
 * thenable, a signal-like object, an embedder's wake()/armTimer() or delivery host — never
 * leaves a primitive inconsistent, strands a waiter or blocks a later delivery. Errors with
 * no caller to go to are reported through `setErrorReporter` (captured here).
 */

import { setErrorReporter } from "../../src/core/errors";
import { Op, setDeliveryHost, DeliveryHost } from "../../src/core/op";
import { CancelSource, SignalLike } from "../../src/core/cancel";
import { WAKE_CLOSED, WAKE_READY } from "../../src/core/waker";
import { NodePool } from "../../src/core/pool";
import { createSimRuntime, SimRuntime } from "../../src/sim";
import { SimHal } from "../../hal/sim";
import { now, spawn, yieldNow } from "../../src/runtime/runtime";
import { select } from "../../src/runtime/select";
import { sleep } from "../../src/time/sleep";
import { BatchSemaphore } from "../../src/sync/batch_semaphore";
import { Semaphore } from "../../src/sync/semaphore";
import { watch } from "../../src/sync/watch";
import { assert } from "../assert";
import { settle } from "../helpers";

function boom(what: string): Error {
  return new Error("injected: " + what);
}

describe("fault injection: throwing user code", function () {
  let reported: unknown[] = [];
  let previous: ((error: unknown) => void) | null = null;
  beforeEach(function () {
    reported = [];
    previous = setErrorReporter(function (e) {
      reported.push(e);
    });
  });
  afterEach(function () {
    setErrorReporter(previous);
  });

  function simRuntime(hal?: SimHal, budget?: number): SimRuntime {
    return createSimRuntime({ hal: hal || new SimHal(), budget: budget });
  }

  it("a throwing then-callback leaves the semaphore consistent and later deliveries flow", async function () {
    const sem = new Semaphore(0);
    const a = sem.acquire();
    const chained = a.then(function () {
      throw boom("callback");
    });
    const b = sem.acquire();
    sem.addPermits(2);
    await assert.rejects(chained, { message: /callback/ });
    (await a).release();
    (await b).release();
    assert.equal(sem.availablePermits(), 2, "every permit is back");
    const c = await sem.acquire(2);
    assert.equal(c.permits, 2);
  });

  it("a throwing signal listener does not break JoinHandle.abort(), the other listeners or the task's slot", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      let second = false;
      const task = spawn(async function ({ signal }) {
        signal.addEventListener("abort", function () {
          throw boom("listener");
        });
        signal.addEventListener("abort", function () {
          second = true;
        });
        await sleep(100, { signal: signal });
      });
      await yieldNow();
      task.abort(); // must not throw
      assert.ok(second, "the other listener still ran");
      await assert.rejects(task, { code: "ERR_CANCELLED" });
      await settle(10);
      assert.equal(rt.stats().tasks.live, 0, "the task's slot was freed");
      assert.equal(rt.stats().timers.live, 0, "its sleep's timer was removed");
    });
    assert.equal(reported.length, 1, "the listener's error was reported");
  });

  it("a throwing low-level waker does not strand the waiters woken with it (release)", function () {
    const sem = new BatchSemaphore(0, new NodePool({ capacity: 4, maxCapacity: 4 }));
    const woken: number[] = [];
    const throwing = { wake: function (): void { throw boom("waker"); } };
    const recording = { wake: function (token: number, status: number): void { woken.push(token * 10 + status); } };
    sem.acquire(1, throwing, 1);
    sem.acquire(1, recording, 2);
    sem.acquire(1, recording, 3);
    assert.throws(function () {
      sem.release(3);
    }, { message: /waker/ });
    assert.deepEqual(woken, [20 + WAKE_READY, 30 + WAKE_READY], "every other satisfied waiter was woken");
    assert.equal(sem.waiterCount(), 0);
    assert.equal(sem.pool.live, 0, "no node left in the granted list");
    sem.release(1);
    assert.ok(sem.tryAcquire(1), "the semaphore still works");
  });

  it("a throwing low-level waker does not leave later waiters queued on a closed semaphore", function () {
    const sem = new BatchSemaphore(0, new NodePool({ capacity: 4, maxCapacity: 4 }));
    const woken: number[] = [];
    sem.acquire(1, { wake: function (): void { throw boom("close waker"); } }, 1);
    sem.acquire(1, { wake: function (t: number, s: number): void { woken.push(t * 10 + s); } }, 2);
    assert.throws(function () {
      sem.close();
    }, { message: /close waker/ });
    assert.deepEqual(woken, [20 + WAKE_CLOSED]);
    assert.equal(sem.waiterCount(), 0);
    assert.equal(sem.pool.live, 0);
  });

  it("a throwing raw timer waker does not strand the other due timers", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      rt.insertTimer(now() + 10, { wake: function (): void { throw boom("timer waker"); } }, 0);
      const later: number[] = [];
      rt.insertTimer(now() + 10, { wake: function (): void { later.push(now()); } }, 0);
      const t0 = now();
      await sleep(10);
      assert.equal(now() - t0, 10, "the sleep due with it still fired on time");
      assert.equal(later.length, 1);
      await sleep(5);
      assert.equal(rt.stats().timers.live, 0);
    });
    assert.equal(reported.length, 1);
  });

  it("a throwing waitFor predicate fails its own op only; sendModify's throwing fn is rethrown and changes nothing else", async function () {
    const [tx, rx] = watch(0);
    const rx2 = rx.clone();
    const failing = rx.waitFor(function (v) {
      if (v === 1) throw boom("predicate");
      return false;
    });
    const changed = rx2.changed();
    tx.send(1);
    await assert.rejects(failing, { message: /predicate/ });
    await changed;
    assert.throws(function () {
      tx.sendModify(function () {
        throw boom("modify");
      });
    }, { message: /modify/ });
    const next = rx2.changed();
    tx.send(2);
    await next;
    assert.equal(rx2.borrow(), 2);
  });

  it("a foreign thenable whose then throws fails the select, which gives its other inputs back", async function () {
    const sem = new Semaphore(0);
    const acquire = sem.acquire();
    const bad = {
      then: function (): void {
        throw boom("then");
      },
    };
    await assert.rejects(select([acquire, bad]), { message: /then/ });
    assert.equal(sem.waiterCount(), 0, "the acquire was cancelled");
    await assert.rejects(acquire, { code: "ERR_CANCELLED" });
  });

  it("a signal whose addEventListener throws makes the call throw and take nothing", function () {
    const signal: SignalLike = {
      aborted: false,
      addEventListener: function (): void {
        throw boom("addEventListener");
      },
      removeEventListener: function (): void {},
    };
    const free = new Semaphore(1);
    assert.throws(function () {
      free.acquire(1, { signal: signal });
    }, { message: /addEventListener/ });
    assert.equal(free.availablePermits(), 1, "the permit went back");
    const busy = new Semaphore(0);
    assert.throws(function () {
      busy.acquire(1, { signal: signal });
    }, { message: /addEventListener/ });
    assert.equal(busy.waiterCount(), 0, "no waiter left queued");
  });

  it("a signal whose removeEventListener throws is reported; the op still settles", async function () {
    const source = new CancelSource();
    const signal = source.signal;
    signal.removeEventListener = function (): void {
      throw boom("removeEventListener");
    };
    const sem = new Semaphore(1);
    const p = await sem.acquire(1, { signal: signal });
    assert.equal(p.permits, 1);
    assert.equal(reported.length, 1);
  });

  it("a delivery host whose request() throws: reported, and the batch is still delivered", async function () {
    const host: DeliveryHost = {
      request: function (): void {
        throw boom("request");
      },
      admit: function (): boolean {
        return false;
      },
    };
    const old = setDeliveryHost(host);
    try {
      const op = new Op<number>();
      const seen = op.then(function (v) {
        return v + 1;
      });
      op.complete(1);
      assert.equal(await seen, 2);
      assert.equal(reported.length, 1);
    } finally {
      setDeliveryHost(old);
    }
  });

  it("an embedder's wake() that throws: reported, and the runtime keeps running", async function () {
    const hal = new SimHal();
    const wake = hal.wake;
    let throws = 2;
    hal.wake = function (budgetSpent?: boolean): void {
      if (throws-- > 0) throw boom("wake");
      wake.call(hal, budgetSpent);
    };
    const rt = simRuntime(hal, 2);
    const n = await rt.run(async function () {
      let i = 0;
      for (; i < 10; i++) await yieldNow();
      await sleep(5);
      return i;
    });
    assert.equal(n, 10);
    assert.ok(reported.length >= 1, "the wake() failures were reported");
  });

  it("an embedder's armTimer() that throws: reported, and the timer is armed on a later turn", async function () {
    const hal = new SimHal();
    const arm = hal.armTimer;
    let throws = 1;
    hal.armTimer = function (delta: number): void {
      if (throws-- > 0) throw boom("armTimer");
      arm.call(hal, delta);
    };
    const rt = simRuntime(hal);
    await rt.run(async function () {
      const t0 = now();
      await sleep(20);
      assert.ok(now() - t0 >= 20, "the sleep fired, not early");
    });
    assert.equal(reported.length, 1);
  });
});
