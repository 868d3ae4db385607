import { WaitList } from "../../src/core/list";
import { NIL, NodePool, UNLINKED } from "../../src/core/pool";
import { assert } from "../assert";
import { forEachSeed, Rng } from "../rng";

/** The slots of `list` from head to tail, checking the back links on the way. */
function walk(list: WaitList): number[] {
  const pool = list.pool;
  const out: number[] = [];
  let prev = NIL;
  let slot = list.head;
  while (slot !== NIL) {
    assert.equal(pool.prev[slot], prev, "prev of slot " + slot);
    out.push(slot);
    if (out.length > pool.capacity) assert.fail("cycle in list: " + JSON.stringify(out));
    prev = slot;
    slot = pool.next[slot];
  }
  assert.equal(list.tail, prev, "tail");
  return out;
}

/** A node holding `value` in its token column, like the values of Tokio's list tests. */
function node(pool: NodePool, value: number): number {
  const slot = pool.alloc();
  assert.notEqual(slot, NIL, "pool has room");
  pool.token[slot] = value;
  return slot;
}

function values(list: WaitList): number[] {
  const slots = walk(list);
  const out: number[] = [];
  for (let i = 0; i < slots.length; i++) out.push(list.pool.token[slots[i]]);
  return out;
}

function drain(list: WaitList): number[] {
  const out: number[] = [];
  let slot: number;
  while ((slot = list.popFront()) !== NIL) out.push(list.pool.token[slot]);
  return out;
}

describe("WaitList", function () {
  // Tokio linked_list::tests::push_and_drain (push_front + pop_back there; pushBack + popFront here).
  it("serves nodes pushed at the back in FIFO order and ends empty", function () {
    const pool = new NodePool({ capacity: 4, maxCapacity: 4 });
    const list = new WaitList(pool);
    list.pushBack(node(pool, 5));
    list.pushBack(node(pool, 7));
    list.pushBack(node(pool, 31));
    assert.equal(list.length, 3);
    assert.deepEqual(drain(list), [5, 7, 31]);
    assert.ok(list.isEmpty());
    assert.equal(list.head, NIL);
    assert.equal(list.tail, NIL);
    assert.equal(list.length, 0);
  });

  it("serves nodes pushed at the front in LIFO order", function () {
    const pool = new NodePool({ capacity: 4, maxCapacity: 4 });
    const list = new WaitList(pool);
    list.pushFront(node(pool, 5));
    list.pushFront(node(pool, 7));
    list.pushBack(node(pool, 9));
    list.pushFront(node(pool, 31));
    assert.deepEqual(values(list), [31, 7, 5, 9]);
    assert.deepEqual(drain(list), [31, 7, 5, 9]);
  });

  // Tokio linked_list::tests::push_pop_push_pop
  it("empties completely between pushes and pops", function () {
    const pool = new NodePool({ capacity: 2, maxCapacity: 2 });
    const list = new WaitList(pool);
    const a = node(pool, 5);
    list.pushBack(a);
    assert.equal(list.popFront(), a);
    assert.ok(list.isEmpty());
    assert.equal(list.tail, NIL);
    assert.equal(pool.prev[a], UNLINKED, "a popped node is unlinked");
    assert.ok(!list.isLinked(a));
    const b = node(pool, 7);
    list.pushBack(b);
    assert.equal(list.head, b);
    assert.equal(list.tail, b);
    assert.equal(list.popFront(), b);
    assert.ok(list.isEmpty());
    assert.equal(list.popFront(), NIL);
    assert.equal(list.length, 0);
  });

  // Tokio linked_list::tests::remove_by_address
  describe("remove", function () {
    function three(): { pool: NodePool; list: WaitList; a: number; b: number; c: number } {
      const pool = new NodePool({ capacity: 3, maxCapacity: 3 });
      const list = new WaitList(pool);
      const a = node(pool, 5);
      const b = node(pool, 7);
      const c = node(pool, 31);
      list.pushBack(a);
      list.pushBack(b);
      list.pushBack(c);
      return { pool: pool, list: list, a: a, b: b, c: c };
    }

    function checkRemoved(list: WaitList, slot: number): void {
      assert.equal(list.pool.prev[slot], UNLINKED, "removed node is unlinked");
      assert.equal(list.pool.next[slot], NIL, "removed node points nowhere");
      assert.ok(!list.isLinked(slot));
      const length = list.length;
      assert.equal(list.remove(slot), false, "removing it again does nothing");
      assert.equal(list.length, length);
    }

    it("unlinks the first node and moves the head", function () {
      const t = three();
      assert.equal(t.list.remove(t.a), true);
      checkRemoved(t.list, t.a);
      assert.equal(t.list.head, t.b);
      assert.deepEqual(values(t.list), [7, 31]);
      assert.deepEqual(drain(t.list), [7, 31]);
    });

    it("unlinks a middle node and relinks its neighbours", function () {
      const t = three();
      assert.equal(t.list.remove(t.b), true);
      checkRemoved(t.list, t.b);
      assert.equal(t.pool.next[t.a], t.c);
      assert.equal(t.pool.prev[t.c], t.a);
      assert.deepEqual(drain(t.list), [5, 31]);
    });

    it("unlinks the last node and moves the tail", function () {
      const t = three();
      assert.equal(t.list.remove(t.c), true);
      checkRemoved(t.list, t.c);
      assert.equal(t.list.tail, t.b);
      assert.equal(t.pool.next[t.b], NIL);
      assert.deepEqual(drain(t.list), [5, 7]);
    });

    it("removes first then last of a two-node list, leaving it empty", function () {
      const pool = new NodePool({ capacity: 2, maxCapacity: 2 });
      const list = new WaitList(pool);
      const a = node(pool, 5);
      const b = node(pool, 7);
      list.pushBack(a);
      list.pushBack(b);
      assert.equal(list.remove(a), true);
      checkRemoved(list, a);
      assert.equal(list.head, b);
      assert.equal(list.tail, b);
      assert.equal(list.remove(b), true);
      checkRemoved(list, b);
      assert.ok(list.isEmpty());
      assert.equal(list.tail, NIL);
    });

    it("does nothing for a node that was never linked, or was freed", function () {
      const t = three();
      const list = t.list;
      list.remove(t.b);
      assert.equal(list.remove(t.b), false);
      t.pool.free(t.b);
      assert.equal(list.remove(t.b), false, "freed node");
      assert.deepEqual(values(list), [5, 31]);
      assert.equal(list.length, 2);
      // The free list threads through `next`: it must still hand the slot out intact.
      assert.equal(t.pool.alloc(), t.b);
    });
  });

  describe("moveFrontTo", function () {
    function build(pool: NodePool, vals: number[]): WaitList {
      const list = new WaitList(pool);
      for (let i = 0; i < vals.length; i++) list.pushBack(node(pool, vals[i]));
      return list;
    }
    function nth(list: WaitList, i: number): number {
      return walk(list)[i];
    }

    it("splices a leading run onto the back of another list in order", function () {
      const pool = new NodePool({ capacity: 8, maxCapacity: 8 });
      const src = build(pool, [1, 2, 3, 4, 5]);
      const dest = build(pool, [10, 11]);
      src.moveFrontTo(nth(src, 2), 3, dest);
      assert.deepEqual(values(src), [4, 5]);
      assert.deepEqual(values(dest), [10, 11, 1, 2, 3]);
      assert.equal(src.length, 2);
      assert.equal(dest.length, 5);
      assert.equal(pool.prev[src.head], NIL);
    });

    it("moves a whole list, leaving the source empty", function () {
      const pool = new NodePool({ capacity: 4, maxCapacity: 4 });
      const src = build(pool, [1, 2, 3]);
      const dest = new WaitList(pool);
      src.moveFrontTo(src.tail, 3, dest);
      assert.ok(src.isEmpty());
      assert.equal(src.tail, NIL);
      assert.equal(src.length, 0);
      assert.deepEqual(values(dest), [1, 2, 3]);
      assert.equal(dest.length, 3);
      assert.deepEqual(drain(dest), [1, 2, 3]);
    });

    it("moves a single head node", function () {
      const pool = new NodePool({ capacity: 4, maxCapacity: 4 });
      const src = build(pool, [1, 2]);
      const dest = build(pool, [9]);
      src.moveFrontTo(src.head, 1, dest);
      assert.deepEqual(values(src), [2]);
      assert.deepEqual(values(dest), [9, 1]);
      assert.ok(dest.isLinked(dest.tail));
      assert.equal(dest.remove(dest.tail), true, "moved nodes can be removed from their new list");
      assert.deepEqual(values(dest), [9]);
    });
  });

  // Tokio linked_list::tests::fuzz_linked_list, extended to two lists, pushFront, moveFrontTo
  // and removal of unlinked and freed-then-reused slots, over pools of 1–4 slots.
  it("matches an array model under random operations on tiny pools", function () {
    const steps = typeof process === "undefined" ? 120 : 250;
    forEachSeed(typeof process === "undefined" ? 120 : 300, function (rng: Rng) {
      const capacity = 1 + rng.int(4);
      const grows = rng.int(2) === 0;
      const pool = new NodePool({ capacity: grows ? 1 : capacity, maxCapacity: capacity });
      const lists = [new WaitList(pool), new WaitList(pool)];
      const model: number[][] = [[], []];
      // Slots allocated but in no list (popped or removed, not yet freed).
      const loose: number[] = [];
      const log: string[] = [];
      let nextValue = 1;

      function where(slot: number): number {
        for (let l = 0; l < 2; l++) if (model[l].indexOf(slot) >= 0) return l;
        return -1;
      }

      function check(): void {
        for (let l = 0; l < 2; l++) {
          const list = lists[l];
          assert.deepEqual(walk(list), model[l], "list " + l + " order after " + log.join(" "));
          assert.equal(list.length, model[l].length, "list " + l + " length");
          assert.equal(list.head, model[l].length > 0 ? model[l][0] : NIL, "head");
          assert.equal(list.tail, model[l].length > 0 ? model[l][model[l].length - 1] : NIL, "tail");
          assert.equal(list.isEmpty(), model[l].length === 0);
          if (list.head !== NIL) assert.equal(pool.prev[list.head], NIL, "head.prev");
          if (list.tail !== NIL) assert.equal(pool.next[list.tail], NIL, "tail.next");
        }
        for (let s = 0; s < pool.capacity; s++) {
          assert.equal(lists[0].isLinked(s), where(s) >= 0, "isLinked(" + s + ") after " + log.join(" "));
        }
        assert.equal(pool.live, model[0].length + model[1].length + loose.length, "live");
      }

      function fresh(): number {
        const slot = pool.alloc();
        if (slot === NIL) {
          assert.equal(pool.live, capacity, "alloc fails only when every slot is live");
          return NIL;
        }
        assert.equal(where(slot), -1, "a fresh slot is in no list");
        assert.equal(loose.indexOf(slot), -1, "a fresh slot is not already held");
        pool.token[slot] = nextValue++;
        return slot;
      }

      for (let step = 0; step < steps; step++) {
        const l = rng.int(2);
        const list = lists[l];
        const m = model[l];
        const action = rng.int(7);
        if (action === 0 || action === 1) {
          // push a fresh node, or a loose one again
          let slot = loose.length > 0 && rng.int(2) === 0 ? loose.splice(rng.int(loose.length), 1)[0] : fresh();
          if (slot === NIL && loose.length > 0) slot = loose.splice(0, 1)[0];
          if (slot === NIL) continue;
          if (action === 0) {
            log.push(l + ":pushBack(" + slot + ")");
            list.pushBack(slot);
            m.push(slot);
          } else {
            log.push(l + ":pushFront(" + slot + ")");
            list.pushFront(slot);
            m.unshift(slot);
          }
        } else if (action === 2) {
          log.push(l + ":popFront");
          const slot = list.popFront();
          assert.equal(slot, m.length > 0 ? m.shift() : NIL, "popFront after " + log.join(" "));
          if (slot !== NIL) {
            assert.ok(!list.isLinked(slot));
            loose.push(slot);
          }
        } else if (action === 3) {
          // remove any slot, linked or not, allocated or free
          const slot = rng.int(pool.capacity);
          const home = where(slot);
          const target = home >= 0 ? lists[home] : list;
          log.push((home >= 0 ? home : l) + ":remove(" + slot + ")");
          assert.equal(target.remove(slot), home >= 0, "remove result");
          if (home >= 0) {
            model[home].splice(model[home].indexOf(slot), 1);
            loose.push(slot);
          }
        } else if (action === 4) {
          // free a loose slot (its handles go stale; the slot will be reused)
          if (loose.length === 0) continue;
          const slot = loose.splice(rng.int(loose.length), 1)[0];
          log.push("free(" + slot + ")");
          const handle = pool.handleOf(slot);
          pool.free(slot);
          assert.equal(pool.slotOf(handle), NIL);
          assert.equal(list.remove(slot), false, "removing a freed slot does nothing");
        } else if (action === 5) {
          if (m.length === 0) continue;
          const count = 1 + rng.int(m.length);
          const last = m[count - 1];
          const other = 1 - l;
          log.push(l + ":moveFrontTo(" + last + "," + count + ")");
          list.moveFrontTo(last, count, lists[other]);
          const run = m.splice(0, count);
          for (let i = 0; i < run.length; i++) model[other].push(run[i]);
        } else {
          // values travel with their slots
          for (let i = 0; i < m.length; i++) assert.ok(pool.token[m[i]] > 0);
        }
        check();
      }
    });
  });
});
