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
import { abortReason, cancelledError, checkInteger } from "../core/errors";
import { Op } from "../core/op";
import { NIL, NodePool, PoolStats, SLOT_SPAN } from "../core/pool";

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
  /** @internal The JoinSet it belongs to and its index there. */
  set: TaskSetMember | null = null;
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
  /** @internal Set when the handle was cancelled, with the reason given. */
  wasCancelled = false;
  cancelReason: unknown = undefined;

  /** Cancels like `abort`; true until the handle's result was delivered. */
  cancel(reason?: unknown): boolean {
    const before = this.cancelReason;
    this.cancelReason = reason;
    const cancelled = super.cancel(reason);
    if (cancelled) {
      this.succeeded = false;
      this.wasCancelled = true;
    } else this.cancelReason = before;
    return cancelled;
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

  protected abandon(): void {
    const reason = this.cancelReason;
    if (this.owner !== null) this.owner.abortTask(this as JoinHandle<unknown>, reason !== undefined ? reason : abortReason("the task was aborted"));
    if (this.set !== null) this.set.taskDone(this as JoinHandle<unknown>);
  }
}

/**
 * The task table: a `NodePool` named "tasks" (slots, generations, growth, stats) whose
 * `token` column holds each task's state, and the live tasks' handles indexed by slot.
 */
export class TaskTable {
  readonly pool: NodePool;
  handles: Array<JoinHandle<unknown> | null> = [];

  /** Allocates: on construction, and when the table doubles (up to `maxCapacity`). */
  constructor(capacity: number, maxCapacity: number) {
    checkInteger("options.maxTasks", maxCapacity, 1, SLOT_SPAN);
    this.pool = new NodePool({ capacity: capacity < maxCapacity ? capacity : maxCapacity, maxCapacity: maxCapacity, name: "tasks" });
  }

  /** Each slot's state (`TASK_*`); read it afresh, never keep the column. */
  get state(): Int32Array {
    return this.pool.token;
  }

  /** A free slot holding `handle` (state `SCHEDULED`), or -1 when the table is full. */
  alloc(handle: JoinHandle<unknown>): number {
    const pool = this.pool;
    const slot = pool.alloc();
    if (slot === NIL) return -1;
    pool.token[slot] = TASK_SCHEDULED;
    for (let i = this.handles.length; i < pool.capacity; i++) this.handles.push(null);
    this.handles[slot] = handle;
    return slot;
  }

  free(slot: number): void {
    this.pool.token[slot] = TASK_FREE;
    this.handles[slot] = null;
    this.pool.free(slot);
  }

  /** The task's id: its slot tagged with the slot's generation, so a kept id goes stale. */
  idOf(slot: number): number {
    return this.pool.handleOf(slot);
  }

  stats(): PoolStats {
    return this.pool.stats();
  }
}

/** A ring of slot numbers (the start queue): bounded by the table, grown with it. */
export class SlotRing {
  private items: Int32Array;
  private head = 0;
  length = 0;

  constructor(capacity: number) {
    this.items = new Int32Array(capacity);
  }

  push(slot: number): void {
    const size = this.items.length;
    if (this.length === size) {
      const grown = new Int32Array(size * 2);
      for (let i = 0; i < size; i++) grown[i] = this.items[(this.head + i) % size];
      this.items = grown;
      this.head = 0;
    }
    this.items[(this.head + this.length) % this.items.length] = slot;
    this.length++;
  }

  shift(): number {
    const slot = this.items[this.head];
    this.head = (this.head + 1) % this.items.length;
    this.length--;
    return slot;
  }
}
