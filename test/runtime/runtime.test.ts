import { Op } from "../../src/core/op";
import { WAKE_CLOSED, WAKE_READY, Waker } from "../../src/core/waker";
import { createRuntime, currentRuntime, now, Runtime, spawn, yieldNow } from "../../src/runtime/runtime";
import { createSimRuntime, setSimHalFactory } from "../../src/sim";
import { Semaphore } from "../../src/sync/semaphore";
import { createSimHal, SimHal } from "../../hal/sim/index";
import { assert } from "../assert";

/** A test waker recording what it was woken with, and when (virtual ms). */
function recorder(rt: Runtime): Waker & { calls: Array<[number, number, number]> } {
  const calls: Array<[number, number, number]> = [];
  return {
    calls: calls,
    wake(token: number, status: number): void {
      calls.push([token, status, rt.now()]);
    },
  };
}

/** A sleep on the runtime's wheel (independent of src/time). */
function sleepOn(rt: Runtime, ms: number): Op<number> {
  const op = new Op<number>();
  const waker = {
    wake(_token: number, status: number): void {
      if (status === WAKE_READY) op.complete(rt.now());
      else op.fail(new Error("closed"));
    },
  };
  rt.insertTimer(rt.now() + ms, waker, 0);
  return op;
}

function sim(options?: { budget?: number; maxTasks?: number; maxTimers?: number }): { rt: Runtime; hal: SimHal } {
  const hal = createSimHal({ seed: 7 });
  const rt = createRuntime({ hal: hal, budget: options && options.budget, maxTasks: options && options.maxTasks, maxTimers: options && options.maxTimers });
  return { rt: rt, hal: hal };
}

describe("Runtime", function () {
  it("runs main to completion and resolves with its value", async function () {
    const { rt } = sim();
    assert.equal(await rt.run(() => 42), 42);
    assert.equal(
      await rt.run(async () => {
        await Promise.resolve();
        return "done";
      }),
      "done",
    );
  });

  it("rejects run with the error main throws or rejects with", async function () {
    const { rt } = sim();
    await assert.rejects(
      rt.run(() => {
        throw new SyntaxError("boom");
      }),
      { name: "SyntaxError", message: /boom/ },
    );
    await assert.rejects(rt.run(() => Promise.reject(new TypeError("bad"))), { name: "TypeError" });
  });

  it("makes the innermost active run the current runtime, and nested runs work", async function () {
    const a = sim().rt;
    const b = sim().rt;
    const seen: Runtime[] = [];
    await a.run(async () => {
      seen.push(currentRuntime());
      await b.run(async () => {
        seen.push(currentRuntime());
        const h = spawn(() => currentRuntime());
        seen.push(await h);
      });
      seen.push(currentRuntime());
    });
    assert.ok(seen[0] === a, "outer run is current");
    assert.ok(seen[1] === b, "inner run is current");
    assert.ok(seen[2] === b, "a task spawned inside the inner run runs there");
    assert.ok(seen[3] === a, "the outer run is current again");
  });

  it("does not count main as a task", async function () {
    const { rt } = sim();
    const during = await rt.run(() => rt.stats().tasks.live);
    assert.equal(during, 0);
  });

  it("reports live, peak and capacity for tasks and timers", async function () {
    const { rt } = sim({ maxTasks: 8, maxTimers: 4 });
    await rt.run(async () => {
      const sem = new Semaphore(0);
      const handles = [];
      for (let i = 0; i < 3; i++) handles.push(rt.spawn(() => sem.acquire()));
      await yieldNow();
      const timers = recorder(rt);
      rt.insertTimer(rt.now() + 5, timers, 1);
      const s = rt.stats();
      assert.deepEqual(s.tasks, { live: 3, peak: 3, capacity: 8 });
      assert.deepEqual(s.timers, { live: 1, peak: 1, capacity: 4 });
      assert.deepEqual(s.buffers, { live: 0, peak: 0, capacity: 16384 }, "no socket yet: the default maxBuffers");
      assert.ok(s.waiters.live >= 3, "the three acquires wait in the waiter pool");
      sem.addPermits(3);
      for (let i = 0; i < handles.length; i++) (await handles[i]).release();
      await sleepOn(rt, 10);
      const after = rt.stats();
      assert.equal(after.tasks.live, 0);
      assert.equal(after.tasks.peak, 3);
      assert.equal(after.timers.live, 0);
    });
  });

  it("gives the runtime its own waiter pool when maxWaiters is set", async function () {
    const hal = createSimHal();
    const rt = createRuntime({ hal: hal, maxWaiters: 2 });
    const sem = new Semaphore(0, { pool: rt.waiters });
    const a = sem.acquire();
    const b = sem.acquire();
    await assert.rejects(sem.acquire(), { code: "ERR_POOL_EXHAUSTED" });
    assert.deepEqual(rt.stats().waiters, { live: 2, peak: 2, capacity: 2 });
    a.cancel();
    b.cancel();
    assert.equal(rt.stats().waiters.live, 0);
  });

  it("keeps one host timer armed for the earliest deadline and fires timers exactly on time", async function () {
    const { rt, hal } = sim();
    await rt.run(async () => {
      const w = recorder(rt);
      const start = rt.now();
      rt.insertTimer(start + 30, w, 3);
      rt.insertTimer(start + 10, w, 1);
      const cancelled = rt.insertTimer(start + 5, w, 0);
      rt.insertTimer(start + 20, w, 2);
      assert.ok(rt.removeTimer(cancelled));
      assert.ok(!rt.removeTimer(cancelled), "a removed timer cannot be removed twice");
      await sleepOn(rt, 40);
      assert.deepEqual(w.calls, [
        [1, WAKE_READY, start + 10],
        [2, WAKE_READY, start + 20],
        [3, WAKE_READY, start + 30],
      ]);
      assert.ok(!hal.isTimerArmed(), "no timer left, no host timer");
    });
  });

  it("releases the host timer once the last timer is removed", async function () {
    const { rt, hal } = sim();
    await rt.run(async () => {
      const h = rt.insertTimer(rt.now() + 1000, recorder(rt), 0);
      await Promise.resolve();
      await Promise.resolve();
      assert.ok(hal.isTimerArmed());
      rt.removeTimer(h);
      await Promise.resolve();
      await Promise.resolve();
      assert.ok(!hal.isTimerArmed());
      assert.ok(!rt.hostTimerArmed());
    });
  });

  it("handles deadlines past 2**31 ms", async function () {
    const { rt } = sim();
    await rt.run(async () => {
      const at = await sleepOn(rt, 2 ** 31 + 5);
      assert.equal(at, 2 ** 31 + 5);
    });
  });

  it("reports a full timer table with -1 and changes nothing", async function () {
    const { rt } = sim({ maxTimers: 2 });
    const w = recorder(rt);
    assert.ok(rt.insertTimer(10, w, 0) >= 0);
    assert.ok(rt.insertTimer(20, w, 1) >= 0);
    assert.equal(rt.insertTimer(5, w, 2), -1);
    assert.equal(rt.stats().timers.live, 2);
    rt.close();
  });

  it("close() aborts tasks, wakes timers as closed and releases the host timer", async function () {
    const { rt, hal } = sim();
    const sem = new Semaphore(1);
    const w = recorder(rt);
    let signalled = false;
    await rt.run(async () => {
      const held = await sem.acquire();
      const task = rt.spawn(async ({ signal }) => {
        signal.addEventListener("abort", () => {
          signalled = true;
        });
        return sem.acquire(1, { signal });
      });
      await yieldNow();
      rt.insertTimer(rt.now() + 100, w, 9);
      await Promise.resolve();
      await Promise.resolve();
      assert.ok(hal.isTimerArmed());
      rt.close();
      await assert.rejects(task, { code: "ERR_CANCELLED" });
      assert.ok(signalled, "the task's signal was aborted");
      assert.equal(sem.waiterCount(), 0, "the task's acquire left the queue");
      held.release();
      assert.equal(sem.availablePermits(), 1);
    });
    assert.deepEqual(w.calls, [[9, WAKE_CLOSED, w.calls[0][2]]]);
    assert.ok(!hal.isTimerArmed(), "the host timer is released");
    await assert.rejects(rt.spawn(() => 1), { code: "ERR_CLOSED" });
    await assert.rejects(rt.run(() => 1), { code: "ERR_CLOSED" });
  });

  it("module-level now() reads the current runtime's clock", async function () {
    const { rt } = sim();
    await rt.run(async () => {
      assert.equal(now(), 0);
      await sleepOn(rt, 25);
      assert.equal(now(), 25);
    });
  });

  it("throws TypeError naming the argument for misuse", function () {
    const { rt } = sim();
    assert.throws(() => rt.spawn(42 as unknown as () => void), { name: "TypeError", message: /fn/ });
    assert.throws(() => rt.run("x" as unknown as () => void), { name: "TypeError", message: /main/ });
    assert.throws(() => createRuntime({ hal: createSimHal(), budget: 0 }), { name: "RangeError", message: /budget/ });
    assert.throws(() => createRuntime({ hal: createSimHal(), maxTasks: 1.5 }), { name: "TypeError", message: /maxTasks/ });
  });
});

describe("createSimRuntime", function () {
  before(function () {
    setSimHalFactory(createSimHal);
  });

  it("starts virtual time at 0 and jumps to the next deadline when idle", async function () {
    const rt = createSimRuntime({ seed: 3 });
    assert.equal(rt.sim.seed, 3);
    const woke = await rt.run(() => sleepOn(rt, 60000));
    assert.equal(woke, 60000, "an hour-long wait takes no real time and wakes exactly on time");
  });

  it("gives the same random sequence for the same seed", function () {
    const a = createSimRuntime({ seed: 11 });
    const b = createSimRuntime({ seed: 11 });
    const c = createSimRuntime({ seed: 12 });
    const xs = [a.sim.random(), a.sim.random(), a.sim.random()];
    assert.deepEqual([b.sim.random(), b.sim.random(), b.sim.random()], xs);
    assert.notEqual(c.sim.random(), xs[0]);
    for (let i = 0; i < xs.length; i++) assert.ok(xs[i] >= 0 && xs[i] < 1);
  });

  it("uses an injected defer function to get control back", async function () {
    let deferred = 0;
    const rt = createSimRuntime({
      defer(fn) {
        deferred++;
        Promise.resolve().then(() => Promise.resolve()).then(() => setTimeout(fn, 0));
      },
    });
    assert.equal(await rt.run(() => sleepOn(rt, 5)), 5);
    assert.ok(deferred > 0);
  });
});
