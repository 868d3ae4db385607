/**
 * SPEC §6 "State is per runtime": each runtime owns its ready queue, budget, task table and
 * wheel, and the current runtime is the one whose task or `run` main is executing, also when
 * several `run()`s interleave. Portable: these run unchanged in Node and inside QuickJS, where
 * no async-context hook exists, so every assertion here holds on every engine (see the module
 * doc of src/runtime/base.ts for what "current" means after an await).
 */
import { createRuntime, currentRuntime, Runtime, spawn, yieldNow } from "../../src/runtime/runtime";
import { Semaphore } from "../../src/sync/semaphore";
import { sleep } from "../../src/time/sleep";
import { createSimHal, SimHal } from "../../hal/sim/index";
import { assert } from "../assert";

function sim(budget?: number): { rt: Runtime; hal: SimHal } {
  const hal = createSimHal({ seed: 5 });
  return { rt: createRuntime({ hal: hal, budget: budget }), hal: hal };
}

/** Records every place where `currentRuntime()` was not `rt`. */
function checker(rt: Runtime, name: string, wrong: string[]): (where: string) => void {
  return function (where: string): void {
    if (currentRuntime() !== rt) wrong.push(name + ": " + where);
  };
}

describe("state is per runtime (SPEC §6)", function () {
  it("keeps each interleaved run's runtime current after every await, and spawn/sleep use its tables", async function () {
    const a = sim().rt;
    const b = sim().rt;
    const wrong: string[] = [];
    // Each round the receiver says it waits (ready), then the passer hands it the baton: both
    // wakes cross runtimes, and the passer's code goes on right after waking the receiver.
    const ready = new Semaphore(0);
    const baton = new Semaphore(0);
    function main(rt: Runtime, name: string, tasks: number, pass: boolean) {
      const check = checker(rt, name, wrong);
      return async function (): Promise<number> {
        check("sync part");
        await Promise.resolve();
        check("after a first native await");
        const gate = new Semaphore(0);
        const handles = [];
        for (let i = 0; i < tasks; i++) {
          handles.push(
            spawn(async function () {
              check("task " + i + " sync part");
              await gate.acquire();
              check("task " + i + " after acquire");
              await sleep(2);
              check("task " + i + " after sleep");
              return currentRuntime();
            }),
          );
        }
        await yieldNow();
        check("after yieldNow");
        assert.equal(rt.stats().tasks.live, tasks, name + "'s tasks are in its own table");
        for (let round = 0; round < 4; round++) {
          await sleep(1 + round);
          check("after sleep, round " + round);
          if (pass) {
            (await ready.acquire()).forget();
            check("after the receiver is ready, round " + round);
            baton.addPermits(1);
          } else {
            ready.addPermits(1);
            (await baton.acquire()).forget();
            check("after the baton, round " + round);
          }
          const permit = await gate.acquire(0);
          check("after an acquire that is ready at once, round " + round);
          permit.release();
          await Promise.resolve();
          check("after a native await, round " + round);
        }
        gate.addPermits(tasks);
        for (let i = 0; i < handles.length; i++) {
          assert.ok((await handles[i]) === rt, name + "'s task " + i + " saw its runtime");
          check("after joining task " + i);
        }
        return rt.stats().tasks.peak;
      };
    }
    const results = await Promise.all([a.run(main(a, "a", 2, true)), b.run(main(b, "b", 3, false))]);
    assert.deepEqual(wrong, []);
    assert.deepEqual(results, [2, 3], "each main's spawns went to its own task table");
    assert.equal(a.stats().timers.peak >= 1 && b.stats().timers.peak >= 1, true, "each main's sleeps went to its own wheel");
    assert.equal(a.stats().tasks.live + b.stats().tasks.live, 0);
  });

  it("keeps the outer run current around a nested run of another runtime, and the inner one inside it", async function () {
    const a = sim().rt;
    const b = sim().rt;
    const wrong: string[] = [];
    const checkA = checker(a, "a", wrong);
    const checkB = checker(b, "b", wrong);
    await a.run(async function () {
      // A task of a keeps running (and sleeping) while b's run is active.
      const busy = spawn(async function () {
        for (let i = 0; i < 6; i++) {
          await sleep(1);
          checkA("a's task, sleep " + i);
        }
      });
      await b.run(async function () {
        checkB("inner main");
        for (let i = 0; i < 4; i++) {
          await sleep(2);
          checkB("inner main, sleep " + i);
        }
      });
      checkA("outer main after the nested run");
      await busy;
      checkA("outer main after joining its task");
    });
    assert.deepEqual(wrong, []);
  });

  it("does not let one runtime's spent budget defer another's deliveries, either way round", async function () {
    for (let order = 0; order < 2; order++) {
      const tight = sim(3);
      const roomy = sim(1000);
      const ops = 60;
      const work = async function (): Promise<void> {
        const sem = new Semaphore(1);
        for (let i = 0; i < ops; i++) (await sem.acquire()).release();
      };
      const runs = order === 0 ? [tight.rt.run(work), roomy.rt.run(work)] : [roomy.rt.run(work), tight.rt.run(work)];
      await Promise.all(runs);
      assert.equal(roomy.hal.budgetWakes, 0, "the roomy runtime never ran out of budget (order " + order + ")");
      assert.ok(tight.hal.budgetWakes >= Math.floor(ops / 3) - 1, "the tight runtime yielded every 3 deliveries: " + tight.hal.budgetWakes + " budget wakes (order " + order + ")");
    }
  });

  it("leaves the other runtime working when one is closed mid-run", async function () {
    const a = sim().rt;
    const b = sim().rt;
    const wrong: string[] = [];
    const checkA = checker(a, "a", wrong);
    const checkB = checker(b, "b", wrong);
    const handover = new Semaphore(0);
    let bClosed = "";
    const runB = b.run(async function () {
      try {
        await sleep(1000);
      } catch (err) {
        bClosed = (err as { code: string }).code;
      }
      checkB("b's main after its runtime closed");
      (await handover.acquire()).forget();
      checkB("b's main after an acquire a granted");
      const late = spawn(() => 1);
      return late.then(
        () => "spawned",
        (err: { code: string }) => err.code,
      );
    });
    const runA = a.run(async function () {
      await sleep(5);
      checkA("before closing b");
      b.close();
      for (let i = 0; i < 5; i++) {
        await sleep(3);
        checkA("after closing b, sleep " + i);
        const task = spawn(async () => {
          await sleep(1);
          return currentRuntime();
        });
        assert.ok((await task) === a, "a's task runs on a");
        checkA("after joining a task, round " + i);
      }
      handover.addPermits(1);
      return a.stats().tasks.peak;
    });
    assert.deepEqual(await Promise.all([runA, runB]), [1, "ERR_CLOSED"]);
    assert.equal(bClosed, "ERR_CLOSED");
    assert.deepEqual(wrong, []);
    assert.ok(!b.hostTimerArmed() && b.stats().timers.live === 0, "the closed runtime holds no timer");
  });

  it("starts a run's main from a host callback of the runtime's own, and refuses it with ERR_CLOSED if the runtime closes first", async function () {
    const { rt } = sim();
    let called = false;
    const started = rt.run(function () {
      called = true;
      return currentRuntime();
    });
    assert.ok(!called, "main is not called inside run()");
    assert.ok((await started) === rt);
    let late = false;
    const refused = rt.run(function () {
      late = true;
    });
    rt.close();
    await assert.rejects(refused, { code: "ERR_CLOSED" });
    assert.ok(!late, "a main that had not started never runs");
  });

  it("runs a task spawned on a runtime outside any run with that runtime current in its synchronous part", async function () {
    const { rt } = sim();
    const seen = await rt.spawn(function () {
      return currentRuntime();
    });
    assert.ok(seen === rt);
  });
});
