import { assert } from "../assert";
import { Rng, seedsFor, withSeed } from "../rng";
import { createSimRuntime, SimRuntime } from "../../src/sim";
import { SimHal } from "../../hal/sim";
import { now, spawn } from "../../src/runtime/runtime";
import { sleep, sleepUntil } from "../../src/time/sleep";
import { Op } from "../../src/core/op";

// Tokio's time_pause.rs runs on a paused clock moved by `advance`; kyoto's sim clock is the
// paused clock, moved by sleeping (it jumps to the next deadline when nothing is ready).

function simRuntime(): SimRuntime {
  return createSimRuntime({ hal: new SimHal() });
}

describe("virtual time (Tokio time_pause)", function () {
  it("gives identical wake-up times for the same seeded sleeps (Tokio paused_time_is_deterministic)", async function () {
    async function run(seed: number): Promise<number[]> {
      const rng = new Rng(seed);
      const rt = simRuntime();
      return rt.run(async function () {
        const start = now();
        const times: number[] = [];
        for (let i = 0; i < 200; i++) {
          await sleep(rng.int(1000));
          times.push(now() - start);
        }
        return times;
      });
    }
    const seed = seedsFor([11])[0];
    const a = await run(seed);
    const b = await run(seed);
    assert.equal(a.length, 200);
    assert.deepEqual(a, b);
  });

  it("keeps a 300 ms sleep pending after 100 ms, polled or not (Tokio advance_after_poll, sleep_no_poll)", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      await sleep(1);
      const start = now();
      const polled = sleepUntil(start + 300);
      polled.then(function () {});
      const unpolled = sleepUntil(start + 300);
      const before = now();
      await sleep(100);
      assert.equal(now() - before, 100);
      assert.ok(!polled.isDone() && !unpolled.isDone());
      await unpolled;
      assert.equal(now(), start + 300);
      assert.ok(polled.isDone());
    });
  });

  it("wakes many concurrent tasks each exactly at its own deadline, the clock never going back", async function () {
    const rt = simRuntime();
    const seed = seedsFor([5])[0];
    await rt.run(async function () {
      const rng = new Rng(seed);
      const handles: Op<void>[] = [];
      let last = 0;
      let wrong = 0;
      for (let t = 0; t < 200; t++) {
        const ms = rng.int(5000);
        handles.push(
          spawn(async function () {
            const deadline = now() + ms;
            await sleep(ms);
            if (now() !== deadline) wrong++;
            if (now() < last) wrong++;
            last = now();
          }),
        );
      }
      for (let i = 0; i < handles.length; i++) await handles[i];
      assert.equal(wrong, 0, "[seed " + seed + "] tasks woken off their deadline or with the clock going back");
    });
  });

  it("runs seeded random sleeps, cancels and timers across every wheel level in deadline order", async function () {
    const scales = [3, 40, 1500, 40000, 2000000, 3000000000];
    const seeds = seedsFor(5);
    for (let k = 0; k < seeds.length; k++) {
      const rng = new Rng(seeds[k]);
      const rt = simRuntime();
      await rt.run(async function () {
        const fired: number[] = [];
        const expected: number[][] = [];
        const ops: Op<void>[] = [];
        for (let i = 0; i < 300; i++) {
          const ms = rng.int(scales[rng.int(scales.length)]);
          const op = sleep(ms);
          const id = i;
          op.then(function () {
            fired.push(id);
          }, function () {});
          ops.push(op);
          expected.push([ms, id]);
        }
        const cancelled: boolean[] = [];
        for (let i = 0; i < 300; i++) cancelled.push(rng.int(3) === 0 && ops[i].cancel());
        for (let i = 0; i < ops.length; i++) if (!cancelled[i]) await ops[i];
        const want: number[] = [];
        expected.sort(function (a, b) {
          return a[0] - b[0] || a[1] - b[1];
        });
        for (let i = 0; i < expected.length; i++) if (!cancelled[expected[i][1]]) want.push(expected[i][1]);
        try {
          assert.deepEqual(fired, want);
        } catch (err) {
          throw withSeed(seeds[k], err);
        }
        assert.equal(rt.stats().timers.live, 0);
      });
    }
  });
});
