import { NIL, NodePool } from "../../src/core/pool";
import { WAKE_CLOSED, WAKE_READY, Waker } from "../../src/core/waker";
import { ACQUIRED, BatchSemaphore, CLOSED, EXHAUSTED, MAX_PERMITS } from "../../src/sync/batch_semaphore";
import { assert } from "../assert";
import { forEachSeed, Rng } from "../rng";

const VM = typeof process === "undefined";

/** A waker that records every call as [token, status], and may react to it. */
class TestWaker implements Waker {
  calls: number[][] = [];
  onWake: ((token: number, status: number) => void) | null = null;
  wake(token: number, status: number): void {
    this.calls.push([token, status]);
    if (this.onWake !== null) this.onWake(token, status);
  }
  woken(): boolean {
    return this.calls.length > 0;
  }
}

function sem(permits: number, capacity?: number): BatchSemaphore {
  const size = capacity || 8;
  return new BatchSemaphore(permits, new NodePool({ capacity: size, maxCapacity: size }));
}

/** Queues `n` and checks that it did queue; returns the handle. */
function pending(s: BatchSemaphore, n: number, w: Waker, token?: number): number {
  const h = s.acquire(n, w, token || 0);
  assert.ok(h >= 0, "acquire(" + n + ") should wait, returned " + h);
  return h;
}

// Ports of tokio/src/sync/tests/semaphore_batch.rs
describe("BatchSemaphore (Tokio semaphore_batch scenarios)", function () {
  it("takes one available permit at once (poll_acquire_one_available)", function () {
    const s = sem(100);
    assert.equal(s.acquire(1, new TestWaker(), 0), ACQUIRED);
    assert.equal(s.available(), 99);
  });

  it("takes many available permits at once (poll_acquire_many_available)", function () {
    const s = sem(100);
    assert.equal(s.acquire(5, new TestWaker(), 0), ACQUIRED);
    assert.equal(s.available(), 95);
    assert.equal(s.acquire(5, new TestWaker(), 0), ACQUIRED);
    assert.equal(s.available(), 90);
  });

  it("tries one and many available permits (try_acquire_one/many_available)", function () {
    const s = sem(100);
    assert.ok(s.tryAcquire(1));
    assert.equal(s.available(), 99);
    assert.ok(s.tryAcquire(1));
    assert.equal(s.available(), 98);
    const t = sem(100);
    assert.ok(t.tryAcquire(5));
    assert.equal(t.available(), 95);
    assert.ok(t.tryAcquire(5));
    assert.equal(t.available(), 90);
  });

  it("hands a released permit straight to the waiter (poll_acquire_one_unavailable)", function () {
    const s = sem(1);
    assert.equal(s.acquire(1, new TestWaker(), 0), ACQUIRED);
    assert.equal(s.available(), 0);
    const w = new TestWaker();
    pending(s, 1, w, 7);
    assert.equal(s.available(), 0);
    assert.ok(!w.woken());
    s.release(1);
    assert.equal(s.available(), 0, "the permit went to the waiter, not the counter");
    assert.deepEqual(w.calls, [[7, WAKE_READY]]);
    assert.equal(s.waiterCount(), 0);
    s.release(1);
    assert.equal(s.available(), 1);
  });

  it("assigns partially and serves in FIFO order (poll_acquire_many_unavailable)", function () {
    const s = sem(5);
    assert.equal(s.acquire(1, new TestWaker(), 0), ACQUIRED);
    assert.equal(s.available(), 4);
    const w2 = new TestWaker();
    const w3 = new TestWaker();
    pending(s, 5, w2, 2);
    assert.equal(s.available(), 0, "the 5-waiter took the 4 free permits");
    pending(s, 3, w3, 3);
    assert.equal(s.available(), 0);
    s.release(1);
    assert.deepEqual(w2.calls, [[2, WAKE_READY]]);
    assert.ok(!w3.woken());
    assert.equal(s.available(), 0);
    s.release(1);
    assert.ok(!w3.woken(), "needs 2 more");
    assert.equal(s.available(), 0);
    s.release(2);
    assert.deepEqual(w3.calls, [[3, WAKE_READY]]);
    assert.equal(s.available(), 0);
  });

  it("refuses a try while the permit is out (try_acquire_one_unavailable)", function () {
    const s = sem(1);
    assert.ok(s.tryAcquire(1));
    assert.ok(!s.tryAcquire(1));
    s.release(1);
    assert.equal(s.available(), 1);
    assert.ok(s.tryAcquire(1));
    s.release(1);
    assert.equal(s.available(), 1);
  });

  it("refuses a many-try until enough are back (try_acquire_many_unavailable)", function () {
    const s = sem(5);
    assert.ok(s.tryAcquire(1));
    assert.equal(s.available(), 4);
    assert.ok(!s.tryAcquire(5));
    s.release(1);
    assert.equal(s.available(), 5);
    assert.ok(s.tryAcquire(5));
    s.release(1);
    assert.equal(s.available(), 1);
    s.release(1);
    assert.equal(s.available(), 2);
  });

  it("wakes a waiter on a zero-permit semaphore when a permit is added (poll_acquire_one_zero_permits)", function () {
    const s = sem(0);
    const w = new TestWaker();
    pending(s, 1, w);
    s.release(1);
    assert.deepEqual(w.calls, [[0, WAKE_READY]]);
  });

  it("accepts MAX_PERMITS and rejects more, naming the argument (max_permits_doesnt_panic, validates_max_permits)", function () {
    assert.equal(MAX_PERMITS, 1073741823);
    assert.equal(new BatchSemaphore(MAX_PERMITS).available(), MAX_PERMITS);
    assert.throws(() => new BatchSemaphore(MAX_PERMITS + 1), { name: "RangeError", message: /permits.*1073741824/ });
    assert.throws(() => new BatchSemaphore(-1), { name: "RangeError", message: /permits/ });
    assert.throws(() => new BatchSemaphore(1.5), { name: "TypeError", message: /permits/ });
  });

  it("fails acquires after close and keeps the free count (close_semaphore_prevents_acquire)", function () {
    const s = sem(5);
    s.close();
    assert.ok(s.isClosed());
    assert.equal(s.available(), 5);
    assert.equal(s.acquire(1, new TestWaker(), 0), CLOSED);
    assert.equal(s.available(), 5);
    assert.equal(s.acquire(1, new TestWaker(), 0), CLOSED);
    assert.equal(s.available(), 5);
    assert.equal(s.acquire(0, new TestWaker(), 0), CLOSED, "even zero permits");
    assert.ok(!s.tryAcquire(1));
    assert.ok(!s.tryAcquire(0));
  });

  it("wakes a waiter with WAKE_CLOSED on close (close_semaphore_notifies_permit1)", function () {
    const s = sem(0);
    const w = new TestWaker();
    pending(s, 1, w, 9);
    s.close();
    assert.deepEqual(w.calls, [[9, WAKE_CLOSED]]);
    assert.equal(s.waiterCount(), 0);
    assert.equal(s.pool.live, 0);
  });

  it("wakes every waiter on close; held permits can still be released (close_semaphore_notifies_permit2)", function () {
    const s = sem(2);
    assert.equal(s.acquire(1, new TestWaker(), 0), ACQUIRED);
    assert.equal(s.acquire(1, new TestWaker(), 0), ACQUIRED);
    const w3 = new TestWaker();
    const w4 = new TestWaker();
    pending(s, 1, w3, 3);
    pending(s, 1, w4, 4);
    s.close();
    assert.deepEqual(w3.calls, [[3, WAKE_CLOSED]]);
    assert.deepEqual(w4.calls, [[4, WAKE_CLOSED]]);
    assert.equal(s.available(), 0);
    s.release(1);
    assert.equal(s.available(), 1);
    assert.equal(s.acquire(1, new TestWaker(), 0), CLOSED);
    s.release(1);
    assert.equal(s.available(), 2);
  });

  it("gives partial permits back when a waiter is cancelled (cancel_acquire_releases_permits)", function () {
    const s = sem(10);
    assert.ok(s.tryAcquire(4));
    assert.equal(s.available(), 6);
    const w = new TestWaker();
    const h = pending(s, 8, w);
    assert.equal(s.available(), 0);
    assert.equal(s.cancel(h), true);
    assert.equal(s.available(), 6);
    assert.ok(s.tryAcquire(6));
    assert.ok(!w.woken(), "a cancelled waiter is never woken");
    assert.equal(s.cancel(h), false, "a second cancel is stale");
  });

  // release_permits_at_drop: there a waker's destructor releases a permit while the
  // semaphore is mid-update. Here the closest thing is a waker releasing from inside wake.
  it("stays consistent when a waker releases permits from inside wake (release_permits_at_drop)", function () {
    const s = sem(1);
    assert.ok(s.tryAcquire(1));
    const order: string[] = [];
    const a = new TestWaker();
    const b = new TestWaker();
    a.onWake = function () {
      order.push("a");
      assert.equal(s.available(), 0);
      s.release(1); // drop at once: goes to b, woken after a returns
      order.push("a done");
    };
    b.onWake = function () {
      order.push("b");
    };
    pending(s, 1, a);
    pending(s, 1, b);
    s.release(1);
    assert.deepEqual(order, ["a", "a done", "b"]);
    assert.equal(s.available(), 0);
    assert.equal(s.waiterCount(), 0);
    s.release(1);
    assert.equal(s.available(), 1);
    assert.equal(s.pool.live, 0);
  });

  it("forgets free permits only (forget_permits_basic)", function () {
    const s = sem(10);
    assert.equal(s.forget(4), 4);
    assert.equal(s.available(), 6);
    assert.equal(s.forget(10), 6);
    assert.equal(s.available(), 0);
    assert.equal(s.forget(1), 0);
  });

  it("feeds the waiter first and the counter with the rest (update_permits_many_times)", function () {
    const s = sem(5);
    const w = new TestWaker();
    pending(s, 7, w);
    s.release(5);
    assert.ok(w.woken());
    assert.equal(s.available(), 3);
    assert.equal(s.forget(3), 3);
    assert.equal(s.available(), 0);
  });

  it("adds up to MAX_PERMITS (add_max_amount_permits)", function () {
    const s = sem(0);
    s.release(MAX_PERMITS);
    assert.equal(s.available(), MAX_PERMITS);
  });

  it("refuses to add past MAX_PERMITS and changes nothing (add_more_than_max_amount_permits1/2)", function () {
    const s = sem(1);
    assert.throws(() => s.release(MAX_PERMITS), { name: "RangeError", message: /\bn\b/ });
    assert.equal(s.available(), 1);
    const t = new BatchSemaphore(MAX_PERMITS - 1);
    t.release(1);
    assert.equal(t.available(), MAX_PERMITS);
    assert.throws(() => t.release(1), { name: "RangeError" });
    assert.equal(t.available(), MAX_PERMITS);
  });

  it("validates release and forget counts, naming n", function () {
    const s = sem(1);
    assert.throws(() => s.release(-1), { name: "RangeError", message: /\bn\b.*-1/ });
    assert.throws(() => s.release(0.5), { name: "TypeError", message: /\bn\b.*0\.5/ });
    assert.throws(() => s.forget(NaN), { name: "TypeError", message: /\bn\b/ });
    assert.equal(s.available(), 1);
  });
});

describe("BatchSemaphore", function () {
  it("blocks smaller requests behind a larger one at the head", function () {
    const s = sem(0);
    const big = new TestWaker();
    const small = new TestWaker();
    pending(s, 3, big);
    pending(s, 1, small);
    s.release(2);
    assert.ok(!big.woken() && !small.woken(), "2 free permits do not let the 1-waiter overtake");
    assert.ok(!s.tryAcquire(1), "nor a try");
    assert.ok(s.acquire(1, new TestWaker(), 0) >= 0, "a new acquire queues too");
    s.release(1);
    assert.ok(big.woken());
    assert.ok(!small.woken());
  });

  it("gives a cancelled head's partial permits to the next waiters, waking them", function () {
    const s = sem(3);
    const a = new TestWaker();
    const b = new TestWaker();
    const c = new TestWaker();
    const ha = pending(s, 5, a); // takes 3
    pending(s, 2, b);
    pending(s, 2, c);
    s.cancel(ha);
    assert.ok(b.woken(), "b got 2 of a's 3");
    assert.ok(!c.woken(), "c got 1 and waits for 1 more");
    assert.equal(s.available(), 0);
    s.release(1);
    assert.ok(c.woken());
    assert.equal(s.available(), 0);
    assert.equal(s.pool.live, 0);
  });

  it("returns a cancelled waiter's partial permits to the counter when nobody else waits", function () {
    const s = sem(2);
    const h = pending(s, 3, new TestWaker());
    s.release(0);
    assert.equal(s.available(), 0);
    assert.ok(s.cancel(h));
    assert.equal(s.available(), 2);
  });

  it("reports a stale handle after the waiter was woken: cancel changes nothing", function () {
    const s = sem(0);
    const w = new TestWaker();
    const h = pending(s, 1, w);
    s.release(1);
    assert.equal(s.cancel(h), false);
    assert.equal(s.available(), 0, "the woken waiter owns the permit");
    assert.equal(s.cancel(-1), false);
  });

  it("grants zero permits at once even while others wait", function () {
    const s = sem(0);
    pending(s, 1, new TestWaker());
    assert.equal(s.acquire(0, new TestWaker(), 0), ACQUIRED);
    assert.ok(s.tryAcquire(0));
    assert.equal(s.waiterCount(), 1);
  });

  it("fails only the new waiter when the pool is full (EXHAUSTED), leaving the queue intact", function () {
    const s = sem(1, 2);
    assert.ok(s.tryAcquire(1));
    const a = new TestWaker();
    const b = new TestWaker();
    pending(s, 1, a, 1);
    pending(s, 2, b, 2);
    assert.equal(s.acquire(1, new TestWaker(), 3), EXHAUSTED);
    assert.equal(s.waiterCount(), 2);
    assert.equal(s.available(), 0);
    assert.equal(s.pool.live, 2);
    s.release(3);
    assert.deepEqual(a.calls, [[1, WAKE_READY]]);
    assert.deepEqual(b.calls, [[2, WAKE_READY]]);
    assert.equal(s.pool.live, 0);
    assert.equal(s.acquire(5, new TestWaker(), 0) >= 0, true, "room again");
  });

  it("does not report EXHAUSTED when the permits are free: the fast path needs no node", function () {
    const s = sem(5, 1);
    pending(s, 6, new TestWaker());
    const t = new BatchSemaphore(5, s.pool);
    assert.equal(t.acquire(5, new TestWaker(), 0), ACQUIRED);
    assert.equal(t.acquire(1, new TestWaker(), 0), EXHAUSTED);
  });

  it("returns a queued waiter's partial permits to the counter on close", function () {
    const s = sem(3);
    const w = new TestWaker();
    pending(s, 5, w);
    assert.equal(s.available(), 0);
    s.close();
    assert.deepEqual(w.calls, [[0, WAKE_CLOSED]]);
    assert.equal(s.available(), 3);
  });

  it("queues a re-entrant acquire from inside a wake behind the waiters already queued", function () {
    const s = sem(0);
    const order: string[] = [];
    const a = new TestWaker();
    const b = new TestWaker();
    const again = new TestWaker();
    a.onWake = function () {
      order.push("a");
      assert.ok(s.acquire(1, again, 0) >= 0, "a's second request waits behind b");
    };
    b.onWake = function () {
      order.push("b");
    };
    again.onWake = function () {
      order.push("a again");
    };
    pending(s, 1, a);
    pending(s, 1, b);
    s.release(1);
    assert.deepEqual(order, ["a"]);
    s.release(1);
    assert.deepEqual(order, ["a", "b"]);
    s.release(1);
    assert.deepEqual(order, ["a", "b", "a again"]);
  });

  it("wakes satisfied waiters in FIFO order when a wake releases more permits", function () {
    const s = sem(0);
    const order: number[] = [];
    const wakers: TestWaker[] = [];
    for (let i = 0; i < 4; i++) {
      const w = new TestWaker();
      w.onWake = function (token) {
        order.push(token);
        if (token === 0) s.release(3); // satisfies 2 and 3 while 1 is granted but not yet woken
      };
      wakers.push(w);
      pending(s, 1, w, i);
    }
    s.release(2);
    assert.deepEqual(order, [0, 1, 2, 3]);
    assert.equal(s.available(), 1);
  });

  it("returns all permits of a granted-but-not-woken waiter cancelled from a wake", function () {
    const s = sem(0);
    const a = new TestWaker();
    const b = new TestWaker();
    const c = new TestWaker();
    let hb = -1;
    a.onWake = function () {
      assert.equal(s.cancel(hb), true, "b is granted but not woken: still cancellable");
    };
    pending(s, 1, a);
    hb = pending(s, 2, b);
    pending(s, 2, c);
    s.release(3); // a and b are satisfied together
    assert.ok(a.woken());
    assert.ok(!b.woken(), "a cancelled b before its wake");
    assert.ok(c.woken(), "b's 2 permits went on to c");
    assert.equal(s.available(), 0);
    assert.equal(s.pool.live, 0);
  });

  it("wakes every waiter queued at close with WAKE_CLOSED, even if a wake releases permits", function () {
    const s = sem(0);
    const a = new TestWaker();
    const b = new TestWaker();
    a.onWake = function () {
      s.release(1); // e.g. the owner drops a permit it holds while handling the close
    };
    pending(s, 1, a, 1);
    pending(s, 1, b, 2);
    s.close();
    assert.deepEqual(a.calls, [[1, WAKE_CLOSED]]);
    assert.deepEqual(b.calls, [[2, WAKE_CLOSED]], "b was queued when close() was called");
    assert.equal(s.available(), 1);
    assert.equal(s.pool.live, 0);
  });

  it("lets a waker cancel a later waiter during close, without waking it", function () {
    const s = sem(0);
    const a = new TestWaker();
    const b = new TestWaker();
    let hb = -1;
    a.onWake = function () {
      assert.equal(s.cancel(hb), true);
    };
    pending(s, 1, a);
    hb = pending(s, 1, b);
    s.close();
    assert.ok(a.woken());
    assert.ok(!b.woken());
    assert.equal(s.pool.live, 0);
  });

  it("shares one pool between semaphores without mixing their waiters", function () {
    const pool = new NodePool({ capacity: 4, maxCapacity: 4 });
    const s = new BatchSemaphore(0, pool);
    const t = new BatchSemaphore(0, pool);
    const a = new TestWaker();
    const b = new TestWaker();
    pending(s, 1, a);
    pending(t, 1, b);
    assert.equal(s.waiterCount(), 1);
    assert.equal(t.waiterCount(), 1);
    t.release(1);
    assert.ok(b.woken() && !a.woken());
    s.release(1);
    assert.ok(a.woken());
    assert.equal(pool.live, 0);
  });
});

// ---- loom_semaphore_batch.rs as randomized schedules ---------------------------------------

const NEXT = 0;
const RETRY = 1;
const STOP = 2;

/** A simulated task: a program of steps; blocked while its waiter is queued. */
class Actor implements Waker {
  pc = 0;
  blocked = false;
  done = false;
  held = 0;
  handle = -1;
  wanted = 0;
  status = -1;
  constructor(
    readonly id: number,
    readonly steps: Array<(a: Actor) => number>,
  ) {}
  wake(token: number, status: number): void {
    assert.equal(token, this.id, "token passed back");
    assert.ok(this.handle >= 0, "woken only while queued");
    this.blocked = false;
    this.handle = -1;
    this.status = status;
    if (status === WAKE_READY) this.held += this.wanted;
  }
}

/** A step that requests `n` permits; on EXHAUSTED it retries later. */
function acquireStep(s: BatchSemaphore, n: number): (a: Actor) => number {
  return function (a: Actor): number {
    a.wanted = n;
    const r = s.acquire(n, a, a.id);
    if (r === EXHAUSTED) return RETRY;
    if (r === ACQUIRED) {
      a.held += n;
      a.status = WAKE_READY;
    } else if (r === CLOSED) a.status = WAKE_CLOSED;
    else {
      a.handle = r;
      a.blocked = true;
    }
    return NEXT;
  };
}

function releaseStep(s: BatchSemaphore): (a: Actor) => number {
  return function (a: Actor): number {
    const n = a.held;
    a.held = 0;
    s.release(n);
    return NEXT;
  };
}

/** Runs runnable actors in a random order until all are done; fails on a hang. */
function schedule(rng: Rng, actors: Actor[], check: () => void): void {
  for (let round = 0; round < 10000; round++) {
    const runnable: Actor[] = [];
    let live = 0;
    for (let i = 0; i < actors.length; i++) {
      if (!actors[i].done) live++;
      if (!actors[i].done && !actors[i].blocked) runnable.push(actors[i]);
    }
    if (live === 0) return;
    if (runnable.length === 0) assert.fail("deadlock: every live actor is blocked");
    const a = rng.pick(runnable);
    const r = a.steps[a.pc](a);
    if (r === STOP) a.done = true;
    else if (r === NEXT && ++a.pc === a.steps.length) a.done = true;
    check();
  }
  assert.fail("did not finish in 10000 steps");
}

function heldBy(actors: Actor[]): number {
  let n = 0;
  for (let i = 0; i < actors.length; i++) n += actors[i].held;
  return n;
}

/** free + assigned to queued waiters + held = total, and a non-empty queue means no free permits. */
function conserved(s: BatchSemaphore, actors: Actor[], total: number): void {
  let assigned = 0;
  let queued = 0;
  for (let i = 0; i < actors.length; i++) {
    const h = actors[i].handle;
    if (h < 0) continue;
    const slot = s.pool.slotOf(h);
    assert.notEqual(slot, NIL, "a blocked actor's handle is live");
    assigned += s.pool.assigned[slot];
    queued++;
  }
  assert.equal(s.available() + assigned + heldBy(actors), total, "conservation");
  assert.equal(s.waiterCount(), queued, "waiterCount");
  assert.equal(s.pool.live, queued, "pool live = queued waiters");
  if (queued > 0) assert.equal(s.available(), 0, "no free permits while waiters queue");
}

function tinyPool(rng: Rng): NodePool {
  const capacity = 1 + rng.int(4);
  return new NodePool({ capacity: capacity, maxCapacity: capacity });
}

const SEEDS = VM ? 60 : 300;

describe("BatchSemaphore under random schedules (Tokio loom_semaphore_batch scenarios)", function () {
  it("never lets more than 2 of 3 actors in at once (basic_usage)", function () {
    forEachSeed(SEEDS, function (rng) {
      const s = new BatchSemaphore(2, tinyPool(rng));
      let active = 0;
      const actors: Actor[] = [];
      for (let i = 0; i < 3; i++) {
        actors.push(
          new Actor(i, [
            acquireStep(s, 1),
            function () {
              active++;
              assert.ok(active <= 2, "at most 2 active");
              return NEXT;
            },
            function () {
              active--;
              return NEXT;
            },
            releaseStep(s),
          ]),
        );
      }
      schedule(rng, actors, () => conserved(s, actors, 2));
      assert.equal(s.available(), 2);
    });
  });

  it("lets two actors take turns on one permit (release)", function () {
    forEachSeed(SEEDS, function (rng) {
      const s = new BatchSemaphore(1, tinyPool(rng));
      const actors = [new Actor(0, [acquireStep(s, 1), releaseStep(s)]), new Actor(1, [acquireStep(s, 1), releaseStep(s)])];
      schedule(rng, actors, () => conserved(s, actors, 1));
      assert.equal(s.available(), 1);
    });
  });

  it("terminates every actor when the semaphore closes concurrently (basic_closing)", function () {
    forEachSeed(SEEDS, function (rng) {
      const s = new BatchSemaphore(1, tinyPool(rng));
      const actors: Actor[] = [];
      for (let i = 0; i < 2; i++) {
        const loop = [
          acquireStep(s, 1),
          function (a: Actor) {
            return a.status === WAKE_CLOSED ? STOP : NEXT;
          },
          releaseStep(s),
        ];
        actors.push(new Actor(i, loop.concat(loop)));
      }
      actors.push(
        new Actor(2, [
          function () {
            s.close();
            return NEXT;
          },
        ]),
      );
      schedule(rng, actors, () => conserved(s, actors, 1));
      assert.equal(s.available(), 1);
      assert.equal(s.pool.live, 0);
    });
  });

  it("survives every actor closing after its turn (concurrent_close)", function () {
    forEachSeed(SEEDS, function (rng) {
      const s = new BatchSemaphore(1, tinyPool(rng));
      const actors: Actor[] = [];
      for (let i = 0; i < 3; i++) {
        actors.push(
          new Actor(i, [
            acquireStep(s, 1),
            releaseStep(s),
            function () {
              s.close();
              return NEXT;
            },
          ]),
        );
      }
      schedule(rng, actors, () => conserved(s, actors, 1));
      assert.equal(s.available(), 1);
    });
  });

  it("loses no permits to waiters cancelled right after queueing (concurrent_cancel)", function () {
    forEachSeed(SEEDS, function (rng) {
      const s = new BatchSemaphore(0, tinyPool(rng));
      let total = 0;
      const dropAt = function (a: Actor): number {
        // Poll once, then drop: cancel a queued waiter, or give back what it got.
        if (a.handle >= 0) {
          assert.equal(s.cancel(a.handle), true);
          a.handle = -1;
          a.blocked = false;
        }
        const n = a.held;
        a.held = 0;
        s.release(n);
        return NEXT;
      };
      const actors: Actor[] = [];
      for (let i = 0; i < 3; i++) {
        const st = [acquireStep(s, 1), dropAt, acquireStep(s, 1), dropAt];
        // Dropping does not wait: the step after a queueing acquire runs while still queued.
        actors.push(new Actor(i, st));
      }
      // Queueing must not block these actors: they drop the waiter on their next step.
      for (let i = 0; i < 3; i++) {
        const a = actors[i];
        const acq = a.steps[0];
        a.steps[0] = a.steps[2] = function (x: Actor) {
          const r = acq(x);
          x.blocked = false;
          return r;
        };
      }
      actors.push(
        new Actor(3, [
          function () {
            return actors[0].done ? NEXT : RETRY;
          },
          function () {
            s.release(10);
            total = 10;
            return NEXT;
          },
        ]),
      );
      schedule(rng, actors, () => conserved(s, actors, total));
      assert.equal(s.available(), 10);
      assert.equal(s.pool.live, 0);
    });
  });

  it("keeps batches of 4, 10 and 8 within 10 permits (batch)", function () {
    forEachSeed(SEEDS, function (rng) {
      const s = new BatchSemaphore(10, tinyPool(rng));
      let active = 0;
      const actors: Actor[] = [];
      for (let i = 0; i < 2; i++) {
        const steps: Array<(a: Actor) => number> = [];
        const sizes = [4, 10, 8];
        for (let k = 0; k < sizes.length; k++) {
          const n = sizes[k];
          steps.push(acquireStep(s, n));
          steps.push(function () {
            active += n;
            assert.ok(active <= 10, "active " + active);
            return NEXT;
          });
          steps.push(function () {
            active -= n;
            return NEXT;
          });
          steps.push(releaseStep(s));
        }
        actors.push(new Actor(i, steps));
      }
      schedule(rng, actors, () => conserved(s, actors, 10));
      assert.equal(s.available(), 10);
    });
  });

  it("completes an acquire that a concurrent release satisfies (release_during_acquire)", function () {
    forEachSeed(SEEDS, function (rng) {
      const s = new BatchSemaphore(10, tinyPool(rng));
      assert.ok(s.tryAcquire(8));
      let mainHeld = 8;
      const actors = [
        new Actor(0, [acquireStep(s, 4)]),
        new Actor(1, [
          function () {
            mainHeld = 0;
            s.release(8);
            return NEXT;
          },
        ]),
      ];
      schedule(rng, actors, () => conserved(s, actors, 10 - mainHeld));
      assert.equal(actors[0].held, 4);
      s.release(4);
      assert.equal(s.available(), 10);
    });
  });

  it("adds, takes and forgets concurrently without losing count (concurrent_permit_updates)", function () {
    forEachSeed(SEEDS, function (rng) {
      const s = new BatchSemaphore(5, tinyPool(rng));
      const actors = [
        new Actor(0, [
          function () {
            s.release(3);
            return NEXT;
          },
        ]),
        new Actor(1, [
          function () {
            assert.ok(s.tryAcquire(1), "a permit is always free");
            return NEXT;
          },
        ]),
        new Actor(2, [
          function () {
            assert.equal(s.forget(2), 2);
            return NEXT;
          },
        ]),
      ];
      schedule(rng, actors, function () {});
      assert.equal(s.available(), 5);
    });
  });
});

// ---- free-form fuzz: random actors, re-entrant wakers, invariants after every step --------

class FuzzActor implements Waker {
  held = 0;
  handle = -1;
  wanted = 0;
  stale: number[] = [];
  constructor(
    readonly id: number,
    readonly world: Fuzz,
  ) {}
  wake(token: number, status: number): void {
    this.world.onWake(this, token, status);
  }
}

class Fuzz {
  readonly pool: NodePool;
  readonly s: BatchSemaphore;
  total: number;
  readonly actors: FuzzActor[] = [];
  /** Queued waiters in FIFO order, including granted ones not yet woken. */
  queue: FuzzActor[] = [];
  /** Waiters that were queued (not granted) when close() ran: they must all get WAKE_CLOSED. */
  mustClose: FuzzActor[] = [];
  depth = 0;
  log: string[] = [];

  constructor(readonly rng: Rng) {
    const capacity = 1 + rng.int(4);
    this.pool = new NodePool({ capacity: capacity, maxCapacity: capacity });
    this.total = rng.int(5);
    this.s = new BatchSemaphore(this.total, this.pool);
    const count = 2 + rng.int(4);
    for (let i = 0; i < count; i++) this.actors.push(new FuzzActor(i, this));
  }

  fail(message: string): never {
    return assert.fail(message + " — after: " + this.log.slice(-12).join(" "));
  }

  granted(a: FuzzActor): boolean {
    const slot = this.pool.slotOf(a.handle);
    if (slot === NIL) this.fail("a queued actor's handle went stale: " + a.id);
    return this.pool.needed[slot] === 0;
  }

  /** free + assigned to live nodes + held = total (valid between steps and at every wake). */
  conservation(): void {
    let assigned = 0;
    for (let i = 0; i < this.queue.length; i++) assigned += this.pool.assigned[this.pool.slotOf(this.queue[i].handle)];
    let held = 0;
    for (let i = 0; i < this.actors.length; i++) held += this.actors[i].held;
    const sum = this.s.available() + assigned + held;
    if (sum !== this.total) this.fail("conservation: free " + this.s.available() + " + assigned " + assigned + " + held " + held + " != " + this.total);
  }

  betweenSteps(): void {
    this.conservation();
    const s = this.s;
    assert.equal(s.waiterCount(), this.queue.length, "waiterCount");
    assert.equal(this.pool.live, this.queue.length, "pool live = queued waiters");
    if (this.queue.length > 0 && s.available() !== 0) this.fail("free permits while waiters queue");
    for (let i = 0; i < this.queue.length; i++) if (this.granted(this.queue[i])) this.fail("granted waiter left unwoken");
  }

  onWake(a: FuzzActor, token: number, status: number): void {
    this.log.push("wake(" + a.id + "," + (status === WAKE_READY ? "ready" : "closed") + ")");
    if (token !== a.id * 7 + 1) this.fail("wrong token");
    const at = this.queue.indexOf(a);
    if (at < 0) this.fail("woke an actor that is not queued: " + a.id);
    if (this.pool.slotOf(a.handle) !== NIL) this.fail("node not freed before its wake");
    if (status === WAKE_READY) {
      if (at !== 0) this.fail("READY wake overtook an older waiter: " + a.id);
      if (this.mustClose.indexOf(a) >= 0) this.fail("a waiter queued at close() was woken READY: " + a.id);
      a.held += a.wanted;
    } else {
      if (status !== WAKE_CLOSED) this.fail("unknown status " + status);
      if (!this.s.isClosed()) this.fail("WAKE_CLOSED before close");
      for (let i = 0; i < at; i++) if (!this.granted(this.queue[i])) this.fail("CLOSED wake overtook an older queued waiter");
      const m = this.mustClose.indexOf(a);
      if (m >= 0) this.mustClose.splice(m, 1);
    }
    this.queue.splice(at, 1);
    a.stale.push(a.handle);
    a.handle = -1;
    this.conservation();
    if (this.depth < 3 && this.rng.int(3) === 0) {
      this.depth++;
      this.log.push("{");
      this.step(a);
      this.log.push("}");
      this.depth--;
    }
  }

  idle(): FuzzActor | null {
    const idle: FuzzActor[] = [];
    for (let i = 0; i < this.actors.length; i++) if (this.actors[i].handle < 0) idle.push(this.actors[i]);
    return idle.length > 0 ? this.rng.pick(idle) : null;
  }

  /** One random action; `self` is the actor whose wake is running (re-entrant) or null. */
  step(self: FuzzActor | null): void {
    const rng = this.rng;
    const s = this.s;
    const pool = this.pool;
    const action = rng.int(100);
    if (action < 30) {
      const a = self !== null && self.handle < 0 && rng.int(2) === 0 ? self : this.idle();
      if (a === null) return;
      const n = rng.int(5);
      const free = s.available();
      const queued = s.waiterCount();
      const live = pool.live;
      this.log.push(a.id + ":acquire(" + n + ")");
      a.wanted = n;
      const r = s.acquire(n, a, a.id * 7 + 1);
      if (s.isClosed()) {
        assert.equal(r, CLOSED, "acquire on a closed semaphore");
      } else if (n === 0 || (queued === 0 && free >= n)) {
        assert.equal(r, ACQUIRED, "acquire that fits");
        a.held += n;
        assert.equal(s.available(), free - n);
      } else if (live === pool.capacity) {
        assert.equal(r, EXHAUSTED, "acquire with a full pool");
        assert.equal(s.available(), free, "EXHAUSTED takes nothing");
        assert.equal(s.waiterCount(), queued, "EXHAUSTED queues nothing");
        assert.equal(pool.live, live);
      } else {
        assert.ok(r >= 0, "acquire queues, got " + r);
        a.handle = r;
        this.queue.push(a);
        assert.equal(s.available(), 0, "a queued acquire takes every free permit");
        assert.equal(pool.assigned[pool.slotOf(r)], free, "partial assignment");
      }
    } else if (action < 45) {
      const waiting: FuzzActor[] = [];
      for (let i = 0; i < this.actors.length; i++) if (this.actors[i].handle >= 0 && this.actors[i] !== self) waiting.push(this.actors[i]);
      if (waiting.length === 0 || rng.int(5) === 0) {
        const a = rng.pick(this.actors);
        if (a.stale.length === 0) return;
        const h = rng.pick(a.stale);
        const free = s.available();
        this.log.push(a.id + ":cancel(stale)");
        assert.equal(s.cancel(h), false, "a stale handle cancels nothing");
        assert.equal(s.available(), free);
        return;
      }
      const a = rng.pick(waiting);
      this.log.push(a.id + ":cancel");
      const h = a.handle;
      const at = this.queue.indexOf(a);
      this.queue.splice(at, 1);
      a.handle = -1;
      a.stale.push(h);
      const m = this.mustClose.indexOf(a);
      if (m >= 0) this.mustClose.splice(m, 1);
      assert.equal(s.cancel(h), true, "cancel of a queued waiter");
      assert.equal(pool.slotOf(h), NIL);
    } else if (action < 65) {
      const holders: FuzzActor[] = [];
      for (let i = 0; i < this.actors.length; i++) if (this.actors[i].held > 0) holders.push(this.actors[i]);
      if (holders.length === 0) return;
      const a = self !== null && self.held > 0 && rng.int(2) === 0 ? self : rng.pick(holders);
      const k = 1 + rng.int(a.held);
      this.log.push(a.id + ":release(" + k + ")");
      a.held -= k;
      s.release(k);
    } else if (action < 72) {
      const n = rng.int(4);
      const free = s.available();
      this.log.push("forget(" + n + ")");
      const removed = s.forget(n);
      assert.equal(removed, Math.min(n, free), "forget removes free permits only");
      this.total -= removed;
    } else if (action < 76) {
      const a = rng.pick(this.actors);
      this.log.push(a.id + ":drop(" + a.held + ")");
      this.total -= a.held;
      a.held = 0;
    } else if (action < 86) {
      const m = 1 + rng.int(3);
      this.log.push("add(" + m + ")");
      this.total += m;
      s.release(m);
    } else if (action < 88) {
      if (s.isClosed()) return;
      this.log.push("close");
      this.mustClose = [];
      for (let i = 0; i < this.queue.length; i++) if (!this.granted(this.queue[i])) this.mustClose.push(this.queue[i]);
      s.close();
      if (this.mustClose.length > 0) this.fail("close() returned before waking every queued waiter");
      for (let i = 0; i < this.queue.length; i++) if (!this.granted(this.queue[i])) this.fail("a waiter is still queued after close");
    } else {
      const a = self !== null && self.handle < 0 ? self : this.idle();
      if (a === null) return;
      const n = rng.int(4);
      const free = s.available();
      const expected = !s.isClosed() && (n === 0 || (s.waiterCount() === 0 && free >= n));
      this.log.push(a.id + ":try(" + n + ")");
      assert.equal(s.tryAcquire(n), expected, "tryAcquire(" + n + ")");
      if (expected) {
        a.held += n;
        assert.equal(s.available(), free - n);
      } else assert.equal(s.available(), free);
    }
  }
}

describe("BatchSemaphore fuzz", function () {
  it("keeps conservation, FIFO wakes and pool accounting under random actors with re-entrant wakers", function () {
    forEachSeed(SEEDS, function (rng) {
      const world = new Fuzz(rng);
      const steps = VM ? 120 : 200;
      for (let i = 0; i < steps; i++) {
        world.step(null);
        world.betweenSteps();
      }
      // Wind down: close, give everything back, and the count must match.
      world.mustClose = world.queue.slice();
      world.s.close();
      assert.equal(world.queue.length, 0, "close wakes everyone");
      assert.equal(world.pool.live, 0);
      for (let i = 0; i < world.actors.length; i++) {
        const a = world.actors[i];
        const n = a.held;
        a.held = 0;
        world.s.release(n);
      }
      assert.equal(world.s.available(), world.total);
    });
  });
});
