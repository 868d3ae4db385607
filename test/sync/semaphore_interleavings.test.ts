import { CancelSource } from "../../src/core/cancel";
import { Op } from "../../src/core/op";
import { Permit, Semaphore } from "../../src/sync/semaphore";
import { assert } from "../assert";
import { Rng, seedsFor, withSeed } from "../rng";
import { quiesce } from "../helpers";

const VM = typeof process === "undefined";

interface Tracked {
  op: Op<Permit>;
  n: number;
  settled: boolean;
  /** cancel() returned true. */
  cancelled: boolean;
  permit: Permit | null;
  code: string | null;
}

/** The permits a pending acquire has been assigned so far (0 once it left the queue). */
function assignedTo(s: Semaphore, t: Tracked): number {
  const handle = (t.op as unknown as { waiterHandle: number }).waiterHandle;
  if (handle < 0) return 0;
  const pool = s.inner.pool;
  const slot = pool.slotOf(handle);
  return slot < 0 ? 0 : pool.assigned[slot];
}

// The loom-style schedules of batch_semaphore.test.ts, one level up: real ops, signals,
// cancellation of complete-but-undelivered ops and deliveries interleaved at random.
describe("Semaphore under random interleavings of ops", function () {
  it("conserves permits and leaves no waiter behind across acquires, cancels, aborts and closes", async function () {
    this.timeout(20000);
    const seeds = seedsFor(VM ? 40 : 200);
    for (let k = 0; k < seeds.length; k++) {
      const seed = seeds[k];
      const rng = new Rng(seed);
      const log: string[] = [];
      try {
        const capacity = 1 + rng.int(4);
        let total = rng.int(4);
        const s = new Semaphore(total, { pool: { capacity: capacity, maxCapacity: capacity } });
        const sources = [new CancelSource(), new CancelSource()];
        const ops: Tracked[] = [];
        for (let step = 0; step < 60; step++) {
          const action = rng.int(100);
          if (action < 35) {
            const n = rng.int(4);
            const source = rng.int(3) < 2 ? rng.pick(sources) : null;
            log.push("acquire(" + n + (source ? ",signal" : "") + ")");
            const t: Tracked = { op: s.acquire(n, source ? { signal: source.signal } : undefined), n: n, settled: false, cancelled: false, permit: null, code: null };
            t.op.then(
              function (p) {
                t.settled = true;
                t.permit = p;
                assert.equal(p.permits, t.n, "a permit carries what was asked");
              },
              function (e) {
                t.settled = true;
                t.code = (e as { code: string }).code;
              },
            );
            ops.push(t);
          } else if (action < 50) {
            if (ops.length === 0) continue;
            const t = rng.pick(ops);
            log.push("cancel");
            // Delivery settles the promise; its callbacks run a microtask later. So cancel()
            // fails once the callback ran, and a cancel() that succeeded means ERR_CANCELLED.
            const cancelled = t.op.cancel();
            if (t.settled) assert.equal(cancelled, false, "cancel fails after delivery");
            if (cancelled) t.cancelled = true;
          } else if (action < 56) {
            const i = rng.int(sources.length);
            log.push("abort" + i);
            sources[i].cancel();
            sources[i] = new CancelSource();
          } else if (action < 76) {
            const held: Tracked[] = [];
            for (let i = 0; i < ops.length; i++) if (ops[i].permit !== null && ops[i].permit!.permits > 0) held.push(ops[i]);
            if (held.length === 0) continue;
            const t = rng.pick(held);
            log.push("release(" + t.n + ")");
            t.permit!.release();
          } else if (action < 86) {
            const m = 1 + rng.int(3);
            log.push("add(" + m + ")");
            total += m;
            s.addPermits(m);
          } else if (action < 90) {
            const m = rng.int(3);
            log.push("forget(" + m + ")");
            total -= s.forgetPermits(m);
          } else if (action < 92) {
            log.push("close");
            s.close();
          } else {
            log.push("settle");
            await quiesce();
            // Quiescent: every complete op has been delivered.
            let held = 0;
            let assigned = 0;
            let pending = 0;
            for (let i = 0; i < ops.length; i++) {
              const t = ops[i];
              if (t.permit !== null) held += t.permit.permits;
              else if (!t.op.isDone()) {
                pending++;
                assigned += assignedTo(s, t);
              }
            }
            assert.equal(s.availablePermits() + assigned + held, total, "conservation");
            assert.equal(s.waiterCount(), pending, "waiterCount = pending ops");
            assert.equal(s.inner.pool.live, pending, "pool live = pending ops");
            if (pending > 0) assert.equal(s.availablePermits(), 0);
          }
        }
        // Wind down: close, let everything settle, return every permit.
        s.close();
        await quiesce();
        for (let i = 0; i < ops.length; i++) {
          const t = ops[i];
          assert.ok(t.settled, "every op settles after close");
          if (t.cancelled) assert.equal(t.code, "ERR_CANCELLED", "a successful cancel() means ERR_CANCELLED");
          if (t.permit !== null) t.permit.release();
          else assert.ok(t.code === "ERR_CLOSED" || t.code === "ERR_CANCELLED" || t.code === "ERR_POOL_EXHAUSTED", "code " + t.code);
        }
        assert.equal(s.inner.pool.live, 0);
        assert.equal(s.availablePermits(), total, "every permit is back");
      } catch (err) {
        throw withSeed(seed, err, " — after: " + log.slice(-15).join(" "));
      }
    }
  });
});
