/**
 * Cancellation signals: what `{ signal }` accepts, the one-listener-per-signal fan-out, and
 * `CancelSource`, a minimal AbortController for hosts that have none (QuickJS, Espruino).
 *
 * Any object with `aborted`, `reason` and `addEventListener`/`removeEventListener` works as a
 * signal, including the host's `AbortSignal`. kyoto attaches **one** listener per signal and
 * keeps the ops waiting on it in a doubly linked list of its own (one link per op), so many
 * ops on one signal cost O(1) each to add and remove — the host's own listener list can be
 * linear per add. The listener is removed when the last op using the signal settles.
 */

import { abortReason, invalidArgument, reportError } from "./errors";

export interface SignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: "abort", listener: () => void): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/** The options every waiting method takes. */
export interface WaitOptions {
  signal?: SignalLike | null;
}

/** What the fan-out needs from an op: a way to cancel it. */
export interface Cancellable {
  cancel(reason?: unknown): boolean;
}

/**
 * An op's place in one signal's fan-out: made by `attachSignal`, unlinked once by
 * `detachSignal` (the op drops its reference first, so a link is never detached twice).
 */
export class SignalLink {
  /** @internal Toward the newer links (the head is the newest). */
  prev: SignalLink | null = null;
  /** @internal */
  next: SignalLink | null;

  constructor(
    /** @internal */ readonly op: Cancellable,
    /** @internal */ readonly fanout: Fanout,
  ) {
    this.next = fanout.head;
  }
}

const FANOUT_KEY = "__kyotoFanout";

/**
 * The per-signal record: the host listener and the ops waiting on the signal. It is stored
 * on the signal itself; a signal that cannot take a property (frozen, sealed) gets a private
 * record per op instead, which costs one host listener per op but still works.
 */
export class Fanout {
  /** @internal The newest link. */
  head: SignalLink | null = null;
  /** @internal */
  count = 0;
  /** @internal */
  readonly listener: () => void;

  constructor(
    /** @internal */ readonly signal: SignalLike,
    /** @internal Stored on the signal and shared by every op watching it. */
    readonly shared: boolean,
  ) {
    const self = this;
    this.listener = function () {
      self.abortAll();
    };
  }

  private abortAll(): void {
    const reason = this.signal.reason;
    // Each cancel unlinks its op (and the last one removes the listener).
    while (this.head !== null) this.head.op.cancel(reason);
  }
}

/** Reads and validates `options.signal`; `null` when there is none. Allocates: never. */
export function signalOf(options: WaitOptions | undefined, name?: string): SignalLike | null {
  if (options === undefined || options === null) return null;
  if (typeof options !== "object") throw invalidArgument(name || "options", "an object", options);
  const signal = options.signal;
  if (signal === undefined || signal === null) return null;
  if (typeof signal !== "object" || typeof signal.addEventListener !== "function" || typeof signal.removeEventListener !== "function") {
    throw invalidArgument((name || "options") + ".signal", "an AbortSignal-like object", signal);
  }
  return signal;
}

/**
 * Adds `op` to the signal's fan-out, attaching the host listener on first use, and returns
 * its link. Allocates: the link, and the fan-out once per signal.
 */
export function attachSignal(op: Cancellable, signal: SignalLike): SignalLink {
  const holder = signal as unknown as { [key: string]: Fanout | null | undefined };
  let fanout = holder[FANOUT_KEY];
  if (!fanout) {
    // Espruino has no Object.isExtensible (and nothing there can be frozen).
    const shared = typeof Object.isExtensible !== "function" || Object.isExtensible(signal) ||
      Object.prototype.hasOwnProperty.call(signal, FANOUT_KEY);
    fanout = new Fanout(signal, shared);
    signal.addEventListener("abort", fanout.listener); // may throw: nothing is recorded yet
    if (shared) holder[FANOUT_KEY] = fanout;
  }
  const link = new SignalLink(op, fanout);
  if (fanout.head !== null) fanout.head.prev = link;
  fanout.head = link;
  fanout.count++;
  return link;
}

/** Removes `link` from its signal's fan-out; called once per link. Allocates: never. */
export function detachSignal(link: SignalLink): void {
  const fanout = link.fanout;
  const before = link.prev;
  const after = link.next;
  if (before === null) fanout.head = after;
  else before.next = after;
  if (after !== null) after.prev = before;
  if (--fanout.count === 0) {
    if (fanout.shared) (fanout.signal as unknown as { [key: string]: Fanout | null })[FANOUT_KEY] = null;
    // A signal-like object's own code: a throw is reported, never raised inside an op's settle.
    try {
      fanout.signal.removeEventListener("abort", fanout.listener);
    } catch (err) {
      reportError(err);
    }
  }
}

/**
 * The signal a `CancelSource` hands out.
 *
 * @example
 * ```ts
 * const source = new CancelSource();
 * const signal: CancelSignal = source.signal;
 * signal.addEventListener("abort", () => console.log("aborted:", signal.reason));
 * source.cancel("done");
 * console.log(signal.aborted); // true
 * ```
 */
export class CancelSignal implements SignalLike {
  aborted = false;
  reason: unknown = undefined;
  private listeners: Array<() => void> = [];

  addEventListener(type: "abort", listener: () => void): void {
    if (type === "abort" && this.listeners.indexOf(listener) < 0) this.listeners.push(listener);
  }

  removeEventListener(type: "abort", listener: () => void): void {
    const i = type === "abort" ? this.listeners.indexOf(listener) : -1;
    if (i >= 0) this.listeners.splice(i, 1);
  }

  /** Throws the abort reason when aborted, like `AbortSignal.throwIfAborted`. */
  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /** @internal Marks the signal aborted and runs the listeners once. */
  fire(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = [];
    // Like a host AbortSignal: every listener runs, and a throwing one is reported, not raised
    // (it would otherwise escape from the `abort()`/`cancel()` that fired the signal).
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i]();
      } catch (err) {
        reportError(err);
      }
    }
  }
}

/**
 * A minimal AbortController that works without host support.
 *
 * @example
 * ```ts
 * const sem = new Semaphore(0);
 * const source = new CancelSource();
 * const waiting = sem.acquire(1, { signal: source.signal });
 * source.cancel("no longer needed"); // the waiter leaves the queue at once
 * try {
 *   await waiting;
 * } catch (err) {
 *   console.log((err as KyotoError).code, (err as KyotoError).cause); // "ERR_CANCELLED" "no longer needed"
 * }
 * ```
 */
export class CancelSource {
  readonly signal = new CancelSignal();

  /** Aborts the signal (once); `reason` defaults to an `AbortError`. Allocates: the default reason. */
  cancel(reason?: unknown): void {
    this.signal.fire(reason === undefined ? abortReason("the operation was aborted") : reason);
  }

  /** The AbortController spelling of `cancel`. */
  abort(reason?: unknown): void {
    this.cancel(reason);
  }

  /**
   * A source that is cancelled when `signal` (a host `AbortSignal` or any signal-like) aborts,
   * and can also be cancelled on its own.
   */
  static follow(signal: SignalLike): CancelSource {
    const source = new CancelSource();
    if (signal.aborted) source.cancel(signal.reason);
    else signal.addEventListener("abort", function () {
      source.cancel(signal.reason);
    });
    return source;
  }
}
