/**
 * One adapter per library, so scenarios can be written once.
 *
 * `lock(lib, permits)` → a uniform lock:
 *   acquire-style libs: `{ acquire(): thenable<token>, release(token) }` — the token is
 *   whatever the library hands back (a Permit, a release function, a lock handle);
 *   run-style libs (p-limit, p-queue): `{ run(fn): Promise }` only.
 * `waiters(lib, options)` → an exhausted 1-permit primitive (the permit is held) on which
 * cancellable waiters can be parked and cancelled with the library's own mechanism; see
 * the `WaiterEnv` shape below. Peers are imported lazily: the runner imports scenario
 * modules (and so this file) just to read their case lists.
 *
 * Cancellation used per library (`style`):
 *   "each"  one waiter cancelled on its own (op.cancel, AbortController, CancelSource, fiber interrupt)
 *   "bulk"  the library can only cancel every waiter at once (async-mutex cancel(), p-limit clearQueue())
 *   "self"  the waiter fails by itself (async-mutex tryAcquire: a 0 ms timeout; the queue entry stays)
 *   "none"  no cancellation at all (async-sema)
 */
import { loadKyoto } from "./lib/env.mjs";

/** Libraries offering an awaited acquire/release (or run) for the throughput scenarios. */
export const LOCK_LIBS = [
  "kyoto",
  "async-mutex",
  "async-mutex:Mutex",
  "async-sema",
  "p-limit",
  "p-queue",
  "@esfx/async-semaphore",
  "@esfx/async-mutex",
];

export async function lock(lib, permits) {
  switch (lib) {
    case "kyoto": {
      const { Semaphore } = await loadKyoto();
      const s = new Semaphore(permits);
      return { acquire: (n) => s.acquire(n), release: (p) => p.release(), raw: s };
    }
    case "async-mutex": {
      const { Semaphore } = await import("async-mutex");
      const s = new Semaphore(permits);
      return { acquire: (n) => s.acquire(n), release: (t) => t[1](), raw: s };
    }
    case "async-mutex:Mutex": {
      const { Mutex } = await import("async-mutex");
      const m = new Mutex();
      return { acquire: () => m.acquire(), release: (r) => r(), raw: m };
    }
    case "async-sema": {
      const { Sema } = await import("async-sema");
      const s = new Sema(permits);
      return { acquire: () => s.acquire(), release: () => s.release(), raw: s };
    }
    case "@esfx/async-semaphore": {
      const { AsyncSemaphore } = await import("@esfx/async-semaphore");
      const s = new AsyncSemaphore(permits);
      return { acquire: () => s.wait(), release: () => s.release(), raw: s };
    }
    case "@esfx/async-mutex": {
      const { AsyncMutex } = await import("@esfx/async-mutex");
      const m = new AsyncMutex();
      return { acquire: () => m.lock(), release: (h) => h.unlock(), raw: m };
    }
    case "p-limit": {
      const { default: pLimit } = await import("p-limit");
      const limit = pLimit(permits);
      return { run: (fn) => limit(fn), raw: limit };
    }
    case "p-queue": {
      const { default: PQueue } = await import("p-queue");
      const q = new PQueue({ concurrency: permits });
      return { run: (fn) => q.add(fn), raw: q };
    }
  }
  throw new Error("no lock adapter for " + lib);
}

/** Bytes one kyoto pool slot costs: six Int32 columns plus one waker slot (8 B, no pointer compression). */
export const POOL_SLOT_BYTES = 6 * 4 + 8;

/** The one reason every abort/cancel uses (peers.md §3b: a shared explicit reason). */
export const REASON = new Error("bench: cancelled");

/**
 * WaiterEnv:
 *   style             "each" | "bulk" | "self" | "none" (see the module doc)
 *   park()            parks one waiter with its own cancel handle; returns the handle
 *   parkOn(signal)    parks one waiter watching a shared AbortSignal (only if `signals`)
 *   cancel(handle)    cancels one waiter ("each")
 *   cancelAll()       cancels every waiter ("bulk")
 *   settled           waiters that have rejected so far
 *   until(count)      resolves once `settled >= count`
 *   releaseHolder()   releases the held permit
 *   fresh()           queues a fresh acquire; resolves once granted (then releases it); null when impossible
 *   stats()           extra metrics (kyoto: waiter pool)
 *   note              how cancellation was done, for the tables
 */
export async function waiters(lib, options = {}) {
  const env = {
    style: "each",
    signals: false,
    settled: 0,
    note: "",
    target: Infinity,
    wake: null,
    until(count) {
      if (this.settled >= count) return Promise.resolve();
      this.target = count;
      return new Promise((resolve) => (this.wake = resolve));
    },
    stats: () => ({}),
  };
  const onReject = () => {
    if (++env.settled >= env.target && env.wake) {
      const w = env.wake;
      env.wake = null;
      env.target = Infinity;
      w();
    }
  };
  env.onReject = onReject;

  if (lib.startsWith("kyoto")) {
    const { Semaphore, CancelSource } = await loadKyoto();
    const s = new Semaphore(1, options.pool ? { pool: options.pool } : undefined);
    const held = await s.acquire();
    const variant = lib.slice("kyoto".length);
    env.signals = true;
    env.parkOn = (signal) => {
      s.acquire(1, { signal }).then(undefined, onReject);
      return null;
    };
    if (variant === "" ) {
      env.note = "op.cancel() on each op";
      env.park = () => {
        const op = s.acquire(1);
        op.then(undefined, onReject);
        return op;
      };
      env.cancel = (op) => op.cancel(REASON);
    } else if (variant === ":abort") {
      env.note = "one AbortController per waiter";
      env.park = () => {
        const ac = new AbortController();
        s.acquire(1, { signal: ac.signal }).then(undefined, onReject);
        return ac;
      };
      env.cancel = (ac) => ac.abort(REASON);
    } else if (variant === ":source") {
      env.note = "one kyoto CancelSource per waiter";
      env.park = () => {
        const cs = new CancelSource();
        s.acquire(1, { signal: cs.signal }).then(undefined, onReject);
        return cs;
      };
      env.cancel = (cs) => cs.cancel(REASON);
    } else throw new Error("unknown kyoto variant " + lib);
    env.releaseHolder = () => held.release();
    env.fresh = () =>
      new Promise((resolve) => s.acquire().then((p) => (p.release(), resolve())));
    env.stats = () => {
      const st = s.inner.pool.stats();
      return { poolLive: st.live, poolCapacity: st.capacity };
    };
    // Capacity kyoto still keeps after a burst of waiters: the pool's growth, exact from its
    // stats. A pool that empties shrinks back, and so does the ready ring once drained, so
    // this is 0 once every waiter is gone.
    env.retainedBytes = (capacityBefore) => (s.inner.pool.stats().capacity - capacityBefore) * POOL_SLOT_BYTES;
    env.raw = s;
    return env;
  }

  switch (lib) {
    case "floor": {
      // A bare Promise whose reject function is the cancel handle: no queue, no removal.
      env.note = "bare Promise, its reject function kept as the handle";
      env.signals = true;
      env.park = () => {
        let reject;
        new Promise((_, rej) => (reject = rej)).then(undefined, onReject);
        return reject;
      };
      env.parkOn = (signal) => {
        new Promise((_, rej) => signal.addEventListener("abort", () => rej(signal.reason), { once: true })).then(undefined, onReject);
        return null;
      };
      env.cancel = (reject) => reject(REASON);
      env.releaseHolder = () => {};
      env.fresh = null;
      return env;
    }
    case "floor:abort": {
      env.note = "Promise + AbortController + 1 abort listener, no queue";
      env.park = () => {
        const ac = new AbortController();
        const signal = ac.signal;
        new Promise((_, rej) => signal.addEventListener("abort", () => rej(signal.reason), { once: true })).then(undefined, onReject);
        return ac;
      };
      env.cancel = (ac) => ac.abort(REASON);
      env.releaseHolder = () => {};
      env.fresh = null;
      return env;
    }
    case "async-mutex:tryAcquire":
    case "async-mutex:cancel": {
      const { Semaphore, tryAcquire } = await import("async-mutex");
      const s = new Semaphore(1);
      const held = await s.acquire();
      if (lib === "async-mutex:tryAcquire") {
        env.style = "self";
        env.note = "tryAcquire(sem).acquire(): fails by itself (0 ms timeout); the queue entry stays until granted";
        const t = tryAcquire(s);
        env.park = () => {
          t.acquire().then(undefined, onReject);
          return null;
        };
      } else {
        env.style = "bulk";
        env.note = "sem.cancel() rejects every waiter at once (no per-waiter cancel)";
        env.park = () => {
          s.acquire().then(undefined, onReject);
          return null;
        };
        env.cancelAll = () => s.cancel();
      }
      env.releaseHolder = () => held[1]();
      env.fresh = () => s.acquire().then((t) => t[1]());
      return env;
    }
    case "async-sema": {
      const { Sema } = await import("async-sema");
      const s = new Sema(1);
      await s.acquire();
      env.style = "none";
      env.note = "no cancellation (async-sema#31)";
      env.park = () => {
        s.acquire().then(undefined, onReject);
        return null;
      };
      env.releaseHolder = () => s.release();
      env.fresh = null;
      return env;
    }
    case "@esfx/async-semaphore":
    case "@esfx/async-mutex": {
      const { CancelToken } = await import("@esfx/canceltoken");
      let wait, release;
      if (lib === "@esfx/async-semaphore") {
        const { AsyncSemaphore } = await import("@esfx/async-semaphore");
        const s = new AsyncSemaphore(1);
        await s.wait();
        wait = (token) => s.wait(token);
        release = () => s.release();
        env.fresh = () => s.wait().then(() => s.release());
      } else {
        const { AsyncMutex } = await import("@esfx/async-mutex");
        const m = new AsyncMutex();
        const h = await m.lock();
        wait = (token) => m.lock(token);
        release = () => h.unlock();
        env.fresh = () => m.lock().then((x) => x.unlock());
      }
      env.note = "one CancelToken.source() per waiter";
      env.signals = true;
      env.park = () => {
        const src = CancelToken.source();
        wait(src.token).then(undefined, onReject);
        return src;
      };
      env.parkOn = (signal) => {
        wait(CancelToken.from(signal)).then(undefined, onReject);
        return null;
      };
      env.cancel = (src) => src.cancel(REASON);
      env.releaseHolder = release;
      return env;
    }
    case "p-limit": {
      const { default: pLimit } = await import("p-limit");
      const limit = pLimit({ concurrency: 1, rejectOnClear: true });
      let release;
      limit(() => new Promise((r) => (release = r)));
      await null;
      env.style = "bulk";
      env.note = "clearQueue() with rejectOnClear (no per-waiter cancel)";
      const noop = () => {};
      env.park = () => {
        limit(noop).then(undefined, onReject);
        return null;
      };
      env.cancelAll = () => limit.clearQueue();
      env.releaseHolder = () => release();
      env.fresh = () => limit(noop);
      return env;
    }
    case "p-queue": {
      const { default: PQueue } = await import("p-queue");
      const q = new PQueue({ concurrency: 1 });
      let release;
      q.add(() => new Promise((r) => (release = r)));
      await null;
      env.note = "add(fn, { signal }) with one AbortController per waiter";
      env.signals = true;
      const noop = () => {};
      env.park = () => {
        const ac = new AbortController();
        q.add(noop, { signal: ac.signal }).then(undefined, onReject);
        return ac;
      };
      env.parkOn = (signal) => {
        q.add(noop, { signal }).then(undefined, onReject);
        return null;
      };
      env.cancel = (ac) => ac.abort(REASON);
      env.releaseHolder = () => release();
      env.fresh = () => q.add(noop);
      return env;
    }
    case "effect": {
      const Effect = await import("effect/Effect");
      const Semaphore = await import("effect/Semaphore");
      const s = Semaphore.makeUnsafe(1);
      Effect.runSync(s.take(1));
      const guarded = s.withPermits(1)(Effect.void);
      env.note = "runFork(withPermits(1)(void)), fiber.interruptUnsafe() per waiter";
      env.signals = true;
      env.park = () => {
        const fiber = Effect.runFork(guarded);
        fiber.addObserver(onReject);
        return fiber;
      };
      env.parkOn = (signal) => {
        Effect.runPromise(guarded, { signal }).then(undefined, onReject);
        return null;
      };
      env.cancel = (fiber) => fiber.interruptUnsafe();
      env.releaseHolder = () => Effect.runSync(s.release(1));
      env.fresh = () => Effect.runPromise(guarded);
      return env;
    }
  }
  throw new Error("no waiter adapter for " + lib);
}
