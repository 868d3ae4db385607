import { createRuntime, Runtime, now, spawn, yieldNow } from "../../src/runtime/runtime";
import { JoinHandle } from "../../src/runtime/task";
import { Semaphore } from "../../src/sync/semaphore";
import { sleep } from "../../src/time/sleep";
import { createSimHal, SimHal } from "../../hal/sim/index";
import { assert } from "../assert";
import { pingPong } from "../helpers";

function sim(budget?: number): { rt: Runtime; hal: SimHal } {
  const hal = createSimHal();
  return { rt: createRuntime({ hal: hal, budget: budget }), hal: hal };
}

describe("cooperative budget", function () {
  // tokio/tests/rt_common.rs `coop` / current_thread `starving`: a task that is always
  // ready must not keep a timer from firing.
  it("lets sleep(10) fire on time during an endless ping-pong (virtual clock)", async function () {
    const { rt, hal } = sim();
    await rt.run(async () => {
      const game = pingPong();
      await sleep(10);
      assert.equal(now(), 10, "the sleep woke exactly at its deadline");
      assert.ok(game.handoffs() > 1000, "the ping-pong ran meanwhile: " + game.handoffs());
      assert.ok(hal.wakes >= 10, "the clock moved 1 ms per budget yield");
      game.stop();
    });
  });

  it("delivers at most `budget` ops between two host events", async function () {
    const budget = 16;
    const { rt, hal } = sim(budget);
    await rt.run(async () => {
      const game = pingPong();
      await sleep(20);
      const events = hal.wakes + hal.timerFirings + 1;
      assert.ok(game.handoffs() <= budget * events, game.handoffs() + " hand-offs in " + events + " turns");
      assert.ok(game.handoffs() >= (budget / 2) * hal.wakes, "each turn used its budget: " + game.handoffs());
      game.stop();
    });
  });

  it("lets a timer through a task that loops on yieldNow", async function () {
    const { rt } = sim();
    await rt.run(async () => {
      let spins = 0;
      let stop = false;
      spawn(async () => {
        while (!stop) {
          await yieldNow();
          spins++;
        }
      });
      await sleep(5);
      assert.equal(now(), 5);
      assert.ok(spins >= 4, "the spinner ran: " + spins);
      stop = true;
    });
  });

  // tokio#8365: a task out of budget must not lose its place in the queue.
  it("never changes who gets a resource when deliveries are deferred (budget 1)", async function () {
    const { rt } = sim(1);
    await rt.run(async () => {
      const lock = new Semaphore(1);
      const held = await lock.acquire();
      const order: number[] = [];
      const tasks: Array<JoinHandle<void>> = [];
      for (let i = 0; i < 10; i++) {
        tasks.push(
          spawn(async () => {
            const p = await lock.acquire();
            order.push(i);
            await yieldNow();
            p.release();
          }),
        );
      }
      while (lock.waiterCount() < 10) await yieldNow();
      // A barger that keeps trying while the queue is served one delivery per turn.
      let barged = 0;
      const barger = spawn(async () => {
        while (order.length < 10) {
          const p = lock.tryAcquire();
          if (p !== null) {
            barged++;
            p.release();
          }
          await yieldNow();
        }
      });
      held.release();
      for (let i = 0; i < tasks.length; i++) await tasks[i];
      await barger;
      assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.equal(barged, 0, "a permit handed to a queued waiter is never taken by tryAcquire");
    });
  });

  it("counts task starts against the budget", async function () {
    const { rt, hal } = sim(4);
    await rt.run(async () => {
      const before = hal.wakes;
      const handles: Array<JoinHandle<number>> = [];
      for (let i = 0; i < 40; i++) handles.push(spawn(() => i));
      for (let i = 0; i < handles.length; i++) assert.equal(await handles[i], i);
      assert.ok(hal.wakes - before >= 40 / 4 / 2, "starting 40 tasks took several host turns: " + (hal.wakes - before));
    });
  });
});
