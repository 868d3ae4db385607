import { join, JoinSet } from "../../src/runtime/join";
import { createRuntime, Runtime, yieldNow } from "../../src/runtime/runtime";
import { select } from "../../src/runtime/select";
import { Semaphore } from "../../src/sync/semaphore";
import { sleep } from "../../src/time/sleep";
import { createSimHal } from "../../hal/sim/index";
import { assert } from "../assert";

function simRuntime(maxTasks?: number): Runtime {
  return createRuntime({ hal: createSimHal(), maxTasks: maxTasks });
}

describe("JoinSet", function () {
  it("joins results in completion order, then undefined when empty", async function () {
    const rt = simRuntime();
    await rt.run(async () => {
      const set = new JoinSet<number>();
      const delays = [30, 10, 20];
      for (let i = 0; i < delays.length; i++) {
        const ms = delays[i];
        set.spawn(async () => {
          await sleep(ms);
          return ms;
        });
      }
      assert.equal(set.size, 3);
      const got: Array<number | undefined> = [];
      for (let i = 0; i < 4; i++) got.push(await set.joinNext());
      assert.deepEqual(got, [10, 20, 30, undefined]);
      assert.equal(set.size, 0);
    });
  });

  it("reports a failed task as a rejection and goes on", async function () {
    const rt = simRuntime();
    await rt.run(async () => {
      const set = new JoinSet<string>();
      set.spawn(() => {
        throw new SyntaxError("first");
      });
      set.spawn(async () => {
        await sleep(1);
        return "second";
      });
      await assert.rejects(set.joinNext(), { name: "SyntaxError" });
      assert.equal(await set.joinNext(), "second");
    });
  });

  it("counts in size every task not yet joined, finished or not", async function () {
    const rt = simRuntime();
    await rt.run(async () => {
      const set = new JoinSet<unknown>();
      set.spawn(() => 1);
      set.spawn(() => sleep(5));
      await yieldNow();
      assert.equal(set.size, 2, "a finished task counts until joined");
      await set.joinNext();
      assert.equal(set.size, 1);
    });
  });

  it("abortAll makes every running task join as ERR_CANCELLED", async function () {
    const rt = simRuntime();
    await rt.run(async () => {
      const sem = new Semaphore(0);
      const set = new JoinSet<unknown>();
      for (let i = 0; i < 3; i++) set.spawn(({ signal }) => sem.acquire(1, { signal }));
      await yieldNow();
      assert.equal(sem.waiterCount(), 3);
      set.abortAll();
      assert.equal(sem.waiterCount(), 0, "the tasks' waits were cancelled");
      assert.equal(set.size, 3);
      for (let i = 0; i < 3; i++) await assert.rejects(set.joinNext(), { code: "ERR_CANCELLED" });
      assert.equal(await set.joinNext(), undefined);
      assert.equal(rt.stats().tasks.live, 0);
    });
  });

  it("rejects a waiting joinNext with ERR_CANCELLED when its task is aborted", async function () {
    const rt = simRuntime();
    await rt.run(async () => {
      const set = new JoinSet<unknown>();
      const handle = set.spawn(() => sleep(100));
      const next = set.joinNext();
      await sleep(1);
      handle.abort("stop");
      const err = await assert.rejects(next, { code: "ERR_CANCELLED" });
      assert.equal((err as { cause?: unknown }).cause, "stop");
      assert.equal(set.size, 0);
    });
  });

  it("wakes every waiting joinNext, the surplus with undefined", async function () {
    const rt = simRuntime();
    await rt.run(async () => {
      const set = new JoinSet<number>();
      set.spawn(async () => {
        await sleep(3);
        return 7;
      });
      const all = await join([set.joinNext(), set.joinNext()]);
      assert.deepEqual(all, [7, undefined]);
    });
  });

  it("puts a result back when the joinNext holding it is cancelled", async function () {
    const rt = simRuntime();
    await rt.run(async () => {
      const set = new JoinSet<number>();
      set.spawn(() => 42);
      await yieldNow();
      const next = set.joinNext();
      assert.ok(next.cancel(), "complete but undelivered: cancellable");
      await assert.rejects(next, { code: "ERR_CANCELLED" });
      assert.equal(set.size, 1);
      assert.equal(await set.joinNext(), 42);
    });
  });

  it("leaves nothing behind for a joinNext that loses a select", async function () {
    const rt = simRuntime();
    await rt.run(async () => {
      const set = new JoinSet<number>();
      set.spawn(async () => {
        await sleep(100);
        return 1;
      });
      for (let i = 0; i < 5; i++) {
        const r = await select([set.joinNext(), sleep(1)]);
        assert.equal(r.index, 1);
      }
      assert.equal(await set.joinNext(), 1, "the result goes to the one live joinNext");
    });
  });

  it("joins a spawn that failed on a full task table as its error", async function () {
    const rt = simRuntime(1);
    await rt.run(async () => {
      const set = new JoinSet<unknown>();
      set.spawn(() => sleep(1));
      set.spawn(() => 2);
      assert.equal(set.size, 2);
      await assert.rejects(set.joinNext(), { code: "ERR_POOL_EXHAUSTED" });
    });
  });
});
