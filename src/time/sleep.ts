/**
 * sleep and sleepUntil: an op that completes when the current runtime's clock reaches a
 * deadline.
 *
 * @example
 * await sleep(250);                          // a quarter of a second on the runtime's clock
 * const op = sleep(60_000, { signal });      // abort (or op.cancel()) removes the timer at once
 *
 * Time is integer milliseconds on the runtime's monotonic clock (`now()`); fractions round
 * up, so a sleep never ends early. Each pending sleep is one node of the runtime's timer
 * wheel (O(1) to arm and to cancel) and the op is that node's waker: no closure, no host
 * timer per sleep. A sleep whose deadline has already passed completes at once without
 * taking a timer. When the timer table is full the op rejects `ERR_POOL_EXHAUSTED` (pool
 * "timers"); when the runtime closes, pending sleeps reject `ERR_CLOSED`.
 */

import { signalOf, WaitOptions } from "../core/cancel";
import { closedError, invalidArgument, outOfRange } from "../core/errors";
import { Op } from "../core/op";
import { WAKE_READY, Waker } from "../core/waker";
import { currentRuntime, Runtime, setSleepHook } from "../runtime/base";

const DURATION = "a non-negative finite number of milliseconds";
const DEADLINE = "a finite number of milliseconds";

/** Checks a duration argument: a non-negative finite number of milliseconds. */
export function checkDuration(name: string, ms: unknown): number {
  if (typeof ms !== "number" || ms !== ms) throw invalidArgument(name, DURATION, ms);
  if (ms < 0 || ms === Infinity) throw outOfRange(name, DURATION, ms);
  return ms;
}

/** Checks an absolute deadline: a finite number on the runtime's clock (past ones are due at once). */
function checkDeadline(name: string, deadline: unknown): number {
  if (typeof deadline !== "number" || deadline !== deadline) throw invalidArgument(name, DEADLINE, deadline);
  if (deadline === Infinity || deadline === -Infinity) throw outOfRange(name, DEADLINE, deadline);
  return deadline;
}

/** The op `sleep` returns; it is the waker of its own timer node. */
export class SleepOp extends Op<void> implements Waker {
  private handle = -1;

  constructor(private readonly runtime: Runtime) {
    super();
  }

  /** @internal The timer fired (or the runtime closed). */
  wake(_token: number, status: number): void {
    this.handle = -1;
    if (status === WAKE_READY) this.complete(undefined);
    else this.fail(closedError("the runtime"));
  }

  /**
   * @internal Arms the timer (or completes at once when `deadline` is not after `now`, the
   * clock as the caller read it: one clock read per sleep); returns itself.
   */
  start(deadline: number, now: number, options: WaitOptions | undefined): SleepOp {
    const signal = signalOf(options);
    if (this.failIfAborted(signal)) return this;
    const runtime = this.runtime;
    if (runtime.isClosed()) this.fail(closedError("the runtime"));
    else if (deadline <= now) this.complete(undefined);
    else {
      const handle = runtime.insertTimer(deadline, this, 0);
      if (handle < 0) this.fail(runtime.timersExhausted());
      else this.handle = handle;
    }
    this.watch(signal);
    return this;
  }

  protected abandon(): void {
    if (this.handle >= 0) this.runtime.removeTimer(this.handle);
    this.handle = -1;
  }
}

/**
 * Waits `ms` milliseconds on the current runtime's clock. `ms` must be a non-negative finite
 * number (`TypeError`/`RangeError` naming `ms`). Rejects `ERR_CANCELLED` when cancelled or
 * aborted, `ERR_POOL_EXHAUSTED` when the timer table is full, `ERR_CLOSED` when the runtime
 * closes first. Allocates: the op.
 *
 * @example
 * ```ts
 * await sleep(100);
 * const source = new CancelSource();
 * const nap = sleep(60_000, { signal: source.signal });
 * source.cancel(); // the timer is gone at once
 * console.log(nap.cancel()); // false: already cancelled
 * ```
 */
export function sleep(ms: number, options?: WaitOptions): Op<void> {
  checkDuration("ms", ms);
  return sleepOn(currentRuntime(), ms, options);
}

/** A sleep of the checked duration `ms` on `runtime`. */
function sleepOn(runtime: Runtime, ms: number, options: WaitOptions | undefined): Op<void> {
  const now = runtime.now();
  return new SleepOp(runtime).start(now + ms, now, options);
}

/**
 * Waits until the current runtime's clock reads `deadline` (absolute milliseconds, as
 * returned by `now()`); a deadline already past completes at once. Allocates: the op.
 *
 * @example
 * ```ts
 * const deadline = now() + 1000;
 * await sleepUntil(deadline); // wakes at the deadline, however long the work before took
 * ```
 */
export function sleepUntil(deadline: number, options?: WaitOptions): Op<void> {
  checkDeadline("deadline", deadline);
  const runtime = currentRuntime();
  return new SleepOp(runtime).start(deadline, runtime.now(), options);
}

setSleepHook(function (runtime: Runtime, ms: number, options?: WaitOptions): Op<void> {
  checkDuration("ms", ms);
  return sleepOn(runtime, ms, options);
});
