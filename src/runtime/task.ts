/**
 * Tasks: the preallocated task table and `JoinHandle`, the op a `spawn` returns.
 *
 * A task is a function `fn({ signal, id })` returning a value or a thenable. The runtime
 * starts it on its next turn (never inside `spawn`), and its table slot stays taken until the
 * function's result settles. `JoinHandle<T>` is an `Op<T>`: await it for the task's value or
 * error; `abort()` (or `cancel()`) aborts the task's signal — every op the task created with
 * that signal is cancelled and returns what it held — and rejects the handle with
 * `ERR_CANCELLED` at once, even if the task ignores its signal.
 *
 * Implementation notes:
 * - The table is a `NodePool`: states live in its `token` column, handles in an array by
 *   slot. An id is the slot's pool handle (`generation * SLOT_SPAN + slot`), so an id kept
 *   past the task's end is recognisably stale.
 * - A task aborted before it started keeps its slot (state `ABORTED`) until the start ring
 *   reaches it, so the ring never holds a slot that was reused meanwhile.
 * - A running task that was aborted keeps its slot until its function settles: `stats()`
 *   counts work that is still running, even if nobody waits for it any more.
 */

import { CancelSignal } from "../core/cancel";
import { abortReason, cancelledError, checkFunction, closedError } from "../core/errors";
import { Op } from "../core/op";
import { NIL, NodePool, PoolStats } from "../core/pool";
import { Ring } from "../core/ring";
import { firstCapacity, Runtime, RuntimeTasks, settleWith } from "./base";
import { Scheduler } from "./scheduler";

/** Slot is free. */
export const TASK_FREE = 0;
/** Spawned, waiting in the start ring. */
export const TASK_SCHEDULED = 1;
/** Its function was called and has not settled. */
export const TASK_RUNNING = 2;
/** Aborted before it started; freed when the start ring reaches it. */
export const TASK_ABORTED = 3;

/** What a task function receives. */
export interface TaskContext {
  /** Aborted when the task's handle is aborted or its runtime closes. */
  readonly signal: CancelSignal;
  /** The task's id (the handle's `id`). */
  readonly id: number;
}

export type TaskFn<T> = (task: TaskContext) => T | PromiseLike<T> | Op<T>;

/** What a handle needs from its runtime (an interface, so that task.ts needs no runtime import). */
export interface TaskOwner {
  /** @internal */
  abortTask(handle: JoinHandle<unknown>, reason: unknown): void;
}

/** What a JoinSet needs to hear from its handles. */
export interface TaskSetMember {
  /** @internal */
  taskDone(handle: JoinHandle<unknown>): void;
}

/**
 * The op for a spawned task's result. `id` names the task; `isFinished()` is true once the
 * handle is settled (the task finished, failed or was aborted).
 *
 * @example
 * ```ts
 * const handle: JoinHandle<number> = spawn(() => 6 * 7);
 * console.log(await handle, handle.isFinished()); // 42 true
 * ```
 */
export class JoinHandle<T> extends Op<T> {
  /** The task's id: generation-tagged, unique among live tasks; -1 when the spawn failed. */
  id = -1;
  /** @internal Table slot while the task holds one, else -1. */
  slot = -1;
  /** @internal The task's signal. */
  readonly signal = new CancelSignal();
  /** @internal The function, kept until the task starts. */
  fn: TaskFn<T> | null;
  /** @internal The JoinSet it belongs to. */
  set: TaskSetMember | null = null;
  /** @internal Its index in that JoinSet. */
  setIndex = -1;

  constructor(private readonly owner: TaskOwner | null, fn: TaskFn<T> | null) {
    super();
    this.fn = fn;
  }

  /**
   * Aborts the task (a no-op once it finished): its signal fires with `reason` and the handle
   * rejects with `ERR_CANCELLED` now. Allocates: the error (and a default abort reason).
   */
  abort(reason?: unknown): void {
    if (!this.isDone()) this.cancel(reason);
  }

  /** True once the handle is settled. */
  isFinished(): boolean {
    return this.isDone();
  }

  /** @internal True when the handle holds the task's value (not an error, not cancelled). */
  succeeded = false;
  /** @internal The task's value or error once settled by the task. */
  outcome: unknown = undefined;
  /** @internal Set when the handle was cancelled. */
  wasCancelled = false;
  /** @internal The reason given to that cancel. */
  cancelReason: unknown = undefined;

  /** Cancels like `abort`; true until the handle's result was delivered. */
  cancel(reason?: unknown): boolean {
    if (this.wasTaken()) return false;
    // Recorded before the hooks run: `abandon` tells the JoinSet, which may hand the handle
    // to a waiting `joinNext` at once.
    this.succeeded = false;
    this.wasCancelled = true;
    this.cancelReason = reason;
    return super.cancel(reason);
  }

  /** @internal The error a joiner sees when the handle did not succeed. */
  failure(): unknown {
    return this.wasCancelled ? cancelledError(this.cancelReason) : this.outcome;
  }

  /** @internal Settles the handle with the task's outcome (ignored once aborted). */
  settle(ok: boolean, value: unknown): void {
    if (this.isDone()) return;
    this.succeeded = ok;
    this.outcome = value;
    if (ok) this.complete(value as T);
    else this.fail(value);
    if (this.set !== null) this.set.taskDone(this as JoinHandle<unknown>);
  }

  protected abandon(reason: unknown): void {
    if (this.owner !== null) this.owner.abortTask(this as JoinHandle<unknown>, reason !== undefined ? reason : abortReason("the task was aborted"));
    if (this.set !== null) this.set.taskDone(this as JoinHandle<unknown>);
  }
}

/**
 * A runtime's task table: a `NodePool` named "tasks" (slots, generations, growth, stats)
 * whose `token` column holds each task's state, the live tasks' handles indexed by slot, and
 * the start queue. The runtime creates it on its first spawn (`setTaskTableFactory`).
 */
export class TaskTable implements RuntimeTasks, TaskOwner {
  readonly pool: NodePool;
  private readonly handles: Array<JoinHandle<unknown> | null> = [];
  /** @internal Slots spawned and not started yet, oldest first (a task aborted meanwhile keeps its slot until then). */
  readonly starts = new Ring<number>(8);

  /** Allocates: on construction, and when the table doubles (up to `maxTasks`). */
  constructor(private readonly runtime: Runtime, private readonly scheduler: Scheduler, maxTasks: number) {
    this.pool = new NodePool({ capacity: firstCapacity(maxTasks), maxCapacity: maxTasks, name: "tasks" });
  }

  /**
   * `Runtime.spawn`: a handle for `fn`, started on the runtime's next turn; failed at once
   * with `ERR_CLOSED` after `close()`, or `ERR_POOL_EXHAUSTED` when the table is full.
   */
  spawn<T>(fn: TaskFn<T>): JoinHandle<T> {
    checkFunction("fn", fn);
    const handle = new JoinHandle<T>(this, fn);
    if (this.runtime.isClosed()) {
      handle.fn = null;
      handle.settle(false, closedError("the runtime"));
      return handle;
    }
    const pool = this.pool;
    const slot = pool.alloc();
    if (slot === NIL) {
      handle.fn = null;
      handle.settle(false, pool.exhausted());
      return handle;
    }
    pool.token[slot] = TASK_SCHEDULED;
    for (let i = this.handles.length; i < pool.capacity; i++) this.handles.push(null);
    this.handles[slot] = handle as JoinHandle<unknown>;
    handle.slot = slot;
    // The slot tagged with its generation, so a kept id goes stale.
    handle.id = pool.handleOf(slot);
    this.starts.push(slot);
    this.scheduler.request();
    return handle;
  }

  /** @internal Scheduler: starts the oldest spawned task (or frees its slot when it was aborted first). */
  startNext(): void {
    const slot = this.starts.shift() as number;
    const state = this.pool.token;
    const handle = this.handles[slot] as JoinHandle<unknown>;
    if (state[slot] === TASK_ABORTED) {
      handle.slot = -1;
      this.free(slot);
      return;
    }
    state[slot] = TASK_RUNNING;
    const fn = handle.fn as TaskFn<unknown>;
    handle.fn = null;
    const self = this;
    const context = { signal: handle.signal, id: handle.id };
    settleWith(
      function () {
        return fn(context);
      },
      function (value: unknown) {
        self.finish(handle, true, value);
      },
      function (error: unknown) {
        self.finish(handle, false, error);
      },
    );
  }

  /** @internal TaskOwner: a handle was aborted. */
  abortTask(handle: JoinHandle<unknown>, reason: unknown): void {
    const slot = handle.slot;
    const state = this.pool.token;
    if (slot >= 0 && this.handles[slot] === handle && state[slot] !== TASK_RUNNING) {
      state[slot] = TASK_ABORTED;
      handle.fn = null;
    }
    handle.signal.fire(reason);
  }

  abortLiveTasks(reason: unknown): void {
    const handles = this.handles;
    for (let slot = 0; slot < handles.length; slot++) {
      const handle = handles[slot];
      if (handle !== null) handle.abort(reason);
    }
  }

  stats(): PoolStats {
    return this.pool.stats();
  }

  private finish(handle: JoinHandle<unknown>, ok: boolean, value: unknown): void {
    const slot = handle.slot;
    if (slot >= 0) {
      handle.slot = -1;
      this.free(slot);
    }
    handle.settle(ok, value);
  }

  private free(slot: number): void {
    this.pool.token[slot] = TASK_FREE;
    this.handles[slot] = null;
    this.pool.free(slot);
  }
}
