import { assert } from "../assert";
import { createSimRuntime, SimRuntime } from "../../src/sim";
import { SimHal } from "../../hal/sim";
import { now, spawn, yieldNow } from "../../src/runtime/runtime";
import { sleep, sleepUntil } from "../../src/time/sleep";
import { CancelSource } from "../../src/core/cancel";
import { Op } from "../../src/core/op";
import { settle, outcome } from "../helpers";

function simRuntime(maxTimers?: number): SimRuntime {
  return createSimRuntime({ hal: new SimHal(), maxTimers: maxTimers });
}

describe("sleep", function () {
  it("wakes exactly at its deadline for 1, 10 and 60 ms (Tokio delayed_sleep_level_0)", async function () {
    const rt = simRuntime();
    const seen = await rt.run(async function () {
      const out: number[] = [];
      const durations = [1, 10, 60];
      for (let i = 0; i < durations.length; i++) {
        const start = now();
        await sleep(durations[i]);
        out.push(now() - start);
      }
      return out;
    });
    assert.deepEqual(seen, [1, 10, 60]);
  });

  it("rounds a fractional duration up (Tokio sub_ms_delayed_sleep)", async function () {
    const rt = simRuntime();
    const took = await rt.run(async function () {
      const start = now();
      await sleep(1.000001);
      return now() - start;
    });
    assert.equal(took, 2);
  });

  it("crosses the first level's wrap on time (Tokio delayed_sleep_wrapping_level_0)", async function () {
    const rt = simRuntime();
    const at = await rt.run(async function () {
      await sleep(5);
      const start = now();
      await sleep(60);
      return [start, now()];
    });
    assert.deepEqual(at, [5, 65]);
  });

  it("finishes an hour-long sleep at once under the sim clock", async function () {
    const rt = simRuntime();
    const took = await rt.run(async function () {
      const start = now();
      await sleep(3600000);
      return now() - start;
    });
    assert.equal(took, 3600000);
    assert.ok(rt.sim.isTimerArmed() === false);
  });

  it("runs sleeps past 2**31 ms, and 5- and 10-year sleeps, to the millisecond (Tokio long_sleeps)", async function () {
    const rt = simRuntime();
    const durations = [2147483648 + 7, 5 * 365 * 86400000, 10 * 365 * 86400000];
    const took = await rt.run(async function () {
      const out: number[] = [];
      for (let i = 0; i < durations.length; i++) {
        const start = now();
        await sleep(durations[i]);
        out.push(now() - start);
      }
      return out;
    });
    assert.deepEqual(took, durations);
  });

  it("accepts absurdly long sleeps without throwing (Tokio exactly_max / no_out_of_bounds_close_to_max)", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const a = sleep(Number.MAX_VALUE);
      const b = sleep(Number.MAX_SAFE_INTEGER);
      const short = sleep(1);
      await short;
      assert.ok(!a.isDone() && !b.isDone());
      assert.ok(a.cancel() && b.cancel());
      assert.equal((await outcome(a)) + (await outcome(b)), "ERR_CANCELLEDERR_CANCELLED");
    });
    assert.equal(rt.stats().timers.live, 0);
  });

  it("completes 1000 zero-length sleeps (Tokio short_sleeps)", async function () {
    const rt = simRuntime();
    const took = await rt.run(async function () {
      const start = now();
      for (let i = 0; i < 1000; i++) await sleep(0);
      return now() - start;
    });
    assert.ok(took < 20, "zero sleeps took " + took + " virtual ms");
    assert.equal(rt.stats().timers.peak, 0, "a due sleep takes no timer");
  });

  it("completes sleepUntil(now) and a past deadline at once (Tokio immediate_sleep)", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      await sleep(20);
      const a = sleepUntil(now());
      const b = sleepUntil(3);
      assert.ok(a.isDone() && b.isDone());
      await a;
      await b;
      assert.equal(now(), 20);
      const c = sleepUntil(now() + 15);
      assert.ok(!c.isDone());
      await c;
      assert.equal(now(), 35);
    });
  });

  it("wakes sleeps in deadline order, equal deadlines in creation order", async function () {
    const rt = simRuntime();
    const order = await rt.run(async function () {
      const log: string[] = [];
      const ms = [300, 100, 200, 100, 5000, 0, 100];
      const ops: Op<void>[] = [];
      for (let i = 0; i < ms.length; i++) {
        const tag = ms[i] + "#" + i;
        const op = sleep(ms[i]);
        op.then(function () {
          log.push(tag + "@" + now());
        });
        ops.push(op);
      }
      for (let i = 0; i < ops.length; i++) await ops[i];
      return log;
    });
    assert.deepEqual(order, ["0#5@0", "100#1@100", "100#3@100", "100#6@100", "200#2@200", "300#0@300", "5000#4@5000"]);
  });

  it("removes its timer at once when cancelled, and cannot be cancelled after delivery", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const op = sleep(1000);
      assert.equal(rt.stats().timers.live, 1);
      assert.ok(op.cancel("stop"));
      assert.equal(rt.stats().timers.live, 0);
      await assert.rejects(op, { code: "ERR_CANCELLED", name: "AbortError" });
      assert.ok(!op.cancel(), "already delivered");
      const done = sleep(5);
      await done;
      assert.ok(!done.cancel());
    });
  });

  it("is cancelled by its signal, before or while it waits", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const early = new CancelSource();
      early.cancel("no");
      const a = sleep(10, { signal: early.signal });
      assert.equal(rt.stats().timers.live, 0, "an aborted signal takes no timer");
      await assert.rejects(a, { code: "ERR_CANCELLED" });
      const late = new CancelSource();
      const b = sleep(100, { signal: late.signal });
      const c = sleep(100, { signal: late.signal });
      await sleep(10);
      late.cancel("later");
      assert.equal(rt.stats().timers.live, 0);
      await assert.rejects(b, { code: "ERR_CANCELLED" });
      await assert.rejects(c, { code: "ERR_CANCELLED" });
      assert.equal(now(), 10);
    });
  });

  it("leaves the timer table empty after 100,000 sleeps are cancelled", async function () {
    this.timeout(60000); // 100,000 sleeps take seconds inside an interpreter on a loaded machine
    const rt = simRuntime(131072);
    await rt.run(async function () {
      const source = new CancelSource();
      const ops: Op<void>[] = [];
      for (let i = 0; i < 100000; i++) ops.push(sleep(1000 + (i % 977) * 37, { signal: i % 2 === 0 ? source.signal : undefined }));
      assert.equal(rt.stats().timers.live, 100000);
      source.cancel("half");
      for (let i = 1; i < ops.length; i += 2) ops[i].cancel();
      assert.equal(rt.stats().timers.live, 0);
      assert.equal(await outcome(ops[99999]), "ERR_CANCELLED");
      const start = now();
      await sleep(3);
      assert.equal(now() - start, 3, "a fresh sleep still wakes on time");
    });
  });

  it("rejects ERR_POOL_EXHAUSTED naming the timers pool when the table is full, leaving the others", async function () {
    const rt = simRuntime(2);
    await rt.run(async function () {
      const a = sleep(10);
      const b = sleep(20);
      const c = sleep(5);
      await assert.rejects(c, { code: "ERR_POOL_EXHAUSTED" });
      c.then(undefined, function (err: { pool?: string }) {
        assert.equal(err.pool, "timers");
      });
      await a;
      await b;
      assert.equal(now(), 20);
    });
  });

  it("rejects a bad duration synchronously, naming ms", function () {
    assert.throws(function () {
      sleep("5" as unknown as number);
    }, { name: "TypeError", message: /ms/ });
    assert.throws(function () {
      sleep(NaN);
    }, { name: "TypeError", message: /ms/ });
    assert.throws(function () {
      sleep(-1);
    }, { name: "RangeError", message: /ms must be .*-1/ });
    assert.throws(function () {
      sleep(Infinity);
    }, { name: "RangeError", message: /ms/ });
    assert.throws(function () {
      sleepUntil(Infinity);
    }, { name: "RangeError", message: /deadline/ });
  });

  it("rejects pending sleeps with ERR_CLOSED when the runtime closes", async function () {
    const rt = simRuntime();
    let pending: Op<void> | null = null;
    await rt.run(async function () {
      pending = sleep(1000);
      await sleep(1);
    });
    rt.close();
    assert.equal(await outcome(pending as unknown as Op<void>), "ERR_CLOSED");
    assert.equal(rt.stats().timers.live, 0);
  });

  it("backs Runtime.sleep", async function () {
    const rt = simRuntime();
    const took = await rt.run(async function () {
      await rt.sleep(42);
      return now();
    });
    assert.equal(took, 42);
  });

  it("still wakes while another task never stops yielding (Tokio time_rt starving)", async function () {
    // Only a spent budget moves the sim's clock (1 ms per budget): a small budget keeps the
    // number of host turns (each a host timer in the QuickJS harness) small.
    const rt = createSimRuntime({ hal: new SimHal(), budget: 8 });
    const at = await rt.run(async function () {
      let stop = false;
      let spins = 0;
      const busy = spawn(async function () {
        while (!stop) {
          spins++;
          await yieldNow();
        }
      });
      await sleep(10);
      stop = true;
      await busy;
      return { t: now(), spins: spins };
    });
    assert.ok(at.t >= 10 && at.t <= 12, "woke at " + at.t);
    assert.ok(at.spins >= 8 * 10 - 8, "the busy task ran, spending the budget of each ms: " + at.spins);
  });

  it("holds its completion until awaited and frees its timer when it fires", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const op = sleep(10);
      await sleep(20);
      assert.ok(op.isDone());
      await op;
      await settle(5);
      assert.equal(rt.stats().timers.live, 0);
    });
  });
});
