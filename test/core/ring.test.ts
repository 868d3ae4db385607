import { Ring } from "../../src/core/ring";
import { assert } from "../assert";
import { forEachSeed, Rng } from "../rng";

function contents<T>(ring: Ring<T>): T[] {
  const out: T[] = [];
  for (let i = 0; i < ring.length; i++) out.push(ring.peek(i) as T);
  return out;
}

describe("Ring", function () {
  it("goes back to its initial size when a grown ring drains, keeping order on the way", function () {
    const ring = new Ring<number>(4);
    for (let i = 0; i < 100; i++) ring.push(i);
    assert.equal(ring.capacity, 128);
    for (let i = 0; i < 99; i++) assert.equal(ring.shift(), i);
    assert.equal(ring.capacity, 128, "not while an item is left");
    assert.equal(ring.shift(), 99);
    assert.equal(ring.capacity, 4);
    ring.push(7);
    ring.unshift(6);
    assert.equal(ring.shift(), 6);
    assert.equal(ring.shift(), 7);
  });

  it("is a FIFO: shift returns items in push order, then undefined", function () {
    const ring = new Ring<number>(4);
    for (let i = 1; i <= 3; i++) assert.ok(ring.push(i));
    assert.equal(ring.length, 3);
    assert.equal(ring.shift(), 1);
    assert.equal(ring.shift(), 2);
    assert.equal(ring.shift(), 3);
    assert.equal(ring.shift(), undefined);
    assert.equal(ring.length, 0);
  });

  it("puts an unshifted item at the front", function () {
    const ring = new Ring<string>(2);
    ring.push("b");
    ring.push("c");
    assert.ok(ring.unshift("a"));
    assert.deepEqual(contents(ring), ["a", "b", "c"]);
    assert.equal(ring.shift(), "a");
    ring.unshift("z");
    assert.deepEqual(contents(ring), ["z", "b", "c"]);
  });

  it("peeks without removing and answers undefined past the end", function () {
    const ring = new Ring<number>(4);
    ring.push(10);
    ring.push(20);
    assert.equal(ring.peek(0), 10);
    assert.equal(ring.peek(1), 20);
    assert.equal(ring.peek(2), undefined);
    assert.equal(ring.length, 2);
  });

  it("rounds its capacity up to a power of two", function () {
    assert.equal(new Ring<number>(1).capacity, 1);
    assert.equal(new Ring<number>(3).capacity, 4);
    assert.equal(new Ring<number>(64).capacity, 64);
    assert.equal(new Ring<number>(65).capacity, 128);
  });

  it("doubles when full and keeps order across the wrap-around", function () {
    const ring = new Ring<number>(4);
    // Move the head to the middle so the live items wrap past the end of the array.
    ring.push(0);
    ring.push(0);
    ring.push(0);
    ring.shift();
    ring.shift();
    ring.shift();
    for (let i = 1; i <= 4; i++) ring.push(i);
    assert.equal(ring.capacity, 4);
    ring.push(5);
    assert.equal(ring.capacity, 8);
    ring.unshift(0);
    assert.deepEqual(contents(ring), [0, 1, 2, 3, 4, 5]);
    for (let i = 6; i <= 20; i++) ring.push(i);
    const out: number[] = [];
    while (ring.length > 0) out.push(ring.shift() as number);
    const expected: number[] = [];
    for (let i = 0; i <= 20; i++) expected.push(i);
    assert.deepEqual(out, expected);
  });

  it("grows when unshifting into a full ring", function () {
    const ring = new Ring<number>(2);
    ring.push(2);
    ring.push(3);
    assert.ok(ring.unshift(1));
    assert.deepEqual(contents(ring), [1, 2, 3]);
  });

  it("refuses push and unshift when a bounded ring is full, keeping its items", function () {
    const ring = new Ring<number>(2, 4);
    for (let i = 1; i <= 4; i++) assert.ok(ring.push(i), "push " + i);
    assert.equal(ring.push(5), false);
    assert.equal(ring.unshift(0), false);
    assert.equal(ring.capacity, 4);
    assert.deepEqual(contents(ring), [1, 2, 3, 4]);
    ring.shift();
    assert.ok(ring.push(5));
    assert.deepEqual(contents(ring), [2, 3, 4, 5]);
  });

  it("never holds more than a maxCapacity that is not a power of two", function () {
    const ring = new Ring<number>(2, 3);
    assert.ok(ring.push(1));
    assert.ok(ring.push(2));
    assert.ok(ring.push(3));
    assert.equal(ring.push(4), false);
    assert.equal(ring.unshift(0), false);
    assert.deepEqual(contents(ring), [1, 2, 3]);
    const exact = new Ring<number>(3, 3);
    exact.push(1);
    exact.push(2);
    exact.push(3);
    assert.equal(exact.push(4), false);
    assert.equal(exact.length, 3);
  });

  it("drops its reference to a shifted item", function () {
    const ring = new Ring<object>(2);
    const item = {};
    ring.push(item);
    ring.shift();
    // The slot is cleared: peeking at the raw position past length gives undefined.
    assert.equal(ring.peek(0), undefined);
    ring.push({});
    ring.push({});
    assert.notEqual(ring.peek(0), item);
    assert.notEqual(ring.peek(1), item);
  });

  it("matches an array model under random push, unshift and shift", function () {
    forEachSeed(typeof process === "undefined" ? 60 : 200, function (rng: Rng) {
      const bound = rng.int(2) === 0 ? 1 + rng.int(6) : 1073741824;
      const ring = new Ring<number>(1 + rng.int(3), bound);
      const model: number[] = [];
      let next = 1;
      for (let step = 0; step < 150; step++) {
        const action = rng.int(3);
        if (action === 0) {
          const ok = ring.push(next);
          assert.equal(ok, model.length < bound, "push accepted");
          if (ok) model.push(next);
          next++;
        } else if (action === 1) {
          const ok = ring.unshift(next);
          assert.equal(ok, model.length < bound, "unshift accepted");
          if (ok) model.unshift(next);
          next++;
        } else {
          assert.equal(ring.shift(), model.length > 0 ? model.shift() : undefined);
        }
        assert.equal(ring.length, model.length);
        assert.deepEqual(contents(ring), model);
      }
    });
  });

  it("names the argument in constructor misuse errors", function () {
    assert.throws(() => new Ring<number>(0), { name: "RangeError", message: /capacity.*0/ });
    assert.throws(() => new Ring<number>(2.5), { name: "TypeError", message: /capacity.*2\.5/ });
    assert.throws(() => new Ring<number>("8" as unknown as number), { name: "TypeError", message: /capacity/ });
  });
});
