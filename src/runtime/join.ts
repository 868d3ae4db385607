/**
 * Waiting for many: `join([ops])`, `tryJoin([ops])` and `JoinSet`.
 *
 * @example
 * const [a, b] = await join([sem.acquire(), rx.recv()]);
 *
 * const set = new JoinSet<number>();
 * for (let i = 0; i < 10; i++) set.spawn(() => work(i));
 * for (let r = await set.joinNext(); r !== undefined; r = await set.joinNext()) total += r;
 *
 * `join` waits for every op, then resolves with their values in order or rejects with the
 * first failure (in time). `tryJoin` rejects at the first failure and cancels the others
 * (ops not yet taken give back what they held). Unlike `Promise.all`, a join that fails or
 * is cancelled loses nothing: it owns its op inputs (`GroupOp`, rules in `src/core/op.ts`),
 * completes without taking their results and takes them only when its own result is taken,
 * so until then each input can still be cancelled and give back what it holds. The result
 * type follows the inputs: `join([sem.acquire(), rx.recv()])` is `Op<[Permit, T | undefined]>`.
 *
 * `JoinSet` holds spawned tasks; `joinNext()` resolves with results in completion order, an
 * aborted task as an `ERR_CANCELLED` rejection, and `undefined` once the set is empty.
 */

import { WaitOptions, signalOf } from "../core/cancel";
import { Op, readyOp } from "../core/op";
import { Ring } from "../core/ring";
import { currentRuntime } from "./runtime";
import { Awaitable, checkInputs, GONE, GroupOp } from "./select";
import { JoinHandle, TaskFn, TaskSetMember } from "./task";

/** `join`'s result for the inputs `Ops`: their values, a tuple for a tuple. */
export type JoinResult<Ops extends readonly unknown[]> = { -readonly [K in keyof Ops]: Awaited<Ops[K]> };

class JoinOp extends GroupOp<unknown[]> {
  /** Values of subscribed (non-op) inputs; owned inputs keep theirs until `commit`. */
  private readonly values: unknown[] = [];
  private remaining: number;
  private failed = false;
  private error: unknown = undefined;

  constructor(inputs: Array<Awaitable<unknown>>, private readonly eager: boolean) {
    super(inputs);
    this.remaining = inputs.length;
    for (let i = 0; i < inputs.length; i++) this.values.push(undefined);
  }

  protected inputDone(index: number, ok: boolean, value: unknown): void {
    if (ok) {
      if (!this.owned[index]) this.values[index] = value;
    } else if (this.eager) {
      this.fail(value);
      this.cancelInputs(index);
      return;
    } else if (!this.failed) {
      this.failed = true;
      this.error = value;
    }
    if (--this.remaining > 0) return;
    if (this.failed) {
      // Every input has settled: the ones that succeeded give back what they hold.
      this.fail(this.error);
      this.cancelInputs(-1);
    } else this.complete(this.values);
  }

  /** Takes every owned input's value now (each input's own commit runs). */
  protected commit(values: unknown[]): void {
    const owned = this.owned;
    for (let i = 0; i < owned.length; i++) {
      if (!owned[i]) continue;
      const value = this.takeInput(i);
      if (value === GONE) return;
      values[i] = value;
    }
  }

  protected giveBack(): void {
    this.cancelInputs(-1);
  }
}

/**
 * Waits for every op; resolves with their values in order, or rejects with the first failure
 * once all have settled (the others give back what they hold). `join([])` resolves `[]`.
 * `{ signal }` cancels the join and every input. Allocates: per call (the op, the values, a
 * callback pair per non-op input).
 *
 * @example
 * ```ts
 * const [tx, rx] = channel<number>(4);
 * tx.trySend(1);
 * tx.trySend(2);
 * console.log(await join([rx.recv(), rx.recv()])); // [1, 2]
 * ```
 */
export function join<const Ops extends ReadonlyArray<Awaitable<unknown>>>(ops: Ops, options?: WaitOptions): Op<JoinResult<Ops>> {
  return start(ops, options, false) as Op<JoinResult<Ops>>;
}

/**
 * Like `join`, but rejects at the first failure and cancels the other ops. `tryJoin([])`
 * resolves `[]`. Allocates: as `join`.
 *
 * @example
 * ```ts
 * const sem = new Semaphore(2);
 * const permits = await tryJoin([sem.acquire(), sem.acquire()]); // all, or none held on failure
 * for (const permit of permits) permit.release();
 * ```
 */
export function tryJoin<const Ops extends ReadonlyArray<Awaitable<unknown>>>(ops: Ops, options?: WaitOptions): Op<JoinResult<Ops>> {
  return start(ops, options, true) as Op<JoinResult<Ops>>;
}

function start(ops: ArrayLike<Awaitable<unknown>>, options: WaitOptions | undefined, eager: boolean): Op<unknown[]> {
  const inputs = checkInputs(ops);
  if (inputs.length > 0) return new JoinOp(inputs, eager).start(options);
  signalOf(options);
  return readyOp<unknown[]>([]);
}

/** `JoinSet.joinNext()`'s op: queued in the set's intrusive list of waiting ops. */
class JoinNextOp<T> extends Op<T | undefined> {
  /** @internal Links in the set's list of waiting ops. */
  prevWaiter: JoinNextOp<T> | null = null;
  /** @internal */
  nextWaiter: JoinNextOp<T> | null = null;
  /** @internal */
  linked = false;
  /** The handle whose result this op holds until delivery. */
  private taken: JoinHandle<T> | null = null;

  constructor(private readonly set: JoinSet<T>) {
    super();
  }

  /** @internal */
  start(signal: ReturnType<typeof signalOf>): JoinNextOp<T> {
    if (this.failIfAborted(signal)) return this;
    this.set.serveOrQueue(this);
    this.watch(signal);
    return this;
  }

  /** @internal Takes a finished task's outcome. */
  take(handle: JoinHandle<T>): void {
    this.taken = handle;
    if (handle.succeeded) this.complete(handle.outcome as T);
    else this.fail(handle.failure());
  }

  /** Cancels; a task result held but not taken (a value or an error) goes back to the front of the set. */
  cancel(reason?: unknown): boolean {
    const handle = this.taken;
    const cancelled = super.cancel(reason);
    if (cancelled && handle !== null) {
      this.taken = null;
      this.set.putBack(handle);
    }
    return cancelled;
  }

  protected abandon(): void {
    this.set.unlink(this);
  }
}

/**
 * A set of spawned tasks, joined in completion order.
 *
 * @example
 * ```ts
 * const set = new JoinSet<number>();
 * for (const ms of [30, 10, 20]) {
 *   set.spawn(async () => {
 *     await sleep(ms);
 *     return ms;
 *   });
 * }
 * for (let ms = await set.joinNext(); ms !== undefined; ms = await set.joinNext()) console.log(ms); // 10 20 30
 * ```
 */
export class JoinSet<T> implements TaskSetMember {
  private readonly running: Array<JoinHandle<T>> = [];
  private readonly finished = new Ring<JoinHandle<T>>(8);
  private head: JoinNextOp<T> | null = null;
  private tail: JoinNextOp<T> | null = null;

  /** Tasks not yet joined (running, or finished and not yet returned by `joinNext`). */
  get size(): number {
    return this.running.length + this.finished.length;
  }

  /**
   * Spawns `fn` on the current runtime and adds it to the set; returns its handle (a failed
   * spawn joins as its error). Allocates: per call (the handle).
   */
  spawn(fn: TaskFn<T>): JoinHandle<T> {
    const handle = currentRuntime().spawn(fn);
    handle.set = this;
    if (handle.isDone()) this.pushFinished(handle);
    else {
      handle.setIndex = this.running.length;
      this.running.push(handle);
    }
    return handle;
  }

  /**
   * The next task to finish: resolves with its value, rejects with its error (`ERR_CANCELLED`
   * when aborted), or resolves `undefined` when the set is empty. Allocates: the op.
   */
  joinNext(options?: WaitOptions): Op<T | undefined> {
    return new JoinNextOp<T>(this).start(signalOf(options));
  }

  /** Aborts every task still running; each then joins as `ERR_CANCELLED`. Allocates: the errors. */
  abortAll(): void {
    const running = this.running.slice();
    for (let i = 0; i < running.length; i++) running[i].abort();
  }

  /** @internal TaskSetMember: a task of this set finished or was aborted. */
  taskDone(handle: JoinHandle<unknown>): void {
    const h = handle as JoinHandle<T>;
    const i = h.setIndex;
    const running = this.running;
    if (i < 0 || running[i] !== h) return;
    const last = running.pop() as JoinHandle<T>;
    if (last !== h) {
      running[i] = last;
      last.setIndex = i;
    }
    h.setIndex = -1;
    this.pushFinished(h);
  }

  /** @internal */
  serveOrQueue(op: JoinNextOp<T>): void {
    if (this.finished.length > 0) op.take(this.finished.shift() as JoinHandle<T>);
    else if (this.running.length === 0) op.complete(undefined);
    else {
      op.linked = true;
      op.prevWaiter = this.tail;
      if (this.tail !== null) this.tail.nextWaiter = op;
      else this.head = op;
      this.tail = op;
    }
  }

  /** @internal */
  unlink(op: JoinNextOp<T>): void {
    if (!op.linked) return;
    op.linked = false;
    if (op.prevWaiter !== null) op.prevWaiter.nextWaiter = op.nextWaiter;
    else this.head = op.nextWaiter;
    if (op.nextWaiter !== null) op.nextWaiter.prevWaiter = op.prevWaiter;
    else this.tail = op.prevWaiter;
    op.prevWaiter = null;
    op.nextWaiter = null;
  }

  /** @internal A joinNext op was cancelled holding `handle`'s result: it goes first again. */
  putBack(handle: JoinHandle<T>): void {
    this.finished.unshift(handle);
    this.serve();
  }

  private pushFinished(handle: JoinHandle<T>): void {
    this.finished.push(handle);
    this.serve();
  }

  private serve(): void {
    while (this.head !== null && this.finished.length > 0) {
      const op = this.head;
      this.unlink(op);
      op.take(this.finished.shift() as JoinHandle<T>);
    }
    // Waiters left with nothing running and nothing finished: the set is empty for good.
    if (this.running.length === 0 && this.finished.length === 0) {
      while (this.head !== null) {
        const op = this.head;
        this.unlink(op);
        op.complete(undefined);
      }
    }
  }
}
