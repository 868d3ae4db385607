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

// --- where a waiting call was made -----------------------------------------------------------
//
// An outcome error given to a waiting op (ERR_CLOSED, ERR_CANCELLED, ERR_TIMEOUT, ERR_LAGGED,
// ERR_POOL_EXHAUSTED) is built where the primitive fails the op — inside `close()`, a timer,
// the delivery loop — so its own stack would show the closer, not the waiter. When the op's
// result is taken, `forWaiter` therefore replaces that stack: by default with one line saying
// so (cheap: nothing is recorded per op), and with debugging on (`setDebug(true)`; the Node
// target turns it on for `KYOTO_DEBUG=1`) with the stack of the call that created the op.

/** Outcome errors kyoto built (and may restack); a marker property, not enumerable. */
const OUTCOME = "kyotoOutcome";
let debug = false;

/**
 * Turns recording of waiting calls on or off: with it on, every op keeps an `Error` made when
 * it was created, and an outcome error it rejects with shows that stack. Costs one stack
 * capture per op: for debugging, not production.
 *
 * @example
 * ```ts
 * setDebug(true); // or KYOTO_DEBUG=1 in the environment
 * const sem = new Semaphore(0);
 * const waiting = sem.acquire(); // this line shows in the error's stack
 * sem.close();
 * try {
 *   await waiting;
 * } catch (err) {
 *   console.log((err as KyotoError).stack);
 * }
 * setDebug(false);
 * ```
 */
export function setDebug(on: boolean): void {
  debug = on === true;
  if (debug) restack = withWaitingCall;
}

/** The waiting call's stack, when debugging: called as an op is created. Allocates: only when debugging. */
export function waitingCall(): Error | null {
  return debug ? new Error("the waiting call") : null;
}

function outcome(err: Error, code: string): KyotoError {
  Object.defineProperty(err, OUTCOME, { value: true });
  return withCode(err, code);
}

type OutcomeError = KyotoError & { [key: string]: unknown };

/**
 * Restacks for a recorded waiting call; installed by the first `setDebug(true)`, which is also
 * the only way an op gets an `origin`, so a device build that never debugs carries none of it.
 */
let restack: ((err: OutcomeError, name: string, header: string, origin: Error) => KyotoError) | null = null;

/** The fields an outcome error may carry besides `code`, copied when it is restacked. */
const OUTCOME_FIELDS = ["value", "cause", "skipped", "pool"];

/**
 * A copy of `err` named `name` (`header` is its first line) with `origin`'s stack: a copy per
 * op, since one close can fail many.
 */
function withWaitingCall(err: OutcomeError, name: string, header: string, origin: Error): KyotoError {
  const copy = outcome(new Error(err.message), err.code) as OutcomeError;
  copy.name = name;
  for (let i = 0; i < OUTCOME_FIELDS.length; i++) {
    const field = OUTCOME_FIELDS[i];
    if (err[field] !== undefined) copy[field] = err[field];
  }
  const frames = typeof origin.stack === "string" ? origin.stack.slice(origin.stack.indexOf("\n") + 1) : "";
  copy.stack = header + "\n" + frames;
  return copy;
}

const WAITER_NOTE =
  "\n    at <the waiting op> (kyoto raised this for a waiting op, not at the call that waited; set KYOTO_DEBUG=1 (or setDebug(true)) to record that call)";

/**
 * The error a waiting op rejects with, as its taker sees it. An outcome error kyoto built gets
 * the waiting call's stack (`origin`, when debugging: a copy per op, since one close can fail
 * many) or a note instead of the stack of where it was raised; anything else passes as is.
 */
export function forWaiter(error: unknown, origin: Error | null): unknown {
  const err = error as OutcomeError;
  if (err === null || typeof err !== "object" || err[OUTCOME] !== true) return error;
  // (Espruino's errors have no inherited `name`: a plain Error's reads as undefined there.)
  const name = typeof err.name === "string" ? err.name : "Error";
  const header = name + ": " + err.message;
  // (`restack` is set whenever an op has an `origin`: both come from `setDebug(true)`.)
  if (origin !== null && restack !== null) return restack(err, name, header, origin);
  if (typeof err.stack !== "string" || err.stack.indexOf(WAITER_NOTE) < 0) err.stack = header + WAITER_NOTE;
  return err;
}

/** `ERR_CLOSED`; pass `value` when a value was not delivered (it is returned to the caller). */
export function closedError(what: string, value?: unknown): KyotoError {
  const err = outcome(new Error(what + " is closed"), ERR_CLOSED);
  if (value !== undefined) err.value = value;
  return err;
}

/** The engine's stack-depth setting, where it has one (V8); feature-detected, never required. */
interface StackSettings {
  stackTraceLimit: number;
}

/**
 * `ERR_CANCELLED`, named `AbortError` like the platform's abort errors, with the reason as
 * `cause`. It is built when the op's result is delivered, so a stack would only show the
 * delivery loop, not the `cancel()` call: it is built without one where the engine allows,
 * which makes mass cancellation several times cheaper.
 */
export function cancelledError(reason?: unknown): KyotoError {
  const err = outcome(stackless("the operation was cancelled"), ERR_CANCELLED);
  err.name = "AbortError";
  err.cause = reason;
  return err;
}

/**
 * `new Error(message)`, without a stack where the engine lets it be skipped (the test reads
 * `Error` by name so that a device build for an engine without the setting drops it).
 */
function stackless(message: string): Error {
  if (typeof (Error as unknown as StackSettings).stackTraceLimit !== "number") return new Error(message);
  const settings = Error as unknown as StackSettings;
  const limit = settings.stackTraceLimit;
  settings.stackTraceLimit = 0;
  const err = new Error(message);
  settings.stackTraceLimit = limit;
  return err;
}

/**
 * The default reason of an abort made without one (`CancelSource.cancel()`, `handle.abort()`):
 * an `AbortError` with code `ERR_CANCELLED`; the op it cancels rejects with it as `cause`.
 */
export function abortReason(message: string): KyotoError {
  const err = withCode(new Error(message), ERR_CANCELLED);
  err.name = "AbortError";
  return err;
}

export function timeoutError(ms: number): KyotoError {
  return outcome(new Error("timed out after " + ms + " ms"), ERR_TIMEOUT);
}

export function laggedError(skipped: number): KyotoError {
  const err = outcome(new Error("receiver lagged behind by " + skipped + " messages"), ERR_LAGGED);
  err.skipped = skipped;
  return err;
}

/** `ERR_POOL_EXHAUSTED`, naming the pool (`"waiters"`, `"tasks"`, `"timers"`, …). */
export function poolExhaustedError(pool: string, capacity: number): KyotoError {
  const err = outcome(new Error("the " + pool + " pool is full (capacity " + capacity + ")"), ERR_POOL_EXHAUSTED);
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

/** Misuse: an argument of the wrong type (Node's code for the same mistake). */
export const ERR_INVALID_ARG_TYPE = "ERR_INVALID_ARG_TYPE";
/** Misuse: a number outside the range the argument allows. */
export const ERR_OUT_OF_RANGE = "ERR_OUT_OF_RANGE";
/** Misuse: a call the object's state does not allow (a used SendPermit, a released guard…). */
export const ERR_INVALID_STATE = "ERR_INVALID_STATE";

/** Renders a received value for a misuse message: strings quoted, everything else as `String(v)`. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (value !== null && typeof value === "object") return Array.isArray(value) ? "an array" : "an object";
  if (value === 0 && 1 / value < 0) return "-0";
  return String(value);
}

/**
 * `TypeError` (`ERR_INVALID_ARG_TYPE`): "`name` must be `expected`, received …". `name` is
 * the argument as the declaration names it (`options.pool`, `buf`); for one argument, every
 * misuse error uses the same `expected` phrase, whether the value has the wrong type or is
 * out of range, so the two messages never contradict each other.
 */
export function invalidArgument(name: string, expected: string, value: unknown): KyotoError {
  return withCode(new TypeError(mustBe(name, expected, value)), ERR_INVALID_ARG_TYPE);
}

/** The misuse message: "`name` must be `expected`, received …". */
function mustBe(name: string, expected: string, value: unknown): string {
  return name + " must be " + expected + ", received " + describeValue(value);
}

/**
 * `RangeError` (`ERR_OUT_OF_RANGE`), phrased like `invalidArgument`; a `TypeError` with the
 * same message and code where the engine has no `RangeError` (Espruino).
 */
export function outOfRange(name: string, expected: string, value: unknown): KyotoError {
  const message = mustBe(name, expected, value);
  return withCode(typeof RangeError === "function" ? new RangeError(message) : new TypeError(message), ERR_OUT_OF_RANGE);
}

/** `TypeError` (`ERR_INVALID_STATE`) for a call the object's state does not allow. */
export function invalidState(message: string): KyotoError {
  return withCode(new TypeError(message), ERR_INVALID_STATE);
}

/**
 * Checks that `value` is an integer in `min … max`: a non-number (or NaN, or a fraction) is a
 * `TypeError`, one outside the range (infinities included) a `RangeError`, both saying "an
 * integer from `min` to `max`". Returns the value, with -0 read as 0.
 */
export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  // (NaN fails `Math.floor(value) === value` too.)
  const integer = typeof value === "number" && Math.floor(value) === value;
  if (integer && value >= min && value <= max) return value + 0;
  const expected = "an integer from " + min + " to " + max;
  throw integer ? outOfRange(name, expected, value) : invalidArgument(name, expected, value);
}

/** `checkInteger(name, value, 0, max)`: a count (of permits, messages, slots). */
export function checkCount(name: string, value: unknown, max: number): number {
  return checkInteger(name, value, 0, max);
}

/** Checks that `fn` is a function. */
export function checkFunction(name: string, fn: unknown): void {
  if (typeof fn !== "function") throw invalidArgument(name, "a function", fn);
}

/**
 * Checks an options argument: `undefined` or an object (null and primitives are a
 * `TypeError`). Returns it typed. Allocates: never.
 */
export function checkOptions<O>(options: O | undefined, name?: string): O | undefined {
  if (options !== undefined && (options === null || typeof options !== "object")) {
    throw invalidArgument(name || "options", "an object", options);
  }
  return options;
}

let reporter: ((error: unknown) => void) | null = null;

/**
 * Installs where errors go that have no caller to be thrown to — a throwing signal listener
 * or host function (`wake()`, `armTimer()`, a delivery host's `request()`) — and returns the
 * previous reporter (`null`: the default, an unhandled rejection where Promise exists, which
 * the host reports). Allocates: never.
 *
 * @example
 * ```ts
 * const previous = setErrorReporter((error) => console.error("kyoto could not deliver:", error));
 * // … later:
 * setErrorReporter(previous);
 * ```
 */
export function setErrorReporter(next: ((error: unknown) => void) | null): ((error: unknown) => void) | null {
  const previous = reporter;
  reporter = next;
  return previous;
}

/** Reports `error` through the installed reporter (see `setErrorReporter`); never throws where Promise exists. */
export function reportError(error: unknown): void {
  if (reporter !== null) reporter(error);
  else if (typeof Promise === "function") Promise.reject(error);
  else throw error;
}
