/**
 * TimerWheel: a hierarchical timing wheel over a typed-array node pool.
 *
 * Every timer is one pool node: its links, generation and waker live in the `NodePool`
 * columns, its deadline in a `Float64Array` column of the wheel (deadlines are absolute
 * integer milliseconds and may pass 2**31, so they are stored as exact doubles). The wheel's
 * lists (one per slot, `taken` and overflow) are doubly linked through the pool's `next`/
 * `prev` columns, with their ends in two `Int32Array`s of the wheel (`head`, `tail`, indexed
 * by list id). Insert and cancel are O(1) typed-array writes; finding the next deadline reads
 * one occupancy word per level.
 *
 * Geometry (32 slots per level, so one int32 occupancy word per level):
 *
 * | level | slot width         | level range (32 slots)   | about        |
 * |-------|--------------------|--------------------------|--------------|
 * | 0     | 1 ms               | 32 ms                    | 32 ms        |
 * | 1     | 32 ms              | 1,024 ms                 | 1 s          |
 * | 2     | 1,024 ms           | 32,768 ms                | 33 s         |
 * | 3     | 32,768 ms          | 1,048,576 ms             | 17 min       |
 * | 4     | 2**20 ms           | 2**25 ms                 | 9.3 h        |
 * | 5     | 2**25 ms           | 2**30 ms                 | 12.4 days    |
 * | 6     | 2**30 ms           | 2**35 ms                 | 1.09 years   |
 * | 7     | 2**35 ms           | 2**40 ms                 | 34.8 years   |
 * | over  | —                  | beyond the level-7 block | up to 2**53  |
 *
 * A deadline is filed at the highest base-32 digit in which it differs from `elapsed` (the
 * time the wheel has processed up to), in the slot named by that digit. Deadlines outside the
 * current level-7 block go to an overflow list, re-filed when time reaches their block.
 *
 * Implementation notes (invariants):
 * - A node at level L, slot s shares every digit above L with `elapsed` and has digit L equal
 *   to s, greater than `elapsed`'s digit L (level 0: greater or equal). So the slot's start,
 *   `blockStart(L) + s * width(L)`, is a lower bound of its deadlines, no earlier than
 *   `elapsed`, and the lowest occupied level holds the earliest deadline.
 * - `advance` repeatedly takes the slot with the earliest start, moves its whole list to a private `taken` list (so re-filed or
 *   re-entrantly inserted nodes are never processed twice), sets `elapsed` to that start, then
 *   fires each node whose deadline is `<= elapsed` and re-files the rest one level lower.
 *   Nodes with one deadline therefore fire in the order they were inserted.
 * - A deadline already `<= elapsed` at insert goes to the current level-0 slot: it fires at the
 *   next `advance`, after timers already due there.
 * - `assigned[node]` names the list the node is in (a slot, `taken` or overflow), so cancel
 *   unlinks it from the right list in O(1) even while `advance` is firing.
 * - A list is empty exactly when its `head` is `NIL` (then its `tail` is `NIL` too); a slot's
 *   occupancy bit is set exactly when its list is not empty. A node's `prev`/`next` are only
 *   meaningful while it is in a list: a node taken off a list is re-linked or freed at once.
 * - A fired or cancelled node is freed before its waker runs; its handle is then stale.
 */

import { invalidArgument } from "../../core/errors";
import { NIL, NodePool, PoolStats, SLOT_SPAN } from "../../core/pool";
import { NO_FAULT, WAKE_READY, Waker, wakeCatching } from "../../core/waker";

const LEVELS = 8;
const SLOTS = 32;
/** List ids: `level * SLOTS + slot` for the slots, then these two. */
const TAKEN = LEVELS * SLOTS;
const OVERFLOW = TAKEN + 1;
const LISTS = OVERFLOW + 1;
/** The largest deadline the wheel accepts (larger ones are clamped: they never fire in practice). */
export const MAX_DEADLINE = 9007199254740991;
/** 2**30: a deadline is split into a high and a low 30-bit half so bit operations can compare them. */
const HALF = 1073741824;

/** `WIDTH[L]` = 32**L: the time one slot of level L covers, and the range of level L - 1 (`WIDTH[LEVELS]` = 2**40: the top level's). */
const WIDTH: number[] = [];
for (let level = 0, w = 1; level <= LEVELS; level++, w *= SLOTS) WIDTH.push(w);

export interface TimerWheelOptions {
  /** Timer slots allocated up front (default 64). */
  capacity?: number;
  /** The table doubles up to this many timers (default 65,536 or `capacity`). */
  maxCapacity?: number;
  /** Named in stats and `ERR_POOL_EXHAUSTED` errors (default "timers"). */
  name?: string;
}

/**
 * The level of `when` (`>= elapsed`) relative to `elapsed`: the highest base-32 digit in which
 * they differ (`LEVELS` means overflow). `diff` keeps the highest differing bit exactly, which is
 * all the comparisons read.
 */
function levelFor(elapsed: number, when: number): number {
  let diff = elapsed ^ when; // exact while `when` (and so `elapsed`) is below 2**30
  if (when >= HALF) {
    const eHi = Math.floor(elapsed / HALF);
    const wHi = Math.floor(when / HALF);
    diff = eHi === wHi ? (elapsed - eHi * HALF) ^ (when - wHi * HALF) : (eHi ^ wHi) * HALF;
  }
  let level = 0;
  while (level < LEVELS && diff >= WIDTH[level + 1]) level++;
  return level;
}

/** `BIT_OF[(2**k) % 37] === k`: powers of two up to 2**31 leave distinct remainders mod 37. */
const BIT_OF = new Int8Array(37);
for (let k = 0, p = 1; k < 32; k++, p *= 2) BIT_OF[p % 37] = k;

/** The index of the lowest set bit of a non-zero occupancy word (ES5 has no `Math.clz32`). */
function lowestBit(word: number): number {
  return BIT_OF[((word & -word) >>> 0) % 37];
}

/**
 * The runtime's timers: insert and cancel in O(1), one host timer for every armed deadline.
 *
 * @example
 * ```ts
 * const wheel = new TimerWheel({ capacity: 64 });
 * const waker = { wake: (token: number) => console.log("timer", token, "fired") };
 * const handle = wheel.insert(1000, waker, 1);
 * console.log(wheel.nextDeadline()); // 1000
 * wheel.advance(1000); // wakes every timer due by t = 1000
 * console.log(wheel.cancel(handle)); // false: it already fired
 * ```
 */
export class TimerWheel {
  /** @internal The node pool (exposed for tests and stats). */
  readonly pool: NodePool;
  /** Time processed so far: every timer with a deadline `<= elapsed` has fired or is due. */
  elapsed = 0;
  private when: Float64Array;
  /** First and last node of each list (`NIL` when empty), indexed by list id. */
  private readonly head = new Int32Array(LISTS);
  private readonly tail = new Int32Array(LISTS);
  private readonly occupied = new Int32Array(LEVELS);
  /** A lower bound of the overflow list's deadlines (cancels do not raise it). */
  private overflowMin = Infinity;
  /** The first error a waker threw during the running `advance` (rethrown at its end). */
  private fault: unknown = NO_FAULT;

  /** Allocates: on construction (the pool, the lists) and when the table grows. */
  constructor(options?: TimerWheelOptions) {
    const o = options || {};
    this.pool = new NodePool({ capacity: o.capacity === undefined ? 64 : o.capacity, maxCapacity: o.maxCapacity, name: o.name || "timers" });
    this.when = new Float64Array(this.pool.capacity);
    for (let id = 0; id < LISTS; id++) {
      this.head[id] = NIL;
      this.tail[id] = NIL;
    }
  }

  /**
   * Arms a timer for the absolute integer `deadline` (fractions round up, so it never fires
   * early); `waker.wake(token, WAKE_READY)` is called by the `advance` that reaches it. Returns
   * a handle for `cancel`, or -1 when the table is full (nothing changed).
   * Allocates: never (only when the table grows or has shrunk).
   */
  insert(deadline: number, waker: Waker, token: number): number {
    if (typeof deadline !== "number" || deadline !== deadline) throw invalidArgument("deadline", "a number", deadline);
    const when = deadline > MAX_DEADLINE ? MAX_DEADLINE : Math.ceil(deadline);
    const pool = this.pool;
    const node = pool.alloc();
    if (node === NIL) return -1;
    // Follow the pool: it doubles when full (this alloc), and starts over at its first capacity
    // once it empties (then the node just allocated is the only one alive: nothing to copy).
    if (this.when.length !== pool.capacity) {
      const resized = new Float64Array(pool.capacity);
      if (this.when.length < pool.capacity) resized.set(this.when);
      this.when = resized;
    }
    this.when[node] = when;
    pool.wakers[node] = waker;
    pool.token[node] = token;
    this.file(node, when);
    return pool.handleOf(node);
  }

  /** Disarms a timer; false when the handle is stale (it fired or was cancelled). Allocates: never. */
  cancel(handle: number): boolean {
    const pool = this.pool;
    // The pool's handle is generation * SLOT_SPAN + slot; SLOT_SPAN divides 2**32, so the low
    // bits survive ToInt32 and decoding needs no floating-point remainder (this is the hot path).
    const node = handle & (SLOT_SPAN - 1);
    if (handle < 0 || node >= pool.capacity || pool.handleOf(node) !== handle || pool.wakers[node] === null) return false;
    this.unlink(node);
    pool.free(node);
    return true;
  }

  /**
   * When `advance` next has work: the earliest deadline when it lies within 32 ms of
   * `elapsed`, otherwise the start of the slot holding the earliest timers (a lower bound:
   * advancing there re-files them closer). -1 when no timer is armed. Allocates: never.
   */
  nextDeadline(): number {
    const id = this.earliestList();
    if (id < 0) return -1;
    // A slot starts no earlier than `elapsed`; the overflow's block may (a cancel left overflowMin low).
    const start = this.listStart(id);
    return start > this.elapsed ? start : this.elapsed;
  }

  /**
   * Fires every timer whose deadline is `<= now`, in deadline order (ties in insertion order),
   * and returns how many fired. Wakers may insert and cancel timers meanwhile; one inserted
   * with a deadline `<= now` fires in this same call. A `now` earlier than a previous one
   * fires nothing. Allocates: never.
   */
  advance(now: number): number {
    now = Math.floor(now);
    let fired = 0;
    for (;;) {
      const id = this.earliestList();
      if (id < 0) break;
      const start = this.listStart(id);
      if (start > now) break;
      if (id === OVERFLOW) this.overflowMin = Infinity;
      else this.occupied[id >>> 5] &= ~(1 << (id & (SLOTS - 1)));
      if (start > this.elapsed) this.elapsed = start;
      this.take(id);
      fired += this.fireTaken();
    }
    if (now > this.elapsed) this.elapsed = now;
    const fault = this.fault;
    if (fault !== NO_FAULT) {
      // Every due timer fired; a throwing waker (a raw `insertTimer` caller's) is reported now.
      this.fault = NO_FAULT;
      throw fault;
    }
    return fired;
  }

  /** Timers armed now, the most ever armed at once, and the table's current capacity. */
  stats(): PoolStats {
    return this.pool.stats();
  }

  /**
   * The list holding the earliest timers: the first occupied slot of the lowest occupied level
   * (see the invariants above), else the overflow list; -1 when no timer is armed.
   */
  private earliestList(): number {
    const occupied = this.occupied;
    for (let level = 0; level < LEVELS; level++) {
      const word = occupied[level];
      if (word !== 0) return level * SLOTS + lowestBit(word);
    }
    return this.head[OVERFLOW] !== NIL ? OVERFLOW : -1;
  }

  /** A lower bound of list `id`'s deadlines: a slot's start, or the start of the overflow's earliest block. */
  private listStart(id: number): number {
    if (id === OVERFLOW) return Math.floor(this.overflowMin / WIDTH[LEVELS]) * WIDTH[LEVELS];
    // The start of the block of level L that `elapsed` is in, plus `slot` widths.
    const width = WIDTH[id >>> 5];
    const range = width * SLOTS;
    return Math.floor(this.elapsed / range) * range + (id & (SLOTS - 1)) * width;
  }

  /** Fires or re-files every node of the `taken` list, front first; returns how many fired. */
  private fireTaken(): number {
    const pool = this.pool;
    const head = this.head;
    let fired = 0;
    for (;;) {
      const node = head[TAKEN];
      if (node === NIL) return fired;
      const after = pool.next[node];
      head[TAKEN] = after;
      if (after === NIL) this.tail[TAKEN] = NIL;
      else pool.prev[after] = NIL;
      const when = this.when[node];
      if (when > this.elapsed) {
        this.file(node, when);
        continue;
      }
      const waker = pool.wakers[node] as Waker;
      const token = pool.token[node];
      pool.free(node);
      fired++;
      const f = wakeCatching(waker, token, WAKE_READY);
      if (this.fault === NO_FAULT) this.fault = f;
    }
  }

  /** Moves the whole list `source` to the `taken` list (which is empty), keeping order. */
  private take(source: number): void {
    const head = this.head;
    const tail = this.tail;
    const first = head[source];
    if (first === NIL) return;
    const pool = this.pool;
    for (let node = first; node !== NIL; node = pool.next[node]) pool.assigned[node] = TAKEN;
    head[TAKEN] = first;
    tail[TAKEN] = tail[source];
    head[source] = NIL;
    tail[source] = NIL;
  }

  /**
   * Files `node` by its deadline: a due one (`when <= elapsed`) in the current level-0 slot,
   * else at its level in the slot named by its digit there, or in the overflow list.
   */
  private file(node: number, when: number): void {
    const at = when > this.elapsed ? when : this.elapsed;
    const level = levelFor(this.elapsed, at);
    if (level === LEVELS) {
      if (when < this.overflowMin) this.overflowMin = when;
      this.append(node, OVERFLOW);
      return;
    }
    // The digit of `at` at `level`: ToInt32 keeps the low 32 bits of the integer part exactly.
    const slot = (at / WIDTH[level]) & (SLOTS - 1);
    this.occupied[level] |= 1 << slot;
    this.append(node, level * SLOTS + slot);
  }

  /** Appends `node` to list `id`. */
  private append(node: number, id: number): void {
    const pool = this.pool;
    const last = this.tail[id];
    pool.assigned[node] = id;
    pool.next[node] = NIL;
    pool.prev[node] = last;
    if (last === NIL) this.head[id] = node;
    else pool.next[last] = node;
    this.tail[id] = node;
  }

  /** Takes `node` out of its list, clearing the slot's occupancy bit when the list empties. */
  private unlink(node: number): void {
    const pool = this.pool;
    const id = pool.assigned[node];
    const before = pool.prev[node];
    const after = pool.next[node];
    if (before === NIL) this.head[id] = after;
    else pool.next[before] = after;
    if (after === NIL) this.tail[id] = before;
    else pool.prev[after] = before;
    // Slot ids are level * 32 + slot: the level is id >>> 5, the slot id & 31.
    if (id < TAKEN && this.head[id] === NIL) this.occupied[id >>> 5] &= ~(1 << (id & (SLOTS - 1)));
  }
}
