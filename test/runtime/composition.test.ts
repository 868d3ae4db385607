/**
 * Regression tests for results lost under composition (issue 8): each combinator takes its
 * inputs' results through the one exit of `src/core/op.ts`, so a kept result is committed
 * (slot freed, buffer filled) and a discarded one is given back.
 */

import { createSimRuntime, SimRuntime } from "../../src/sim";
import { SimHal } from "../../hal/sim";
import { join, tryJoin } from "../../src/runtime/join";
import { select } from "../../src/runtime/select";
import { sleep } from "../../src/time/sleep";
import { timeout } from "../../src/time/timeout";
import { channel } from "../../src/sync/mpsc/bounded";
import { oneshot } from "../../src/sync/oneshot";
import { Semaphore } from "../../src/sync/semaphore";
import { readyOp } from "../../src/core/op";
import { assert } from "../assert";
import { settle } from "../helpers";
import { forEachSeedAsync } from "../rng";

const VM = typeof process === "undefined";

function simRuntime(): SimRuntime {
  return createSimRuntime({ hal: new SimHal() });
}

describe("composition: nothing lost", function () {
  it("join([rx.recv()]) frees the message's slot", async function () {
    const [tx, rx] = channel<number>(1);
    assert.ok(tx.trySend(1));
    const [v] = await join([rx.recv()]);
    assert.equal(v, 1);
    assert.equal(tx.capacity(), 1, "the slot is free again");
    assert.ok(tx.trySend(2));
    assert.equal(rx.tryRecv(), 2, "the queue still works");
  });

  it("tryJoin([rx.recvMany(buf, n)]) fills buf", async function () {
    const [tx, rx] = channel<number>(4);
    tx.trySend(1);
    tx.trySend(2);
    const buf: number[] = [];
    const [n] = await tryJoin([rx.recvMany(buf, 4)]);
    assert.equal(n, 2);
    assert.deepEqual(buf, [1, 2]);
    assert.equal(tx.capacity(), 4);
  });

  it("join([oneshotRx]) completes with the value", async function () {
    const [tx, rx] = oneshot<string>();
    const j = join([rx]);
    tx.send("v");
    assert.deepEqual(await j, ["v"]);
    assert.ok(tx.isClosed(), "the receiver has taken the value");
  });

  it("join([select(...)]) completes", async function () {
    const [tx, rx] = channel<number>(1);
    const sem = new Semaphore(0);
    const j = join([select([rx.recv(), sem.acquire()])]);
    tx.trySend(5);
    const [r] = await j;
    assert.equal(r.index, 0);
    assert.equal(r.value, 5);
    assert.equal(sem.waiterCount(), 0, "the loser was cancelled");
    assert.equal(tx.capacity(), 1, "the winner's slot is free");
  });

  it("join([join(...)]) completes", async function () {
    const [tx, rx] = channel<number>(2);
    const j = join([join([rx.recv(), readyOp("x")]), readyOp(3)]);
    tx.trySend(9);
    const [[a, b], c] = await j;
    assert.equal(a, 9);
    assert.equal(b, "x");
    assert.equal(c, 3);
    assert.equal(tx.capacity(), 2);
  });

  it("a cancelled join gives back every input result it had not taken", async function () {
    const [tx, rx] = channel<number>(2);
    const sem = new Semaphore(1);
    tx.trySend(1);
    const j = join([rx.recv(), sem.acquire()]);
    assert.ok(j.isDone(), "both inputs are done");
    assert.ok(j.cancel());
    assert.equal(sem.availablePermits(), 1, "the permit went back");
    assert.equal(rx.tryRecv(), 1, "the message went back to the head");
    await assert.rejects(j, { code: "ERR_CANCELLED" });
  });

  it("timeout(ms, rx.recv()) cancelled between the inner completion and delivery returns the message", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const [tx, rx] = channel<number>(1);
      const op = timeout(100, rx.recv());
      tx.trySend(7);
      assert.ok(op.isDone(), "complete, not yet delivered");
      assert.ok(op.cancel());
      await assert.rejects(op, { code: "ERR_CANCELLED" });
      assert.equal(rx.tryRecv(), 7, "the message is back in the channel");
      assert.equal(tx.capacity(), 1);
    });
  });

  it("timeout(ms, tx.send(v)) cancelled between the inner grant and delivery does not send", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const [tx, rx] = channel<number>(1);
      const op = timeout(100, tx.send(7));
      assert.ok(op.isDone(), "the slot was granted at once");
      assert.equal(op.cancel(), true);
      await assert.rejects(op, { code: "ERR_CANCELLED" });
      await settle(10);
      assert.equal(rx.tryRecv(), undefined, "cancel() === true means the message was not sent");
      assert.equal(tx.capacity(), 1, "the slot is free");
    });
  });

  it("infers select/join/tryJoin result types from their inputs (checked by tsc --strict)", async function () {
    const rt = simRuntime();
    await rt.run(async function () {
      const [tx, rx] = channel<number>(1);
      tx.trySend(4);
      const r = await select([rx.recv(), sleep(100)]);
      if (r.index === 0) {
        const v: number | undefined = r.value;
        // @ts-expect-error the value is a number (or undefined), not a string: it is not `any`
        const wrong: string = r.value;
        assert.equal(v, 4);
        assert.equal(wrong as unknown, 4);
      } else assert.fail("the sleep cannot win");
      const [a, b] = await join([readyOp("s"), readyOp(2)]);
      const [c] = await tryJoin([readyOp(true)]);
      const typed: [string, number, boolean] = [a, b, c];
      assert.deepEqual(typed, ["s", 2, true]);
    });
  });

  it("select([timeout(k, rx.recv()), sleep(j)]) loses no message across seeds", async function () {
    this.timeout(20000);
    await forEachSeedAsync(VM ? 20 : 100, async function (rng) {
      const rt = simRuntime();
      await rt.run(async function () {
        const [tx, rx] = channel<number>(4);
        const total = 20;
        let sent = 0;
        const got: number[] = [];
        const producer = (async function () {
          while (sent < total) {
            await sleep(rng.int(4));
            await tx.send(sent++);
          }
        })();
        // The timeout may win the race by failing (select then rejects ERR_TIMEOUT).
        const attempt = async function (s: ReturnType<typeof race>): Promise<void> {
          try {
            const r = await s;
            if (r.index === 0) got.push(r.value as number);
          } catch (e) {
            assert.equal((e as { code: string }).code, "ERR_TIMEOUT");
          }
        };
        const race = function (k: number, j: number) {
          return select([timeout(k, rx.recv()), sleep(j)]);
        };
        while (got.length < total) {
          if (rng.int(3) > 0) {
            await attempt(race(rng.int(4), rng.int(4)));
            continue;
          }
          // A select cancelled at a random moment: nothing may be lost either.
          const s = race(rng.int(3), rng.int(3));
          await sleep(rng.int(3));
          if (!s.cancel()) await attempt(s);
        }
        await producer;
        for (let i = 0; i < total; i++) assert.equal(got[i], i, "received once and in order");
        assert.equal(tx.capacity(), 4, "every slot is free");
      });
    });
  });
});
