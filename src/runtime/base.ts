/**
 * Runtime: the scheduler and the timer wheel behind one HAL, and the task table once it
 * spawns (created through the factory the public module, runtime.ts, installs; user code
 * reaches runtimes through that module, kyoto's own layers through this one).
 *
 * @example
 * const rt = createRuntime({ budget: 64 });
 * const total = await rt.run(async () => {
 *   const a = spawn(() => 1);
 *   const b = spawn(async () => 2);
 *   return (await a) + (await b);
 * });
 *
 * `run(main)` drives the runtime until `main` settles. `main` is not a task in the table
 * (like Tokio's `block_on`); it is called from a host callback of the runtime's own. Runs
 * nest and interleave. Module-level `spawn`, `yieldNow`, `now`, `sleep`, `timeout`,
 * `interval` and the socket constructors use the current runtime, else a default runtime
 * created on first use from the target's default HAL (`setDefaultHalFactory`).
 *
 * State is per runtime (SPEC §6). Each runtime has its own ready queue and budget: an op is
 * delivered by the runtime that was current when the op was created, under that runtime's
 * budget, so one runtime spending its budget never defers another's deliveries. Ops created
 * outside any runtime go through the core's default queue (one microtask per batch, no budget).
 *
 * Which runtime is current. JavaScript has no portable async context (the code after an
 * `await` runs from a native microtask), so kyoto keeps one "current" slot and arranges
 * who may run when:
 * - Exact on every engine: the synchronous part of a task, of a `run` main and of a turn
 *   (deliveries, timer and socket events) — the runtime sets itself current around them.
 * - Exact on engines where promise reactions are microtasks (Node, QuickJS): after an
 *   `await` of anything a runtime settles (its ops, sleeps, sockets, joins, another `run`),
 *   and after awaits that settle in the same microtask run (`await null`, an async function
 *   that did not wait) — while one of that runtime's `run`s is active. A turn and the
 *   microtasks that follow it belong to one runtime: a runtime sets itself current when its
 *   host callback (wake, timer, socket event) starts and leaves it so for the microtasks
 *   after; a runtime asked for a turn while another's code runs (a release that wakes its
 *   waiter, a spawn, a `run`) takes a host callback of its own instead of a microtask. This
 *   is why `run(main)` starts `main` from a host callback of its own: two mains started from the same code do
 *   not share one microtask run.
 * - Not exact: after an `await` of something the host settles outside kyoto (a host
 *   `setTimeout` wrapped in a promise, a host I/O callback) while two runtimes' runs are
 *   active, the current runtime is the one whose host callback ran last; and on Espruino,
 *   where promise reactions are queued events rather than microtasks, the same holds after
 *   any await (only the synchronous parts above are exact there). With a single active
 *   runtime, or runs that only nest, it is that runtime in every case.
 * - A runtime whose `run`s have all ended is current only inside its own turns; code after
 *   an await in one of its leftover tasks (and all code outside any runtime) uses the
 *   default runtime and the default queue.
 * Node's `AsyncLocalStorage` would close the first gap, but on Node 20 it installs promise
 * hooks that cost every promise in the process: measured 2.5–4× slower on an awaited
 * acquire+release and on a contended hand-off inside a run, so kyoto does not use it.
 *
 * For the time layer (`src/time`, above this one): timers are inserted with
 * `insertTimer(deadline, waker, token)` (absolute integer ms from `now()`; -1 when the timer
 * table is full, and `timersExhausted()` is the error to fail with) and removed with
 * `removeTimer(handle)`; the runtime keeps one host timer for
 * the earliest deadline. A timer's waker is called with `WAKE_READY` when it is due, or
 * `WAKE_CLOSED` when the runtime is closed (the sleep should then fail with `ERR_CLOSED`).
 * `Runtime.sleep` cannot import `src/time` (layers go one way), so the time layer registers
 * its implementation at module load with `setSleepHook((runtime, ms, options) => op)`.
 */

import { WaitOptions } from "../core/cancel";
import { checkFunction, checkInteger, checkOptions, closedError, invalidArgument, invalidState, KyotoError } from "../core/errors";
import { currentReadyQueue, Op, setCurrentReadyQueue } from "../core/op";
import { NodePool, PoolStats, SLOT_SPAN } from "../core/pool";
import { Waker } from "../core/waker";
import { defaultWaiterPool } from "../sync/batch_semaphore";
import { TimeHal, defaultHal } from "./host";
import { Scheduler, TaskStarter } from "./scheduler";
import type { JoinHandle, TaskFn } from "./task";
import { TimerWheel } from "./time/wheel";

export interface RuntimeOptions {
  /** The host adapter (default: the target's default HAL). */
  hal?: TimeHal;
  /** Most tasks alive at once (default 65,536); the table starts at 64 and doubles. */
  maxTasks?: number;
  /** Most timers armed at once (default 65,536). */
  maxTimers?: number;
  /** When given, the runtime gets a waiter pool of its own of at most this many waiters (`runtime.waiters`). */
  maxWaiters?: number;
  /** Deliveries per turn before yielding to the host (default 128). */
  budget?: number;
  /** Socket buffers (one per open TCP stream, and per `lines`/`copy` in progress) the runtime may hand out at once (default 16,384). */
  maxBuffers?: number;
  /** Bytes per socket buffer, allocated on first use (default 16,384). */
  bufferSize?: number;
}

/**
 * What the io layer (`src/io/driver.ts`) attaches to a runtime the first time a socket is
 * opened on it: socket events, the buffer pool's stats, and closing every socket with the
 * runtime. The runtime sits below `io`, so it only knows this shape.
 */
export interface IoAttachment {
  onEvent(kind: number, handle: number, arg: number): void;
  bufferStats(): PoolStats;
  close(reason: unknown): void;
}

export interface RuntimeStats {
  tasks: PoolStats;
  timers: PoolStats;
  waiters: PoolStats;
  buffers: PoolStats;
}

type SleepHook = (runtime: Runtime, ms: number, options?: WaitOptions) => Op<void>;
let sleepHook: SleepHook | null = null;

/** @internal Called by the time layer at module load so that `Runtime.sleep` works. Allocates: never. */
export function setSleepHook(hook: SleepHook): void {
  sleepHook = hook;
}

/**
 * A runtime's tasks (`TaskTable` in task.ts): the table, the start queue and what spawning,
 * starting, counting and closing tasks takes. The runtime creates it on its first `spawn`
 * through the factory the public runtime module installs, so an app that never spawns
 * carries no task code.
 */
export interface RuntimeTasks extends TaskStarter {
  spawn<T>(fn: TaskFn<T>): JoinHandle<T>;
  stats(): PoolStats;
  /** Aborts every live task with `reason` (their handles reject `ERR_CANCELLED`). */
  abortLiveTasks(reason: unknown): void;
}

/** Builds a runtime's task table; `maxTasks` was checked by the runtime. */
export type TaskTableFactory = (runtime: Runtime, scheduler: Scheduler, maxTasks: number) => RuntimeTasks;
let taskTableFactory: TaskTableFactory | null = null;

/** @internal Called by the public runtime module (runtime.ts) at module load so that `Runtime.spawn` works. Allocates: never. */
export function setTaskTableFactory(factory: TaskTableFactory): void {
  taskTableFactory = factory;
}

/** @internal A runtime table's first capacity (tasks, timers, its own waiters): 64 slots, or `max` when lower; it doubles from there. */
export function firstCapacity(max: number): number {
  return max < 64 ? max : 64;
}

let defaultRuntime: Runtime | null = null;

/**
 * A scheduler with its task table, timer wheel and HAL: `run(main)` makes it current, and
 * `spawn`, `sleep` and `now` act on it.
 *
 * @example
 * ```ts
 * const rt = createRuntime();
 * const answer = await rt.run(async () => {
 *   const task = rt.spawn(async () => {
 *     await rt.sleep(5);
 *     return 21;
 *   });
 *   return (await task) * 2;
 * });
 * console.log(answer, rt.stats().tasks.peak); // 42 1
 * rt.close();
 * ```
 */
export class Runtime {
  /**
   * The waiter pool reported by `stats().waiters`: the shared default pool, or one of the
   * runtime's own when `maxWaiters` was given (pass it to primitives as `{ pool }`).
   */
  readonly waiters: NodePool;
  /** The HAL this runtime drives. */
  readonly hal: TimeHal;
  /** Created by the first `spawn`. */
  private tasks: RuntimeTasks | null = null;
  private readonly maxTasks: number;
  private readonly wheel: TimerWheel;
  private readonly scheduler: Scheduler;
  /** Socket buffers this runtime may hand out at once, and their size (read by the io layer). */
  readonly maxBuffers: number;
  readonly bufferSize: number;
  private closed = false;
  private ioAttachment: IoAttachment | null = null;

  /** Allocates: on construction (the tables). */
  constructor(options?: RuntimeOptions) {
    const o = checkOptions(options) || {};
    this.maxTasks = integerOption(o, "maxTasks", 65536, 1, SLOT_SPAN);
    const maxTimers = integerOption(o, "maxTimers", 65536, 1, SLOT_SPAN);
    const budget = integerOption(o, "budget", 128, 1, 1073741824);
    this.maxBuffers = integerOption(o, "maxBuffers", 16384, 1, 4194304);
    this.bufferSize = integerOption(o, "bufferSize", 16384, 64, 16777216);
    this.wheel = new TimerWheel({ capacity: firstCapacity(maxTimers), maxCapacity: maxTimers });
    // 0: not given (the least it takes is 1).
    const maxWaiters = integerOption(o, "maxWaiters", 0, 1, SLOT_SPAN);
    if (maxWaiters === 0) this.waiters = defaultWaiterPool();
    else {
      this.waiters = new NodePool({ capacity: firstCapacity(maxWaiters), maxCapacity: maxWaiters, name: "waiters" });
    }
    const hal = o.hal === undefined ? defaultHal() : o.hal;
    if (hal === null || typeof hal !== "object" || typeof hal.setSink !== "function") throw invalidArgument("options.hal", "a HAL object", hal);
    this.hal = hal;
    this.scheduler = new Scheduler(hal, budget, this.wheel, this);
  }

  /**
   * Runs `main()` and drives the runtime until its result settles; resolves with it (a
   * Promise where Promise exists, else an Op). `main` is called once the runtime has been
   * through the host (like after a `yieldNow`), with this runtime current, never inside
   * `run` itself; it is refused with `ERR_CLOSED` if the runtime closes first. Allocates: per call (the op, the promise).
   */
  run<T>(main: () => T | PromiseLike<T> | Op<T>): Promise<T> {
    checkFunction("main", main);
    const op = new Op<T>();
    if (this.closed) op.fail(closedError("the runtime"));
    else {
      if (this.scheduler.runs++ === 0) this.scheduler.spent = 0;
      const self = this;
      const onValue = function (value: unknown): void {
        self.exit();
        op.complete(value as T);
      };
      const onError = function (error: unknown): void {
        self.exit();
        op.fail(error);
      };
      this.scheduler.completeAfterWake({
        complete(): void {
          settleWith(main, onValue, onError);
        },
        fail: onError,
      });
    }
    if (typeof Promise !== "function") return op as unknown as Promise<T>;
    return new Promise<T>(function (resolve, reject) {
      op.then(resolve, reject);
    });
  }

  /**
   * Spawns a task: `fn({ signal, id })` is called on the runtime's next turn. The handle
   * rejects `ERR_POOL_EXHAUSTED` (pool "tasks") when the table is full and `ERR_CLOSED` after
   * `close()`; nothing else is affected. Allocates: per call (the handle, its signal), and the
   * task table on the first call.
   */
  spawn<T>(fn: TaskFn<T>): JoinHandle<T> {
    let tasks = this.tasks;
    if (tasks === null) {
      if (taskTableFactory === null) throw invalidState("Runtime.spawn needs kyoto's task module (src/runtime/runtime)");
      tasks = this.tasks = taskTableFactory(this, this.scheduler, this.maxTasks);
      this.scheduler.tasks = tasks;
    }
    return tasks.spawn(fn);
  }

  /** An op completing after the runtime's next trip through the host. Allocates: the op. */
  yieldNow(): Op<void> {
    const op = new Op<void>();
    if (this.closed) op.fail(closedError("the runtime"));
    else this.scheduler.completeAfterWake(op);
    return op;
  }

  /** Sleeps `ms` on this runtime (needs kyoto's time module, which registers it). */
  sleep(ms: number, options?: WaitOptions): Op<void> {
    if (sleepHook === null) throw invalidState("Runtime.sleep needs kyoto's time module (src/time/sleep)");
    return sleepHook(this, ms, options);
  }

  /** Monotonic integer milliseconds. Allocates: never. */
  now(): number {
    return this.scheduler.now();
  }

  /** Arms a timer for the absolute `deadline`; -1 when the timer table is full. Allocates: never. */
  insertTimer(deadline: number, waker: Waker, token: number): number {
    return this.scheduler.insertTimer(deadline, waker, token);
  }

  /** The error for a full timer table (`ERR_POOL_EXHAUSTED`, pool "timers"). Allocates: the error. */
  timersExhausted(): KyotoError {
    return this.wheel.pool.exhausted();
  }

  /** Disarms a timer; false when it already fired or was removed. Allocates: never. */
  removeTimer(handle: number): boolean {
    return this.scheduler.removeTimer(handle);
  }

  /** The io layer's attachment, or null before the first socket. */
  io(): IoAttachment | null {
    return this.ioAttachment;
  }

  /** Attaches the io layer: socket events (`EV_READABLE` … `EV_ERROR`) go to it from now on. */
  attachIo(io: IoAttachment): void {
    this.ioAttachment = io;
    this.scheduler.socketEvents = function (kind: number, handle: number, arg: number) {
      io.onEvent(kind, handle, arg);
    };
  }

  /** Live, peak and capacity of each table. Allocates: the result objects. */
  stats(): RuntimeStats {
    return {
      tasks: this.tasks !== null ? this.tasks.stats() : { live: 0, peak: 0, capacity: firstCapacity(this.maxTasks) },
      timers: this.wheel.stats(),
      waiters: this.waiters.stats(),
      buffers: this.ioAttachment === null ? { live: 0, peak: 0, capacity: this.maxBuffers } : this.ioAttachment.bufferStats(),
    };
  }

  /** True while the host timer is armed. */
  hostTimerArmed(): boolean {
    return this.scheduler.armedAt >= 0;
  }

  isClosed(): boolean {
    return this.closed;
  }

  /**
   * Aborts every task left (handles reject `ERR_CANCELLED`, cause `ERR_CLOSED`), closes every
   * socket (pending socket ops reject `ERR_CLOSED`), wakes every timer with `WAKE_CLOSED`,
   * fails pending `yieldNow` ops and releases the host timer. Later
   * spawns and runs fail with `ERR_CLOSED`. Idempotent. Allocates: the errors.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const reason = closedError("the runtime");
    if (this.tasks !== null) this.tasks.abortLiveTasks(reason);
    if (this.ioAttachment !== null) this.ioAttachment.close(reason);
    this.scheduler.close(reason);
    if (defaultRuntime === this) defaultRuntime = null;
  }

  /** @internal True while this runtime's code runs: a turn of its own, or (after an await) any code while one of its `run`s is active. */
  isCurrent(): boolean {
    return this.scheduler.runs > 0 || this.scheduler.inTurn;
  }

  private exit(): void {
    // The last run ended: the code that follows is nobody's (a turn of ours sets it again).
    if (--this.scheduler.runs === 0 && currentReadyQueue() === this.scheduler.queue) setCurrentReadyQueue(null);
  }
}

/** `options[name]` checked as an integer from `min` to `max`, or `fallback` when not given. */
function integerOption(options: RuntimeOptions, name: "maxTasks" | "maxTimers" | "maxWaiters" | "budget" | "maxBuffers" | "bufferSize", fallback: number, min: number, max: number): number {
  const value = options[name];
  return value === undefined ? fallback : checkInteger("options." + name, value, min, max);
}

/** @internal True for an object or function with a `then` method. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as PromiseLike<unknown>).then === "function";
}

/** @internal Calls `fn` and reports its value (awaited when it is a thenable) or its exception. */
export function settleWith(fn: () => unknown, onValue: (value: unknown) => void, onError: (error: unknown) => void): void {
  let result: unknown;
  try {
    result = fn();
  } catch (err) {
    onError(err);
    return;
  }
  if (!isThenable(result)) {
    onValue(result);
    return;
  }
  // A foreign thenable may call back twice, or throw after calling back: only the first counts.
  let settled = false;
  const once = function (ok: boolean, value: unknown): void {
    if (settled) return;
    settled = true;
    if (ok) onValue(value);
    else onError(value);
  };
  try {
    (result as PromiseLike<unknown>).then(
      function (value: unknown) {
        once(true, value);
      },
      function (error: unknown) {
        once(false, error);
      },
    );
  } catch (err) {
    once(false, err);
  }
}

/**
 * The runtime whose code is running, else the default runtime (created on first use): the
 * runtime whose task, `run` main or turn is executing; after an `await`, the runtime whose
 * host callback resumed the code (exact for awaits kyoto settles, see the module doc) while
 * one of its `run`s is active.
 *
 * @example
 * ```ts
 * const rt = createRuntime();
 * await rt.run(() => {
 *   console.log(currentRuntime() === rt); // true
 * });
 * rt.close();
 * ```
 */
export function currentRuntime(): Runtime {
  const owner = currentReadyQueue().owner as Runtime | null;
  if (owner !== null && owner.isCurrent()) return owner;
  if (defaultRuntime === null) defaultRuntime = new Runtime();
  return defaultRuntime;
}

/**
 * An op completing after the current runtime's next trip through the host.
 *
 * @example
 * ```ts
 * let sum = 0;
 * for (let i = 0; i < 100_000; i++) {
 *   sum += i;
 *   if (i % 1000 === 0) await yieldNow(); // let timers and other tasks run
 * }
 * ```
 */
export function yieldNow(): Op<void> {
  return currentRuntime().yieldNow();
}

/**
 * The current runtime's clock: monotonic integer milliseconds.
 *
 * @example
 * ```ts
 * const start = now();
 * await sleep(50);
 * console.log(now() - start >= 50); // true
 * ```
 */
export function now(): number {
  return currentRuntime().now();
}
