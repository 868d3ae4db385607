/**
 * Errors kyoto raises, and the helpers that build them.
 *
 * Every error is a plain `Error` (or `TypeError`/`RangeError`) with a string `code`:
 * callers test `err.code`, because `instanceof` on `Error` subclasses breaks once the
 * code is lowered to ES5. Misuse throws `TypeError`/`RangeError` naming the argument and
 * the value received; outcomes that callers must handle carry a code from the table in
 * SPEC §4.4.
 */

export const ERR_CLOSED = "ERR_CLOSED";
export const ERR_CANCELLED = "ERR_CANCELLED";
export const ERR_TIMEOUT = "ERR_TIMEOUT";
export const ERR_LAGGED = "ERR_LAGGED";
export const ERR_POOL_EXHAUSTED = "ERR_POOL_EXHAUSTED";
export const ERR_BUSY = "ERR_BUSY";
export const ERR_SOCKET = "ERR_SOCKET";
/** A misuse error for a value out of range: a `RangeError`, or a `TypeError` where there is none (Espruino). */
export const ERR_OUT_OF_RANGE = "ERR_OUT_OF_RANGE";

/** An error with a `code`, and for some codes extra fields (`value`, `cause`, `skipped`, …). */
export interface KyotoError extends Error {
  code: string;
  value?: unknown;
  cause?: unknown;
  skipped?: number;
  pool?: string;
  hostCode?: unknown;
}

function withCode(err: Error, code: string): KyotoError {
  (err as KyotoError).code = code;
  return err as KyotoError;
}

/** `ERR_CLOSED`; pass `value` when a value was not delivered (it is returned to the caller). */
export function closedError(what: string, value?: unknown): KyotoError {
  const err = withCode(new Error(what + " is closed"), ERR_CLOSED);
  if (value !== undefined) err.value = value;
  return err;
}

/** The engine's stack-depth setting, where it has one (V8); feature-detected, never required. */
const errorSettings = Error as unknown as { stackTraceLimit?: unknown };

/**
 * `ERR_CANCELLED`, named `AbortError` like the platform's abort errors, with the reason as
 * `cause`. It is built when the op's result is delivered, so a stack would only show the
 * delivery loop, not the `cancel()` call: it is built without one where the engine allows,
 * which makes mass cancellation several times cheaper.
 */
export function cancelledError(reason?: unknown): KyotoError {
  const limit = errorSettings.stackTraceLimit;
  if (typeof limit === "number") errorSettings.stackTraceLimit = 0;
  const plain = new Error("the operation was cancelled");
  if (typeof limit === "number") errorSettings.stackTraceLimit = limit;
  const err = withCode(plain, ERR_CANCELLED);
  err.name = "AbortError";
  err.cause = reason;
  return err;
}

export function timeoutError(ms: number): KyotoError {
  return withCode(new Error("timed out after " + ms + " ms"), ERR_TIMEOUT);
}

export function laggedError(skipped: number): KyotoError {
  const err = withCode(new Error("receiver lagged behind by " + skipped + " messages"), ERR_LAGGED);
  err.skipped = skipped;
  return err;
}

/** `ERR_POOL_EXHAUSTED`, naming the pool (`"waiters"`, `"tasks"`, `"timers"`, …). */
export function poolExhaustedError(pool: string, capacity: number): KyotoError {
  const err = withCode(new Error("the " + pool + " pool is full (capacity " + capacity + ")"), ERR_POOL_EXHAUSTED);
  err.pool = pool;
  return err;
}

export function busyError(what: string): KyotoError {
  return withCode(new Error("a " + what + " is already in progress on this socket"), ERR_BUSY);
}

export function socketError(message: string, hostCode: unknown): KyotoError {
  const err = withCode(new Error(message), ERR_SOCKET);
  err.hostCode = hostCode;
  return err;
}

/** Renders a received value for a misuse message: strings quoted, everything else as `String(v)`. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (value !== null && typeof value === "object") return Array.isArray(value) ? "an array" : "an object";
  return String(value);
}

export function invalidArgument(name: string, expected: string, value: unknown): TypeError {
  return new TypeError(name + " must be " + expected + ", received " + describeValue(value));
}

/** Espruino has no `RangeError`: there the same error is a `TypeError` (SPEC §3). */
const RangeErrorOrTypeError: new (message: string) => Error = typeof RangeError === "function" ? RangeError : TypeError;

/** A `RangeError` (a `TypeError` on Espruino) with `code: "ERR_OUT_OF_RANGE"` everywhere. */
export function outOfRange(name: string, expected: string, value: unknown): KyotoError {
  return withCode(new RangeErrorOrTypeError(name + " must be " + expected + ", received " + describeValue(value)), ERR_OUT_OF_RANGE);
}

/**
 * Checks that `value` is an integer in `0 … max`: a non-number (or NaN, or a fraction) is a
 * `TypeError`, a negative number or one above `max` a `RangeError`. Returns the value.
 */
export function checkCount(name: string, value: unknown, max: number): number {
  if (typeof value !== "number" || value !== value || Math.floor(value) !== value) {
    if (typeof value === "number" && (value === Infinity || value === -Infinity)) {
      throw outOfRange(name, "an integer from 0 to " + max, value);
    }
    throw invalidArgument(name, "an integer from 0 to " + max, value);
  }
  if (value < 0 || value > max) throw outOfRange(name, "an integer from 0 to " + max, value);
  return value;
}
