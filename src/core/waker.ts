/**
 * The waker contract: how a waiter queue tells its owner that a waiter is done.
 *
 * A queue never stores closures. Each waiting node records a `Waker` (an object the owner
 * already has: an op, a task table, a channel) and an integer `token` the owner chose; when
 * the node is done the queue calls `waker.wake(token, status)` once, after its own state is
 * consistent. kyoto's own wakers never throw; a waker handed in through a low-level API
 * (`BatchSemaphore.acquire`, `Runtime.insertTimer`) is user code and may: a queue wakes
 * through `wakeCatching`, finishes waking everyone else, and only then rethrows the first
 * error to its caller, so no waiter is stranded behind a throwing one.
 */

/** The waiter got what it asked for. */
export const WAKE_READY = 0;
/** The primitive was closed while the waiter waited. */
export const WAKE_CLOSED = 1;

export interface Waker {
  wake(token: number, status: number): void;
}

/** What `wakeCatching` returns when the waker did not throw. */
export const NO_FAULT: unknown = { noFault: true };

/** Calls `waker.wake(token, status)`; returns what it threw, or `NO_FAULT`. Allocates: never. */
export function wakeCatching(waker: Waker, token: number, status: number): unknown {
  try {
    waker.wake(token, status);
  } catch (err) {
    return err;
  }
  return NO_FAULT;
}
