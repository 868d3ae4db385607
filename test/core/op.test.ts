import { DeliveryHost, failedOp, Op, opsArePromises, pendingDeliveries, readyOp, runDeliveries, setDeliveryHost } from "../../src/core/op";
import { Permit, Semaphore } from "../../src/sync/semaphore";
import { assert } from "../assert";
import { quiesce, settle } from "../helpers";

/** A subclass recording its hooks, completed by hand. */
class ManualOp extends Op<string> {
  abandoned = 0;
  givenBack: string[] = [];
  protected abandon(): void {
    this.abandoned++;
  }
  protected giveBack(value: string): void {
    this.givenBack.push(value);
  }
}

describe("Op", function () {
  it("rejects a cancelled op with an AbortError carrying code and cause, leaving the engine's stack setting as it was", async function () {
    const settings = Error as unknown as { stackTraceLimit?: unknown };
    const before = settings.stackTraceLimit;
    const sem = new Semaphore(0);
    const op = sem.acquire();
    op.cancel("enough");
    const err = (await assert.rejects(op, { code: "ERR_CANCELLED", name: "AbortError" })) as { cause: unknown; message: string };
    assert.equal(err.cause, "enough");
    assert.ok(err instanceof Error, "still an Error");
    assert.equal(settings.stackTraceLimit, before, "stackTraceLimit restored");
  });

  it("delivers after then() returns, never inside it; then returns a chaining promise", async function () {
    const op = readyOp(5);
    const seen: number[] = [];
    const r = op.then(function (v) {
      seen.push(v);
      return v * 2;
    });
    assert.ok(r instanceof Promise, "then returns a Promise");
    assert.ok(!(r instanceof Op), "a plain Promise, not another op");
    assert.deepEqual(seen, [], "not called synchronously");
    assert.equal(await r, 10);
    assert.deepEqual(seen, [5]);
  });

  it("is a Promise: instanceof, catch, finally, Promise.all/race/allSettled", async function () {
    const op = readyOp(1);
    assert.ok(op instanceof Promise, "op instanceof Promise");
    const caught = await failedOp<number>(new Error("boom"))
      .then(function (v) {
        return v + 1;
      })
      .catch(function (e) {
        return (e as Error).message;
      });
    assert.equal(caught, "boom", "op.then(f).catch(g) chains");
    let finallyRan = false;
    assert.equal(
      await readyOp("f").finally(function () {
        finallyRan = true;
      }),
      "f",
    );
    assert.ok(finallyRan);
    assert.deepEqual(await Promise.all([readyOp(1), readyOp(2), 3]), [1, 2, 3]);
    assert.equal(await Promise.race([new Op<number>(), readyOp(7)]), 7);
    const settled = await Promise.allSettled([readyOp("ok"), failedOp("no")]);
    assert.deepEqual(
      settled.map(function (r) {
        return r.status;
      }),
      ["fulfilled", "rejected"],
    );
    const s = new Semaphore(1);
    const typed: Promise<Permit> = s.acquire(); // Op<Permit> is a Promise<Permit> under strict TypeScript
    (await typed).release();
  });

  it("passes an error on through then(f) with no error callback", async function () {
    await assert.rejects(
      failedOp(new SyntaxError("through")).then(function () {
        return 1;
      }),
      { name: "SyntaxError" },
    );
  });

  it("delivers an op completed later, asynchronously", async function () {
    const op = new ManualOp();
    const seen: string[] = [];
    op.then(function (v) {
      seen.push(v);
    });
    op.complete("x");
    assert.deepEqual(seen, []);
    await quiesce();
    assert.deepEqual(seen, ["x"]);
  });

  it("does not call a callback inside then() even while the ready ring is draining", async function () {
    const first = readyOp(1);
    const second = readyOp(2);
    const events: string[] = [];
    first.then(function () {
      events.push("first");
      second.then(function () {
        events.push("second");
      });
      events.push("after then");
    });
    await quiesce();
    assert.deepEqual(events, ["first", "after then", "second"]);
  });

  it("works with await and rejects through await", async function () {
    assert.equal(await readyOp("v"), "v");
    const err = new Error("boom");
    try {
      await failedOp(err);
      assert.fail("should reject");
    } catch (e) {
      assert.equal(e, err);
    }
  });

  it("is awaited in one turn like a plain promise where ops are promises: await reads its constructor, which observes it", async function () {
    const op = new ManualOp();
    op.complete("op");
    const order: string[] = [];
    const awaitOp = (async () => {
      order.push(await op);
    })();
    const awaitPlain = (async () => {
      order.push(await Promise.resolve("plain"));
    })();
    await Promise.all([awaitOp, awaitPlain]);
    assert.equal(ManualOp.prototype.constructor, ManualOp, "the prototype still names its class");
    if (opsArePromises && typeof Symbol === "function") {
      assert.deepEqual(order, ["op", "plain"], "no extra turn for the op");
      const done = new ManualOp();
      done.complete("again");
      assert.equal(done.constructor, Promise.prototype.constructor, "an op reads as the native Promise");
      assert.equal(Promise.resolve(done), done, "Promise.resolve(op) is the op, observed");
      assert.equal(await done, "again");
    } else {
      assert.deepEqual(order.slice().sort(), ["op", "plain"], "a thenable op is awaited through its then");
    }
  });

  it("stays correct when its class's prototype is frozen before its first op (SES harden): await goes through then", async function () {
    if (typeof Object.freeze !== "function") this.skip(); // Espruino: nothing can be frozen
    class FrozenOp extends Op<string> {}
    Object.freeze(FrozenOp.prototype);
    const op = new FrozenOp();
    op.complete("v");
    assert.equal(await op, "v");
    const chained = new FrozenOp();
    chained.complete("w");
    const r = chained.then((v) => v + "!");
    assert.ok(r instanceof Promise && !(r instanceof Op), "then still returns a plain Promise");
    assert.equal(await r, "w!");
    const cancelled = new FrozenOp();
    assert.equal(cancelled.cancel("stop"), true);
    await assert.rejects(cancelled, { code: "ERR_CANCELLED" });
  });

  it("gives every subscriber the result, in registration order, including late ones", async function () {
    const op = new ManualOp();
    const seen: string[] = [];
    op.then(function (v) {
      seen.push("a:" + v);
    });
    op.then(function (v) {
      seen.push("b:" + v);
    });
    op.then(undefined, function () {
      seen.push("never");
    });
    op.then(function (v) {
      seen.push("c:" + v);
    });
    op.complete("ok");
    await quiesce();
    assert.deepEqual(seen, ["a:ok", "b:ok", "c:ok"]);
    op.then(function (v) {
      seen.push("late:" + v);
    });
    await quiesce();
    assert.deepEqual(seen, ["a:ok", "b:ok", "c:ok", "late:ok"]);
  });

  it("calls each error callback once for a failed op", async function () {
    const op = failedOp<number>("bad");
    const seen: unknown[] = [];
    op.then(null, function (e) {
      seen.push(e);
    });
    op.then(undefined, function (e) {
      seen.push(e);
    });
    await quiesce();
    assert.deepEqual(seen, ["bad", "bad"]);
  });

  it("cancels a pending op: abandon runs, true, ERR_CANCELLED with the reason as cause", async function () {
    const op = new ManualOp();
    assert.ok(!op.isDone());
    assert.equal(op.cancel("why"), true);
    assert.equal(op.abandoned, 1);
    assert.ok(op.isDone());
    const err = (await assert.rejects(op, { code: "ERR_CANCELLED", name: "AbortError" })) as { cause: unknown };
    assert.equal(err.cause, "why");
    op.complete("too late");
    assert.equal(op.cancel(), false, "delivered: nothing to cancel");
    assert.equal(op.givenBack.length, 0);
  });

  it("refuses to cancel once the result was delivered, keeping the value", async function () {
    const op = new ManualOp();
    op.complete("v");
    const seen: string[] = [];
    op.then(function (v) {
      seen.push(v);
    });
    await quiesce();
    assert.equal(op.cancel(), false);
    assert.deepEqual(op.givenBack, []);
    assert.equal(await op, "v", "later subscribers still see the value");
  });

  it("gives back the value of a complete, undelivered op on cancel", async function () {
    const op = new ManualOp();
    const seen: unknown[] = [];
    op.then(
      function (v) {
        seen.push(v);
      },
      function (e) {
        seen.push((e as { code: string }).code);
      },
    );
    op.complete("resource");
    assert.equal(op.cancel(), true, "queued for delivery but not delivered");
    assert.deepEqual(op.givenBack, ["resource"]);
    assert.equal(op.abandoned, 0);
    await quiesce();
    assert.deepEqual(seen, ["ERR_CANCELLED"], "the subscriber sees the cancellation, not the value");
  });

  it("returns a complete-undelivered acquire's permit to the semaphore on cancel", async function () {
    const s = new Semaphore(1);
    const op = s.acquire();
    assert.equal(s.availablePermits(), 0, "taken at once");
    assert.equal(op.cancel(), true);
    assert.equal(s.availablePermits(), 1, "given back");
    await assert.rejects(op, { code: "ERR_CANCELLED" });
    const waiter = s.acquire(2);
    const granted = s.acquire(); // granted? no: queued behind the 2-waiter
    s.addPermits(1);
    assert.equal(waiter.cancel(), true, "cancelled after it was satisfied, before delivery");
    const p = await granted;
    assert.equal(p.permits, 1, "the cancelled waiter's 2 permits moved on");
    assert.equal(s.availablePermits(), 1);
  });

  it("never raises an unhandled rejection for an op nobody observes", async function () {
    const proc = (globalThis as { process?: { on(e: string, f: (r: unknown) => void): void; removeListener(e: string, f: (r: unknown) => void): void } }).process;
    const unhandled: unknown[] = [];
    const onUnhandled = function (r: unknown): void {
      unhandled.push(r);
    };
    if (proc) proc.on("unhandledRejection", onUnhandled);
    try {
      failedOp(new Error("nobody listens"));
      const closed = new Semaphore(1);
      closed.close();
      closed.acquire();
      const busy = new Semaphore(0);
      busy.acquire().cancel();
      const full = new Semaphore(0, { pool: { capacity: 1, maxCapacity: 1 } });
      full.acquire();
      full.acquire(); // ERR_POOL_EXHAUSTED, unobserved
      await quiesce();
      await new Promise(function (resolve) {
        setTimeout(resolve, 0);
      });
    } finally {
      if (proc) proc.removeListener("unhandledRejection", onUnhandled);
    }
    assert.deepEqual(unhandled, []);
  });

  it("ignores complete/fail after the op settled", async function () {
    const op = new ManualOp();
    op.complete("first");
    op.complete("second");
    op.fail(new Error("late"));
    assert.equal(await op, "first");
  });

  describe("delivery host", function () {
    let previous: DeliveryHost | null = null;
    afterEach(function () {
      if (previous !== null) setDeliveryHost(previous);
      previous = null;
    });

    it("asks a custom host once per batch and delivers FIFO within runDeliveries' limit", async function () {
      await quiesce();
      let requests = 0;
      previous = setDeliveryHost({
        request(): void {
          requests++;
        },
        admit(): boolean {
          return false; // every delivery through the ring
        },
      });
      const ops: Array<Op<number>> = [];
      for (let i = 0; i < 5; i++) {
        ops.push(readyOp(i));
        ops[i].then(function () {});
      }
      const taken = function (): boolean[] {
        return ops.map(function (op) {
          return op.wasTaken();
        });
      };
      assert.equal(requests, 1, "one request for the batch");
      assert.equal(pendingDeliveries(), 5);
      await settle(16); // turns, not quiesce(): this host never drains, by design
      assert.deepEqual(taken(), [false, false, false, false, false], "the microtask default no longer drains");
      assert.equal(runDeliveries(2), 3);
      assert.deepEqual(taken(), [true, true, false, false, false]);
      assert.equal(runDeliveries(Infinity), 0);
      assert.deepEqual(taken(), [true, true, true, true, true]);
      assert.equal(await ops[4], 4);
      readyOp(9).then(function () {});
      assert.equal(requests, 2, "a new batch asks again");
      runDeliveries(Infinity);
    });

    it("hands queued deliveries to the new host when it is installed", async function () {
      await quiesce();
      const op = new Op<string>();
      op.then(function () {});
      op.complete("queued"); // completes while observed: queued for delivery
      let requests = 0;
      previous = setDeliveryHost({
        request(): void {
          requests++;
        },
        admit(): boolean {
          return false; // every delivery through the ring
        },
      });
      assert.equal(requests, 1);
      runDeliveries(Infinity);
      assert.ok(op.wasTaken());
      assert.equal(await op, "queued");
    });

    it("never runs a callback inside runDeliveries: a throwing callback cannot break a batch", async function () {
      await quiesce();
      previous = setDeliveryHost({ request(): void {}, admit: () => false });
      const a = readyOp("a");
      const chained = a.then(function () {
        throw new Error("callback failed");
      });
      const b = readyOp("b");
      b.then(function () {});
      assert.equal(runDeliveries(Infinity), 0, "no throw out of the ring");
      assert.ok(a.wasTaken() && b.wasTaken());
      assert.equal(pendingDeliveries(), 0);
      await assert.rejects(chained, { message: /callback failed/ });
      assert.equal(await b, "b");
    });

    it("restores the microtask default with setDeliveryHost(null)", async function () {
      previous = setDeliveryHost({ request(): void {}, admit: () => false });
      const custom = setDeliveryHost(null);
      assert.ok(custom !== null);
      const p = await new Semaphore(1).acquire();
      assert.ok(p instanceof Permit);
    });
  });
});
