import { createRuntime } from "../../src/runtime/runtime";
import { sleep } from "../../src/time/sleep";
import { createNodeHal } from "../../hal/node/index";
import { EV_TIMER, EV_WAKE } from "../../src/io/hal";
import { assert } from "../assert";
import { pingPong } from "../helpers";

describe("hal/node", function () {
  it("delivers a host setTimeout during an endless ping-pong between two tasks", async function () {
    this.timeout(5000);
    const rt = createRuntime({ hal: createNodeHal() });
    await rt.run(async () => {
      const game = pingPong();
      // If the runtime never yielded to the event loop, this timer could never fire.
      await new Promise<void>((resolve) => setTimeout(resolve, 20));
      const atTimer = game.handoffs();
      await sleep(10);
      game.stop();
      assert.ok(atTimer > 100, "the ping-pong ran while the timer was pending: " + atTimer);
      assert.ok(game.handoffs() > atTimer, "and kept running through a kyoto sleep");
    });
    rt.close();
  });

  it("fires the re-armed host timer (not the replaced one), no earlier than asked, once", async function () {
    const hal = createNodeHal();
    const events: number[] = [];
    const firedAt: number[] = [];
    hal.setSink((kind) => {
      events.push(kind);
      firedAt.push(hal.now());
    });
    const start = hal.now();
    hal.armTimer(10);
    hal.armTimer(40); // re-arming replaces: the 10 ms timer must not fire
    while (events.length === 0) await new Promise<void>((resolve) => setTimeout(resolve, 5));
    // The clock is read when the event arrives. Node may run a timer up to 1 ms early
    // against performance.now() (libuv keeps whole-ms loop time), hence 39, not 40.
    assert.ok(firedAt[0] - start >= 39, "fired " + (firedAt[0] - start).toFixed(1) + " ms after arming for 40");
    await new Promise<void>((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(events, [EV_TIMER], "one event");
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
