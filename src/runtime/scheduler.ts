/**
 * The scheduler: turns, the cooperative budget, and the host timer.
 *
 * A *turn* starts tasks and delivers completed ops from the runtime's own
 * ready queue (the scheduler is its delivery host), at most `budget` of them between two
 * host events. Under budget the next chunk runs from a resolved-promise
 * callback, so native continuations (the code after an `await`) run between chunks; once
 * the budget is spent the scheduler asks the HAL for a wake and continues on `EV_WAKE`, so
 * a task that never waits on I/O cannot starve timers and sockets (SPEC §6).
 *
 * Implementation notes:
 * - The budget counts deliveries (fast-path completions included) and task starts since the
 *   last HAL event; every event the HAL delivers starts a new window, except the wake that
 *   only answers a `yieldNow` (asked for with budget left): `yieldNow` counts against the
 *   budget like any delivery, so a task spinning on it still spends it, and the HAL is told
 *   which wakes come from a spent budget (`wake(true)`: the sim moves its clock only for
 *   those, SPEC §10). It is spent only on
 *   *delivery*: an op's place in its queue — who gets a resource — was fixed when the op was
 *   created, so deferring a delivery never changes the order (unlike Tokio #8365, where a
 *   task out of budget did not even enqueue).
 * - `queue.deliver(n)` is only ever called with `n <=` the queue's length, so it delivers
 *   exactly `n` and the count is exact even when deliveries queue more ops.
 * - Context (SPEC §6, "state is per runtime"): a turn and a HAL event make this runtime's
 *   queue the current one (`setCurrentReadyQueue`) and leave it so for the native
 *   microtasks that follow: the code after an `await` runs there. A turn requested while
 *   another runtime's code runs waits for a wake instead of a microtask, so every host
 *   callback, and the microtasks it sets off, belong to one runtime.
 * - The host timer is reconciled once per turn (`timerDirty`), not per insert or cancel: a
 *   burst of sleeps that are armed and cancelled within one turn costs no host call. It is
 *   armed for the wheel's next deadline, or left armed when it is already earlier (it then
 *   fires early, finds nothing due, and is re-armed), and cancelled when no timer is left.
 * - `inTurn` guards re-entrancy: a delivery that spawns or completes ops only adds to the
 *   rings the running loop is draining.
 */

import { reportError } from "../core/errors";
import { currentReadyQueue, DeliveryHost, ReadyQueue, resolved, setCurrentReadyQueue } from "../core/op";
import { Ring } from "../core/ring";
import { NO_FAULT, WAKE_CLOSED, Waker, wakeCatching } from "../core/waker";
import { EV_TIMER, EV_WAKE, HalSink, MAX_HOST_DELAY, TimeHal } from "./host";
import { TimerWheel } from "./time/wheel";

/** `pendingWake`: no wake asked for, one asked for (a `yieldNow`, a turn for this runtime), one owed to a spent budget. */
const NO_WAKE = 0;
const WAKE_ASKED = 1;
const WAKE_FOR_BUDGET = 2;

/** Something completed on the next host turn (`yieldNow`, the start of a `run` main). */
export interface Deferred {
  complete(value: undefined): void;
  fail(error: unknown): void;
}

/** What the scheduler calls back into: the runtime's task table, once it has one. */
export interface TaskStarter {
  /** @internal Slots of the tasks spawned and not started yet, oldest first. */
  readonly starts: Ring<number>;
  /** @internal Starts the oldest task in `starts`. */
  startNext(): void;
}

export class Scheduler implements DeliveryHost {
  /** @internal Deliveries and task starts since the last HAL event (a `yieldNow` wake does not count). */
  spent = 0;
  /** The runtime's ready queue: ops created in its context are delivered from here. */
  readonly queue: ReadyQueue;
  /** @internal True while a turn runs (tasks and mains started from it run synchronously inside). */
  inTurn = false;
  /** `run` calls of this runtime whose main has not settled. */
  runs = 0;
  private turnScheduled = false;
  /** The wake asked for and not yet arrived: `NO_WAKE`, `WAKE_ASKED` or `WAKE_FOR_BUDGET`. */
  private pendingWake = NO_WAKE;
  private timerDirty = false;
  /** @internal Deadline the host timer is armed for, or -1 (`Runtime.hostTimerArmed` reads it). */
  armedAt = -1;
  private lastNow = 0;
  private readonly deferred = new Ring<Deferred>(8);
  private readonly turnFn: () => void;
  private readonly wakeFallback: () => void;
  /** @internal Socket events go here (installed by the io layer). */
  socketEvents: HalSink | null = null;
  /** The runtime's task table (installed by its first spawn). */
  tasks: TaskStarter | null = null;

  constructor(
    readonly hal: TimeHal,
    readonly budget: number,
    private readonly wheel: TimerWheel,
    owner: unknown,
  ) {
    const self = this;
    this.queue = new ReadyQueue(this, owner);
    this.turnFn = function () {
      self.turnScheduled = false;
      self.turn();
    };
    this.wakeFallback = function () {
      self.onHalEvent(EV_WAKE, 0, 0);
    };
    hal.setSink(function (kind: number, handle: number, arg: number) {
      self.onHalEvent(kind, handle, arg);
    });
  }

  /** Integer milliseconds, never going back. Allocates: never. */
  now(): number {
    const t = Math.floor(this.hal.now());
    if (t > this.lastNow) this.lastNow = t;
    return this.lastNow;
  }

  /** DeliveryHost: a delivery at once, counted against the budget while it has room. */
  admit(): boolean {
    if (this.spent >= this.budget) return false;
    this.spent++;
    return true;
  }

  /**
   * DeliveryHost (the runtime's ready queue has ops to deliver), and for tasks spawned and
   * timers changed: makes sure a turn will run: soon (a resolved-promise callback), or after the next wake
   * when the budget is spent or, while a `run` is active, when another runtime's code is
   * what runs now: the turn and the continuations it resumes then get a host callback of
   * this runtime's own.
   */
  request(): void {
    if (this.inTurn || this.turnScheduled || this.pendingWake !== NO_WAKE) return;
    if (this.spent >= this.budget || resolved === null || (this.runs > 0 && currentReadyQueue() !== this.queue)) {
      this.yieldToHost();
      return;
    }
    this.turnScheduled = true;
    resolved.then(this.turnFn);
  }

  /**
   * Hands control back to the host; the scheduler continues on `EV_WAKE`. A wake already asked
   * for serves, unless the budget is spent now and it was not asked for that: the HAL is told.
   */
  private yieldToHost(): void {
    const spent = this.spent >= this.budget;
    if (this.pendingWake === WAKE_FOR_BUDGET || (this.pendingWake === WAKE_ASKED && !spent)) return;
    this.pendingWake = spent ? WAKE_FOR_BUDGET : WAKE_ASKED;
    this.callWake(spent);
  }

  /** `hal.wake(forBudget)`; if the embedder's wake() throws, no EV_WAKE is coming: report it and wake from a microtask instead (that turn cannot yield to the host, but nothing is wedged). */
  private callWake(forBudget: boolean): void {
    try {
      this.hal.wake(forBudget);
    } catch (err) {
      reportError(err);
      if (resolved !== null) resolved.then(this.wakeFallback);
      else this.pendingWake = NO_WAKE;
    }
  }

  /** @internal Completes `item` once the runtime has been through a host turn (`yieldNow`, `run`), with this runtime current. */
  completeAfterWake(item: Deferred): void {
    this.deferred.push(item);
    this.yieldToHost();
  }

  /** Inserts a timer; -1 when the timer table is full. Allocates: never (unless the table grows). */
  insertTimer(deadline: number, waker: Waker, token: number): number {
    const handle = this.wheel.insert(deadline, waker, token);
    if (handle >= 0 && (this.armedAt < 0 || deadline < this.armedAt)) this.markTimers();
    return handle;
  }

  /** Cancels a timer; false when it already fired or was cancelled. Allocates: never. */
  removeTimer(handle: number): boolean {
    if (!this.wheel.cancel(handle)) return false;
    if (this.armedAt >= 0) this.markTimers();
    return true;
  }

  private markTimers(): void {
    this.timerDirty = true;
    if (resolved === null && !this.inTurn) this.reconcile();
    else this.request();
  }

  /** Arms, keeps or cancels the one host timer for the wheel's next deadline. */
  private reconcile(): void {
    this.timerDirty = false;
    const next = this.wheel.nextDeadline();
    if (next < 0) {
      if (this.armedAt >= 0) {
        this.armedAt = -1;
        this.callHal(-1);
      }
      return;
    }
    if (this.armedAt >= 0 && this.armedAt <= next) return;
    const now = this.now();
    let delta = next - now;
    if (delta < 0) delta = 0;
    else if (delta > MAX_HOST_DELAY) delta = MAX_HOST_DELAY;
    this.armedAt = now + delta;
    // The embedder's armTimer() threw: nothing is armed, and the next turn tries again.
    if (!this.callHal(delta)) this.armedAt = -1;
  }

  /** `armTimer(delta)`, or `cancelTimer()` for -1; a throw is reported and returns false. */
  private callHal(delta: number): boolean {
    try {
      if (delta < 0) this.hal.cancelTimer();
      else this.hal.armTimer(delta);
      return true;
    } catch (err) {
      // Reported; the host is asked for a wake so that the next turn tries again.
      this.timerDirty = true;
      reportError(err);
      this.yieldToHost();
      return false;
    }
  }

  private onHalEvent(kind: number, handle: number, arg: number): void {
    // This host callback, and (while a run is active) the microtasks that follow it, are ours.
    const previous = setCurrentReadyQueue(this.queue);
    if (kind !== EV_WAKE || this.pendingWake === WAKE_FOR_BUDGET) this.spent = 0;
    if (kind === EV_TIMER) {
      this.armedAt = -1;
      this.timerDirty = true;
      try {
        this.wheel.advance(this.now());
      } catch (err) {
        reportError(err); // a raw insertTimer waker threw; every due timer still fired
      }
    } else if (kind === EV_WAKE) {
      this.pendingWake = NO_WAKE;
      // Only those deferred before this wake: a yield made now waits for the next one.
      for (let n = this.deferred.length; n > 0; n--) (this.deferred.shift() as Deferred).complete(undefined);
    } else if (this.socketEvents !== null) {
      this.socketEvents(kind, handle, arg);
    }
    this.turn();
    if (this.runs === 0) setCurrentReadyQueue(previous);
  }

  /**
   * Starts mains and tasks and delivers ops until the budget is spent or nothing is left,
   * with this runtime current (it stays current for the continuations the turn resumes).
   */
  turn(): void {
    if (this.inTurn) return;
    this.inTurn = true;
    const budget = this.budget;
    const queue = this.queue;
    const previous = setCurrentReadyQueue(queue);
    for (;;) {
      if (this.spent >= budget) break;
      const tasks = this.tasks;
      if (tasks !== null && tasks.starts.length > 0) {
        // Set before each start: a task may run another runtime's code synchronously.
        setCurrentReadyQueue(queue);
        this.spent++;
        tasks.startNext();
        continue;
      }
      const ready = queue.ring.length;
      if (ready === 0) break;
      const room = budget - this.spent;
      const n = ready < room ? ready : room;
      this.spent += n;
      queue.deliver(n); // runs no user code (callbacks run from the promises' own microtasks)
    }
    // Still current for the continuations this turn resumes while a run is active; a runtime
    // with no run gives the context back (it cannot tell its code from others' after a turn).
    setCurrentReadyQueue(this.runs > 0 ? queue : previous);
    this.inTurn = false;
    if ((this.tasks !== null && this.tasks.starts.length > 0) || queue.ring.length > 0) this.yieldToHost();
    if (this.timerDirty) this.reconcile();
  }

  /**
   * Fails what is deferred, wakes every timer with `WAKE_CLOSED` and releases the host timer.
   * Allocates: never.
   */
  close(error: unknown): void {
    for (let n = this.deferred.length; n > 0; n--) (this.deferred.shift() as Deferred).fail(error);
    const pool = this.wheel.pool;
    for (let slot = 0; slot < pool.capacity; slot++) {
      const waker = pool.wakers[slot];
      if (waker === null || waker === undefined) continue;
      const token = pool.token[slot];
      this.wheel.cancel(pool.handleOf(slot));
      const fault = wakeCatching(waker as Waker, token, WAKE_CLOSED);
      if (fault !== NO_FAULT) reportError(fault);
    }
    this.timerDirty = false;
    if (this.armedAt >= 0) {
      this.armedAt = -1;
      this.callHal(-1);
    }
  }
}
