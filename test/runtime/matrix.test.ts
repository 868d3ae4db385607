/**
 * The combinator × op matrix (issue 8): every kind of op under every consumer, with the op
 * completing before, during or after the consumer starts (or never), and with cancel and
 * abort among the consumers. After each case a per-kind model checks conservation: every
 * permit back, every message received exactly once (by the consumer, or still in its
 * channel when the consumer did not take it), every notification or seen version either
 * consumed or passed on, no waiter, timer or task left. Wrapped kinds (`select`, `join`,
 * `timeout` around an op) check that take and give-back pass through wrappers.
 *
 * Node runs the whole matrix (one test per kind); inside QuickJS each kind runs a sample of
 * six cases chosen by a seeded generator (seed 1, or `KYOTO_SEED`). A failure names the
 * case, its index and the seed.
 */

import { CancelSource, SignalLike } from "../../src/core/cancel";
import { failedOp, Op, readyOp } from "../../src/core/op";
import { createSimRuntime, SimRuntime } from "../../src/sim";
import { SimHal } from "../../hal/sim";
import { spawn } from "../../src/runtime/runtime";
import { join, tryJoin } from "../../src/runtime/join";
import { select } from "../../src/runtime/select";
import { sleep } from "../../src/time/sleep";
import { timeout } from "../../src/time/timeout";
import { Semaphore, Permit } from "../../src/sync/semaphore";
import { Mutex, MutexGuard } from "../../src/sync/mutex";
import { RwLock } from "../../src/sync/rwlock";
import { Notify } from "../../src/sync/notify";
import { oneshot } from "../../src/sync/oneshot";
import { channel, SendPermit } from "../../src/sync/mpsc/bounded";
import { watch } from "../../src/sync/watch";
import { broadcast } from "../../src/sync/broadcast";
import { assert } from "../assert";
import { Rng } from "../rng";

const VM = typeof process === "undefined";

/** One op kind: `start` creates the op, `fire` lets it complete, `use` handles a taken value, `check` verifies conservation. */
interface Fixture {
  start(signal: SignalLike | null): Op<unknown>;
  fire(): void;
  use(value: unknown): void;
  check(taken: boolean, fired: boolean, rt: SimRuntime): void;
}

interface Kind {
  name: string;
  make(): Fixture;
}

function opts(signal: SignalLike | null): { signal?: SignalLike } | undefined {
  return signal === null ? undefined : { signal: signal };
}

const BASE: Kind[] = [
  {
    name: "acquire",
    make: () => {
      const sem = new Semaphore(0);
      return {
        start: (s) => sem.acquire(1, opts(s)),
        fire: () => sem.addPermits(1),
        use: (p) => (p as Permit).release(),
        check: (_t, fired) => {
          assert.equal(sem.availablePermits(), fired ? 1 : 0, "every permit back");
          assert.equal(sem.waiterCount(), 0);
        },
      };
    },
  },
  {
    name: "lock",
    make: () => {
      const m = new Mutex(0);
      const held = m.tryLock() as MutexGuard<number>;
      return {
        start: (s) => m.lock(opts(s)),
        fire: () => held.release(),
        use: (g) => (g as MutexGuard<number>).release(),
        check: (_t, fired) => assert.equal(m.isLocked(), !fired, "the lock is free again once released"),
      };
    },
  },
  {
    name: "write",
    make: () => {
      const l = new RwLock(0);
      const reader = l.tryRead() as { release(): void };
      return {
        start: (s) => l.write(opts(s)),
        fire: () => reader.release(),
        use: (g) => (g as { release(): void }).release(),
        check: (_t, fired) => {
          const w = l.tryWrite();
          assert.equal(w !== null, fired, "every permit back");
          if (w !== null) w.release();
        },
      };
    },
  },
  {
    name: "send",
    make: () => {
      const [tx, rx] = channel<number>(1);
      tx.trySend(0);
      return {
        start: (s) => tx.send(1, opts(s)),
        fire: () => assert.equal(rx.tryRecv(), 0),
        use: () => {},
        check: (taken, fired) => {
          const rest: number[] = [];
          for (let v = rx.tryRecv(); v !== undefined; v = rx.tryRecv()) rest.push(v);
          const expect = fired ? (taken ? [1] : []) : taken ? [0, 1] : [0];
          assert.deepEqual(rest, expect, "the message was sent iff the send was taken");
          assert.equal(tx.capacity(), 1, "every slot free");
        },
      };
    },
  },
  {
    name: "reserve",
    make: () => {
      const [tx, rx] = channel<number>(1);
      tx.trySend(0);
      return {
        start: (s) => tx.reserve(opts(s)),
        fire: () => assert.equal(rx.tryRecv(), 0),
        use: (p) => (p as SendPermit<number>).send(2),
        check: (taken, fired) => {
          const rest: number[] = [];
          for (let v = rx.tryRecv(); v !== undefined; v = rx.tryRecv()) rest.push(v);
          assert.deepEqual(rest, fired ? (taken ? [2] : []) : [0]);
          assert.equal(tx.capacity(), 1, "every slot free");
        },
      };
    },
  },
  {
    name: "recv",
    make: () => {
      const [tx, rx] = channel<number>(2);
      return {
        start: (s) => rx.recv(opts(s)),
        fire: () => assert.ok(tx.trySend(7)),
        use: (v) => assert.equal(v, 7),
        check: (taken, fired) => {
          assert.equal(rx.tryRecv(), fired && !taken ? 7 : undefined, "received once, or still in the channel");
          assert.equal(rx.tryRecv(), undefined);
          assert.equal(tx.capacity(), 2, "every slot free");
        },
      };
    },
  },
  {
    name: "recvMany",
    make: () => {
      const [tx, rx] = channel<number>(4);
      const buf: number[] = [];
      let n = 0;
      return {
        start: (s) => rx.recvMany(buf, 4, opts(s)),
        fire: () => {
          tx.trySend(7);
          tx.trySend(8);
        },
        use: (count) => {
          n = count as number;
        },
        check: (taken, fired) => {
          assert.equal(buf.length, taken ? n : 0, "buf filled exactly when taken");
          const all = buf.slice();
          for (let v = rx.tryRecv(); v !== undefined; v = rx.tryRecv()) all.push(v);
          assert.deepEqual(all, fired ? [7, 8] : [], "each message once, in order");
          assert.equal(tx.capacity(), 4);
        },
      };
    },
  },
  {
    name: "oneshot",
    make: () => {
      const [tx, rx] = oneshot<number>();
      let sent = false;
      return {
        start: (s) => {
          // The receiver is the op itself (no options): an abort cancels it like a signal would.
          if (s !== null) s.addEventListener("abort", () => rx.cancel());
          return rx;
        },
        fire: () => {
          sent = tx.send(5);
        },
        use: (v) => assert.equal(v, 5),
        check: (taken) => {
          if (!sent) return;
          if (taken) assert.throws(() => rx.tryRecv(), { code: "ERR_CLOSED" });
          else assert.equal(rx.tryRecv(), 5, "a value not taken is still there for tryRecv");
        },
      };
    },
  },
  {
    name: "notified",
    make: () => {
      const n = new Notify();
      return {
        start: (s) => n.notified(opts(s)),
        fire: () => n.notifyOne(),
        use: () => {},
        check: (taken, fired) => {
          const probe = n.notified();
          assert.equal(probe.isDone(), fired && !taken, "a notification not consumed is passed on");
          probe.cancel();
          assert.equal(n.waiterCount(), 0);
        },
      };
    },
  },
  {
    name: "broadcast",
    make: () => {
      const [tx, rx] = broadcast<number>(4);
      return {
        start: (s) => rx.recv(opts(s)),
        fire: () => tx.send(3),
        use: (v) => assert.equal(v, 3),
        check: (taken, fired) => assert.equal(rx.tryRecv(), fired && !taken ? 3 : undefined, "read once, or unread"),
      };
    },
  },
  {
    name: "changed",
    make: () => {
      const [tx, rx] = watch(0);
      return {
        start: (s) => rx.changed(opts(s)),
        fire: () => tx.send(1),
        use: () => {},
        check: (taken, fired) => assert.equal(rx.hasChanged(), fired && !taken, "a version not consumed is unseen again"),
      };
    },
  },
  {
    name: "sleep",
    make: () => {
      return {
        start: (s) => sleep(3, opts(s)),
        fire: () => {},
        use: () => {},
        check: (_t, _f, rt) => assert.equal(rt.stats().timers.live, 0, "no timer left"),
      };
    },
  },
  {
    name: "spawn",
    make: () => {
      const gate = new Notify();
      return {
        start: (s) => {
          const handle = spawn(async function ({ signal }) {
            await gate.notified({ signal: signal });
            return 1;
          });
          if (s !== null) s.addEventListener("abort", () => handle.abort());
          return handle;
        },
        fire: () => gate.notifyOne(),
        use: (v) => assert.equal(v, 1),
        check: () => {},
      };
    },
  },
];

/** Wrappers: the same fixture seen through select / join / timeout (take and give-back pass through). */
function wrap(name: string, through: (op: Op<unknown>) => Op<unknown>, unwrap: (v: unknown) => unknown): (k: Kind) => Kind {
  return function (k: Kind): Kind {
    return {
      name: name + "(" + k.name + ")",
      make: () => {
        const inner = k.make();
        return {
          start: (s) => through(inner.start(s)),
          fire: inner.fire,
          use: (v) => inner.use(unwrap(v)),
          check: inner.check,
        };
      },
    };
  };
}

const WRAPPED = ["acquire", "send", "recv", "recvMany", "oneshot", "broadcast", "changed"];
const KINDS: Kind[] = BASE.slice();
for (let i = 0; i < BASE.length; i++) {
  if (WRAPPED.indexOf(BASE[i].name) < 0) continue;
  KINDS.push(wrap("select", (op) => select([op, new Op<unknown>()]), (r) => (r as { value: unknown }).value)(BASE[i]));
  KINDS.push(wrap("join", (op) => join([op, readyOp(0)]), (r) => (r as unknown[])[0])(BASE[i]));
  KINDS.push(wrap("timeout", (op) => timeout(1000, op), (v) => v)(BASE[i]));
}

/** A consumer takes the op (or not) and reports whether it got the op's value. */
type Consumer = (op: Op<unknown>, source: CancelSource, when: () => Promise<void>) => Promise<{ taken: boolean; value?: unknown }>;

async function got(p: PromiseLike<unknown>): Promise<{ taken: boolean; value?: unknown }> {
  try {
    return { taken: true, value: await p };
  } catch (e) {
    return { taken: false };
  }
}

const CONSUMERS: Array<{ name: string; run: Consumer; aborts?: boolean; ends?: boolean }> = [
  { name: "await", run: (op) => got(op) },
  { name: "then-chain", run: (op) => got(op.then((v) => v).then((v) => v)) },
  { name: "Promise.all", run: (op) => got(Promise.all([op]).then((a) => a[0])) },
  { name: "select-winner", ends: true, run: (op) => got(select([op, sleep(50)]).then((r) => (r.index === 0 ? r.value : Promise.reject(new Error("lost"))))) },
  {
    name: "select-loser",
    ends: true,
    run: async (op) => {
      const r = await select([readyOp("first"), op]);
      assert.equal(r.index, 0);
      return { taken: false };
    },
  },
  { name: "join", run: (op) => got(join([op, readyOp(1)]).then((a) => a[0])) },
  {
    name: "tryJoin-failing",
    ends: true,
    run: async (op) => {
      await tryJoin([op, failedOp(new Error("sibling"))]).then(
        () => assert.fail("tryJoin must reject"),
        () => {},
      );
      return { taken: false };
    },
  },
  { name: "timeout", ends: true, run: (op) => got(timeout(20, op)) },
  {
    name: "cancel",
    ends: true,
    run: async (op, _source, when) => {
      await when();
      if (op.cancel()) {
        await op.then(
          () => assert.fail("a cancelled op never delivers a value"),
          (e) => assert.equal((e as { code: string }).code, "ERR_CANCELLED"),
        );
        return { taken: false };
      }
      return got(op);
    },
  },
  {
    name: "abort",
    ends: true,
    aborts: true,
    run: async (op, source, when) => {
      await when();
      source.cancel();
      return got(op);
    },
  },
];

const TIMINGS = ["before", "during", "after", "never"];

interface Case {
  kind: Kind;
  consumer: { name: string; run: Consumer; aborts?: boolean; ends?: boolean };
  timing: string;
  name: string;
}

const CASES: Case[] = [];
for (let k = 0; k < KINDS.length; k++) {
  for (let c = 0; c < CONSUMERS.length; c++) {
    for (let t = 0; t < TIMINGS.length; t++) {
      // An op that never completes leaves only the consumers that end on their own.
      if (TIMINGS[t] === "never" && !CONSUMERS[c].ends && KINDS[k].name !== "sleep") continue;
      CASES.push({ kind: KINDS[k], consumer: CONSUMERS[c], timing: TIMINGS[t], name: KINDS[k].name + " × " + CONSUMERS[c].name + " × fire " + TIMINGS[t] });
    }
  }
}

async function runCase(c: Case): Promise<void> {
  const rt = createSimRuntime({ hal: new SimHal() });
  await rt.run(async function () {
    const fx = c.kind.make();
    const source = new CancelSource();
    let fired = false;
    const fire = function (): void {
      if (fired) return;
      fired = true;
      fx.fire();
    };
    if (c.timing === "before") fire();
    const op = fx.start(c.consumer.aborts ? source.signal : null);
    const when = function (): Promise<void> {
      return sleep(1).then(function () {});
    };
    const consuming = c.consumer.run(op, source, when);
    if (c.timing === "during") fire();
    else if (c.timing === "after") sleep(2).then(fire);
    const outcome = await consuming;
    await sleep(60); // lets every timer of the case (timeouts, sleeps, the select's 50 ms) run out
    if (outcome.taken) fx.use(outcome.value);
    if (c.kind.name === "spawn" && !fired) {
      fire(); // a task left waiting on its gate ends now (its handle was cancelled or not taken)
      await sleep(1);
    }
    fx.check(outcome.taken, fired, rt);
    assert.equal(rt.stats().tasks.live, 0, "no task left");
    assert.equal(rt.stats().timers.live, 0, "no timer left");
  });
}

describe("combinator × op matrix: nothing lost or duplicated", function () {
  for (let k = 0; k < KINDS.length; k++) {
    const kind = KINDS[k].name;
    const cases: number[] = [];
    for (let i = 0; i < CASES.length; i++) if (CASES[i].kind === KINDS[k]) cases.push(i);
    it(kind + " under every consumer and timing (" + cases.length + " cases; a seeded sample of 6 inside QuickJS)", async function () {
      this.timeout(60000);
      const fixed = (globalThis as { KYOTO_SEED?: number }).KYOTO_SEED;
      let picked = cases;
      if (VM) {
        const rng = new Rng(typeof fixed === "number" ? fixed : 1);
        picked = [];
        for (let i = 0; i < 6; i++) picked.push(cases[rng.int(cases.length)]);
      }
      for (let i = 0; i < picked.length; i++) {
        const c = CASES[picked[i]];
        try {
          await runCase(c);
        } catch (err) {
          const e = err as Error;
          e.message = "[case " + picked[i] + ": " + c.name + (VM ? ", seed " + (typeof fixed === "number" ? fixed : 1) : "") + "] " + e.message;
          throw e;
        }
      }
    });
  }
});
