/**
 * hal/quickjs against `os` modules shaped like each engine's, on a virtual clock: QuickJS's
 * `os.now()` counts milliseconds, QuickJS-ng's microseconds, and QuickJS-ng clamps
 * `os.setTimeout(f, 0)` to 1 ms. The fake loop runs like `js_std_loop`: drain the jobs, then
 * one event per poll (an expired timer first, else a ready write handler); virtual time only
 * moves when nothing else is ready. Kyoto must see milliseconds on both, and a wake must not
 * cost a timer.
 */
import { createRuntime } from "../../src/runtime/runtime";
import { yieldNow } from "../../src/runtime/runtime";
import { sleep } from "../../src/time/sleep";
import { timeout } from "../../src/time/timeout";
import { interval } from "../../src/time/interval";
import { Semaphore } from "../../src/sync/semaphore";
import { quickJsHalFrom, QuickJsGlobals, QuickJsOs } from "../../hal/quickjs/index";
import { assert } from "../assert";

type Engine = "quickjs" | "quickjs-ng";

/** A fake QuickJS event loop with a virtual millisecond clock. */
class FakeLoop {
  t = 1000;
  zeroDelayTimers = 0;
  private timers: { id: number; at: number; fn: () => void }[] = [];
  private nextId = 1;
  private writeHandlers: { [fd: number]: () => void } = {};
  private pipes = 0;

  constructor(readonly engine: Engine, readonly withPipe = true) {}

  os(): QuickJsOs & { now(): number } {
    const loop = this;
    const o: QuickJsOs & { now(): number } = {
      // The unit bug: QuickJS's os.now() is ms, QuickJS-ng's is µs.
      now: () => (loop.engine === "quickjs-ng" ? loop.t * 1000 : loop.t),
      setTimeout(fn, ms) {
        if (ms === 0) loop.zeroDelayTimers++;
        const delay = loop.engine === "quickjs-ng" ? Math.max(1, ms) : ms;
        const id = loop.nextId++;
        loop.timers.push({ id, at: loop.t + delay, fn });
        return id;
      },
      clearTimeout(handle) {
        loop.timers = loop.timers.filter((x) => x.id !== handle);
      },
    };
    if (this.withPipe) {
      o.pipe = () => {
        loop.pipes++;
        return [100 + 2 * loop.pipes, 101 + 2 * loop.pipes];
      };
      o.setWriteHandler = (fd, fn) => {
        if (fn) loop.writeHandlers[fd] = fn;
        else delete loop.writeHandlers[fd];
      };
    }
    return o;
  }

  globals(o: QuickJsOs): QuickJsGlobals {
    return { os: o, performance: { now: () => this.t } };
  }

  /** Runs the loop until `done()` or nothing is left; returns the virtual ms spent. */
  async run(done: () => boolean, limitMs = 100_000): Promise<number> {
    const start = this.t;
    for (let turns = 0; turns < 1_000_000; turns++) {
      await new Promise<void>((resolve) => setImmediate(resolve)); // the job queue drains here
      if (done()) return this.t - start;
      const due = this.timers.filter((x) => x.at <= this.t).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due) {
        this.timers = this.timers.filter((x) => x !== due);
        due.fn();
        continue;
      }
      const fds = Object.keys(this.writeHandlers);
      if (fds.length > 0) {
        this.writeHandlers[Number(fds[0])]();
        continue;
      }
      if (this.timers.length === 0) throw new Error("the fake loop ran dry before the test finished");
      this.t = Math.min(...this.timers.map((x) => x.at));
      if (this.t - start > limitMs) throw new Error("virtual time limit reached");
    }
    throw new Error("too many turns");
  }
}

for (const engine of ["quickjs", "quickjs-ng"] as Engine[]) {
  describe(`hal/quickjs with an os module shaped like ${engine}'s`, function () {
    it("now() counts milliseconds whatever unit os.now() uses", async function () {
      const loop = new FakeLoop(engine);
      const o = loop.os();
      const hal = quickJsHalFrom({ os: o }, loop.globals(o));
      const t0 = hal.now();
      loop.t += 250;
      assert.equal(hal.now() - t0, 250);
    });

    it("timeout(50) fires at 50 ms and an interval of 20 ms ticks every 20 ms", async function () {
      const loop = new FakeLoop(engine);
      const o = loop.os();
      const rt = createRuntime({ hal: quickJsHalFrom({ os: o }, loop.globals(o)) });
      const sem = new Semaphore(0);
      let firedAt = -1;
      const ticks: number[] = [];
      let finished = false;
      let failure: unknown = null;
      const start = loop.t;
      rt.run(async () => {
        try {
          await timeout(50, sem.acquire());
        } catch (err) {
          assert.equal((err as { code?: string }).code, "ERR_TIMEOUT");
          firedAt = loop.t - start;
        }
        const iv = interval(20);
        for (let i = 0; i < 4; i++) {
          await iv.tick();
          ticks.push(loop.t - start);
        }
        iv.cancel();
      }).then(() => (finished = true), (err) => {
        failure = err;
        finished = true;
      });
      await loop.run(() => finished);
      if (failure) throw failure;
      assert.equal(firedAt, 50, "timeout(50) fired at " + firedAt + " ms");
      assert.deepEqual(ticks, [50, 70, 90, 110]);
      rt.close();
    });

    it("a thousand cooperative yields cost no timer and no virtual time", async function () {
      const loop = new FakeLoop(engine);
      const o = loop.os();
      const rt = createRuntime({ hal: quickJsHalFrom({ os: o }, loop.globals(o)), budget: 1 });
      let finished = false;
      rt.run(async () => {
        for (let i = 0; i < 1000; i++) await yieldNow();
      }).then(() => (finished = true));
      const spent = await loop.run(() => finished);
      assert.equal(loop.zeroDelayTimers, 0, "wakes went through os.setTimeout(f, 0)");
      assert.equal(spent, 0);
      rt.close();
    });

    it("without os.pipe, a wake falls back to os.setTimeout(f, 0)", async function () {
      const loop = new FakeLoop(engine, false);
      const o = loop.os();
      const rt = createRuntime({ hal: quickJsHalFrom({ os: o }, loop.globals(o)), budget: 1 });
      let finished = false;
      rt.run(async () => {
        for (let i = 0; i < 10; i++) await yieldNow();
        await sleep(5);
      }).then(() => (finished = true));
      await loop.run(() => finished);
      assert.ok(loop.zeroDelayTimers >= 10, "zero-delay timers: " + loop.zeroDelayTimers);
      rt.close();
    });

    it("finds a global os (qjs --std) with no wiring", async function () {
      const loop = new FakeLoop(engine);
      const o = loop.os();
      const rt = createRuntime({ hal: quickJsHalFrom(undefined, loop.globals(o)) });
      let sleptFor = -1;
      const start = loop.t;
      rt.run(() => sleep(30)).then(() => (sleptFor = loop.t - start));
      await loop.run(() => sleptFor >= 0);
      assert.equal(sleptFor, 30);
      rt.close();
    });
  });
}

describe("hal/quickjs host discovery", function () {
  it("names the ways to provide a host when there is none", function () {
    assert.throws(() => quickJsHalFrom(undefined, {}), { name: "TypeError", message: /qjs --std.*createQuickJsHal\(\{ os \}\).*kyotoHost/ });
  });

  it("prefers options.host, then options.os, then kyotoHost, then a global os", function () {
    const calls: string[] = [];
    const host = (name: string) => ({
      setSink: () => undefined,
      now: () => {
        calls.push(name);
        return 0;
      },
      armTimer: () => undefined,
      cancelTimer: () => undefined,
      wake: () => undefined,
    });
    const loop = new FakeLoop("quickjs");
    const g = { ...loop.globals(loop.os()), kyotoHost: host("global") };
    quickJsHalFrom({ host: host("option") }, g).now();
    quickJsHalFrom(undefined, g).now();
    assert.deepEqual(calls, ["option", "global"]);
  });

  it("forwards the socket calls a host provides, and only those", function () {
    const seen: unknown[][] = [];
    const host = {
      setSink: () => undefined,
      now: () => 0,
      armTimer: () => undefined,
      cancelTimer: () => undefined,
      wake: () => undefined,
      caps: 3,
      tcpListen(ip: string, port: number, backlog: number) {
        seen.push(["listen", port, ip, backlog, this === host]);
        return 7;
      },
    };
    const hal = quickJsHalFrom({ host }, {});
    assert.equal(hal.caps, 3);
    assert.equal(hal.tcpListen!("127.0.0.1", 0, 16), 7);
    assert.deepEqual(seen, [["listen", 0, "127.0.0.1", 16, true]]);
    assert.equal(hal.tcpConnect, undefined);
  });
});

describe("hal/quickjs with a kyotoHost factory", function () {
  it("opens one host per HAL, so several runtimes share the global", function () {
    const opened: number[] = [];
    const factory = {
      open() {
        const id = opened.length;
        opened.push(id);
        return { setSink: () => undefined, now: () => id, armTimer: () => undefined, cancelTimer: () => undefined, wake: () => undefined };
      },
    };
    const a = quickJsHalFrom(undefined, { kyotoHost: factory });
    const b = quickJsHalFrom(undefined, { kyotoHost: factory });
    a.setSink(() => undefined);
    b.setSink(() => undefined);
    assert.deepEqual([a.now(), b.now()], [0, 1]);
  });
});
