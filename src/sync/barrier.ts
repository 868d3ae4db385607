/**
 * Barrier: lets `n` tasks wait until all of them have arrived, then releases them together.
 *
 * @example
 * const barrier = new Barrier(3);
 * // in each of three tasks:
 * const { isLeader } = await barrier.wait();   // exactly one of the three is the leader
 *
 * The barrier is reusable: once a generation of `n` arrivals is complete the next arrivals
 * start a new one. The leader is the waiter whose arrival completes its generation.
 * `Barrier(0)` behaves as `Barrier(1)`: every wait completes at once as the leader.
 * Cancelling a pending `wait` withdraws its arrival.
 *
 * Implementation notes:
 * - `arrived` counts the current generation's queued waiters; it equals `queued.length`.
 * - Completing a generation resets `arrived`, then splices every queued node onto
 *   `releasing` (marking them through the `token` column) and wakes them one at a time
 *   (`wakeAllVia`, src/sync/wake_all.ts): a wait started meanwhile belongs to the next
 *   generation, and cancelling a node still in `releasing` unlinks it without touching the
 *   new generation's count.
 */

import { signalOf, WaitOptions } from "../core/cancel";
import { checkCount } from "../core/errors";
import { WaitList } from "../core/list";
import { Op } from "../core/op";
import { NIL, NodePool, PoolOptions } from "../core/pool";
import { Waker } from "../core/waker";
import { MAX_PERMITS, resolvePool } from "./batch_semaphore";
import { unlinkStaged, WAITING, wakeAllVia } from "./wake_all";

export interface BarrierOptions {
  /** The waiter pool: a shared `NodePool`, options for a pool of its own, or the default shared pool. */
  pool?: NodePool | PoolOptions;
}

/** What `Barrier.wait` resolves with. */
export interface BarrierWaitResult {
  /** True for exactly one waiter per generation: the one whose arrival completed it. */
  isLeader: boolean;
}

class BarrierWaitOp extends Op<BarrierWaitResult> implements Waker {
  private handle = -1;

  constructor(private readonly barrier: Barrier) {
    super();
  }

  wake(_token: number, _status: number): void {
    this.handle = -1;
    this.complete({ isLeader: false });
  }

  /** @internal Arrives at the barrier; returns itself. */
  start(options: WaitOptions | undefined): BarrierWaitOp {
    const signal = signalOf(options);
    if (this.failIfAborted(signal)) return this;
    const barrier = this.barrier;
    if (barrier.arrived + 1 >= barrier.n) {
      this.complete({ isLeader: true });
      barrier.release();
      return this;
    }
    const slot = barrier.queued.park(this, WAITING);
    if (slot === NIL) {
      this.fail(barrier.pool.exhausted());
      return this;
    }
    barrier.arrived++;
    this.handle = barrier.pool.handleOf(slot);
    this.watch(signal);
    return this;
  }

  protected abandon(): void {
    const handle = this.handle;
    this.handle = -1;
    if (handle >= 0) this.barrier.withdraw(handle);
  }
}

/**
 * Releases every waiter together once `n` have called `wait()`; one of them is the leader.
 *
 * @example
 * ```ts
 * const barrier = new Barrier(3);
 * const arrivals = await join([barrier.wait(), barrier.wait(), barrier.wait()]);
 * console.log(arrivals.filter((a) => a.isLeader).length); // 1
 * ```
 */
export class Barrier {
  /** Arrivals per generation (at least 1; `new Barrier(0)` gives 1). */
  readonly n: number;
  /** @internal */
  readonly pool: NodePool;
  /** @internal The current generation's waiters, in arrival order. */
  readonly queued: WaitList;
  /** @internal A completed generation's waiters not yet woken. */
  private readonly releasing: WaitList;
  /** @internal Arrivals in the current generation (all queued). */
  arrived = 0;

  /**
   * `n` must be an integer from 0 to MAX_PERMITS. Allocates: on construction (and a pool of
   * its own when `options.pool` holds options).
   */
  constructor(n: number, options?: BarrierOptions) {
    checkCount("n", n, MAX_PERMITS);
    this.n = n === 0 ? 1 : n;
    this.pool = resolvePool(options);
    this.queued = new WaitList(this.pool);
    this.releasing = new WaitList(this.pool);
  }

  /**
   * Arrives and waits for the rest of the generation. Resolves `{ isLeader }`; rejects
   * `ERR_CANCELLED` (the arrival is withdrawn) or `ERR_POOL_EXHAUSTED` (it never counted).
   * Allocates: the op and its result.
   */
  wait(options?: WaitOptions): Op<BarrierWaitResult> {
    return new BarrierWaitOp(this).start(options);
  }

  /** @internal Completes the current generation: wakes everyone queued in it. */
  release(): void {
    this.arrived = 0;
    wakeAllVia(this.queued, this.releasing, 0);
  }

  /** @internal Withdraws a pending arrival (stale handles are ignored). */
  withdraw(handle: number): void {
    if (unlinkStaged(this.queued, this.releasing, handle)) this.arrived--;
  }
}
