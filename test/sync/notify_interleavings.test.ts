import { Op } from "../../src/core/op";
import { NodePool } from "../../src/core/pool";
import { Notify } from "../../src/sync/notify";
import { assert } from "../assert";
import { SyncDeliveries } from "../helpers";
import { forEachSeed, Rng } from "../rng";

const VM = typeof process === "undefined";

// Model states of one notified op.
const WAITING = 0;
const BY_ONE = 1; // woken by notifyOne (or its stored permit): a cancel forwards to the oldest
const BY_LAST = 2; // woken by notifyLast (or its stored permit): a cancel forwards to the newest
const BY_ALL = 3; // woken by notifyWaiters: a cancel forwards nothing
const CANCELLED = 4;

interface Actor {
  op: Op<void>;
  state: number;
  delivered: boolean;
  subscribed: boolean;
}

/**
 * loom_notify-style: random notified / notifyOne / notifyLast / notifyWaiters / cancel
 * (pending, woken-undelivered, delivered) / subscribe, checked after every step against a
 * plain-array model of who is woken, in which order, and whether a permit is stored.
 */
function simulate(rng: Rng, steps: number): void {
  const pool = new NodePool({ capacity: 1, maxCapacity: 512 });
  const notify = new Notify({ pool });
  const actors: Actor[] = [];
  const deliveries = new SyncDeliveries();
  const queue: Actor[] = []; // model: waiting actors, oldest first
  let permit = WAITING; // WAITING: none stored; else who stored it (BY_ONE / BY_LAST)

  function modelOne(how: number): void {
    if (queue.length === 0) {
      permit = how;
      return;
    }
    const a = how === BY_ONE ? (queue.shift() as Actor) : (queue.pop() as Actor);
    a.state = how;
  }

  function subscribe(a: Actor): void {
    a.subscribed = true;
    const mark = function (): void {
      a.delivered = true;
    };
    deliveries.watch(a.op, mark, mark);
  }

  for (let step = 0; step < steps; step++) {
    deliveries.sweep();
    const roll = rng.int(12);
    if (roll < 4) {
      const a: Actor = { op: notify.notified(), state: WAITING, delivered: false, subscribed: false };
      actors.push(a);
      if (permit !== WAITING) {
        a.state = permit;
        permit = WAITING;
      } else queue.push(a);
      if (rng.int(2) === 0) subscribe(a);
    } else if (roll < 6) {
      notify.notifyOne();
      modelOne(BY_ONE);
    } else if (roll < 7) {
      notify.notifyLast();
      modelOne(BY_LAST);
    } else if (roll < 8) {
      notify.notifyWaiters();
      for (let i = 0; i < queue.length; i++) queue[i].state = BY_ALL;
      queue.length = 0;
    } else if (roll < 11 && actors.length > 0) {
      const a = rng.pick(actors);
      // cancel() answers true until the result (a cancellation too) reaches a callback.
      assert.equal(a.op.cancel("random"), !a.delivered, "step " + step + ": cancel() result");
      if (a.state !== CANCELLED && !a.delivered) {
        const was = a.state;
        a.state = CANCELLED;
        if (was === WAITING) queue.splice(queue.indexOf(a), 1);
        else if (was === BY_ONE || was === BY_LAST) modelOne(was);
      }
    } else if (actors.length > 0) {
      const a = rng.pick(actors);
      if (!a.subscribed) subscribe(a);
    }
    if (rng.int(3) === 0) deliveries.run(Infinity);

    for (let i = 0; i < actors.length; i++) {
      const a = actors[i];
      assert.equal(a.op.isDone(), a.state !== WAITING, "step " + step + ": actor " + i + " done");
    }
    assert.equal(pool.live, queue.length, "step " + step + ": one node per waiting actor");
    assert.equal(notify.waiterCount(), queue.length, "step " + step + ": waiterCount");
  }

  // The stored permit, if any, is observable exactly once.
  const probe = notify.notified();
  assert.equal(probe.isDone(), permit !== WAITING && queue.length === 0, "the stored permit matches the model");
  probe.cancel();
  for (let i = 0; i < actors.length; i++) actors[i].op.cancel("end");
  deliveries.run(Infinity);
  assert.equal(pool.live, 0, "no node left behind");
}

describe("Notify randomized interleavings", function () {
  it("wakes, stores and forwards notifications exactly as the model says", function () {
    forEachSeed(VM ? 40 : 300, function (rng) {
      simulate(rng, 200);
    });
  });
});
