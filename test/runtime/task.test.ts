import { Op } from "../../src/core/op";
import { createRuntime, Runtime, spawn, yieldNow } from "../../src/runtime/runtime";
import { Semaphore } from "../../src/sync/semaphore";
import { sleep } from "../../src/time/sleep";
import { createSimHal } from "../../hal/sim/index";
import { assert } from "../assert";

function simRuntime(options?: { maxTasks?: number; budget?: number }): Runtime {
  return createRuntime({ hal: createSimHal(), maxTasks: options && options.maxTasks, budget: options && options.budget });
}

describe("spawn and JoinHandle", function () {
  it("resolves the handle with the task's value, sync or async", async function () {
    const rt = simRuntime();
    await rt.run(async () => {
      const a = spawn(() => 1);
      const b = spawn(async () => {
        await sleep(5);
        return 2;
      });
      const c = spawn(() => new Semaphore(1).acquire());
      assert.equal(await a, 1);
      assert.equal(await b, 2);
      assert.equal((await c).permits, 1);
    });
  });

  it("starts the task on the runtime's next turn, not inside spawn", async function () {
    const rt = simRuntime();
    await rt.run(async () => {
      const log: string[] = [];
      const h = spawn(() => {
        log.push("task");
      });
      log.push("after spawn");
      await h;
      assert.deepEqual(log, ["after spawn", "task"]);
    });
  });

  it("passes the task its signal and id", async function () {
    const rt = simRuntime();
    await rt.run(async () => {
      let seen: { id: number; aborted: boolean } | null = null;
      const h = spawn(({ signal, id }) => {
        seen = { id: id, aborted: signal.aborted };
      });
      await h;
      assert.deepEqual(seen, { id: h.id, aborted: false });
      const other = spawn(() => 0);
      assert.notEqual(other.id, spawn(() => 0).id);
    });
  });

  it("rejects the handle with the task's error, thrown or rejected", async function () {
    const rt = simRuntime();
    await rt.run(async () => {
      await assert.rejects(
        spawn(() => {
          throw new SyntaxError("sync");
        }),
        { name: "SyntaxError", message: /sync/ },
      );
      await assert.rejects(
        spawn(async () => {
          await sleep(1);
          throw new TypeError("async");
        }),
        { name: "TypeError", message: /async/ },
      );
    });
  });

  it("abort returns the partial permits of a task blocked in acquire", async function () {
    const rt = simRuntime();
    await rt.run(async () => {
      const sem = new Semaphore(2);
      const holder = await sem.acquire(1);
      const task = spawn(({ signal }) => sem.acquire(3, { signal }));
      await yieldNow();
      assert.equal(sem.waiterCount(), 1);
      assert.equal(sem.availablePermits(), 0, "the waiting task holds the free permit");
      task.abort();
      await assert.rejects(task, { code: "ERR_CANCELLED", name: "AbortError" });
      assert.equal(sem.waiterCount(), 0);
      assert.equal(sem.availablePermits(), 1, "its partial permit went back");
      holder.release();
      assert.equal(sem.availablePermits(), 2);
    });
  });

  it("rejects an aborted handle at once even when the task ignores its signal", async function () {
    const rt = simRuntime();
    await rt.run(async () => {
      const sem = new Semaphore(0);
      let finished = false;
      const task = spawn(async () => {
        const p = await sem.acquire(); // no signal: the abort cannot reach it
        p.release();
        finished = true;
        return "late";
      });
      await yieldNow();
      task.abort("stop");
      assert.ok(task.isFinished());
      const err = await assert.rejects(task, { code: "ERR_CANCELLED" });
      assert.equal((err as { cause?: unknown }).cause, "stop");
      assert.equal(rt.stats().tasks.live, 1, "the body is still running");
      sem.addPermits(1);
      await sleep(1);
      assert.ok(finished);
      assert.equal(rt.stats().tasks.live, 0);
    });
  });

  it("never starts a task aborted before its first turn", async function () {
    const rt = simRuntime();
    await rt.run(async () => {
      let started = false;
      const task = spawn(() => {
        started = true;
      });
      task.abort();
      await assert.rejects(task, { code: "ERR_CANCELLED" });
      await yieldNow();
      assert.ok(!started);
      assert.equal(rt.stats().tasks.live, 0);
    });
  });

  it("ignores abort once the task finished", async function () {
    const rt = simRuntime();
    await rt.run(async () => {
      const task = spawn(() => 5);
      await yieldNow();
      assert.ok(task.isFinished());
      task.abort();
      assert.equal(await task, 5);
      assert.ok(!task.cancel(), "cancel after delivery changes nothing");
    });
  });

  it("cancel() aborts the task like abort()", async function () {
    const rt = simRuntime();
    await rt.run(async () => {
      let aborted = false;
      const task = spawn(({ signal }) => {
        signal.addEventListener("abort", () => {
          aborted = true;
        });
        return new Op<void>();
      });
      await yieldNow();
      assert.ok(task.cancel("why"));
      assert.ok(aborted);
      await assert.rejects(task, { code: "ERR_CANCELLED" });
    });
  });

  it("rejects a spawn on a full task table with ERR_POOL_EXHAUSTED and nothing else", async function () {
    const rt = simRuntime({ maxTasks: 2 });
    await rt.run(async () => {
      const gate = new Semaphore(0);
      const a = spawn(({ signal }) => gate.acquire(1, { signal }));
      const b = spawn(async () => {
        (await gate.acquire()).forget();
        return "b";
      });
      const c = spawn(() => "c");
      const err = await assert.rejects(c, { code: "ERR_POOL_EXHAUSTED" });
      assert.equal((err as { pool?: string }).pool, "tasks");
      assert.equal(c.id, -1);
      assert.equal(rt.stats().tasks.live, 2);
      a.abort();
      gate.addPermits(1);
      assert.equal(await b, "b");
      assert.equal(await spawn(() => "d"), "d", "slots are reusable");
    });
  });

  it("reports no unhandled rejection for a failed task nobody joins", async function () {
    const rt = simRuntime();
    await rt.run(async () => {
      spawn(() => {
        throw new Error("ignored");
      });
      await yieldNow();
      await yieldNow();
    });
  });
});
