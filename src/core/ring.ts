/**
 * Ring: a FIFO of object references in a circular array whose size is a power of two.
 *
 * Used where a queue must hold references (ops awaiting delivery, channel messages). The
 * backing array is allocated up front and doubles only when full, so steady-state pushes and
 * pops allocate nothing. A `maxCapacity` makes it bounded: `push` then returns false once it
 * holds `maxCapacity` items, even when that is not a power of two (the array may be larger).
 */

import { checkCount, outOfRange } from "./errors";

export class Ring<T> {
  private items: Array<T | undefined>;
  private mask: number;
  private head = 0;
  /** How many items fit before `push` must grow or refuse: min(array size, maxCapacity). */
  private limit: number;
  /** Items queued now. */
  length = 0;

  /** Allocates: on construction, and when an unbounded ring doubles. */
  constructor(capacity: number, readonly maxCapacity: number = 1073741824) {
    checkCount("capacity", capacity, 1073741824);
    if (capacity < 1) throw outOfRange("capacity", "at least 1", capacity);
    let size = 1;
    while (size < capacity) size *= 2;
    this.items = new Array(size);
    for (let i = 0; i < size; i++) this.items[i] = undefined;
    this.mask = size - 1;
    this.limit = size < maxCapacity ? size : maxCapacity;
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

  /** Removes and returns the front item, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    return item;
  }

  /** The item `index` places from the front, without removing it. */
  peek(index: number): T | undefined {
    return index < this.length ? this.items[(this.head + index) & this.mask] : undefined;
  }

  private grow(): boolean {
    const size = this.mask + 1;
    if (size >= this.maxCapacity) return false;
    const grown: Array<T | undefined> = new Array(size * 2);
    for (let i = 0; i < size; i++) grown[i] = this.items[(this.head + i) & this.mask];
    for (let i = size; i < size * 2; i++) grown[i] = undefined;
    this.items = grown;
    this.head = 0;
    this.mask = size * 2 - 1;
    this.limit = size * 2 < this.maxCapacity ? size * 2 : this.maxCapacity;
    return true;
  }
}
