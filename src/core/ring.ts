/**
 * Ring: a FIFO of object references in a circular array whose size is a power of two.
 *
 * Used where a queue must hold references (ops awaiting delivery, channel messages). The
 * backing array is allocated up front and doubles only when full, so steady-state pushes and
 * pops allocate nothing. A `maxCapacity` makes it bounded: `push` then returns false once it
 * holds `maxCapacity` items, even when that is not a power of two (the array may be larger).
 * A ring that grew goes back to its initial size when it drains, so a burst leaves nothing.
 */

import { checkInteger } from "./errors";

export class Ring<T> {
  private items: Array<T | undefined>;
  private mask: number;
  private head = 0;
  /** How many items fit before `push` must grow or refuse: min(array size, maxCapacity). */
  private limit: number;
  /** Items queued now. */
  length = 0;
  private readonly initialSize: number;

  /** Allocates: on construction, and when an unbounded ring doubles. */
  constructor(capacity: number, readonly maxCapacity: number = 1073741824) {
    checkInteger("capacity", capacity, 1, 1073741824);
    let size = 1;
    while (size < capacity) size *= 2;
    this.items = new Array(size);
    for (let i = 0; i < size; i++) this.items[i] = undefined;
    this.mask = size - 1;
    this.limit = size < maxCapacity ? size : maxCapacity;
    this.initialSize = size;
  }

  get capacity(): number {
    return this.mask + 1;
  }

  /** Appends at the back; false when the ring is full and may not grow. */
  push(item: T): boolean {
    if (this.length >= this.limit && !this.grow()) return false;
    this.items[(this.head + this.length) & this.mask] = item;
    this.length++;
    return true;
  }

  /** Puts an item back at the front (it will be the next `shift`). */
  unshift(item: T): boolean {
    if (this.length >= this.limit && !this.grow()) return false;
    this.head = (this.head - 1) & this.mask;
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
    this.head = (this.head + 1) & this.mask;
    if (--this.length === 0 && this.mask >= this.initialSize) this.resize(this.initialSize);
    return item;
  }

  /** The item `index` places from the front, without removing it. */
  peek(index: number): T | undefined {
    return index < this.length ? this.items[(this.head + index) & this.mask] : undefined;
  }

  private grow(): boolean {
    const size = this.mask + 1;
    if (size >= this.maxCapacity) return false;
    this.resize(size * 2);
    return true;
  }

  /** Moves the items, in order, into a new array of `size` (a power of two ≥ length). */
  private resize(size: number): void {
    const resized: Array<T | undefined> = new Array(size);
    for (let i = 0; i < this.length; i++) resized[i] = this.items[(this.head + i) & this.mask];
    for (let i = this.length; i < size; i++) resized[i] = undefined;
    this.items = resized;
    this.head = 0;
    this.mask = size - 1;
    this.limit = size < this.maxCapacity ? size : this.maxCapacity;
  }
}
