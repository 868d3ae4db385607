/**
 * A small assertion module that runs unchanged in Node and inside QuickJS, so the tests of
 * portable code are the same file in every engine. Failures throw an `Error` whose message
 * says what was expected and what was found.
 */

export interface ErrorExpectation {
  code?: string;
  name?: string;
  message?: RegExp;
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  try {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json;
  } catch (_e) {
    return String(value);
  }
}

function fail(message: string): never {
  const err = new Error(message);
  err.name = "AssertionError";
  throw err;
}

function deepEqualValues(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return a !== a && b !== b; // NaN equals NaN
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i];
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqualValues((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

function matchError(err: unknown, expected: ErrorExpectation | undefined, what: string): void {
  if (expected === undefined) return;
  const e = err as { code?: unknown; name?: unknown; message?: unknown };
  if (e === null || typeof e !== "object") fail(what + " threw a non-object: " + show(err));
  if (expected.code !== undefined && e.code !== expected.code) {
    fail(what + " threw code " + show(e.code) + ", expected " + show(expected.code) + " (" + String(e.message) + ")");
  }
  // SPEC §3: where the engine has no RangeError (Espruino), kyoto throws a TypeError with
  // the same message and code ERR_OUT_OF_RANGE instead.
  const name = expected.name === "RangeError" && typeof RangeError === "undefined" ? "TypeError" : expected.name;
  if (name !== expected.name && e.code !== "ERR_OUT_OF_RANGE") {
    fail(what + " threw code " + show(e.code) + ", expected \"ERR_OUT_OF_RANGE\" in place of a RangeError (" + String(e.message) + ")");
  }
  const ctor = name === undefined ? undefined : (globalThis as unknown as Record<string, unknown>)[name];
  if (name !== undefined && e.name !== name && !(typeof ctor === "function" && err instanceof ctor)) {
    fail(what + " threw " + show(e.name) + ", expected " + show(name) + " (" + String(e.message) + ")");
  }
  if (expected.message !== undefined && !expected.message.test(String(e.message))) {
    fail(what + " threw message " + show(e.message) + ", expected to match " + String(expected.message));
  }
}

export const assert = {
  ok(value: unknown, message?: string): void {
    if (!value) fail(message || "expected a truthy value, got " + show(value));
  },
  equal<T>(actual: T, expected: T, message?: string): void {
    if (actual !== expected && !(actual !== actual && expected !== expected)) {
      fail((message ? message + ": " : "") + "expected " + show(expected) + ", got " + show(actual));
    }
  },
  notEqual<T>(actual: T, expected: T, message?: string): void {
    if (actual === expected) fail((message ? message + ": " : "") + "expected something other than " + show(expected));
  },
  deepEqual<T>(actual: T, expected: T, message?: string): void {
    if (!deepEqualValues(actual, expected)) {
      fail((message ? message + ": " : "") + "expected " + show(expected) + ", got " + show(actual));
    }
  },
  throws(fn: () => unknown, expected?: ErrorExpectation, message?: string): unknown {
    try {
      fn();
    } catch (err) {
      matchError(err, expected, message || "the function");
      return err;
    }
    return fail((message || "the function") + " did not throw");
  },
  /** Resolves with the rejection reason when `thenable` rejects as expected; fails otherwise. */
  rejects(
    thenable: { then(onValue: (value: any) => unknown, onError: (reason: any) => unknown): unknown },
    expected?: ErrorExpectation,
    message?: string,
  ): Promise<unknown> {
    return new Promise(function (resolve, reject) {
      thenable.then(
        function (value) {
          try {
            fail((message || "the operation") + " resolved with " + show(value) + " instead of rejecting");
          } catch (err) {
            reject(err);
          }
        },
        function (err) {
          try {
            matchError(err, expected, message || "the operation");
            resolve(err);
          } catch (e) {
            reject(e);
          }
        },
      );
    });
  },
  fail,
};
