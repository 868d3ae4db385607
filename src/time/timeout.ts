/**
 * timeout: bounds how long an op (or an async function) may take.
 *
 * @example
 * const permit = await timeout(100, sem.acquire());        // ERR_TIMEOUT after 100 ms
 * const body = await timeout(5000, ({ signal }) => fetchBody(url, signal));
 *
 * `timeout(ms, op)` passes the op's value or error through if it settles first; otherwise the
 * op is cancelled — which gives back anything it had already been granted (a permit won in
 * the same instant the timer fired goes back to its semaphore) — and the timeout rejects
 * `ERR_TIMEOUT`. `timeout(ms, fn)` calls `fn({ signal })` at once; the signal is aborted
 * (reason: the `ERR_TIMEOUT` error) when time runs out, and `fn`'s result (a value or a
 * thenable) passes through otherwise. A plain thenable is raced as is (it cannot be
 * cancelled). Cancelling the timeout op cancels the inner op, or aborts `fn`'s signal.
 *
 * An inner op that is already complete when `timeout` is called wins even for `ms === 0`
 * (Tokio polls the inner future first), and takes no timer.
 */

import { CancelSource, SignalLike } from "../core/cancel";
import { closedError, invalidArgument, timeoutError } from "../core/errors";
import { Op, OpOwner } from "../core/op";
import { WAKE_READY, Waker } from "../core/waker";
import { currentRuntime, isThenable, Runtime, settleWith } from "../runtime/base";
import { checkDuration } from "./sleep";

/** What `timeout` accepts: an op, a thenable, or a function given `{ signal }`. */
export type TimeoutTarget<T> = Op<T> | PromiseLike<T> | ((context: { signal: SignalLike }) => T | PromiseLike<T>);

/**
 * The op `timeout` returns: the waker of its timer and the owner of an inner op (rule 4 of
 * `src/core/op.ts`). It completes when the inner op is done without taking its result; its
 * own commit takes it and its own give-back cancels it, so a timeout cancelled after the
 * inner op completed but before delivery returns the message, slot or permit.
 */
class TimeoutOp<T> extends Op<T> implements Waker, OpOwner {
  private handle = -1;
  /** The inner op this timeout owns (cancelled on expiry or cancel). */
  private inner: Op<T> | null = null;
  /** The work to stop on expiry or cancel when the target is not owned: an op or `fn`'s signal. */
  private other: { cancel(reason?: unknown): unknown } | null = null;

  constructor(
    private readonly runtime: Runtime,
    private readonly ms: number,
  ) {
    super();
  }

  /** @internal Timer fired: reject ERR_TIMEOUT, then cancel the inner work. */
  wake(_token: number, status: number): void {
    this.handle = -1;
    const error = status === WAKE_READY ? timeoutError(this.ms) : closedError("the runtime");
    // Fail first: the inner op's cancellation may re-enter (a given-back permit wakes others).
    this.fail(error);
    this.stopInner(error);
  }

  /** @internal OpOwner: the inner op is done (its value stays in it until this op is taken). */
  opCompleted(): void {
    if (this.isDone()) return;
    this.disarm();
    const inner = this.inner as Op<T>;
    if (inner.completedWithValue()) this.complete(undefined as unknown as T);
    else this.fail(inner.takeResult());
  }

  /** @internal Owns or subscribes to the target and arms the timer; returns itself. */
  start(target: TimeoutTarget<T>): TimeoutOp<T> {
    if (target instanceof Op && target.claim(this, 0)) {
      this.inner = target;
      // An inner op already done wins at once, like Tokio polling the inner future first.
      if (target.isDone()) this.opCompleted();
      else if (!this.arm()) target.cancel(this.result);
      return this;
    }
    if (!this.arm()) return this;
    const self = this;
    const onValue = function (value: unknown): void {
      self.disarm();
      self.complete(value as T);
    };
    const onError = function (error: unknown): void {
      self.disarm();
      self.fail(error);
    };
    if (typeof target !== "function") {
      if (typeof (target as Op<T>).cancel === "function") this.other = target as Op<T>;
      settleWith(function () {
        return target;
      }, onValue, onError);
      return this;
    }
    const source = new CancelSource();
    this.other = source;
    settleWith(function () {
      return (target as (context: { signal: SignalLike }) => T | PromiseLike<T>)({ signal: source.signal });
    }, onValue, onError);
    return this;
  }

  /** The inner op's value is taken only now (its own commit runs). */
  protected commit(): void {
    const inner = this.inner;
    if (inner === null) return;
    const result = inner.takeResult();
    this.replaceResult(inner.completedWithValue(), result);
  }

  protected abandon(reason: unknown): void {
    this.disarm();
    this.stopInner(reason);
  }

  protected giveBack(): void {
    if (this.inner !== null) this.inner.cancel();
  }

  /** Arms the timer; on a full table fails the op and returns false. */
  private arm(): boolean {
    const runtime = this.runtime;
    if (runtime.isClosed()) {
      this.fail(closedError("the runtime"));
      return false;
    }
    const handle = runtime.insertTimer(runtime.now() + this.ms, this, 0);
    if (handle < 0) {
      this.fail(runtime.timersExhausted());
      return false;
    }
    this.handle = handle;
    return true;
  }

  private disarm(): void {
    if (this.handle >= 0) this.runtime.removeTimer(this.handle);
    this.handle = -1;
  }

  /** Cancels the inner op or aborts `fn`'s signal. */
  private stopInner(reason: unknown): void {
    if (this.inner !== null) this.inner.cancel(reason);
    if (this.other !== null) this.other.cancel(reason);
  }
}

/**
 * Runs `opOrFn` with a time limit of `ms` milliseconds on the current runtime: rejects
 * `ERR_TIMEOUT` (and cancels the op, or aborts `fn`'s signal) when the limit passes first.
 * `ms` must be a non-negative finite number; `opOrFn` an op, a thenable or a function.
 * Allocates: the op (and, for a function, its signal).
 *
 * @example
 * ```ts
 * const sem = new Semaphore(0);
 * try {
 *   await timeout(100, sem.acquire()); // the acquire is cancelled on expiry
 * } catch (err) {
 *   console.log((err as KyotoError).code); // "ERR_TIMEOUT"
 * }
 * const result = await timeout(1000, async ({ signal }) => {
 *   await sleep(10, { signal }); // aborted if the time runs out
 *   return "in time";
 * });
 * ```
 */
export function timeout<T>(ms: number, opOrFn: TimeoutTarget<T>): Op<T> {
  checkDuration("ms", ms);
  if (typeof opOrFn !== "function" && !isThenable(opOrFn)) throw invalidArgument("opOrFn", "an op, a thenable or a function", opOrFn);
  return new TimeoutOp<T>(currentRuntime(), ms).start(opOrFn);
}
