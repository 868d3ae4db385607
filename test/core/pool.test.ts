import { NIL, NodePool, SLOT_SPAN, UNLINKED } from "../../src/core/pool";
import { assert } from "../assert";

describe("NodePool", function () {
  it("hands out distinct slots and counts them as live", function () {
    const pool = new NodePool({ capacity: 4, maxCapacity: 4 });
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      const slot = pool.alloc();
      assert.ok(slot >= 0 && slot < 4, "slot in range, got " + slot);
      assert.equal(seen.indexOf(slot), -1, "slot " + slot + " handed out twice");
      seen.push(slot);
      assert.equal(pool.live, i + 1);
    }
  });

  it("gives a fresh slot clean columns: unlinked, needed/assigned/token zeroed, no waker", function () {
    const pool = new NodePool({ capacity: 1, maxCapacity: 1 });
    const a = pool.alloc();
    pool.needed[a] = 7;
    pool.assigned[a] = 3;
    pool.token[a] = 42;
    pool.wakers[a] = { wake() {} };
    pool.free(a);
    const b = pool.alloc();
    assert.equal(b, a);
    assert.equal(pool.prev[b], UNLINKED);
    assert.equal(pool.next[b], NIL);
    assert.equal(pool.needed[b], 0);
    assert.equal(pool.assigned[b], 0);
    assert.equal(pool.token[b], 0);
    assert.equal(pool.wakers[b], null);
  });

  it("reuses a freed slot before growing", function () {
    const pool = new NodePool({ capacity: 2, maxCapacity: 64 });
    const a = pool.alloc();
    pool.alloc();
    pool.free(a);
    assert.equal(pool.alloc(), a);
    assert.equal(pool.capacity, 2, "no growth while a slot was free");
  });

  it("makes every old handle stale when a slot is freed, even after the slot is reused", function () {
    const pool = new NodePool({ capacity: 1, maxCapacity: 1 });
    const slot = pool.alloc();
    const h1 = pool.handleOf(slot);
    assert.equal(pool.slotOf(h1), slot);
    pool.free(slot);
    assert.equal(pool.slotOf(h1), NIL, "stale after free");
    const again = pool.alloc();
    assert.equal(again, slot);
    const h2 = pool.handleOf(again);
    assert.notEqual(h2, h1);
    assert.equal(pool.slotOf(h1), NIL, "still stale after reuse");
    assert.equal(pool.slotOf(h2), slot);
    for (let i = 0; i < 100; i++) {
      pool.free(slot);
      pool.alloc();
    }
    assert.equal(pool.slotOf(h2), NIL);
  });

  it("keeps handles exact and distinct when the generation wraps around", function () {
    const pool = new NodePool({ capacity: 2, maxCapacity: 2 });
    pool.alloc();
    const slot = pool.alloc();
    pool.gen[slot] = 2147483647; // the last generation
    const last = pool.handleOf(slot);
    assert.ok(last < 9007199254740992, "handle below 2**53");
    assert.equal(pool.slotOf(last), slot);
    pool.free(slot);
    assert.equal(pool.slotOf(last), NIL);
    assert.equal(pool.alloc(), slot);
    const wrapped = pool.handleOf(slot);
    assert.ok(wrapped >= 0 && wrapped !== last);
    assert.equal(pool.slotOf(wrapped), slot);
  });

  it("answers NIL for negative, out-of-range and never-issued handles", function () {
    const pool = new NodePool({ capacity: 2, maxCapacity: 2 });
    const slot = pool.alloc();
    assert.equal(pool.slotOf(-1), NIL);
    assert.equal(pool.slotOf(-3), NIL);
    assert.equal(pool.slotOf(slot), NIL, "generation 0 is never issued");
    assert.equal(pool.slotOf(pool.handleOf(slot) + 5), NIL, "slot beyond capacity");
    assert.equal(pool.slotOf(pool.handleOf(slot) + SLOT_SPAN), NIL, "a future generation");
    assert.equal(pool.slotOf(NaN), NIL);
  });

  it("doubles its capacity up to maxCapacity and then reports NIL", function () {
    const pool = new NodePool({ capacity: 2, maxCapacity: 8 });
    const sizes: number[] = [];
    for (let i = 0; i < 8; i++) {
      assert.notEqual(pool.alloc(), NIL);
      sizes.push(pool.capacity);
    }
    assert.deepEqual(sizes, [2, 2, 4, 4, 8, 8, 8, 8]);
    assert.equal(pool.alloc(), NIL);
    assert.equal(pool.capacity, 8);
    assert.equal(pool.live, 8);
  });

  it("stops growing at a maxCapacity that is not a power of two times capacity", function () {
    const pool = new NodePool({ capacity: 3, maxCapacity: 5 });
    for (let i = 0; i < 5; i++) assert.notEqual(pool.alloc(), NIL);
    assert.equal(pool.capacity, 5);
    assert.equal(pool.alloc(), NIL);
  });

  it("keeps live nodes' columns, links and handles across growth", function () {
    const pool = new NodePool({ capacity: 1, maxCapacity: 16 });
    const slots: number[] = [];
    const handles: number[] = [];
    for (let i = 0; i < 9; i++) {
      const s = pool.alloc();
      pool.needed[s] = 100 + i;
      pool.assigned[s] = 200 + i;
      pool.token[s] = 300 + i;
      if (i > 0) {
        pool.next[slots[i - 1]] = s;
        pool.prev[s] = slots[i - 1];
      }
      slots.push(s);
      handles.push(pool.handleOf(s));
    }
    assert.equal(pool.capacity, 16);
    for (let i = 0; i < 9; i++) {
      const s = slots[i];
      assert.equal(pool.slotOf(handles[i]), s);
      assert.equal(pool.needed[s], 100 + i);
      assert.equal(pool.assigned[s], 200 + i);
      assert.equal(pool.token[s], 300 + i);
      if (i > 0) assert.equal(pool.prev[s], slots[i - 1]);
      if (i < 8) assert.equal(pool.next[s], slots[i + 1]);
    }
  });

  it("fails only the new allocation when a fixed pool is full, touching no live node", function () {
    const pool = new NodePool({ capacity: 3, maxCapacity: 3 });
    const slots = [pool.alloc(), pool.alloc(), pool.alloc()];
    for (let i = 0; i < 3; i++) {
      pool.needed[slots[i]] = i + 1;
      pool.token[slots[i]] = 10 * (i + 1);
      pool.next[slots[i]] = 77;
      pool.prev[slots[i]] = 88;
    }
    const handles = [pool.handleOf(slots[0]), pool.handleOf(slots[1]), pool.handleOf(slots[2])];
    assert.equal(pool.alloc(), NIL);
    assert.equal(pool.alloc(), NIL);
    assert.equal(pool.live, 3);
    assert.equal(pool.capacity, 3);
    for (let i = 0; i < 3; i++) {
      assert.equal(pool.slotOf(handles[i]), slots[i]);
      assert.equal(pool.needed[slots[i]], i + 1);
      assert.equal(pool.token[slots[i]], 10 * (i + 1));
      assert.equal(pool.next[slots[i]], 77);
      assert.equal(pool.prev[slots[i]], 88);
    }
    pool.free(slots[1]);
    assert.equal(pool.alloc(), slots[1], "a freed slot is usable again");
  });

  it("reports live, peak and capacity in stats()", function () {
    const pool = new NodePool({ capacity: 2, maxCapacity: 8 });
    assert.deepEqual(pool.stats(), { live: 0, peak: 0, capacity: 2 });
    const a = pool.alloc();
    const b = pool.alloc();
    const c = pool.alloc();
    assert.deepEqual(pool.stats(), { live: 3, peak: 3, capacity: 4 });
    pool.free(b);
    pool.free(a);
    assert.deepEqual(pool.stats(), { live: 1, peak: 3, capacity: 4 });
    pool.free(c);
    assert.deepEqual(pool.stats(), { live: 0, peak: 3, capacity: 2 }, "emptied, it shrinks back");
    pool.alloc();
    assert.deepEqual(pool.stats(), { live: 1, peak: 3, capacity: 2 });
  });

  it("shrinks back to its initial capacity when a burst of waiters is gone", function () {
    const pool = new NodePool({ capacity: 4, maxCapacity: 1024 });
    const slots: number[] = [];
    for (let i = 0; i < 1000; i++) slots.push(pool.alloc());
    assert.equal(pool.capacity, 1024);
    for (let i = 0; i < 999; i++) pool.free(slots[i]);
    assert.equal(pool.capacity, 1024, "still in use: no shrink while one node is live");
    pool.free(slots[999]);
    assert.equal(pool.capacity, 4);
    assert.equal(pool.next.length, 4, "the columns were reallocated small");
  });

  it("never obeys a handle from before a shrink, even once the pool regrew", function () {
    const pool = new NodePool({ capacity: 1, maxCapacity: 8 });
    const handles: number[] = [];
    const slots: number[] = [];
    for (let i = 0; i < 8; i++) {
      const slot = pool.alloc();
      slots.push(slot);
      handles.push(pool.handleOf(slot));
    }
    for (let i = 0; i < 8; i++) pool.free(slots[i]);
    assert.equal(pool.capacity, 1);
    for (let i = 0; i < 8; i++) assert.equal(pool.slotOf(handles[i]), NIL, "stale after the shrink");
    for (let i = 0; i < 8; i++) pool.alloc();
    for (let i = 0; i < 8; i++) assert.equal(pool.slotOf(handles[i]), NIL, "still stale after regrowing");
  });

  it("defaults to 16 slots growing to 65,536, named \"waiters\"", function () {
    const pool = new NodePool();
    assert.equal(pool.capacity, 16);
    assert.equal(pool.maxCapacity, 65536);
    assert.equal(pool.name, "waiters");
    assert.equal(new NodePool({ capacity: 100000 }).maxCapacity, 100000);
    assert.equal(new NodePool({ name: "timers" }).name, "timers");
  });

  it("names the option and the value in constructor misuse errors", function () {
    assert.throws(() => new NodePool({ capacity: 0 }), { name: "RangeError", message: /options\.capacity.*0/ });
    assert.throws(() => new NodePool({ capacity: -1 }), { name: "RangeError", message: /options\.capacity.*-1/ });
    assert.throws(() => new NodePool({ capacity: 1.5 }), { name: "TypeError", message: /options\.capacity.*1\.5/ });
    assert.throws(() => new NodePool({ capacity: "4" as unknown as number }), { name: "TypeError", message: /options\.capacity.*"4"/ });
    assert.throws(() => new NodePool({ capacity: SLOT_SPAN + 1 }), { name: "RangeError", message: /options\.capacity/ });
    assert.throws(() => new NodePool({ capacity: 8, maxCapacity: 4 }), { name: "RangeError", message: /options\.maxCapacity.*4/ });
    assert.throws(() => new NodePool({ maxCapacity: NaN }), { name: "TypeError", message: /options\.maxCapacity.*NaN/ });
    assert.throws(() => new NodePool({ capacity: 4, maxCapacity: SLOT_SPAN + 1 }), { name: "RangeError", message: /options\.maxCapacity/ });
  });
});
