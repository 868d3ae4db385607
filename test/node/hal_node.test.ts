import { createRuntime, spawn } from "../../src/runtime/runtime";
import { JoinHandle } from "../../src/runtime/task";
import { Semaphore } from "../../src/sync/semaphore";
import { sleep } from "../../src/time/sleep";
import { createNodeHal } from "../../hal/node/index";
import { EV_TIMER, EV_WAKE } from "../../src/io/hal";
import { assert } from "../assert";

describe("hal/node", function () {
  it("delivers a host setTimeout during an endless ping-pong between two tasks", async function () {
    this.timeout(5000);
    const rt = createRuntime({ hal: createNodeHal() });
    await rt.run(async () => {
      const ping = new Semaphore(0);
      const pong = new Semaphore(0);
      let handoffs = 0;
      const tasks: Array<JoinHandle<void>> = [];
      tasks.push(
        spawn(async ({ signal }) => {
          for (;;) {
            (await ping.acquire(1, { signal })).forget();
            handoffs++;
            pong.addPermits(1);
          }
        }),
      );
      tasks.push(
        spawn(async ({ signal }) => {
          for (;;) {
            (await pong.acquire(1, { signal })).forget();
            handoffs++;
            ping.addPermits(1);
          }
        }),
      );
      ping.addPermits(1);
      // If the runtime never yielded to the event loop, this timer could never fire.
      await new Promise<void>((resolve) => setTimeout(resolve, 20));
      const atTimer = handoffs;
      await sleep(10);
      for (let i = 0; i < tasks.length; i++) tasks[i].abort();
      assert.ok(atTimer > 100, "the ping-pong ran while the timer was pending: " + atTimer);
      assert.ok(handoffs > atTimer, "and kept running through a kyoto sleep");
    });
    rt.close();
  });

  it("fires the host timer no earlier than asked and reports it once", async function () {
    const hal = createNodeHal();
    const events: number[] = [];
    hal.setSink((kind) => events.push(kind));
    const start = hal.now();
    hal.armTimer(30);
    hal.armTimer(15); // re-arming replaces
    await new Promise<void>((resolve) => setTimeout(resolve, 60));
    assert.deepEqual(events, [EV_TIMER]);
    assert.ok(hal.now() - start >= 15);
  });

  it("makes wake idempotent until EV_WAKE arrives, never from inside the call", async function () {
    const hal = createNodeHal();
    const events: number[] = [];
    hal.setSink((kind) => events.push(kind));
    hal.wake();
    hal.wake();
    assert.deepEqual(events, [], "no event from inside wake()");
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.deepEqual(events, [EV_WAKE]);
  });

  it("cancelTimer keeps a disarmed timer from firing", async function () {
    const hal = createNodeHal();
    const events: number[] = [];
    hal.setSink((kind) => events.push(kind));
    hal.armTimer(5);
    hal.cancelTimer();
    hal.cancelTimer();
    await new Promise<void>((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(events, []);
  });

  it("close() releases the host timer so the process may exit", async function () {
    const rt = createRuntime({ hal: createNodeHal() });
    const s = rt.run(() => sleep(60000));
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.ok(rt.hostTimerArmed());
    rt.close();
    assert.ok(!rt.hostTimerArmed());
    await assert.rejects(s, { code: "ERR_CLOSED" });
  });
});
