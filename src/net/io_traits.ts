/**
 * The reader and writer shapes `copy` and `lines` work with — a `TcpStream`, or anything with
 * the same `read` / `writeAll` methods returning a thenable (an op, a Promise) — and the
 * argument check the socket methods share.
 */

import { WaitOptions } from "../core/cancel";
import { invalidArgument } from "../core/errors";

/** A result that arrives later: an op or a Promise. */
export interface Thenable<T> {
  then(onValue: (value: T) => unknown, onError: (error: unknown) => unknown): unknown;
  cancel?(reason?: unknown): boolean;
}

/** Fills `buf` with up to `buf.length` bytes; 0 = end of stream. */
export interface Reader {
  read(buf: Uint8Array, options?: WaitOptions): Thenable<number>;
}

/** Writes every byte of `buf`. */
export interface Writer {
  writeAll(buf: Uint8Array, options?: WaitOptions): Thenable<unknown>;
}

/** Cancels an inner op if it can be cancelled. */
export function cancelInner(inner: Thenable<unknown> | null, reason: unknown): void {
  if (inner !== null && typeof inner.cancel === "function") inner.cancel(reason);
}

/** Checks that argument `name` is an object with a `method(buf)` (`ERR_INVALID_ARG_TYPE` naming both). */
export function checkMethod(value: unknown, name: string, method: string): void {
  if (value === null || typeof value !== "object" || typeof (value as Record<string, unknown>)[method] !== "function") {
    throw invalidArgument(name, "an object with " + method + "(buf)", value);
  }
}

/** Checks a `buf` argument: a `Uint8Array`, returned as such. */
export function checkBuffer(buf: unknown): Uint8Array {
  if (!(buf instanceof Uint8Array)) throw invalidArgument("buf", "a Uint8Array", buf);
  return buf;
}
