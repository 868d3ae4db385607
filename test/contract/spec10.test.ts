/**
 * SPEC §5 and §10 as a user reads them: each test is one promise of the contract that an
 * independent acceptance suite found broken (issue 12). Portable: runs in Node, QuickJS and
 * QuickJS-ng.
 */
import { CancelSource } from "../../src/core/cancel";
import { setDebug } from "../../src/core/errors";
import { createRuntime, now, yieldNow } from "../../src/runtime/runtime";
import { select } from "../../src/runtime/select";
import { createSimRuntime, setSimHalFactory } from "../../src/sim";
import { broadcast } from "../../src/sync/broadcast";
import { channel } from "../../src/sync/mpsc/bounded";
import { unboundedChannel } from "../../src/sync/mpsc/unbounded";
import { Mutex } from "../../src/sync/mutex";
import { Notify } from "../../src/sync/notify";
import { RwLock } from "../../src/sync/rwlock";
import { Barrier } from "../../src/sync/barrier";
import { Semaphore } from "../../src/sync/semaphore";
import { watch } from "../../src/sync/watch";
import { oneshot } from "../../src/sync/oneshot";
import { interval } from "../../src/time/interval";
import { sleep } from "../../src/time/sleep";
import { timeout } from "../../src/time/timeout";
import { createSimHal } from "../../hal/sim/index";
import { assert } from "../assert";
import { quiesce, track } from "../helpers";

/** The declared parameter names of a function or method, read from its source where the engine keeps it. */
function declaredParams(fn: unknown): string[] | null {
  const src = Function.prototype.toString.call(fn);
  const m = /^[^(]*\(([^)]*)\)/.exec(src.replace(/\/\*[\s\S]*?\*\//g, ""));
  if (m === null || src.indexOf("[native code]") >= 0) return null;
  return m[1].split(",").map((p) => p.replace(/=[\s\S]*$/, "").trim()).filter((p) => p !== "");
}

function isNegativeZero(x: unknown): boolean {
  return x === 0 && 1 / (x as number) < 0;
}

describe("contract (SPEC §5, §10)", function () {
  describe("watch", function () {
    it("waitFor sees a value its own predicate sends", async function () {
      const [tx, rx] = watch(0);
      const seen = track(
        rx.waitFor(function (v) {
          if (v === 0) tx.send(1);
          return v === 1;
        }),
      );
      await quiesce();
      assert.equal(rx.borrow(), 1);
      assert.ok(seen.ok, "waitFor resolved");
      assert.equal(seen.value, 1);
    });

    it("waitFor sees a value sent while its predicate runs on a later change", async function () {
      const [tx, rx] = watch(0);
      const seen = track(
        rx.waitFor(function (v) {
          if (v === 1) tx.send(2);
          return v === 2;
        }),
      );
      await quiesce();
      assert.ok(!seen.done);
      tx.send(1);
      await quiesce();
      assert.ok(seen.ok, "waitFor resolved");
      assert.equal(seen.value, 2);
      assert.ok(!rx.hasChanged(), "the version it resolved on is marked seen");
    });
  });

  describe("mpsc", function () {
    it("tryReserve does not let a message overtake a granted send", async function () {
      const [tx, rx] = channel<number>(4);
      tx.send(1);
      const permit = tx.tryReserve();
      if (permit !== null) permit.send(2);
      else await tx.send(2);
      const got: number[] = [];
      await rx.recvMany(got, 2);
      if (got.length < 2) got.push((await rx.recv()) as number);
      assert.deepEqual(got, [1, 2]);
    });

    it("tryReserve refuses while a granted send is undelivered, then grants", async function () {
      const [tx] = channel<number>(4);
      const sent = track(tx.send(1));
      assert.equal(tx.tryReserve(), null);
      await quiesce();
      assert.ok(sent.ok);
      const permit = tx.tryReserve();
      assert.ok(permit !== null);
      (permit as { release(): void }).release();
    });

    it("channel(2**30 - 1) costs memory for what it holds, not its capacity", async function () {
      const [tx, rx] = channel<number>(Semaphore.MAX_PERMITS);
      assert.equal(tx.maxCapacity(), Semaphore.MAX_PERMITS);
      for (let i = 0; i < 100; i++) assert.ok(tx.trySend(i));
      assert.equal(tx.capacity(), Semaphore.MAX_PERMITS - 100);
      for (let i = 0; i < 100; i++) assert.equal(rx.tryRecv(), i);
      assert.equal(tx.capacity(), Semaphore.MAX_PERMITS);
    });

    it("recvMany(buf, 0, opts) validates opts and honours an aborted signal", async function () {
      const [tx, rx] = channel<number>(4);
      assert.ok(tx.trySend(1));
      assert.throws(() => rx.recvMany([], 0, 5 as never), { name: "TypeError", code: "ERR_INVALID_ARG_TYPE" });
      const source = new CancelSource();
      source.abort("stop");
      const seen = track(rx.recvMany([], 0, { signal: source.signal }));
      await quiesce();
      assert.equal(seen.error && seen.error.code, "ERR_CANCELLED");
      assert.equal(rx.len(), 1, "nothing was taken");
    });

    it("recvMany refuses a buf it cannot append to before taking anything", async function () {
      const [tx, rx] = channel<number>(4);
      assert.ok(tx.trySend(1));
      if (typeof Object.freeze === "function") {
        assert.throws(() => rx.recvMany(Object.freeze([]) as unknown as number[], 1), { name: "TypeError", code: "ERR_INVALID_ARG_TYPE", message: /buf/ });
        assert.throws(() => rx.recvMany(Object.seal([]) as number[], 1), { name: "TypeError", message: /buf/ });
        assert.throws(() => rx.recvMany(Object.preventExtensions([]) as number[], 1), { name: "TypeError", message: /buf/ });
      }
      assert.equal(rx.len(), 1, "nothing was taken");
      assert.equal(tx.capacity(), 3, "no slot leaked");
      const buf: number[] = [];
      assert.equal(await rx.recvMany(buf, 1), 1);
      assert.deepEqual(buf, [1]);
    });

    it("recvMany into a buf frozen after the call puts the messages back and rejects TypeError", async function () {
      if (typeof Object.freeze !== "function") return;
      const [tx, rx] = channel<number>(4);
      assert.ok(tx.trySend(1));
      assert.ok(tx.trySend(2));
      const buf: number[] = [];
      const op = rx.recvMany(buf, 2);
      Object.freeze(buf);
      await assert.rejects(op, { name: "TypeError", code: "ERR_INVALID_ARG_TYPE", message: /buf/ });
      assert.equal(rx.len(), 2, "the messages are back in the channel");
      assert.equal(rx.tryRecv(), 1);
      assert.equal(rx.tryRecv(), 2);
      assert.equal(tx.capacity(), 4, "no slot leaked");
    });

    it("UnboundedSender is Tokio's: send is synchronous, no trySend, reserve or capacity", function () {
      const [tx, rx] = unboundedChannel<number>();
      assert.equal(tx.send(1) as unknown, undefined);
      assert.equal(rx.tryRecv(), 1, "the message is queued by the time send returns");
      const loose = tx as unknown as { [name: string]: unknown };
      for (const name of ["trySend", "reserve", "tryReserve", "capacity", "maxCapacity"]) {
        assert.equal(loose[name], undefined, name + " is absent");
      }
      rx.close();
      const err = assert.throws(() => tx.send(2), { code: "ERR_CLOSED" }) as { value: unknown };
      assert.equal(err.value, 2);
    });
  });

  describe("broadcast", function () {
    it("broadcast(2**30) costs memory for what it holds, not its capacity", async function () {
      const [tx, rx] = broadcast<number>(1073741824);
      const rx2 = tx.subscribe();
      for (let i = 0; i < 1000; i++) assert.equal(tx.send(i), 2);
      for (let i = 0; i < 1000; i++) assert.equal(rx.tryRecv(), i);
      assert.equal(rx2.len(), 1000);
      for (let i = 0; i < 1000; i++) assert.equal(await rx2.recv(), i);
      assert.equal(rx2.tryRecv(), undefined);
    });

    it("a small broadcast that grew keeps lagging at its capacity", async function () {
      const [tx, rx] = broadcast<number>(64);
      for (let i = 0; i < 100; i++) tx.send(i);
      const err = assert.throws(() => rx.tryRecv(), { code: "ERR_LAGGED" }) as { skipped: number };
      assert.equal(err.skipped, 36);
      for (let i = 36; i < 100; i++) assert.equal(rx.tryRecv(), i);
    });
  });

  describe("Notify", function () {
    it("a notifyLast permit passed on by a cancelled waiter goes to the newest waiter", async function () {
      const n = new Notify();
      n.notifyLast();
      const first = n.notified();
      assert.ok(first.isDone(), "the stored permit was consumed");
      const older = track(n.notified());
      const newer = track(n.notified());
      assert.ok(first.cancel());
      await quiesce();
      assert.ok(newer.ok, "the newest waiter got the notification");
      assert.ok(!older.done, "the oldest still waits");
    });

    it("a notifyOne permit passed on by a cancelled waiter goes to the oldest waiter", async function () {
      const n = new Notify();
      n.notifyOne();
      const first = n.notified();
      const older = track(n.notified());
      const newer = track(n.notified());
      assert.ok(first.cancel());
      await quiesce();
      assert.ok(older.ok);
      assert.ok(!newer.done);
    });
  });

  describe("Semaphore", function () {
    it("acquire(-0) gives a Permit whose permits is 0, not -0", async function () {
      const s = new Semaphore(1);
      const p = await s.acquire(-0);
      assert.ok(!isNegativeZero(p.permits), "acquire");
      const q = s.tryAcquire(-0) as { permits: number };
      assert.ok(!isNegativeZero(q.permits), "tryAcquire");
      const whole = s.tryAcquire(1) as { permits: number; split(n: number): { permits: number } };
      assert.ok(!isNegativeZero(whole.split(-0).permits), "split");
    });
  });

  describe("options objects are validated", function () {
    it("a non-object options or pool throws TypeError naming it", function () {
      const bad: Array<[string, () => unknown, RegExp]> = [
        ["Semaphore", () => new Semaphore(1, 5 as never), /options/],
        ["Semaphore pool", () => new Semaphore(1, { pool: "x" as never }), /options\.pool/],
        ["Semaphore null pool", () => new Semaphore(1, { pool: null as never }), /options\.pool/],
        ["Notify", () => new Notify(5 as never), /options/],
        ["channel", () => channel(1, 5 as never), /options/],
        ["channel pool", () => channel(1, { pool: 7 as never }), /options\.pool/],
        ["unboundedChannel", () => unboundedChannel("x" as never), /options/],
        ["watch", () => watch(1, 5 as never), /options/],
        ["broadcast", () => broadcast(1, 5 as never), /options/],
        ["Mutex", () => new Mutex(1, 5 as never), /options/],
        ["RwLock", () => new RwLock(1, 5 as never), /options/],
        ["Barrier", () => new Barrier(1, 5 as never), /options/],
        ["oneshot", () => oneshot(5 as never), /options/],
        ["createRuntime", () => createRuntime(5 as never), /options/],
      ];
      for (let i = 0; i < bad.length; i++) {
        assert.throws(bad[i][1], { name: "TypeError", code: "ERR_INVALID_ARG_TYPE", message: bad[i][2] });
      }
    });

    it("createSimRuntime(5) throws TypeError", function () {
      setSimHalFactory(createSimHal);
      assert.throws(() => createSimRuntime(5 as never), { name: "TypeError", code: "ERR_INVALID_ARG_TYPE", message: /options/ });
    });
  });

  describe("sim time", function () {
    it("yieldNow() alone does not move virtual time", async function () {
      setSimHalFactory(createSimHal);
      const rt = createSimRuntime();
      await rt.run(async function () {
        const t0 = now();
        await yieldNow();
        await yieldNow();
        assert.equal(now(), t0);
      });
    });

    it("a task spinning on yieldNow still moves the clock (it spends its budget)", async function () {
      setSimHalFactory(createSimHal);
      const rt = createSimRuntime({ budget: 8 });
      await rt.run(async function () {
        const t0 = now();
        for (let i = 0; i < 100; i++) await yieldNow();
        assert.ok(now() > t0, "the clock moved: " + (now() - t0) + " ms");
        assert.ok(now() - t0 <= 100 / 8 + 1, "by 1 ms per spent budget, not per yield: " + (now() - t0) + " ms");
      });
    });
  });

  describe("misuse errors", function () {
    const [, wrx] = watch(1);
    const [, crx] = channel<number>(1);
    const sem = new Semaphore(1);
    // [argument, declaring function, call, kind]: a value of the wrong type is ERR_INVALID_ARG_TYPE
    // (TypeError); one of the right type outside the range is ERR_OUT_OF_RANGE (RangeError, or
    // a TypeError where the engine has none: Espruino, SPEC §3).
    const TYPE = "type";
    const RANGE = "range";
    const cases: Array<[string, unknown, () => unknown, string]> = [
      ["capacity", channel, () => channel(0), RANGE],
      ["capacity", channel, () => channel(-1), RANGE],
      ["capacity", channel, () => channel("x" as never), TYPE],
      ["capacity", channel, () => channel(2 ** 30), RANGE],
      ["capacity", broadcast, () => broadcast(0), RANGE],
      ["capacity", broadcast, () => broadcast(1.5), TYPE],
      ["periodMs", interval, () => interval(0), RANGE],
      ["periodMs", interval, () => interval(-1), RANGE],
      ["periodMs", interval, () => interval(NaN), TYPE],
      ["ms", timeout, () => timeout(-1, () => 1), RANGE],
      ["opOrFn", timeout, () => timeout(10, 42 as never), TYPE],
      ["ms", sleep, () => sleep(-1), RANGE],
      ["ms", sleep, () => sleep("1" as never), TYPE],
      ["n", Semaphore.prototype.acquire, () => sem.acquire(-1), RANGE],
      ["n", Semaphore.prototype.acquire, () => sem.acquire(0.5), TYPE],
      ["pred", wrx.waitFor, () => wrx.waitFor(5 as never), TYPE],
      ["ops", select, () => select([]), TYPE],
      ["ops", select, () => select(5 as never), TYPE],
      ["buf", crx.recvMany, () => crx.recvMany("x" as never, 1), TYPE],
      ["limit", crx.recvMany, () => crx.recvMany([], -1), RANGE],
    ];

    it("name the argument as the declaration does, with one phrasing per argument and a code", function () {
      // A device bundle renames parameters (the Espruino context runs kyoto as it ships): the
      // declared names are compared where they survive.
      const namesKept = (declaredParams(channel) || []).indexOf("capacity") >= 0;
      // The "must be …" phrase first seen for each (function, argument).
      const seen: Array<{ declared: unknown; name: string; phrase: string }> = [];
      for (let i = 0; i < cases.length; i++) {
        const [name, declared, call, kind] = cases[i];
        const err = assert.throws(call, {}) as { name: string; message: string; code?: string };
        assert.equal(err.code, kind === RANGE ? "ERR_OUT_OF_RANGE" : "ERR_INVALID_ARG_TYPE", "code of: " + err.message);
        const rangeClass = typeof RangeError === "function" ? RangeError : TypeError;
        assert.ok(err instanceof (kind === RANGE ? rangeClass : TypeError), "class of: " + err.message);
        assert.ok(err.message.indexOf(name + " must be ") === 0, "names " + name + ": " + err.message);
        const phrase = err.message.slice(0, err.message.indexOf(", received "));
        let first: string | null = null;
        for (let j = 0; j < seen.length; j++) if (seen[j].declared === declared && seen[j].name === name) first = seen[j].phrase;
        if (first === null) seen.push({ declared: declared, name: name, phrase: phrase });
        else assert.equal(phrase, first, "one phrasing for " + name);
        const params = namesKept ? declaredParams(declared) : null;
        if (params !== null) assert.ok(params.indexOf(name) >= 0, name + " is declared in (" + params.join(", ") + ")");
      }
    });
  });

  describe("errors of waiting ops", function () {
    function closeItHere(s: Semaphore): void {
      s.close();
    }
    function waitHere(s: Semaphore): Promise<unknown> {
      return s.acquire(2);
    }
    function cancelledHere(s: Semaphore): Promise<unknown> {
      const op = s.acquire(2);
      op.cancel("stop");
      return op;
    }

    it("ERR_CLOSED does not show the closer's stack as the waiter's, and says how to get the waiter's", async function () {
      const s = new Semaphore(1);
      const waiting = waitHere(s);
      closeItHere(s);
      const err = (await assert.rejects(waiting, { code: "ERR_CLOSED" })) as Error;
      assert.ok(String(err.stack).indexOf("closeItHere") < 0, "no closer frame: " + err.stack);
      assert.ok(String(err.stack).indexOf("KYOTO_DEBUG") >= 0, "names the switch: " + err.stack);
      assert.ok(String(err.stack).indexOf(err.message) >= 0);
    });

    it("with setDebug(true) ERR_CLOSED and ERR_CANCELLED show where the waiting call was made", async function () {
      setDebug(true);
      try {
        const s = new Semaphore(1);
        const a = waitHere(s);
        const b = waitHere(s);
        const c = cancelledHere(s);
        closeItHere(s);
        const ea = (await assert.rejects(a, { code: "ERR_CLOSED" })) as Error;
        const eb = (await assert.rejects(b, { code: "ERR_CLOSED" })) as Error;
        const ec = (await assert.rejects(c, { code: "ERR_CANCELLED", name: "AbortError" })) as Error & { cause: unknown };
        // An engine that records no frames (the Espruino context: without Error.stackTraceLimit,
        // absent there, V8 records none) still gives each waiter its own error, just frameless.
        const frames = String(new Error("probe").stack).indexOf("\n") >= 0;
        if (frames) assert.ok(String(ea.stack).indexOf("waitHere") >= 0, "the waiting call: " + ea.stack);
        assert.ok(String(ea.stack).indexOf("closeItHere") < 0, "not the closer: " + ea.stack);
        assert.ok(ea !== eb, "each waiter gets its own error (its own stack)");
        if (frames) assert.ok(String(ec.stack).indexOf("cancelledHere") >= 0, "the waiting call: " + ec.stack);
        assert.equal(ec.cause, "stop");
      } finally {
        setDebug(false);
      }
    });
  });
});
