/**
 * Helpers shared by the portable tests (they run unchanged in Node and inside QuickJS):
 * letting queued deliveries run, recording how an op settles, a synchronous view of
 * deliveries for model tests, and a task pair that never stops handing a permit back and
 * forth (for the cooperative budget).
 */

import { Op, pendingDeliveries, runDeliveries } from "../src/core/op";
import { spawn } from "../src/runtime/runtime";
import { JoinHandle } from "../src/runtime/task";
import { Semaphore } from "../src/sync/semaphore";

/** Lets queued deliveries (and what they trigger) run: `turns` microtask turns. */
export function settle(turns: number): Promise<void> {
  let p: Promise<void> = Promise.resolve();
  for (let i = 0; i < turns; i++) p = p.then(function () {});
  return p;
}

declare const setImmediate: ((fn: () => void) => unknown) | undefined;
declare const setTimeout: (fn: () => void, ms: number) => unknown;
/** The Espruino context's idle hook (hal/sim's header says why a 0 ms timer is not enough there). */
declare const __hostIdle: ((fn: () => void) => void) | undefined;

/** Runs `fn` after every microtask queued now has run (the host's next macrotask). */
function afterMicrotasks(fn: () => void): void {
  if (typeof setImmediate === "function") setImmediate(fn);
  else if (typeof __hostIdle === "function") __hostIdle(fn);
  else setTimeout(fn, 0);
}

/**
 * Resolves once nothing is left to run: every microtask has run (a host macrotask passed) and
 * no op waits in the ready ring for delivery. Use it before asserting that an op is "still
 * pending": unlike a fixed number of turns, it cannot resolve while a delivery is owed. Fails
 * if deliveries keep coming for 1,000 host turns (something re-queues forever).
 */
export function quiesce(): Promise<void> {
  return new Promise<void>(function (resolve, reject) {
    let turns = 0;
    function check(): void {
      if (pendingDeliveries() === 0) resolve();
      else if (++turns > 1000) reject(new Error("quiesce: ops are still queued for delivery after 1000 host turns"));
      else afterMicrotasks(check);
    }
    afterMicrotasks(check);
  });
}

/** How a tracked op has settled so far. */
export interface Seen<T> {
  done: boolean;
  ok: boolean;
  value: T | undefined;
  error: any;
}

/** Subscribes to an op and records its outcome, like polling a future with a counting waker. */
export function track<T>(op: { then(a: (v: T) => void, b: (e: unknown) => void): void }): Seen<T> {
  const seen: Seen<T> = { done: false, ok: false, value: undefined, error: undefined };
  op.then(
    function (v) {
      seen.done = true;
      seen.ok = true;
      seen.value = v;
    },
    function (e) {
      seen.done = true;
      seen.error = e;
    },
  );
  return seen;
}

/** Resolves with the op's error code, or "ok" when it succeeds. */
export function outcome(op: { then(a: (v: unknown) => void, b: (e: unknown) => void): void }): Promise<string> {
  return new Promise(function (resolve) {
    op.then(
      function () {
        resolve("ok");
      },
      function (err) {
        resolve(String(err && (err as { code?: string }).code));
      },
    );
  });
}

/** Two tasks handing one permit back and forth forever (until aborted); counts hand-offs. */
export function pingPong(): { handoffs: () => number; stop: () => void } {
  const ping = new Semaphore(0);
  const pong = new Semaphore(0);
  let handoffs = 0;
  const tasks: Array<JoinHandle<void>> = [];
  tasks.push(
    spawn(async ({ signal }) => {
      for (;;) {
        (await ping.acquire(1, { signal })).forget();
        handoffs++;
        pong.addPermits(1);
      }
    }),
  );
  tasks.push(
    spawn(async ({ signal }) => {
      for (;;) {
        (await pong.acquire(1, { signal })).forget();
        handoffs++;
        ping.addPermits(1);
      }
    }),
  );
  ping.addPermits(1);
  return {
    handoffs: () => handoffs,
    stop: () => {
      for (let i = 0; i < tasks.length; i++) tasks[i].abort();
    },
  };
}

/**
 * A synchronous view of deliveries for model tests that interleave steps without awaiting.
 * An op's promise callbacks run a microtask after its delivery; `sweep()` instead reports
 * at once every watched op whose result was taken (delivered) since the last sweep.
 */
export class SyncDeliveries {
  private readonly items: Array<{ op: Op<any>; onValue?: (value: any) => void; onError?: (error: unknown) => void; seen: boolean }> = [];

  /** Observes `op` (so delivery takes it) and reports its result on a later sweep. */
  watch<T>(op: Op<T>, onValue?: (value: T) => void, onError?: (error: unknown) => void): void {
    op.then(undefined, function () {});
    this.items.push({ op: op, onValue: onValue, onError: onError, seen: false });
  }

  /** Reports every watched op taken since the last sweep, in the order they were watched. */
  sweep(): void {
    const items = this.items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (item.seen || !item.op.wasTaken()) continue;
      item.seen = true;
      if (item.op.completedWithValue()) {
        if (item.onValue) item.onValue(item.op.result);
      } else if (item.onError) item.onError(item.op.result);
    }
  }

  /** `runDeliveries(limit)`, then a sweep; returns what is still queued. */
  run(limit: number): number {
    const left = runDeliveries(limit);
    this.sweep();
    return left;
  }
}

/**
 * Claims `op` the way a combinator does, so `fn` runs inside the op's completion (from the
 * primitive's wake): for re-entrancy tests.
 */
export function whenDone(op: Op<any>, fn: () => void): void {
  if (!op.claim({ opCompleted: fn }, 0)) throw new Error("whenDone: the op is already observed or owned");
}
