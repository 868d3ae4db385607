import { assert } from "../assert";
import { createSimRuntime, SimRuntime } from "../../src/sim";
import { SimHal } from "../../hal/sim";
import { now } from "../../src/runtime/runtime";
import { sleep } from "../../src/time/sleep";
import { interval, Interval } from "../../src/time/interval";
import { CancelSource } from "../../src/core/cancel";

function simRuntime(maxTimers?: number): SimRuntime {
  return createSimRuntime({ hal: new SimHal(), maxTimers: maxTimers });
}

/**
 * Tokio's check_interval_poll: each expected tick must be ready at once with `start + delta`,
 * and the tick after them must be pending (it is cancelled again, which consumes nothing).
 */
async function expectTicks(iv: Interval, start: number, deltas: number[]): Promise<void> {
  const t = now();
  for (let i = 0; i < deltas.length; i++) {
    const op = iv.tick();
    assert.ok(op.isDone(), "tick " + (start + deltas[i]) + " ready at " + t);
    assert.equal(await op, start + deltas[i]);
  }
  const pending = iv.tick();
  assert.ok(!pending.isDone(), "the next tick is pending at " + t);
  assert.ok(pending.cancel());
  assert.equal(now(), t, "checking ticks moved no time");
}

describe("interval", function () {
  it("ticks at once, then every period, resolving with each tick's scheduled time", async function () {
    const rt = simRuntime();
    const seen = await rt.run(async function () {
      await sleep(7);
      const iv = interval(100);
      const out: number[] = [];
      for (let i = 0; i < 5; i++) {
        const at = await iv.tick();
        out.push(at, now());
      }
      return out;
    });
    assert.deepEqual(seen, [7, 7, 107, 107, 207, 207, 307, 307, 407, 407]);
  });

  it("catches up in a burst after missed ticks by default (Tokio time_interval burst)", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const s = now();
      const iv = interval(300);
      assert.equal(iv.missedTickBehavior, "burst");
      await sleep(1);
      await expectTicks(iv, s, [0]);
      await sleep(100);
      await expectTicks(iv, s, []);
      await sleep(200);
      await expectTicks(iv, s, [300]);
      await sleep(650);
      await expectTicks(iv, s, [600, 900]);
      await sleep(200);
      await expectTicks(iv, s, []);
      await sleep(100);
      await expectTicks(iv, s, [1200]);
      await sleep(250);
      await expectTicks(iv, s, [1500]);
      await sleep(300);
      await expectTicks(iv, s, [1800]);
    });
  });

  it("shifts the schedule to now + period after a missed tick with delay (Tokio time_interval delay)", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const s = now();
      const iv = interval(300, { missedTickBehavior: "delay" });
      await sleep(1);
      await expectTicks(iv, s, [0]);
      await sleep(100);
      await expectTicks(iv, s, []);
      await sleep(200);
      await expectTicks(iv, s, [300]);
      await sleep(650);
      await expectTicks(iv, s, [600]);
      await sleep(100);
      await expectTicks(iv, s, []);
      await sleep(201);
      await expectTicks(iv, s, [1251]);
      await sleep(300);
      await expectTicks(iv, s, [1551]);
      await sleep(300);
      await expectTicks(iv, s, [1851]);
    });
  });

  it("skips to the next multiple of the period after a missed tick with skip (Tokio time_interval skip)", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const s = now();
      const iv = interval(300, { missedTickBehavior: "skip" });
      await sleep(1);
      await expectTicks(iv, s, [0]);
      await sleep(100);
      await expectTicks(iv, s, []);
      await sleep(200);
      await expectTicks(iv, s, [300]);
      await sleep(650);
      await expectTicks(iv, s, [600]);
      await sleep(250);
      await expectTicks(iv, s, [1200]);
      await sleep(300);
      await expectTicks(iv, s, [1500]);
      await sleep(300);
      await expectTicks(iv, s, [1800]);
    });
  });

  it("restarts one period from now on reset() (Tokio time_interval reset)", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const s = now();
      const iv = interval(300);
      await sleep(1);
      await expectTicks(iv, s, [0]);
      await sleep(100);
      await expectTicks(iv, s, []);
      await sleep(200);
      await expectTicks(iv, s, [300]);
      await sleep(100);
      await expectTicks(iv, s, []);
      iv.reset();
      await sleep(250);
      await expectTicks(iv, s, []);
      await sleep(50);
      await expectTicks(iv, s, [701]);
      await sleep(300);
      await expectTicks(iv, s, [1001]);
    });
  });

  it("delivers the ticks missed while the caller slept (Tokio time_pause interval)", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const s = now();
      const iv = interval(300);
      await iv.tick();
      await sleep(700);
      await expectTicks(iv, s, [300, 600]);
      await sleep(500);
      await expectTicks(iv, s, [900, 1200]);
    });
  });

  it("re-arms a pending tick on reset()", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const iv = interval(100);
      await iv.tick();
      const op = iv.tick();
      await sleep(60);
      iv.reset();
      const at = await op;
      assert.equal(at, 160);
      assert.equal(now(), 160);
      assert.equal(rt.stats().timers.live, 0);
    });
  });

  it("consumes no tick when a pending tick is cancelled or aborted", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const iv = interval(100);
      await iv.tick();
      const first = iv.tick();
      await sleep(50);
      assert.ok(first.cancel());
      assert.equal(rt.stats().timers.live, 0);
      const source = new CancelSource();
      const second = iv.tick({ signal: source.signal });
      await sleep(10);
      source.cancel("no");
      await assert.rejects(second, { code: "ERR_CANCELLED" });
      assert.equal(await iv.tick(), 100);
      assert.equal(now(), 100);
    });
  });

  it("rolls the schedule back when a completed tick is cancelled before delivery", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const iv = interval(100);
      await sleep(250);
      const a = iv.tick();
      const b = iv.tick();
      assert.ok(a.isDone() && b.isDone(), "two ticks were due");
      assert.ok(b.cancel() && a.cancel());
      assert.equal(await iv.tick(), 0, "the schedule went back to the first cancelled tick");
      assert.equal(await iv.tick(), 100);
      assert.equal(await iv.tick(), 200);
    });
  });

  it("rejects the pending tick with ERR_CANCELLED on cancel(), and later ticks with ERR_CLOSED", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const iv = interval(100);
      await iv.tick();
      const pending = iv.tick();
      iv.cancel();
      await assert.rejects(pending, { code: "ERR_CANCELLED" });
      await assert.rejects(iv.tick(), { code: "ERR_CLOSED" });
      assert.equal(rt.stats().timers.live, 0);
      iv.cancel();
    });
  });

  it("allows one pending tick at a time", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const iv = interval(100);
      await iv.tick();
      const op = iv.tick();
      assert.throws(function () {
        iv.tick();
      }, { name: "TypeError", message: /tick/ });
      assert.equal(await op, 100);
    });
  });

  it("rejects a tick with ERR_POOL_EXHAUSTED when no timer is free", async function () {
    const rt = simRuntime(1);
    await rt.run(async function () {
      const iv = interval(100);
      await iv.tick();
      const held = sleep(1000);
      await assert.rejects(iv.tick(), { code: "ERR_POOL_EXHAUSTED" });
      held.cancel();
      assert.equal(await iv.tick(), 100);
    });
  });

  it("rejects a zero, negative or non-number period and an unknown behaviour (Tokio interval_zero_duration)", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      assert.throws(function () {
        interval(0);
      }, { name: "RangeError", message: /periodMs/ });
      assert.throws(function () {
        interval(-5);
      }, { name: "RangeError", message: /periodMs/ });
      assert.throws(function () {
        interval("10" as unknown as number);
      }, { name: "TypeError", message: /periodMs/ });
      assert.throws(function () {
        interval(10, { missedTickBehavior: "later" as unknown as "burst" });
      }, { name: "TypeError", message: /missedTickBehavior/ });
    });
  });
});
