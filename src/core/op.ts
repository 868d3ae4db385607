/**
 * Op<T>: how anything in kyoto waits. An op is a Promise.
 *
 * An op is created eagerly — it takes its place in a queue when the method is called — and is
 * a real `Promise` on engines whose Promise can be subclassed (Node, QuickJS: `op instanceof
 * Promise`, `then`/`catch`/`finally` chain, `Promise.all([op])` works). Where classes are
 * lowered to ES5 functions (the Espruino bundle) a native Promise cannot be subclassed; there
 * an op is a thenable whose `then`/`catch`/`finally` return real promises (see the README).
 *
 * The completion cell. An op's result lives in the op, not in its promise:
 *
 *   pending ──complete(v) / fail(e)──▶ done ──take──▶ taken
 *      │                                │
 *      └──────────── cancel ────────────┴──▶ done (ERR_CANCELLED, resources returned)
 *
 * Rules (the invariants every op and every consumer keeps):
 * 1. One exit. `takeResult()` is the only way a result leaves an op. It runs at most once
 *    per op (later calls return the same result and do nothing), marks the op *taken* and,
 *    for a value, runs the subclass hook `commit(value)` exactly once: that is where an op
 *    finalises its effect (free a channel slot, append to a caller's buffer, push a reserved
 *    message). Plain delivery (`await`, `then`), `select`, `join`, `tryJoin`, `timeout`,
 *    `JoinSet` and `for await` all take results through it.
 * 2. Give back before take. `cancel()` on an op that is not taken either unlinks its waiter
 *    (`abandon(reason)`, pending) or returns what it holds (`giveBack(value)`, done), and
 *    leaves the op done with `ERR_CANCELLED`. Once taken, `cancel()` returns false and
 *    changes nothing: the taker owns the result. So every result is committed exactly once
 *    or given back, never both, never neither.
 * 3. The promise is settled only after the take, and only when somebody observes the op
 *    (`then`, hence `catch`, `finally`, `Promise.all`; `await` and `Promise.resolve` read
 *    its `constructor`, which observes it too: see `givePromiseFace`). An op nobody
 *    observes never settles its promise: it never raises an unhandled rejection (cancelled,
 *    closed, timed out), and cancelling it allocates nothing (the `ERR_CANCELLED` error is
 *    built when an observer needs it), so mass cancellation is O(1) per op and leaves
 *    nothing behind.
 * 4. Owners. A combinator *claims* the ops it is given (`claim`): from then on plain delivery
 *    leaves them alone and the owner is told (`opCompleted(token)`) when each becomes done;
 *    the owner takes the ones it keeps and cancels the ones it discards. An op that is already
 *    observed, taken or owned cannot be claimed (the combinator then subscribes with `then`
 *    like it would to any thenable). A wrapper (`timeout`, `select`, `join`) completes
 *    without taking its inputs; its own `commit` takes them and its own `giveBack` cancels
 *    them, so take and give-back pass through to the inner ops.
 * 5. No user code inside a transition. `complete`/`fail`/`cancel` and the hooks run kyoto
 *    code only: settling a native promise queues its callbacks as microtasks, so a throwing
 *    then-callback can never unwind through a primitive. An owner's `opCompleted` is kyoto
 *    code too; it may re-enter primitives (cancel losers), which the primitives allow: their
 *    state is consistent before they complete an op.
 * 6. Delivery order never decides who gets a resource: that was fixed when the op queued.
 *    An op is delivered through the ready queue that was current when it was created (its
 *    runtime's, or the default queue outside any runtime). An op observed when it is already
 *    done is delivered at once if its queue is empty and the queue's host admits it (counted
 *    against that runtime's budget), so deliveries stay in FIFO order; an op that completes
 *    while observed, or one the budget does not admit, goes through its queue (drained by
 *    its host: the runtime under its budget, SPEC §6, or a microtask for the default queue).
 *
 * Subclass hooks (stable; sockets and hosts build on them): `complete(value)`, `fail(error)`,
 * `abandon(reason)`, `giveBack(value)`, `commit(value)`, `failIfAborted(signal)`,
 * `watch(signal)`, and `takeWhenDone()` for an op whose effect must happen even if nobody
 * observes it (a `send` pushes its message).
 */

import { attachSignal, detachSignal, SignalLike, SignalLink } from "./cancel";
import { cancelledError, forWaiter, reportError, waitingCall } from "./errors";
import { Ring } from "./ring";

// `flags` packs the state (low two bits) with booleans.
const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;
const STATE_MASK = 3;
/** The result left through `takeResult` (or was given back by `cancel`): final. */
const TAKEN = 4;
/** The op sits in its ready queue. */
const QUEUED = 8;
/** `then` was called: the promise must be settled once the result is taken. */
const OBSERVED = 16;
/** Take the result when done even if nobody observes the op (`takeWhenDone`). */
const AUTO = 32;
/** A combinator owns the op (`claim`): plain delivery leaves it alone. */
const OWNED = 64;
/** Cancelled: `result` holds the reason; the `ERR_CANCELLED` error is built on take. */
const CANCELLED = 128;

type Settle = ((arg: unknown) => void) | null;
type Executor = (resolve: (value: any) => void, reject: (reason?: any) => void) => void;

/**
 * Who drains a ready queue: `request()` is called once when the queue needs a drain.
 * `admit()` is asked before a delivery that could happen at once (an observed op that is
 * already done): true counts it against the host's budget and lets it through; false sends
 * it to the queue.
 */
export interface DeliveryHost {
  request(): void;
  admit(): boolean;
}

/** A combinator that owns ops: told when an owned op becomes done (its result still in it). */
export interface OpOwner {
  opCompleted(token: number): void;
}

/** A settled promise whose `then` runs a callback as a microtask (a queued event on Espruino); null without Promise. */
export const resolved: { then(f: () => void): unknown } | null = typeof Promise === "function" ? Promise.resolve() : null;

/** Ops queued for delivery in every ready queue (`pendingDeliveries`). */
let queuedTotal = 0;

/**
 * A ready queue: the ops of one delivery context that are done and wait to be delivered,
 * and the host that drains it. Each runtime owns one (its scheduler is the host, its budget
 * the `admit`); ops created outside any runtime use the default queue, drained from a
 * microtask unless `setDeliveryHost` installs another host. An op is delivered through the
 * queue that was current when it was created.
 */
export class ReadyQueue {
  /** @internal */
  readonly ring = new Ring<Op<unknown>>(64);
  /** @internal The host has been asked for a drain that has not happened yet. */
  drainOwed = false;
  /** @internal */
  host: DeliveryHost;
  /** @internal What the queue belongs to (a runtime; null for the default queue). */
  readonly owner: unknown;

  constructor(host: DeliveryHost, owner: unknown) {
    this.host = host;
    this.owner = owner;
  }

  /**
   * Delivers up to `limit` queued ops (ops queued meanwhile count too) and returns how many
   * are still queued. Delivery runs no user code (callbacks run from the promises' own
   * microtasks).
   */
  deliver(limit: number): number {
    const ring = this.ring;
    let delivered = 0;
    while (delivered < limit && ring.length > 0) {
      const op = ring.shift() as Op<unknown>;
      queuedTotal--;
      op.deliver();
      delivered++;
    }
    if (ring.length === 0) this.drainOwed = false;
    return ring.length;
  }

  /** @internal */
  push(op: Op<unknown>): void {
    op.flags |= QUEUED;
    this.ring.push(op);
    queuedTotal++;
    if (!this.drainOwed) {
      this.drainOwed = true;
      try {
        this.host.request();
      } catch (err) {
        // An embedder's host threw (say its wake()): report it, drain this batch from a
        // microtask instead, and let the next batch ask the host again. Never wedged.
        reportError(err);
        const queue = this;
        if (resolved !== null)
          resolved.then(function () {
            queue.deliver(Infinity);
          });
        else this.drainOwed = false;
      }
    }
  }
}

function drainDefault(): void {
  defaultQueue.deliver(Infinity);
}

const microtaskHost: DeliveryHost = {
  request(): void {
    if (resolved !== null) resolved.then(drainDefault);
  },
  admit(): boolean {
    return true;
  },
};

const defaultQueue = new ReadyQueue(microtaskHost, null);

/**
 * The delivery context: the ready queue of the runtime whose code runs now (the default
 * queue outside any runtime). A runtime sets it when it starts a turn, a task or its `run`
 * main, and it stays set for the microtasks that follow (see `src/runtime/base.ts`).
 */
let context: ReadyQueue = defaultQueue;

/** @internal The current ready queue (new ops are delivered through it). */
export function currentReadyQueue(): ReadyQueue {
  return context;
}

/** @internal Makes `queue` current (`null`: the default queue) and returns the previous one. */
export function setCurrentReadyQueue(queue: ReadyQueue | null): ReadyQueue {
  const previous = context;
  context = queue === null ? defaultQueue : queue;
  return previous;
}

/**
 * Delivers up to `limit` ops queued in the default ready queue (the one ops created outside
 * any runtime use; ops queued meanwhile count too) and returns how many are still queued
 * there. When it returns more than 0 the caller owes another call. Delivery runs no user
 * code (callbacks run from the promise's own microtasks). A runtime drains its own queue.
 *
 * @example
 * ```ts
 * // A host that delivers op results from its own loop instead of microtasks.
 * let owed = false;
 * setDeliveryHost({ request: () => { owed = true; }, admit: () => false });
 * new Semaphore(1).acquire().then((permit) => permit.release());
 * if (owed) runDeliveries(Infinity); // the permit is handed over here
 * setDeliveryHost(null); // back to microtasks
 * ```
 */
export function runDeliveries(limit: number): number {
  return defaultQueue.deliver(limit);
}

/**
 * Ops waiting for delivery, in every ready queue (the default one and each runtime's).
 *
 * @example
 * ```ts
 * const sem = new Semaphore(1);
 * sem.acquire().then((permit) => permit.release());
 * console.log(pendingDeliveries()); // ops complete but not yet delivered
 * ```
 */
export function pendingDeliveries(): number {
  return queuedTotal;
}

/**
 * Installs the host that drains the default ready queue — the one ops created outside any
 * runtime use — (`null` restores the microtask default) and returns the previous one. Each
 * runtime drains its own queue under its budget, whatever is installed here.
 *
 * @example
 * ```ts
 * // Deliver results on the next macrotask instead of a microtask.
 * const previous = setDeliveryHost({
 *   request: () => setTimeout(() => runDeliveries(Infinity), 0),
 *   admit: () => false, // nothing is delivered inline: everything waits for the macrotask
 * });
 * // … later, put the previous host back:
 * setDeliveryHost(previous);
 * ```
 */
export function setDeliveryHost(next: DeliveryHost | null): DeliveryHost {
  const queue = defaultQueue;
  const previous = queue.host;
  queue.host = next || microtaskHost;
  // A drain owed by the previous host passes to this one. When the queue is empty nothing is
  // owed: the next op queued asks the new host (even if the old host is mid-drain right now).
  queue.drainOwed = queue.ring.length > 0;
  if (queue.drainOwed) queue.host.request();
  return previous;
}

// The executor every op's promise is built with: no closure per op.
let capturedResolve: Settle = null;
let capturedReject: Settle = null;
function capture(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/**
 * The base of ops where a native Promise cannot be subclassed (classes lowered to ES5
 * functions): `then` follows the real promise the op builds when first observed, and `catch`
 * and `finally` are built on `then`.
 *
 * Each op gets `then` as an own property: Espruino's Promise follows a thenable only when
 * `then` is the object's own (it reads it without the prototype chain), so without it
 * `await op` and a `then` callback returning an op would hand over the op itself.
 */
class Thenable {
  /** Built by the op's first observer (`Op.observe`), before anything can settle it. */
  private promise?: Promise<unknown>;
  constructor() {
    (this as { then: unknown }).then = this.then;
  }
  then(onValue?: (value: any) => unknown, onError?: (reason: any) => unknown): Promise<unknown> {
    return (this.promise as Promise<unknown>).then(onValue, onError);
  }
  catch(onError?: (reason: any) => unknown): Promise<unknown> {
    return this.then(undefined, onError);
  }
  finally(onFinally?: () => void): Promise<unknown> {
    if (typeof onFinally !== "function") return this.then(onFinally, onFinally);
    return this.then(
      function (value: unknown) {
        return Promise.resolve(onFinally()).then(function () {
          return value;
        });
      },
      function (error: unknown) {
        return Promise.resolve(onFinally()).then(function () {
          throw error;
        });
      },
    );
  }
}

/**
 * A native class throws when called without `new`; a class lowered to a function does not
 * (Thenable's constructor, called on a scratch object, only gives it a `then`).
 */
function classesAreNative(): boolean {
  try {
    (Thenable as unknown as (this: object) => void).call({});
  } catch (e) {
    return true;
  }
  return false;
}

/** True when ops subclass the host's Promise (native classes and a Promise to extend). */
export const opsArePromises = typeof Promise === "function" && classesAreNative();
const OpBase: PromiseConstructor = opsArePromises ? Promise : (Thenable as unknown as PromiseConstructor);

/**
 * The host's own Promise: what an op's `constructor` reads as (see `givePromiseFace`). Read
 * from the prototype, not the global, which a host may have wrapped (`kyoto run`'s guest
 * prelude does): `await` compares with the engine's own. Null where ops are thenables, and
 * where there is no `Symbol`: `await` reading `constructor` is ES2015's species protocol,
 * which comes with it (so Espruino builds drop the face).
 */
const NativePromise = opsArePromises && typeof Symbol === "function" ? (Promise.prototype.constructor as PromiseConstructor) : null;

/**
 * Makes `await op` take the engine's one-tick path. `await x` (and `Promise.resolve(x)`)
 * reads `x.constructor`; for anything but the native Promise the engine queues a job that
 * calls `x.then`, a whole extra turn per await. An op class's prototype gets a `constructor`
 * getter instead: on an op it observes the op (what that `then` call was for) and returns
 * the native Promise, so the engine subscribes to the op directly; on the prototype itself
 * it returns the class. Installed on each op class by the first op it constructs. Without
 * it (a prototype frozen before that, as SES's `harden` does) ops stay correct, a turn
 * slower: `await` then calls the op's `then`, which observes it.
 */
function givePromiseFace(proto: { constructor: unknown; promiseFaceOf?: unknown }): void {
  const cls = proto.constructor;
  try {
    Object.defineProperty(proto, "promiseFaceOf", { value: proto });
    Object.defineProperty(proto, "constructor", {
      configurable: true,
      get: function (this: Op<unknown>) {
        if (typeof this.flags !== "number") return cls;
        this.observe();
        return NativePromise;
      },
    });
  } catch (e) {
    // A frozen prototype takes no new property: its ops keep the engine's thenable job.
  }
}

/**
 * An operation that may wait: created eagerly (it takes its place in the queue when called),
 * a Promise, and cancellable until its result is delivered.
 *
 * @example
 * ```ts
 * const sem = new Semaphore(1);
 * const op: Op<Permit> = sem.acquire(); // queued when called, awaitable, cancellable
 * const permit = await op;
 * const next = sem.acquire(); // waits for the permit above
 * console.log(next.cancel()); // true: never delivered, so nothing is held and nothing is lost
 * permit.release();
 * ```
 */
export class Op<T> extends OpBase<T> {
  /** @internal State and flags (see the constants above). */
  flags: number;
  /** @internal The value or error once done (the reason while a cancel's error is unbuilt). */
  result: unknown;
  /** @internal The ready queue that delivers this op: the one current when it was created. */
  readonly readyQueue: ReadyQueue;
  private resolveFn: Settle;
  private rejectFn: Settle;
  private signalLink: SignalLink | null;
  private taker: OpOwner | null;
  private takerToken: number;
  /** Where ops are thenables: the promise `Thenable.then` follows (built by `observe`). */
  private promise?: Promise<T>;
  /** Where the op was created, when debugging (`setDebug`); shown by the errors it rejects with. */
  private readonly origin: Error | null;

  constructor() {
    super(capture as Executor);
    this.resolveFn = capturedResolve;
    this.rejectFn = capturedReject;
    capturedResolve = capturedReject = null;
    this.flags = PENDING;
    this.result = undefined;
    this.readyQueue = context;
    this.signalLink = null;
    this.taker = null;
    this.takerToken = 0;
    this.origin = waitingCall();
    if (NativePromise !== null) {
      const proto = Object.getPrototypeOf(this);
      if (proto.promiseFaceOf !== proto) givePromiseFace(proto);
    }
  }

  /**
   * Observes the op: its result is taken (plain delivery) once it is done, and the returned
   * promise follows it like `Promise.prototype.then`. Callbacks never run inside `then`.
   */
  then<R1 = T, R2 = never>(
    onValue?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onError?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.observe();
    return super.then(onValue, onError);
  }

  /**
   * Cancels the op unless its result was already taken: a pending waiter is unlinked and a
   * resource the op holds is given back; the op rejects with `ERR_CANCELLED` (`cause` =
   * `reason`). Returns whether it cancelled. Allocates: the error, only for an observer.
   */
  cancel(reason?: unknown): boolean {
    const flags = this.flags;
    if ((flags & TAKEN) !== 0) return false;
    const held = this.result;
    // Final before the hooks run: giving a resource back may wake other ops re-entrantly.
    this.flags = (flags & ~STATE_MASK) | REJECTED | CANCELLED;
    this.result = reason;
    if ((flags & STATE_MASK) === PENDING) this.abandon(reason);
    else if ((flags & STATE_MASK) === FULFILLED) this.giveBack(held as T);
    this.unwatch();
    if ((this.flags & OBSERVED) !== 0) this.takeResult();
    this.notifyOwner();
    return true;
  }

  /** True once the op is done (it may still be untaken). */
  isDone(): boolean {
    return (this.flags & STATE_MASK) !== PENDING;
  }

  /** @internal Subclass hook: unlink the pending waiter and return what it had been given. */
  protected abandon(_reason: unknown): void {}

  /** @internal Subclass hook: return the resource held by a done, untaken op. */
  protected giveBack(_value: T): void {}

  /**
   * @internal Subclass hook: the value is being taken; finalise its effect. Runs exactly once.
   * A wrapper may call `replaceResult` here (its inner op turned out to be gone).
   */
  protected commit(_value: T): void {}

  /** @internal Subclass hook: take the result when done even if nobody observes the op. */
  protected takeWhenDone(): void {
    const flags = this.flags;
    if ((flags & OWNED) !== 0) return;
    this.flags = flags | AUTO;
    if ((flags & STATE_MASK) !== PENDING && (flags & (QUEUED | TAKEN)) === 0) this.readyQueue.push(this as Op<unknown>);
  }

  /**
   * @internal A combinator takes ownership (rule 4); false (nothing changed) when the op is
   * already observed, taken or owned. The owner checks `isDone()` itself after claiming.
   */
  claim(owner: OpOwner, token: number): boolean {
    const flags = this.flags;
    if ((flags & (OWNED | OBSERVED | TAKEN)) !== 0) return false;
    this.flags = (flags | OWNED) & ~AUTO;
    this.taker = owner;
    this.takerToken = token;
    return true;
  }

  /** @internal True once the result left through `takeResult` (or a cancel took it for an observer). */
  wasTaken(): boolean {
    return (this.flags & TAKEN) !== 0;
  }

  /** @internal True when the op is done with a value (false while pending or failed). */
  completedWithValue(): boolean {
    return (this.flags & STATE_MASK) === FULFILLED;
  }

  /**
   * @internal The one exit (rule 1): takes the result of a done op, running `commit` once
   * for a value, and settles the promise if observed. Returns the value or error; check
   * `completedWithValue()` after. Later calls return the same result and do nothing.
   */
  takeResult(): unknown {
    let flags = this.flags;
    if ((flags & TAKEN) !== 0) return this.result;
    flags |= TAKEN;
    if ((flags & CANCELLED) !== 0) {
      flags &= ~CANCELLED;
      this.result = cancelledError(this.result);
    }
    this.flags = flags;
    if (this.signalLink !== null) this.unwatch();
    if ((flags & STATE_MASK) === FULFILLED) this.commit(this.result as T);
    if ((this.flags & STATE_MASK) === REJECTED) this.result = forWaiter(this.result, this.origin);
    if ((this.flags & OBSERVED) !== 0) this.settlePromise();
    return this.result;
  }

  /** @internal For `commit` overrides and receivers: replaces the result of a taken op. */
  replaceResult(ok: boolean, value: unknown): void {
    this.flags = (this.flags & ~STATE_MASK) | (ok ? FULFILLED : REJECTED);
    this.result = value;
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

  /** @internal Watches `signal` (already checked not aborted) until taken. Allocates: the link. */
  protected watch(signal: SignalLike | null): void {
    if (signal === null || (this.flags & TAKEN) !== 0 || (this.flags & STATE_MASK) === REJECTED) return;
    try {
      this.signalLink = attachSignal(this, signal);
    } catch (err) {
      // The signal's addEventListener threw: the call fails and takes nothing.
      this.cancel(err);
      throw err;
    }
  }

  /** @internal Completes the op with a value. Allocates: never. */
  complete(value: T): void {
    const flags = this.flags;
    if ((flags & STATE_MASK) !== PENDING) return;
    this.flags = flags | FULFILLED;
    this.result = value;
    this.becameDone(flags);
  }

  /** @internal Completes the op with an error. */
  fail(error: unknown): void {
    const flags = this.flags;
    if ((flags & STATE_MASK) !== PENDING) return;
    this.flags = flags | REJECTED;
    this.result = error;
    if (this.signalLink !== null) this.unwatch();
    this.becameDone(flags);
  }

  /** @internal Takes the result of a done, observed op (called from its ready queue). */
  deliver(): void {
    const flags = (this.flags &= ~QUEUED);
    if ((flags & STATE_MASK) === PENDING || (flags & TAKEN) !== 0 || (flags & (OWNED | CANCELLED)) === OWNED) return;
    if ((flags & (OBSERVED | AUTO)) !== 0) this.takeResult();
  }

  private becameDone(flags: number): void {
    if ((flags & OWNED) !== 0) this.notifyOwner();
    else if ((flags & (OBSERVED | AUTO)) !== 0 && (flags & QUEUED) === 0) this.readyQueue.push(this as Op<unknown>);
  }

  /** @internal Marks the op observed (its `then`, or an `await` reading its `constructor`). */
  observe(): void {
    const flags = this.flags;
    if ((flags & OBSERVED) !== 0) return;
    this.flags = flags | OBSERVED;
    if (!opsArePromises) {
      // A thenable: the promise its `then` follows, built before anything can settle it.
      this.promise = new Promise<T>(capture as Executor);
      this.resolveFn = capturedResolve;
      this.rejectFn = capturedReject;
      capturedResolve = capturedReject = null;
    }
    // Not settled yet: only an observed op's promise is settled, and this is the first observer.
    if ((flags & TAKEN) !== 0) this.settlePromise();
    else if ((flags & STATE_MASK) !== PENDING && (flags & QUEUED) === 0 && (flags & (OWNED | CANCELLED)) !== OWNED) {
      // Done and not the owner's to take (or cancelled, owner or not): delivered now while
      // nothing waits in its queue ahead of it (deliveries stay FIFO) and the queue's host
      // has budget left; else through the queue.
      const queue = this.readyQueue;
      if (queue.ring.length === 0 && queue.host.admit()) this.takeResult();
      else queue.push(this as Op<unknown>);
    }
  }

  /** Runs at most once, when an observed op's result is taken: the settlers are set by then. */
  private settlePromise(): void {
    const settleWith = ((this.flags & STATE_MASK) === FULFILLED ? this.resolveFn : this.rejectFn) as (arg: unknown) => void;
    this.resolveFn = this.rejectFn = null;
    settleWith(this.result);
  }

  private notifyOwner(): void {
    const owner = this.taker;
    if (owner !== null) owner.opCompleted(this.takerToken);
  }

  private unwatch(): void {
    const link = this.signalLink;
    if (link !== null) {
      this.signalLink = null;
      detachSignal(link);
    }
  }
}

// `then` on an op returns a plain Promise, never a new op (an op's constructor takes no
// executor), also where the face could not be installed.
if (opsArePromises && typeof Symbol === "function" && Symbol.species) {
  Object.defineProperty(Op, Symbol.species, { value: Promise, configurable: true });
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
