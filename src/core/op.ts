/**
 * Op<T>: how anything in kyoto waits.
 *
 * An op is created eagerly — it takes its place in a queue when the method is called — and
 * is a thenable: `await op` works wherever `Promise` exists and `op.then(onValue, onError)`
 * works everywhere. `then` only registers callbacks (it returns nothing; to chain, await the
 * op or wrap it with `Promise.resolve(op)`).
 *
 * Life of an op: *pending* (queued) → *complete* (it holds its result: a permit, a message,
 * an error) → *delivered* (the result was handed to a callback). Until delivery the op can be
 * cancelled: `cancel()` unlinks a pending waiter or gives back what a complete op holds, then
 * rejects with `ERR_CANCELLED`. A complete op nobody has subscribed to stays complete — it
 * never raises an unhandled rejection, and it can still be cancelled to return its resource.
 *
 * Delivery goes through one ready ring: completing an op that has callbacks (or subscribing
 * to a complete op) queues it, and a delivery host drains the ring — by default in one
 * microtask per batch; a runtime installs itself as the host to bound each turn by its
 * cooperative budget. The order of the ring never decides who gets a resource: that was
 * decided when the op was created and its waiter queued.
 *
 * Subclasses implement `abandon()` (unlink a pending waiter, returning partial resources)
 * and `giveBack(value)` (return the resource a complete-but-undelivered op holds).
 */

import { attachSignal, detachSignal, Fanout, SignalLike, SignalMember } from "./cancel";
import { cancelledError } from "./errors";
import { Ring } from "./ring";

// `flags` packs the op's state (low two bits) with three booleans.
const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;
const STATE_MASK = 3;
/** The result was handed to a callback; the op can no longer be cancelled. */
const DELIVERED = 4;
/** The op sits in the ready ring. */
const QUEUED = 8;
/** Callbacks are registered and not yet called. */
const SUBSCRIBED = 16;
/** Cancelled: `result` holds the reason; the `ERR_CANCELLED` error is built on delivery. */
const CANCELLED = 32;

type OnValue<T> = ((value: T) => unknown) | null | undefined;
type OnError = ((reason: any) => unknown) | null | undefined;
/** A stored callback; typed loosely so that `Op<Sub>` stays assignable to `Op<Base>`. */
type Callback = ((arg: any) => unknown) | null | undefined;

/** Who drains the ready ring: `request()` is called once when the ring needs a drain. */
export interface DeliveryHost {
  request(): void;
}

const ready = new Ring<Op<unknown>>(64);
let drainOwed = false;
const resolved: { then(f: () => void): unknown } | null = typeof Promise === "function" ? Promise.resolve() : null;

const microtaskHost: DeliveryHost = {
  request(): void {
    if (resolved !== null) resolved.then(drainAll);
  },
};
let host: DeliveryHost = microtaskHost;

function drainAll(): void {
  runDeliveries(Infinity);
}

function enqueue(op: Op<unknown>): void {
  op.flags |= QUEUED;
  ready.push(op);
  if (!drainOwed) {
    drainOwed = true;
    host.request();
  }
}

/**
 * Delivers up to `limit` queued ops (ops queued meanwhile count too) and returns how many are
 * still queued. When it returns more than 0 the caller owes another call. An exception thrown
 * by a callback is rethrown after the others in this batch were delivered.
 */
export function runDeliveries(limit: number): number {
  let delivered = 0;
  let firstError: unknown = undefined;
  let failed = false;
  while (delivered < limit && ready.length > 0) {
    const op = ready.shift() as Op<unknown>;
    delivered++;
    try {
      op.deliver();
    } catch (err) {
      if (!failed) {
        failed = true;
        firstError = err;
      }
    }
  }
  if (ready.length === 0) drainOwed = false;
  if (failed) throw firstError;
  return ready.length;
}

/** Ops waiting in the ready ring for delivery. */
export function pendingDeliveries(): number {
  return ready.length;
}

/**
 * Installs the host that drains the ready ring (`null` restores the microtask default) and
 * returns the previous one. A runtime installs itself while it runs.
 */
export function setDeliveryHost(next: DeliveryHost | null): DeliveryHost {
  const previous = host;
  host = next || microtaskHost;
  // A drain owed by the previous host passes to this one. When the ring is empty nothing is
  // owed: the next op queued asks the new host (even if the old host is mid-drain right now).
  drainOwed = ready.length > 0;
  if (drainOwed) host.request();
  return previous;
}

/**
 * Told when an op completes, before (and without) delivery: a combinator (`join`) watches its
 * inputs this way so that what they hold stays cancellable until it takes the results.
 */
export interface CompletionObserver {
  opCompleted(token: number): void;
}

/** The link between an op and the signal it watches (only ops given a signal have one). */
class SignalLink implements SignalMember {
  signalNext: SignalMember | null = null;
  signalPrev: SignalMember | null = null;
  signalFanout: Fanout | null = null;
  constructor(private readonly op: Op<unknown>) {}
  cancel(reason?: unknown): boolean {
    return this.op.cancel(reason);
  }
}

export class Op<T> {
  /** @internal State and flags (see the constants above). */
  flags = PENDING;
  /** @internal The value or error once complete. */
  result: unknown = undefined;
  private onValue: Callback = undefined;
  private onError: Callback = undefined;
  private moreCallbacks: Callback[] | null = null;
  private signalLink: SignalLink | null = null;
  private completionObserver: CompletionObserver | null = null;
  private completionToken = 0;

  /**
   * Registers callbacks for the result. Each is called at most once, never synchronously
   * from inside `then`. Returns nothing. Allocates: never for the first subscriber.
   */
  then(onValue?: OnValue<T>, onError?: OnError): void {
    const flags = this.flags;
    if ((flags & SUBSCRIBED) === 0) {
      this.flags = flags | SUBSCRIBED;
      this.onValue = onValue;
      this.onError = onError;
    } else {
      (this.moreCallbacks || (this.moreCallbacks = [])).push(onValue, onError);
    }
    if ((flags & STATE_MASK) !== PENDING && (flags & QUEUED) === 0) enqueue(this as Op<unknown>);
  }

  /**
   * Cancels the op unless its result was already delivered: a pending waiter is unlinked and
   * any resource the op holds is given back; the op rejects with `ERR_CANCELLED` (`cause` =
   * `reason`). Returns whether it cancelled. Allocates: the error, and only when a callback
   * receives it (mass cancellation of unobserved ops builds no errors).
   */
  cancel(reason?: unknown): boolean {
    const flags = this.flags;
    if ((flags & DELIVERED) !== 0) return false;
    const held = this.result;
    // Final before the hooks run: giving a resource back may wake other ops re-entrantly.
    this.flags = (flags & ~STATE_MASK) | REJECTED | CANCELLED;
    this.result = reason;
    if ((flags & STATE_MASK) === PENDING) this.abandon(reason);
    else if ((flags & STATE_MASK) === FULFILLED) this.giveBack(held as T);
    this.unwatch();
    if ((this.flags & (SUBSCRIBED | QUEUED)) === SUBSCRIBED) enqueue(this as Op<unknown>);
    this.notifyObserver();
    return true;
  }

  /** True once the op is complete (it may still be undelivered). */
  isDone(): boolean {
    return (this.flags & STATE_MASK) !== PENDING;
  }

  /**
   * @internal Subclass hook: unlink the pending waiter and return what it had been given.
   * `reason` is the cancellation reason (the op's error is built later, on delivery).
   */
  protected abandon(_reason: unknown): void {}

  /** @internal Subclass hook: return the resource held by a complete, undelivered op. */
  protected giveBack(_value: T): void {}

  /**
   * @internal Asks to be told (once) when this op completes, instead of subscribing; false
   * when another observer already watches it. Allocates: never.
   */
  observeCompletion(observer: CompletionObserver, token: number): boolean {
    if (this.completionObserver !== null) return false;
    this.completionObserver = observer;
    this.completionToken = token;
    if ((this.flags & STATE_MASK) !== PENDING) observer.opCompleted(token);
    return true;
  }

  /** @internal True when the op completed with a value (false while pending or failed). */
  completedWithValue(): boolean {
    return (this.flags & STATE_MASK) === FULFILLED;
  }

  /**
   * @internal Takes the result of a complete op without callbacks: the op counts as
   * delivered from now on (it can no longer be cancelled). Returns the value or error.
   */
  takeResult(): unknown {
    if ((this.flags & CANCELLED) !== 0) this.result = cancelledError(this.result);
    this.flags = (this.flags & ~CANCELLED) | DELIVERED;
    this.unwatch();
    return this.result;
  }

  private notifyObserver(): void {
    const observer = this.completionObserver;
    if (observer !== null) {
      this.completionObserver = null;
      observer.opCompleted(this.completionToken);
    }
  }

  /**
   * @internal For a waiting call given `signal`: when it is already aborted, fails the op
   * with `ERR_CANCELLED` at once (it takes nothing) and returns true.
   */
  protected failIfAborted(signal: SignalLike | null): boolean {
    if (signal === null || !signal.aborted) return false;
    this.fail(cancelledError(signal.reason));
    return true;
  }

  /** @internal Watches `signal` (already checked not aborted) until delivery. Allocates: the link. */
  protected watch(signal: SignalLike | null): void {
    if (signal === null || (this.flags & DELIVERED) !== 0 || (this.flags & STATE_MASK) === REJECTED) return;
    const link = new SignalLink(this as Op<unknown>);
    try {
      attachSignal(link, signal);
    } catch (err) {
      // The start throws, so nobody will ever hold this op: withdraw its waiter (or give back
      // what it was granted) before rethrowing, leaving nothing queued.
      this.cancel(err);
      throw err;
    }
    this.signalLink = link;
  }

  private unwatch(): void {
    const link = this.signalLink;
    if (link !== null) {
      this.signalLink = null;
      detachSignal(link);
    }
  }

  /** @internal Completes the op with a value. Allocates: never. */
  complete(value: T): void {
    const flags = this.flags;
    if ((flags & STATE_MASK) !== PENDING) return;
    this.flags = flags | FULFILLED;
    this.result = value;
    if ((flags & SUBSCRIBED) !== 0 && (flags & QUEUED) === 0) enqueue(this as Op<unknown>);
    this.notifyObserver();
  }

  /** @internal Completes the op with an error. */
  fail(error: unknown): void {
    const flags = this.flags;
    if ((flags & STATE_MASK) !== PENDING) return;
    this.flags = flags | REJECTED;
    this.result = error;
    this.unwatch();
    if ((flags & SUBSCRIBED) !== 0 && (flags & QUEUED) === 0) enqueue(this as Op<unknown>);
    this.notifyObserver();
  }

  /** @internal Hands the result to the registered callbacks (called from the ready ring). */
  deliver(): void {
    const flags = this.flags;
    if ((flags & SUBSCRIBED) === 0) {
      this.flags = flags & ~QUEUED;
      return;
    }
    this.flags = (flags & ~(QUEUED | SUBSCRIBED | CANCELLED)) | DELIVERED;
    if (this.signalLink !== null) this.unwatch();
    if ((flags & CANCELLED) !== 0) this.result = cancelledError(this.result);
    const result = this.result;
    const onValue = this.onValue;
    const onError = this.onError;
    const more = this.moreCallbacks;
    this.onValue = undefined;
    this.onError = undefined;
    this.moreCallbacks = null;
    const ok = (flags & STATE_MASK) === FULFILLED;
    if (ok) {
      if (typeof onValue === "function") onValue(result as T);
    } else if (typeof onError === "function") onError(result);
    if (more !== null) {
      for (let i = 0; i < more.length; i += 2) {
        const cb = more[ok ? i : i + 1];
        if (typeof cb === "function") (cb as (v: unknown) => unknown)(result);
      }
    }
  }
}

/** An op that is complete at creation: for results known at once (values, errors). */
export function readyOp<T>(value: T): Op<T> {
  const op = new Op<T>();
  op.complete(value);
  return op;
}

/** An op that has failed at creation. */
export function failedOp<T>(error: unknown): Op<T> {
  const op = new Op<T>();
  op.fail(error);
  return op;
}
