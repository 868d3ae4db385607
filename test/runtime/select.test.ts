import { Op, readyOp, failedOp } from "../../src/core/op";
import { join, tryJoin } from "../../src/runtime/join";
import { createRuntime, Runtime, spawn, yieldNow } from "../../src/runtime/runtime";
import { select } from "../../src/runtime/select";
import { channel } from "../../src/sync/mpsc/bounded";
import { Semaphore } from "../../src/sync/semaphore";
import { sleep } from "../../src/time/sleep";
import { createSimHal } from "../../hal/sim/index";
import { assert } from "../assert";

function simRuntime(): Runtime {
  return createRuntime({ hal: createSimHal() });
}

describe("select", function () {
  it("resolves with the first op to settle and its index", async function () {
    await simRuntime().run(async () => {
      const r = await select([sleep(20), sleep(10), sleep(30)]);
      assert.equal(r.index, 1);
    });
  });

  it("gives back the permit a losing branch had already won", async function () {
    await simRuntime().run(async () => {
      const a = new Semaphore(1);
      const b = new Semaphore(1);
      const r = await select([a.acquire(), b.acquire()]);
      assert.equal(r.index, 0, "both were ready: the lowest index wins");
      assert.equal(a.availablePermits(), 0);
      assert.equal(b.availablePermits(), 1, "the loser's permit went back");
      r.value.release();
    });
  });

  it("unlinks a losing waiter and returns its partial permits", async function () {
    await simRuntime().run(async () => {
      const sem = new Semaphore(1);
      const r = await select([sem.acquire(2), sleep(5)]);
      assert.equal(r.index, 1);
      assert.equal(sem.waiterCount(), 0);
      assert.equal(sem.availablePermits(), 1);
    });
  });

  it("leaves a losing receiver's message in its channel", async function () {
    await simRuntime().run(async () => {
      const [tx1, rx1] = channel<string>(4);
      const [tx2, rx2] = channel<string>(4);
      tx1.trySend("one");
      tx2.trySend("two");
      const r = await select([rx1.recv(), rx2.recv()]);
      assert.deepEqual(r, { index: 0, value: "one" });
      assert.equal(rx2.tryRecv(), "two", "nothing lost");
      assert.equal(rx2.tryRecv(), undefined, "nothing delivered twice");
    });
  });

  it("rejects when the first op to settle fails, cancelling the rest", async function () {
    await simRuntime().run(async () => {
      const sem = new Semaphore(0);
      const pending = sem.acquire();
      await assert.rejects(select([pending, failedOp(new SyntaxError("first"))]), { name: "SyntaxError" });
      assert.equal(sem.waiterCount(), 0);
    });
  });

  it("cancels every input when the select itself is cancelled, before or after it is awaited", async function () {
    await simRuntime().run(async () => {
      const sem = new Semaphore(1);
      const s = select([sem.acquire(), sem.acquire()]);
      assert.ok(s.cancel());
      assert.equal(sem.availablePermits(), 1, "the first acquire's permit went back");
      assert.equal(sem.waiterCount(), 0);
      await assert.rejects(s, { code: "ERR_CANCELLED" });

      const held = await sem.acquire();
      const t = select([sem.acquire(), sleep(50)]);
      const outcome = assert.rejects(t, { code: "ERR_CANCELLED" });
      await yieldNow();
      t.cancel();
      await outcome;
      assert.equal(sem.waiterCount(), 0);
      held.release();
      assert.equal(sem.availablePermits(), 1);
    });
  });

  it("aborts a losing task handle", async function () {
    await simRuntime().run(async () => {
      let aborted = false;
      const task = spawn(async ({ signal }) => {
        signal.addEventListener("abort", () => {
          aborted = true;
        });
        await sleep(100, { signal });
        return "slow";
      });
      const r = await select([task, sleep(10)]);
      assert.equal(r.index, 1);
      assert.ok(aborted);
      await assert.rejects(task, { code: "ERR_CANCELLED" });
    });
  });

  it("throws TypeError for an empty list or a non-op", function () {
    assert.throws(() => select([]), { name: "TypeError", message: /ops/ });
    assert.throws(() => select([readyOp(1), 2 as unknown as Op<number>]), { name: "TypeError", message: /ops\[1\]/ });
    assert.throws(() => select("x" as unknown as Op<number>[]), { name: "TypeError", message: /ops/ });
  });
});

describe("join and tryJoin", function () {
  it("resolve [] for no ops", async function () {
    assert.deepEqual(await join([]), []);
    assert.deepEqual(await tryJoin([]), []);
  });

  it("join resolves with every value in order", async function () {
    await simRuntime().run(async () => {
      const values = await join([readyOp("a"), spawn(async () => {
        await sleep(5);
        return "b";
      }), readyOp("c")]);
      assert.deepEqual(values, ["a", "b", "c"]);
    });
  });

  it("join waits for every op, then rejects with the first failure", async function () {
    await simRuntime().run(async () => {
      let lastDone = false;
      const slow = spawn(async () => {
        await sleep(10);
        lastDone = true;
        return 1;
      });
      const firstFailure = spawn(async () => {
        await sleep(2);
        throw new SyntaxError("first");
      });
      const secondFailure = spawn(async () => {
        await sleep(4);
        throw new TypeError("second");
      });
      await assert.rejects(join([slow, secondFailure, firstFailure]), { name: "SyntaxError" });
      assert.ok(lastDone, "it waited for the slow op");
    });
  });

  it("tryJoin rejects at the first failure and cancels the rest, returning their permits", async function () {
    await simRuntime().run(async () => {
      const sem = new Semaphore(1);
      const held = await sem.acquire();
      const r = tryJoin([sem.acquire(), spawn(async () => {
        await sleep(3);
        throw new SyntaxError("boom");
      })]);
      await assert.rejects(r, { name: "SyntaxError" });
      assert.equal(sem.waiterCount(), 0, "the pending acquire was cancelled");
      held.release();
      assert.equal(sem.availablePermits(), 1);
    });
  });

  it("a failing join gives back the permit an input had already won", async function () {
    await simRuntime().run(async () => {
      const sem = new Semaphore(1);
      const closed = new Semaphore(0);
      closed.close();
      await assert.rejects(join([sem.acquire(), closed.acquire()]), { code: "ERR_CLOSED" });
      assert.equal(sem.availablePermits(), 1, "join returned the permit");
      await assert.rejects(tryJoin([sem.acquire(), closed.acquire()]), { code: "ERR_CLOSED" });
      assert.equal(sem.availablePermits(), 1, "tryJoin returned the permit");
    });
  });

  it("a failing join puts a message it had received back at the head of its channel", async function () {
    await simRuntime().run(async () => {
      const [tx, rx] = channel<number>(4);
      tx.trySend(1);
      tx.trySend(2);
      const late = spawn(async () => {
        await sleep(5);
        throw new SyntaxError("late");
      });
      await assert.rejects(join([rx.recv(), late]), { name: "SyntaxError" });
      assert.equal(rx.len(), 2);
      assert.equal(rx.tryRecv(), 1, "the message went back first in line");
      assert.equal(rx.tryRecv(), 2);
    });
  });

  it("cancelling a join returns what its completed inputs hold", async function () {
    await simRuntime().run(async () => {
      const sem = new Semaphore(1);
      const never = new Semaphore(0);
      const j = join([sem.acquire(), never.acquire()]);
      const outcome = assert.rejects(j, { code: "ERR_CANCELLED" });
      await yieldNow();
      assert.equal(sem.availablePermits(), 0, "the first input holds the permit");
      j.cancel();
      await outcome;
      assert.equal(sem.availablePermits(), 1);
      assert.equal(never.waiterCount(), 0);
    });
  });

  it("cancelling a join cancels the ops still pending", async function () {
    await simRuntime().run(async () => {
      const sem = new Semaphore(0);
      const j = join([sem.acquire(), sem.acquire(2)]);
      const outcome = assert.rejects(j, { code: "ERR_CANCELLED" });
      await yieldNow();
      assert.equal(sem.waiterCount(), 2);
      j.cancel();
      await outcome;
      assert.equal(sem.waiterCount(), 0);
    });
  });
});
