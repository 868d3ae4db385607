import { assert } from "../assert";
import { forEachSeed, Rng } from "../rng";
import { TimerWheel } from "../../src/runtime/time/wheel";
import { Waker, WAKE_READY } from "../../src/core/waker";

/** A waker that records the tokens it is woken with, in order. */
class Recorder implements Waker {
  fired: number[] = [];
  statuses: number[] = [];
  wake(token: number, status: number): void {
    this.fired.push(token);
    this.statuses.push(status);
  }
}

/** A waker that runs a callback (for re-entrant inserts and cancels). */
class CallbackWaker implements Waker {
  constructor(private readonly fn: (token: number) => void) {}
  wake(token: number): void {
    this.fn(token);
  }
}

const POW2_31 = 2147483648;

describe("TimerWheel", function () {
  it("fires timers in deadline order whatever order they were inserted in", function () {
    const wheel = new TimerWheel();
    const rec = new Recorder();
    const deadlines = [700, 5, 31, 32, 100000, 1, 33, 1023, 1024, 64];
    for (let i = 0; i < deadlines.length; i++) wheel.insert(deadlines[i], rec, deadlines[i]);
    assert.equal(wheel.advance(200000), deadlines.length);
    assert.deepEqual(rec.fired, [1, 5, 31, 32, 33, 64, 700, 1023, 1024, 100000]);
    assert.equal(rec.statuses[0], WAKE_READY);
    assert.equal(wheel.stats().live, 0);
  });

  it("fires timers with the same deadline in insertion order", function () {
    const wheel = new TimerWheel();
    const rec = new Recorder();
    for (let i = 0; i < 10; i++) wheel.insert(5000, rec, i);
    wheel.advance(4990);
    // Inserted later, straight into level 0, must still come after the cascaded ones.
    wheel.insert(5000, rec, 10);
    wheel.insert(4995, rec, 11);
    assert.equal(wheel.advance(5000), 12);
    assert.deepEqual(rec.fired, [11, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("fires nothing before its deadline and everything at it, across every level boundary", function () {
    const points: number[] = [];
    for (let w = 32; w <= 34359738368; w *= 32) points.push(w - 1, w, w + 1, 3 * w + 7);
    for (let i = 0; i < points.length; i++) {
      const d = points[i];
      const wheel = new TimerWheel();
      const rec = new Recorder();
      wheel.advance(3);
      wheel.insert(d, rec, 1);
      // Step through the lower bounds nextDeadline reports: never early, never late.
      let steps = 0;
      while (rec.fired.length === 0) {
        const next = wheel.nextDeadline();
        assert.ok(next >= 0 && next <= d, "nextDeadline " + next + " for deadline " + d);
        if (next < d) assert.equal(wheel.advance(next), 0);
        else assert.equal(wheel.advance(d - 1) + wheel.advance(d), 1);
        assert.ok(++steps <= 10, "too many steps for " + d);
      }
      assert.equal(wheel.nextDeadline(), -1);
    }
  });

  it("reports the exact deadline when the earliest timer is within 32 ms", function () {
    const wheel = new TimerWheel();
    const rec = new Recorder();
    assert.equal(wheel.nextDeadline(), -1);
    wheel.advance(100);
    const h = wheel.insert(117, rec, 1);
    wheel.insert(125, rec, 2);
    assert.equal(wheel.nextDeadline(), 117);
    wheel.cancel(h);
    assert.equal(wheel.nextDeadline(), 125);
  });

  it("runs sleeps past 2**31 ms and past the top level's range", function () {
    const far = [POW2_31 + 5, 2 * POW2_31 + 1, 1099511627776 + 3, 35184372088832 + 9, 9007199254740991];
    const wheel = new TimerWheel();
    const rec = new Recorder();
    for (let i = far.length - 1; i >= 0; i--) wheel.insert(far[i], rec, i);
    for (let i = 0; i < far.length; i++) {
      assert.equal(wheel.advance(far[i] - 1), 0, "early at " + far[i]);
      assert.equal(wheel.advance(far[i]), 1, "late at " + far[i]);
      assert.equal(rec.fired[i], i);
    }
    assert.equal(wheel.stats().live, 0);
  });

  it("reaches far deadlines by following nextDeadline in a bounded number of jumps", function () {
    const wheel = new TimerWheel();
    const rec = new Recorder();
    wheel.insert(3 * 1099511627776 + 12345, rec, 7);
    let jumps = 0;
    while (wheel.nextDeadline() >= 0) {
      wheel.advance(wheel.nextDeadline());
      jumps++;
    }
    assert.deepEqual(rec.fired, [7]);
    assert.ok(jumps <= 12, "jumps: " + jumps);
    assert.equal(wheel.elapsed, 3 * 1099511627776 + 12345);
  });

  it("rounds fractional deadlines up so a timer never fires early", function () {
    const wheel = new TimerWheel();
    const rec = new Recorder();
    wheel.insert(10.001, rec, 1);
    assert.equal(wheel.advance(10), 0);
    assert.equal(wheel.advance(11), 1);
  });

  it("fires a deadline already past at the next advance, in insertion order", function () {
    const wheel = new TimerWheel();
    const rec = new Recorder();
    wheel.advance(50);
    wheel.insert(40, rec, 1);
    wheel.insert(-5, rec, 2);
    wheel.insert(50, rec, 3);
    assert.equal(wheel.nextDeadline(), 50);
    assert.equal(wheel.advance(50), 3);
    assert.deepEqual(rec.fired, [1, 2, 3]);
  });

  it("fires nothing when time goes backwards", function () {
    const wheel = new TimerWheel();
    const rec = new Recorder();
    wheel.advance(100);
    wheel.insert(120, rec, 1);
    assert.equal(wheel.advance(90), 0);
    assert.equal(wheel.elapsed, 100);
    assert.equal(wheel.advance(120), 1);
  });

  it("cancels in O(1), reports stale handles, and keeps the slot's other timers", function () {
    const wheel = new TimerWheel();
    const rec = new Recorder();
    const a = wheel.insert(500, rec, 1);
    const b = wheel.insert(500, rec, 2);
    const c = wheel.insert(500, rec, 3);
    assert.equal(wheel.cancel(b), true);
    assert.equal(wheel.cancel(b), false);
    assert.equal(wheel.cancel(-1), false);
    assert.equal(wheel.cancel(123456789), false);
    assert.equal(wheel.cancel(a + 0.5), false, "a fractional handle names nothing");
    assert.equal(wheel.cancel(a + 4194304), false, "another generation of the same slot is stale");
    assert.equal(wheel.advance(500), 2);
    assert.deepEqual(rec.fired, [1, 3]);
    assert.equal(wheel.cancel(a), false, "a fired timer's handle is stale");
    assert.equal(wheel.cancel(c), false);
  });

  it("lets a waker insert timers that fire in the same advance when due", function () {
    const wheel = new TimerWheel();
    const rec = new Recorder();
    const log: number[] = [];
    const rearm = new CallbackWaker(function (token) {
      log.push(token);
      if (token < 3) wheel.insert(wheel.elapsed + 10, rearm, token + 1);
    });
    wheel.insert(10, rearm, 0);
    wheel.insert(25, rec, 100);
    assert.equal(wheel.advance(30), 4, "fires 10, 20, 25 and 30");
    assert.deepEqual(log, [0, 1, 2]);
    assert.deepEqual(rec.fired, [100]);
    assert.equal(wheel.advance(40), 1);
    assert.deepEqual(log, [0, 1, 2, 3]);
  });

  it("lets a waker cancel timers due in the same slot (Tokio drop_from_wake)", function () {
    const wheel = new TimerWheel();
    const rec = new Recorder();
    const handles: number[] = [];
    const dropper = new CallbackWaker(function () {
      for (let i = 0; i < handles.length; i++) wheel.cancel(handles[i]);
    });
    wheel.insert(2000, dropper, 0);
    for (let i = 0; i < 5; i++) handles.push(wheel.insert(2000, rec, i));
    handles.push(wheel.insert(2001, rec, 9));
    assert.equal(wheel.advance(5000), 1);
    assert.deepEqual(rec.fired, []);
    assert.equal(wheel.stats().live, 0);
  });

  it("readies exactly the timers due at each millisecond (Tokio poll_process_levels)", function () {
    const wheel = new TimerWheel({ capacity: 1024 });
    const rec = new Recorder();
    for (let i = 0; i < 1024; i++) wheel.insert(i, rec, i);
    for (let t = 0; t < 1024; t++) {
      assert.equal(wheel.advance(t), 1);
      assert.equal(rec.fired[t], t);
    }
  });

  it("keeps a 193 ms timer pending at 62 and processing 192 twice is harmless (Tokio poll_process_levels_targeted)", function () {
    const wheel = new TimerWheel();
    const rec = new Recorder();
    wheel.insert(193, rec, 1);
    assert.equal(wheel.advance(62), 0);
    assert.equal(wheel.advance(192), 0);
    assert.equal(wheel.advance(192), 0);
    assert.equal(wheel.advance(193), 1);
  });

  it("leaves nothing armed after 100,000 inserts and cancels", function () {
    const wheel = new TimerWheel({ maxCapacity: 131072 });
    const rec = new Recorder();
    const handles: number[] = [];
    for (let i = 0; i < 100000; i++) handles.push(wheel.insert(1 + ((i * 7919) % 5000000), rec, i));
    assert.equal(wheel.stats().live, 100000);
    for (let i = 0; i < handles.length; i++) assert.ok(wheel.cancel(handles[i]));
    assert.equal(wheel.stats().live, 0);
    assert.equal(wheel.stats().peak, 100000);
    assert.equal(wheel.nextDeadline(), -1);
    assert.equal(wheel.advance(10000000), 0);
    assert.deepEqual(rec.fired, []);
  });

  it("returns -1 when the table is full and changes nothing", function () {
    const wheel = new TimerWheel({ capacity: 2, maxCapacity: 2, name: "timers" });
    const rec = new Recorder();
    wheel.insert(30, rec, 1);
    wheel.insert(20, rec, 2);
    assert.equal(wheel.insert(10, rec, 3), -1);
    assert.deepEqual(wheel.stats(), { live: 2, peak: 2, capacity: 2 });
    assert.equal(wheel.nextDeadline(), 20);
    assert.equal(wheel.advance(100), 2);
    assert.deepEqual(rec.fired, [2, 1]);
    assert.ok(wheel.insert(10, rec, 4) >= 0, "room again once they fired");
  });

  it("rejects a deadline that is not a number", function () {
    const wheel = new TimerWheel();
    assert.throws(function () {
      wheel.insert(NaN, new Recorder(), 0);
    }, { name: "TypeError", message: /deadline/ });
    assert.throws(function () {
      wheel.insert("5" as unknown as number, new Recorder(), 0);
    }, { name: "TypeError", message: /deadline/ });
  });

  it("agrees with a sorted-array model under random inserts, cancels and advances", function () {
    forEachSeed(60, function (rng: Rng) {
      const cap = 1 + rng.int(4);
      const wheel = new TimerWheel({ capacity: cap, maxCapacity: cap * (1 + rng.int(3)) });
      const rec = new Recorder();
      // Model entries: [effective deadline, sequence, token, handle]
      let model: number[][] = [];
      let seq = 0;
      let now = rng.int(3) === 0 ? POW2_31 - 500 + rng.int(1000) : rng.int(100);
      wheel.advance(now);
      const scales = [4, 40, 1500, 40000, 2000000, 3000000000, 2000000000000];
      for (let step = 0; step < 400; step++) {
        const action = rng.int(10);
        if (action < 5) {
          const delta = rng.int(scales[rng.int(scales.length)]) - 2;
          const deadline = now + delta;
          const token = seq;
          const handle = wheel.insert(deadline, rec, token);
          if (model.length === wheel.pool.maxCapacity) {
            assert.equal(handle, -1);
          } else {
            assert.ok(handle >= 0, "insert failed with " + model.length + " live");
            model.push([deadline > now ? deadline : now, seq, token, handle]);
          }
          seq++;
        } else if (action < 7) {
          if (model.length > 0) {
            const i = rng.int(model.length);
            assert.ok(wheel.cancel(model[i][3]));
            assert.ok(!wheel.cancel(model[i][3]));
            model.splice(i, 1);
          }
        } else {
          let target: number;
          const next = wheel.nextDeadline();
          if (action === 7 && next >= 0) target = next;
          else target = now + rng.int(scales[rng.int(scales.length)]);
          model.sort(function (a, b) {
            return a[0] - b[0] || a[1] - b[1];
          });
          const due: number[] = [];
          const rest: number[][] = [];
          for (let i = 0; i < model.length; i++) {
            if (model[i][0] <= target) due.push(model[i][2]);
            else rest.push(model[i]);
          }
          rec.fired = [];
          assert.equal(wheel.advance(target), due.length);
          assert.deepEqual(rec.fired, due);
          model = rest;
          if (target > now) now = target;
          const nd = wheel.nextDeadline();
          if (model.length === 0) assert.equal(nd, -1);
          else assert.ok(nd >= now && nd <= model[0][0] + 0, "nextDeadline " + nd + " vs " + (model[0] && model[0][0]));
        }
        assert.equal(wheel.stats().live, model.length);
      }
    });
  });
});
