import { assert } from "../assert";
import { createSimRuntime, SimRuntime } from "../../src/sim";
import { SimHal } from "../../hal/sim";
import { now, yieldNow } from "../../src/runtime/runtime";
import { sleep } from "../../src/time/sleep";
import { timeout } from "../../src/time/timeout";
import { Semaphore, Permit } from "../../src/sync/semaphore";
import { SignalLike } from "../../src/core/cancel";
import { Op, readyOp } from "../../src/core/op";
import { settle, outcome } from "../helpers";

function simRuntime(maxTimers?: number): SimRuntime {
  return createSimRuntime({ hal: new SimHal(), maxTimers: maxTimers });
}

describe("timeout", function () {
  it("passes a ready op through even with a zero or past limit (Tokio simultaneous_deadline_future_completion)", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      assert.equal(await timeout(0, readyOp(5)), 5);
      const sem = new Semaphore(1);
      const permit = await timeout(0, sem.acquire());
      assert.equal(permit.permits, 1);
      assert.equal(rt.stats().timers.peak, 0, "a ready inner op takes no timer");
    });
  });

  it("stays pending until the inner op completes within the limit (Tokio future_and_deadline_in_future)", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const sem = new Semaphore(0);
      const op = timeout(100, sem.acquire());
      await sleep(90);
      assert.ok(!op.isDone());
      sem.addPermits(1);
      const permit = await op;
      assert.equal(permit.permits, 1);
      assert.equal(now(), 90);
      assert.equal(rt.stats().timers.live, 0, "the timer is removed when the op wins");
    });
  });

  it("handles a very large limit (Tokio very_large_timeout)", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const op = timeout(1099511627776 * 4, sleep(10));
      await op;
      assert.equal(now(), 10);
      assert.equal(rt.stats().timers.live, 0);
    });
  });

  it("rejects ERR_TIMEOUT at exactly the limit and withdraws the waiter (Tokio deadline_future_elapses)", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const sem = new Semaphore(0);
      const op = timeout(300, sem.acquire());
      assert.equal(sem.waiterCount(), 1);
      await assert.rejects(op, { code: "ERR_TIMEOUT", message: /300/ });
      assert.equal(now(), 300);
      assert.equal(sem.waiterCount(), 0);
      sem.addPermits(1);
      assert.equal(sem.availablePermits(), 1, "nothing went to the timed-out waiter");
    });
  });

  it("times out a pending op with a zero limit (Tokio deadline_now_elapses)", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const sem = new Semaphore(0);
      await assert.rejects(timeout(0, sem.acquire()), { code: "ERR_TIMEOUT" });
      assert.equal(sem.waiterCount(), 0);
    });
  });

  it("lets the inner op win when it completes in the instant the limit passes, before the timer", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const sem = new Semaphore(0);
      let granted = false;
      // A raw timer armed first for the same deadline fires first and grants the permit.
      rt.insertTimer(now() + 50, {
        wake: function () {
          sem.addPermits(1);
          granted = acquire.isDone() && sem.availablePermits() === 0;
        },
      }, 0);
      const acquire = sem.acquire();
      const op = timeout(50, acquire);
      const permit = await op;
      assert.ok(granted, "the waiter held the permit when the limit passed");
      assert.equal(permit.permits, 1, "the timeout owns the inner op: its completion wins at once");
      assert.equal(rt.stats().timers.live, 0, "the timeout's timer was removed");
      permit.release();
      assert.equal(sem.availablePermits(), 1);
    });
  });

  it("returns a permit won in the same instant the limit passed when the timeout is cancelled before delivery", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const sem = new Semaphore(0);
      const acquire = sem.acquire();
      const op = timeout(50, acquire);
      rt.insertTimer(now() + 50, {
        wake: function () {
          sem.addPermits(1);
          assert.ok(op.isDone(), "complete, not yet delivered");
          assert.ok(op.cancel("late"), "still cancellable");
        },
      }, 0);
      await assert.rejects(op, { code: "ERR_CANCELLED" });
      assert.equal(sem.availablePermits(), 1, "the permit went back to the semaphore");
      assert.equal(await outcome(acquire), "ERR_CANCELLED");
    });
  });

  it("gives the inner op's resource back when cancelled after completing but before delivery", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const sem = new Semaphore(1);
      const op = timeout(100, sem.acquire());
      await settle(5);
      assert.ok(op.isDone());
      assert.equal(sem.availablePermits(), 0);
      assert.ok(op.cancel());
      assert.equal(sem.availablePermits(), 1);
      await assert.rejects(op, { code: "ERR_CANCELLED" });
    });
  });

  it("cancels the inner op when the timeout op is cancelled", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const sem = new Semaphore(0);
      const inner = sem.acquire();
      const op = timeout(100, inner);
      assert.ok(op.cancel("enough"));
      assert.equal(sem.waiterCount(), 0);
      assert.equal(rt.stats().timers.live, 0);
      await assert.rejects(op, { code: "ERR_CANCELLED" });
      await assert.rejects(inner, { code: "ERR_CANCELLED" });
    });
  });

  it("passes the inner op's error through", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const sem = new Semaphore(0);
      const op = timeout(100, sem.acquire());
      await sleep(10);
      sem.close();
      await assert.rejects(op, { code: "ERR_CLOSED" });
      assert.equal(rt.stats().timers.live, 0);
    });
  });

  it("calls fn({ signal }) and aborts the signal with the ERR_TIMEOUT error on expiry", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      let seen: SignalLike | null = null;
      const op = timeout(40, function (ctx: { signal: SignalLike }) {
        seen = ctx.signal;
        return new Promise<number>(function () {});
      });
      const signal = seen as unknown as SignalLike;
      assert.ok(signal !== null && !signal.aborted, "fn is called at once with a live signal");
      await assert.rejects(op, { code: "ERR_TIMEOUT" });
      assert.ok(signal.aborted);
      assert.equal((signal.reason as { code?: string }).code, "ERR_TIMEOUT");
      assert.equal(now(), 40);
    });
  });

  it("passes fn's value, thenable result or error through", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      assert.equal(await timeout(10, function () {
        return 7;
      }), 7);
      assert.equal(await timeout(10, async function () {
        await sleep(5);
        return "late enough";
      }), "late enough");
      const boom = new Error("boom");
      await assert.rejects(timeout(10, function () {
        throw boom;
      }), { message: /boom/ });
      await assert.rejects(timeout(10, async function () {
        await sleep(1);
        throw boom;
      }), { message: /boom/ });
      assert.equal(rt.stats().timers.live, 0);
    });
  });

  it("aborts fn's signal when the timeout op is cancelled", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      let seen: SignalLike | null = null;
      const op = timeout(100, function (ctx: { signal: SignalLike }) {
        seen = ctx.signal;
        return new Promise<void>(function () {});
      });
      op.cancel("user");
      assert.ok((seen as unknown as SignalLike).aborted);
      assert.equal((seen as unknown as SignalLike).reason, "user");
      await assert.rejects(op, { code: "ERR_CANCELLED" });
    });
  });

  it("races a plain thenable", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      assert.equal(await timeout(10, Promise.resolve(3)), 3);
      await assert.rejects(timeout(10, new Promise(function () {})), { code: "ERR_TIMEOUT" });
    });
  });

  it("times out work that never stops yielding (Tokio timeout_is_not_exhausted_by_future)", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const op = timeout(20, async function (ctx: { signal: SignalLike }) {
        for (;;) {
          if (ctx.signal.aborted) return "aborted";
          await yieldNow();
        }
      });
      await assert.rejects(op, { code: "ERR_TIMEOUT" });
      assert.ok(now() >= 20 && now() <= 22, "timed out at " + now());
    });
  });

  it("fails with ERR_POOL_EXHAUSTED and withdraws the inner op when no timer is free", async function () {
    const rt = simRuntime(1);
    await rt.run(async function () {
      const sem = new Semaphore(0);
      const held = sleep(1000);
      let called = false;
      await assert.rejects(timeout(10, sem.acquire()), { code: "ERR_POOL_EXHAUSTED" });
      await assert.rejects(timeout(10, function () {
        called = true;
      }), { code: "ERR_POOL_EXHAUSTED" });
      assert.equal(sem.waiterCount(), 0);
      assert.ok(!called, "fn is not called without a timer");
      held.cancel();
    });
  });

  it("leaks no waiter or timer after many timeouts on an exhausted semaphore", async function () {
    const rt = simRuntime(8192);
    await rt.run(async function () {
      const sem = new Semaphore(0);
      const ops: Op<Permit>[] = [];
      for (let i = 0; i < 5000; i++) ops.push(timeout(1 + (i % 50), sem.acquire()));
      await sleep(60);
      for (let i = 0; i < ops.length; i += 997) assert.equal(await outcome(ops[i]), "ERR_TIMEOUT");
      assert.equal(sem.waiterCount(), 0);
      assert.equal(rt.stats().timers.live, 0);
    });
  });

  it("rejects bad arguments synchronously, naming them", function () {
    assert.throws(function () {
      timeout(-1, readyOp(1));
    }, { name: "RangeError", message: /ms/ });
    assert.throws(function () {
      timeout(5, 42 as unknown as Op<number>);
    }, { name: "TypeError", message: /opOrFn/ });
  });
});
