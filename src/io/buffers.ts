/**
 * BufferPool: the bounded pool of socket buffers a runtime hands out (`stats().buffers`).
 *
 * A slot is taken for each open TCP stream (its send staging area) and for each `lines` or
 * `copy` in progress (its read area); `capacity` bounds how many exist at once, so memory is
 * bounded by `capacity × size` whatever peers do. The bytes of a slot are allocated the
 * first time it is used — an idle connection costs a slot number, not a buffer — and kept
 * for the next user of the slot until the pool empties, when they are dropped.
 *
 * When no slot is free `acquire` returns -1: `accept` then waits (the connection stays in the
 * host's backlog) and `connect`, `lines` and `copy` fail with `ERR_POOL_EXHAUSTED`
 * (pool "buffers").
 */

import { KyotoError, poolExhaustedError } from "../core/errors";
import { PoolStats } from "../core/pool";

export class BufferPool {
  live = 0;
  peak = 0;
  private readonly freeSlots: number[] = [];
  private readonly bytes: Array<Uint8Array | null> = [];

  /** Allocates: never (slots and their bytes come on demand). */
  constructor(
    readonly capacity: number,
    readonly size: number,
  ) {}

  /** Takes a slot: its number, or -1 when all `capacity` are taken. Allocates: never. */
  acquire(): number {
    if (this.live >= this.capacity) return -1;
    this.live++;
    if (this.live > this.peak) this.peak = this.live;
    if (this.freeSlots.length > 0) return this.freeSlots.pop() as number;
    this.bytes.push(null);
    return this.bytes.length - 1;
  }

  /** The slot's bytes (allocated on first use). Allocates: `size` bytes, once per slot. */
  buffer(slot: number): Uint8Array {
    const b = this.bytes[slot];
    if (b !== null) return b;
    const fresh = new Uint8Array(this.size);
    this.bytes[slot] = fresh;
    return fresh;
  }

  /** Returns a slot. When the pool empties every buffer is dropped. Allocates: never. */
  release(slot: number): void {
    this.live--;
    if (this.live === 0) {
      this.freeSlots.length = 0;
      this.bytes.length = 0;
      return;
    }
    this.freeSlots.push(slot);
  }

  stats(): PoolStats {
    return { live: this.live, peak: this.peak, capacity: this.capacity };
  }

  /** @internal `ERR_POOL_EXHAUSTED` (pool "buffers"). */
  exhaustedError(): KyotoError {
    return poolExhaustedError("buffers", this.capacity);
  }
}

/**
 * Moves `buf[from, end)` to the front of `buf`. `copyWithin` where the engine has it on typed
 * arrays; a byte loop elsewhere (Espruino's typed arrays are not known to have it).
 */
export function moveToFront(buf: Uint8Array, from: number, end: number): void {
  if (from === 0 || end <= from) return;
  if (typeof buf.copyWithin === "function") {
    buf.copyWithin(0, from, end);
    return;
  }
  for (let i = from; i < end; i++) buf[i - from] = buf[i];
}

/** A copy of `buf[start, end)` in a new array (without relying on typed-array `slice`). */
export function copyOf(buf: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(buf.subarray(start, end));
  return out;
}
