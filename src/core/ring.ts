/**
 * Ring: a FIFO of object references in a circular array whose size is a power of two.
 *
 * Used where a queue must hold references (ops awaiting delivery, channel messages). The
 * backing array is allocated up front and doubles only when full, so steady-state pushes and
 * pops allocate nothing. A `maxCapacity` makes it bounded: `push` then returns false once it
 * holds `maxCapacity` items, even when that is not a power of two (the array may be larger).
 * A ring that grew goes back to its initial size when it drains, so a burst leaves nothing.
 *
 * Invariants: `capacity` (the array's size) is a power of two, at least `length`; the items
 * are at `head`, `head + 1`, … modulo `capacity`, and every other element is `undefined`.
 */

import { checkInteger } from "./errors";

export class Ring<T> {
  private items: Array<T | undefined> = [];
  private head = 0;
  /** Items queued now. */
  length = 0;
  /** The backing array's size (a power of two). */
  capacity = 0;
  private readonly initialSize: number;

  /** Allocates: on construction, and when an unbounded ring doubles. */
  constructor(capacity: number, readonly maxCapacity: number = 1073741824) {
    checkInteger("capacity", capacity, 1, 1073741824);
    let size = 1;
    while (size < capacity) size *= 2;
    this.initialSize = size;
    this.resize(size);
  }

  /** Appends at the back; false when the ring is full and may not grow. */
  push(item: T): boolean {
    if (!this.makeRoom()) return false;
    this.items[(this.head + this.length) & (this.capacity - 1)] = item;
    this.length++;
    return true;
  }

  /** Puts an item back at the front (it will be the next `shift`). */
  unshift(item: T): boolean {
    if (!this.makeRoom()) return false;
    this.head = (this.head - 1) & (this.capacity - 1);
    this.items[this.head] = item;
    this.length++;
    return true;
  }

  /**
   * Removes and returns the front item, or `undefined` when empty. Allocates: never, except
   * when a grown ring drains and goes back to its initial size.
   */
  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.capacity - 1);
    if (--this.length === 0 && this.capacity > this.initialSize) this.resize(this.initialSize);
    return item;
  }

  /** The item `index` places from the front, without removing it. */
  peek(index: number): T | undefined {
    return index < this.length ? this.items[(this.head + index) & (this.capacity - 1)] : undefined;
  }

  /** Makes room for one more item (doubling a full array); false when the ring holds `maxCapacity`. */
  private makeRoom(): boolean {
    if (this.length >= this.maxCapacity) return false;
    if (this.length === this.capacity) this.resize(this.capacity * 2);
    return true;
  }

  /** Moves the items, in order, into a new array of `size` (a power of two ≥ length). */
  private resize(size: number): void {
    const resized: Array<T | undefined> = new Array(size);
    for (let i = 0; i < this.length; i++) resized[i] = this.items[(this.head + i) & (this.capacity - 1)];
    for (let i = this.length; i < size; i++) resized[i] = undefined;
    this.items = resized;
    this.head = 0;
    this.capacity = size;
  }
}
