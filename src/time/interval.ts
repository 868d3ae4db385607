/**
 * interval: ticks every `periodMs` milliseconds, counting the time spent between ticks.
 *
 * @example
 * const every = interval(1000);
 * for (;;) {
 *   const at = await every.tick();   // the first tick completes at once
 *   poll(at);
 * }
 *
 * `tick()` returns an `Op<number>` that completes at the tick's scheduled time and resolves
 * with it (the runtime clock's reading, `now()` scale). When a tick is observed more than
 * 5 ms after it was due, the next one is scheduled by `missedTickBehavior`, as in Tokio:
 * - `"burst"` (default): one period after the missed tick — late ticks complete back to back
 *   until the schedule has caught up;
 * - `"delay"`: one period after now — the schedule shifts;
 * - `"skip"`: the next multiple of the period (from the first tick) after now.
 *
 * Cancelling a pending tick consumes nothing; cancelling a completed, undelivered tick
 * rolls the schedule back to it. `cancel()` rejects a pending tick with `ERR_CANCELLED`;
 * every later tick rejects `ERR_CLOSED`. One tick may be pending at a time.
 */

import { SignalLike, signalOf, WaitOptions } from "../core/cancel";
import { cancelledError, checkOptions, closedError, invalidArgument, invalidState, outOfRange } from "../core/errors";
import { failedOp, Op } from "../core/op";
import { WAKE_READY, Waker } from "../core/waker";
import { currentRuntime, Runtime } from "../runtime/base";

export type MissedTickBehavior = "burst" | "delay" | "skip";

export interface IntervalOptions {
  /** What to do after a late tick (default "burst"). */
  missedTickBehavior?: MissedTickBehavior;
}

/** How late (ms) a tick may be observed before it counts as missed (Tokio's figure). */
const MISSED_AFTER = 5;

/** The op `tick` returns; it is the waker of the interval's timer while it waits. */
class TickOp extends Op<number> implements Waker {
  /** @internal The timer, or -1. */
  handle = -1;
  /** @internal Which tick this was (for rolling the schedule back on cancel). */
  serial = 0;

  constructor(private readonly owner: Interval) {
    super();
  }

  /** @internal The tick's time came (or the runtime closed). */
  wake(_token: number, status: number): void {
    this.handle = -1;
    this.owner.waiting = null;
    if (status === WAKE_READY) this.owner.fire(this);
    else this.fail(closedError("the runtime"));
  }

  /** @internal Watches the caller's signal. */
  follow(signal: SignalLike | null): void {
    this.watch(signal);
  }

  protected abandon(): void {
    const owner = this.owner;
    if (this.handle >= 0) owner.runtime.removeTimer(this.handle);
    this.handle = -1;
    if (owner.waiting === this) owner.waiting = null;
  }

  protected giveBack(scheduled: number): void {
    this.owner.rollBack(this, scheduled);
  }
}

/**
 * A periodic timer: `tick()` resolves once per period; missed ticks follow
 * `missedTickBehavior`.
 *
 * @example
 * ```ts
 * const every: Interval = interval(1000, { missedTickBehavior: "skip" });
 * for (let i = 0; i < 3; i++) await every.tick();
 * every.cancel();
 * ```
 */
export class Interval {
  /** The period in whole milliseconds. */
  readonly period: number;
  readonly missedTickBehavior: MissedTickBehavior;
  /** @internal */
  readonly runtime: Runtime;
  /** @internal The tick waiting for its time, if any. */
  waiting: TickOp | null = null;
  /** The scheduled time of the next tick. */
  private next: number;
  /** Ticks handed out so far (rolled back by cancelled, undelivered ticks). */
  private ticks = 0;
  private closed = false;

  /** Allocates: on construction. Use `interval()`. */
  constructor(runtime: Runtime, period: number, behavior: MissedTickBehavior) {
    this.runtime = runtime;
    this.period = period;
    this.missedTickBehavior = behavior;
    this.next = runtime.now();
  }

  /**
   * Waits for the next tick and resolves with its scheduled time. Rejects `ERR_CLOSED`
   * after `cancel()`, `ERR_CANCELLED` when cancelled or aborted (no tick is consumed),
   * `ERR_POOL_EXHAUSTED` when the timer table is full. Throws `TypeError` while another tick
   * is pending. Allocates: the op.
   */
  tick(options?: WaitOptions): Op<number> {
    const signal = signalOf(options);
    if (this.closed) return failedOp<number>(closedError("the interval"));
    if (this.waiting !== null) throw invalidState("interval.tick() is already pending: await (or cancel) it before calling tick() again");
    const op = new TickOp(this);
    if (signal !== null && signal.aborted) {
      op.fail(cancelledError(signal.reason));
      return op;
    }
    if (this.next <= this.runtime.now()) this.fire(op);
    else this.arm(op);
    op.follow(signal);
    return op;
  }

  /** Restarts the schedule: the next tick is one period from now. Allocates: never. */
  reset(): void {
    this.next = this.runtime.now() + this.period;
    const op = this.waiting;
    if (op !== null && op.handle >= 0) {
      this.runtime.removeTimer(op.handle);
      op.handle = -1;
      this.arm(op);
    }
  }

  /** Stops the interval: a pending tick rejects `ERR_CANCELLED`, later ticks `ERR_CLOSED`. */
  cancel(): void {
    if (this.closed) return;
    this.closed = true;
    const op = this.waiting;
    if (op !== null) op.cancel(closedError("the interval"));
  }

  /** @internal Completes `op` with the due tick and schedules the one after it. */
  fire(op: TickOp): void {
    const scheduled = this.next;
    const now = this.runtime.now();
    const period = this.period;
    let next = scheduled + period;
    if (now > scheduled + MISSED_AFTER) {
      const behavior = this.missedTickBehavior;
      if (behavior === "delay") next = now + period;
      else if (behavior === "skip") next = now + period - ((now - scheduled) % period);
    }
    this.next = next;
    op.serial = ++this.ticks;
    op.complete(scheduled);
  }

  /** @internal A completed tick was cancelled before delivery: undo it if it was the last one. */
  rollBack(op: TickOp, scheduled: number): void {
    if (op.serial !== this.ticks) return;
    this.ticks--;
    this.next = scheduled;
  }

  private arm(op: TickOp): void {
    const handle = this.runtime.insertTimer(this.next, op, 0);
    if (handle < 0) {
      this.waiting = null;
      op.fail(this.runtime.timersExhausted());
      return;
    }
    op.handle = handle;
    this.waiting = op;
  }
}

const BEHAVIORS = ["burst", "delay", "skip"];
const PERIOD = "a positive finite number of milliseconds";

/**
 * An interval on the current runtime ticking every `periodMs` milliseconds (a positive
 * finite number, rounded up to whole ms; `interval(0)` is a `RangeError`). The first tick
 * completes at once. Allocates: the interval.
 *
 * @example
 * ```ts
 * const heartbeat = interval(250);
 * await heartbeat.tick(); // the first tick is immediate
 * await heartbeat.tick(); // then every 250 ms
 * heartbeat.cancel();
 * ```
 */
export function interval(periodMs: number, options?: IntervalOptions): Interval {
  if (typeof periodMs !== "number" || periodMs !== periodMs) throw invalidArgument("periodMs", PERIOD, periodMs);
  if (periodMs <= 0 || periodMs === Infinity) throw outOfRange("periodMs", PERIOD, periodMs);
  checkOptions(options);
  const behavior = options && options.missedTickBehavior !== undefined ? options.missedTickBehavior : "burst";
  if (BEHAVIORS.indexOf(behavior) < 0) {
    throw invalidArgument("options.missedTickBehavior", '"burst", "delay" or "skip"', behavior);
  }
  return new Interval(currentRuntime(), Math.ceil(periodMs), behavior);
}
