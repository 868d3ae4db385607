import { Op } from "../../src/core/op";
import { NodePool } from "../../src/core/pool";
import { RwLock, RwLockReadGuard, RwLockWriteGuard } from "../../src/sync/rwlock";
import { assert } from "../assert";
import { SyncDeliveries } from "../helpers";
import { forEachSeed, Rng } from "../rng";

const VM = typeof process === "undefined";

type Guard = RwLockReadGuard<number> | RwLockWriteGuard<number>;

/** One reader or writer in the simulation: its op, and its guard once delivered. */
interface Actor {
  writer: boolean;
  op: Op<Guard>;
  guard: Guard | null;
  failed: boolean;
}

/**
 * Random readers, writers, cancels (pending and granted-undelivered), releases, tryRead /
 * tryWrite and downgrades on a small lock, delivering synchronously between steps. After
 * every step: never a writer together with anyone else, readers see the last write, and
 * at most maxReaders readers hold the lock.
 */
function simulate(rng: Rng, steps: number): void {
  const maxReaders = 1 + rng.int(4);
  const pool = new NodePool({ capacity: 2, maxCapacity: 256 });
  const lock = new RwLock(0, { maxReaders, pool });
  const actors: Actor[] = [];
  const deliveries = new SyncDeliveries();
  let lastWrite = 0;
  let writes = 0;

  function start(writer: boolean): void {
    const actor: Actor = { writer, op: writer ? (lock.write() as Op<Guard>) : (lock.read() as Op<Guard>), guard: null, failed: false };
    actors.push(actor);
    if (rng.int(4) !== 0) subscribe(actor); // some ops stay unobserved: granted but undelivered
  }

  function subscribe(actor: Actor): void {
    deliveries.watch(
      actor.op,
      function (g) {
        actor.guard = g;
      },
      function () {
        actor.failed = true;
      },
    );
  }

  function held(): Actor[] {
    const out: Actor[] = [];
    for (let i = 0; i < actors.length; i++) if (actors[i].guard !== null) out.push(actors[i]);
    return out;
  }

  function check(step: number): void {
    let readers = 0;
    let writers = 0;
    const h = held();
    for (let i = 0; i < h.length; i++) {
      if (h[i].writer) writers++;
      else readers++;
      assert.equal((h[i].guard as Guard).value, lastWrite, "step " + step + ": a guard sees the last write");
    }
    assert.ok(writers <= 1, "step " + step + ": two writers at once");
    assert.ok(writers === 0 || readers === 0, "step " + step + ": a writer together with " + readers + " readers");
    assert.ok(readers <= maxReaders, "step " + step + ": more than maxReaders readers");
  }

  for (let step = 0; step < steps; step++) {
    const h = held();
    const roll = rng.int(10);
    if (roll < 2) start(false);
    else if (roll < 4) start(true);
    else if (roll < 6 && h.length > 0) {
      const a = rng.pick(h);
      if (a.writer && rng.int(3) === 0) {
        a.guard = (a.guard as RwLockWriteGuard<number>).downgrade();
        a.writer = false;
      } else {
        if (a.writer && rng.int(2) === 0) {
          lastWrite = ++writes;
          (a.guard as RwLockWriteGuard<number>).value = lastWrite;
        }
        (a.guard as Guard).release();
        a.guard = null;
        a.op = null as unknown as Op<Guard>;
      }
    } else if (roll < 8 && actors.length > 0) {
      const a = rng.pick(actors);
      if (a.op !== null && a.guard === null) a.op.cancel("random");
    } else if (roll < 9) {
      const t = rng.int(2) === 0 ? lock.tryRead() : lock.tryWrite();
      if (t !== null) actors.push({ writer: t instanceof RwLockWriteGuard, op: null as unknown as Op<Guard>, guard: t, failed: false });
    } else if (actors.length > 0) {
      const a = rng.pick(actors);
      if (a.op !== null && a.guard === null && !a.failed) subscribe(a);
    }
    deliveries.run(Infinity);
    check(step);
  }

  // Wind down: release every guard, cancel every op; the lock is whole and the pool empty.
  for (let i = 0; i < actors.length; i++) {
    const a = actors[i];
    if (a.op !== null) a.op.cancel("end");
    if (a.guard !== null) a.guard.release();
  }
  deliveries.run(Infinity);
  for (let i = 0; i < actors.length; i++) {
    const a = actors[i];
    if (a.guard !== null) a.guard.release(); // delivered during the wind-down
  }
  assert.equal(pool.live, 0, "no waiter node left behind");
  const w = lock.tryWrite();
  assert.ok(w !== null, "every permit came back");
}

describe("RwLock randomized interleavings", function () {
  it("never lets a writer hold the lock together with anyone else", function () {
    forEachSeed(VM ? 40 : 300, function (rng) {
      simulate(rng, 200);
    });
  });
});
