/**
 * The waker contract: how a waiter queue tells its owner that a waiter is done.
 *
 * A queue never stores closures. Each waiting node records a `Waker` (an object the owner
 * already has: an op, a task table, a channel) and an integer `token` the owner chose; when
 * the node is done the queue calls `waker.wake(token, status)` once, after its own state is
 * consistent. Wakers must not throw.
 */

/** The waiter got what it asked for. */
export const WAKE_READY = 0;
/** The primitive was closed while the waiter waited. */
export const WAKE_CLOSED = 1;

export interface Waker {
  wake(token: number, status: number): void;
}
