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
import { Op } from "../core/op";
import { WAKE_READY, Waker } from "../core/waker";
import { currentRuntime, Runtime } from "../runtime/runtime";
import { checkDuration, timersExhausted } from "./sleep";

type Thenable<T> = { then(onValue: (value: T) => unknown, onError: (error: unknown) => unknown): unknown };

/** What `timeout` accepts: an op, a thenable, or a function given `{ signal }`. */
export type TimeoutTarget<T> = Op<T> | PromiseLike<T> | ((context: { signal: SignalLike }) => T | PromiseLike<T>);

function isThenable(value: unknown): boolean {
  return value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as Thenable<unknown>).then === "function";
}

/** The op `timeout` returns: the waker of its timer, and the subscriber of the inner result. */
class TimeoutOp<T> extends Op<T> implements Waker {
  private handle = -1;
  /** The inner op, when the target was one (cancelled on expiry or cancel). */
  private inner: Op<T> | null = null;
  /** The source of `fn`'s signal, when the target was a function. */
  private source: CancelSource | null = null;
  /** True once the inner result was handed to this op (from then on it is ours to give back). */
  private took = false;
  /** The reason given to `cancel`, passed on to the inner work. */
  private reason: unknown = undefined;

  constructor(
    private readonly runtime: Runtime,
    private readonly ms: number,
  ) {
    super();
  }

  /** @internal Timer fired: cancel the inner work, then reject ERR_TIMEOUT. */
  wake(_token: number, status: number): void {
    this.handle = -1;
    const error = status === WAKE_READY ? timeoutError(this.ms) : closedError("the runtime");
    // Fail first: the inner op's cancellation may re-enter (a given-back permit wakes others).
    this.fail(error);
    this.stopInner(error);
  }

  /** @internal Subscribes to the target and arms the timer; returns itself. */
  start(target: TimeoutTarget<T>): TimeoutOp<T> {
    const self = this;
    const onValue = function (value: T): void {
      self.took = true;
      self.disarm();
      self.complete(value);
    };
    const onError = function (error: unknown): void {
      self.disarm();
      self.fail(error);
    };
    if (typeof target === "function") {
      if (!this.arm()) return this;
      const source = new CancelSource();
      this.source = source;
      let result: T | PromiseLike<T>;
      try {
        result = (target as (context: { signal: SignalLike }) => T | PromiseLike<T>)({ signal: source.signal });
      } catch (err) {
        onError(err);
        return this;
      }
      if (isThenable(result)) (result as Thenable<T>).then(onValue, onError);
      else onValue(result as T);
      return this;
    }
    if (target instanceof Op) {
      this.inner = target;
      // An inner op already complete wins at once, like Tokio polling the inner future first.
      if (!target.isDone() && !this.arm()) {
        target.cancel(this.result);
        return this;
      }
      target.then(onValue, onError);
      return this;
    }
    if (!this.arm()) return this;
    (target as Thenable<T>).then(onValue, onError);
    return this;
  }

  /** Cancels this op and, while it waits, the inner op (or `fn`'s signal) with the same reason. */
  cancel(reason?: unknown): boolean {
    this.reason = reason;
    return super.cancel(reason);
  }

  protected abandon(): void {
    this.disarm();
    this.stopInner(this.reason);
  }

  protected giveBack(value: T): void {
    // The value came from the inner op; its own hook knows how to return it (release a
    // permit, put a message back at the head of its channel).
    const inner = this.inner;
    if (inner !== null && this.took) (inner as unknown as { giveBack(v: T): void }).giveBack(value);
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
      this.fail(timersExhausted(runtime));
      return false;
    }
    this.handle = handle;
    return true;
  }

  private disarm(): void {
    if (this.handle >= 0) this.runtime.removeTimer(this.handle);
    this.handle = -1;
  }

  /** Cancels the inner op or aborts `fn`'s signal (no-ops once the inner result was taken). */
  private stopInner(reason: unknown): void {
    if (this.took) return;
    if (this.inner !== null) this.inner.cancel(reason);
    if (this.source !== null) this.source.cancel(reason);
  }
}

/**
 * Runs `target` with a time limit of `ms` milliseconds on the current runtime: rejects
 * `ERR_TIMEOUT` (and cancels the op, or aborts `fn`'s signal) when the limit passes first.
 * `ms` must be a non-negative finite number; `target` an op, a thenable or a function.
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
export function timeout<T>(ms: number, target: TimeoutTarget<T>): Op<T> {
  checkDuration("ms", ms);
  if (typeof target !== "function" && !isThenable(target)) throw invalidArgument("opOrFn", "an op, a thenable or a function", target);
  return new TimeoutOp<T>(currentRuntime(), ms).start(target);
}
