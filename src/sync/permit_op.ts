/**
 * PermitOp: the op behind every "wait for n permits" call — `Semaphore.acquire`,
 * `Mutex.lock`, `RwLock.read`/`write`. It is the waker of its own waiter node and completes
 * with whatever its owner builds from the granted permits (a Permit, a guard).
 *
 * Cancelled while queued, it unlinks its node (the batch semaphore hands any partial permits
 * on); cancelled after the grant but before delivery, it releases what it was given.
 */

import { signalOf, WaitOptions } from "../core/cancel";
import { closedError } from "../core/errors";
import { Op } from "../core/op";
import { WAKE_READY, Waker } from "../core/waker";
import { ACQUIRED, BatchSemaphore, CLOSED, EXHAUSTED } from "./batch_semaphore";

/** What a `PermitOp` asks its owner for once the permits are granted. */
export interface GuardFactory<G> {
  /** @internal Builds what the op completes with, for `kind` (an owner-specific tag). */
  makeGuard(kind: number): G;
}

/** What a granted-but-undelivered op gives back when cancelled. */
export interface Releasable {
  release(): void;
}

export class PermitOp<G extends Releasable> extends Op<G> implements Waker {
  /** The queued waiter's handle in the batch semaphore; -1 when none is queued. */
  private waiterHandle = -1;

  constructor(
    private readonly inner: BatchSemaphore,
    private readonly n: number,
    private readonly owner: GuardFactory<G>,
    private readonly kind: number,
  ) {
    super();
  }

  wake(_token: number, status: number): void {
    this.waiterHandle = -1;
    if (status === WAKE_READY) this.complete(this.owner.makeGuard(this.kind));
    else this.fail(closedError("the semaphore"));
  }

  /** @internal Queues the waiter (or completes at once); returns itself. */
  start(options: WaitOptions | undefined): PermitOp<G> {
    const signal = signalOf(options);
    if (this.failIfAborted(signal)) return this;
    const r = this.inner.acquire(this.n, this, 0);
    if (r === ACQUIRED) this.complete(this.owner.makeGuard(this.kind));
    else if (r === CLOSED) this.fail(closedError("the semaphore"));
    else if (r === EXHAUSTED) this.fail(this.inner.pool.exhausted());
    else this.waiterHandle = r;
    this.watch(signal);
    return this;
  }

  protected abandon(): void {
    if (this.waiterHandle >= 0) this.inner.cancel(this.waiterHandle);
    this.waiterHandle = -1;
  }

  protected giveBack(granted: G): void {
    granted.release();
  }
}
