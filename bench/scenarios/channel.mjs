/**
 * Bounded channels: send/recv throughput, and receivers parked on an empty channel then
 * cancelled.
 *
 * Throughput: P producers share `total` messages into a channel of capacity C; one consumer
 * awaits each message. msgs/s = total ÷ time until the consumer has them all.
 * Cancel: N receivers wait on an empty channel, each with its own cancel handle (kyoto:abort
 * and ts-chan share one AbortController); then all are cancelled. cancel = ms until every
 * receive has rejected; B held = heap still held per cancelled receiver afterwards (kyoto
 * keeps its pool's high-water capacity, 32 B per slot, counted here).
 *
 * Peers: effect (v4 `Queue.bounded`, driven by fibers), ts-chan (`Chan`, Go-style), and
 * @esfx/async-queue (unbounded: `put` never waits, so its row has no backpressure).
 */
import { heap, loadKyoto, now, within } from "../lib/env.mjs";

const LIBS = ["kyoto", "effect", "ts-chan", "@esfx/async-queue"];
const CANCEL_LIBS = ["kyoto", "kyoto:abort", "effect", "ts-chan", "ts-chan:abort", "@esfx/async-queue"];

export const name = "channel";
export const order = 8;
export const title = "8. Bounded channel: throughput and cancelled receivers (Node)";
export const description =
  "C = capacity, P = producers sharing 200k messages, one consumer. cancel rows: N receivers parked on an empty channel, then cancelled; B held = heap still held per cancelled receiver once all rejected.";
export const metrics = [
  { key: "msgsPerSec", label: "msgs/s", unit: "ops/s", better: "higher", ratio: true },
  { key: "cancelMs", label: "cancel", unit: "ms", better: "lower", ratio: true },
  { key: "heldB", label: "B held/cancelled", unit: "B", better: "lower" },
];
export const notes = [
  "@esfx/async-queue is unbounded (its `put` never waits), so it does no backpressure work in the throughput rows.",
  "effect's cancel row parks N fibers on `Queue.take` and interrupts each; it runs at N = 10,000 (fiber interruption is costly at 100 k).",
];
export const timeout = 300;
export const paramLabel = (p) => (p.mode === "cancel" ? `cancel N=${p.n.toLocaleString("en-US")}` : `C=${p.cap} P=${p.producers}`);

export function cases({ quick }) {
  const out = [];
  for (const cap of [1, 16, 1024]) {
    for (const producers of [1, 4]) {
      for (const lib of LIBS) out.push({ lib, param: { mode: "throughput", cap, producers } });
    }
  }
  for (const lib of CANCEL_LIBS) out.push({ lib, param: { mode: "cancel", n: lib === "effect" || quick ? 10000 : 100000 } });
  return out;
}

export async function run(lib, param, { quick }) {
  if (param.mode === "cancel") return cancelRun(lib, param.n);
  const total = quick ? 50000 : 200000;
  const ch = await makeChannel(lib, param.cap);
  const share = Math.floor(total / param.producers);
  const t0 = now();
  const done = ch.run(param.producers, share, share * param.producers);
  const received = await done;
  const ms = now() - t0;
  if (received !== share * param.producers) throw new Error("received " + received);
  return { msgsPerSec: (received / ms) * 1000, cancelMs: "–", heldB: "–" };
}

async function makeChannel(lib, cap) {
  if (lib === "kyoto") {
    const k = await loadKyoto();
    const [tx, rx] = k.channel(cap);
    return {
      async run(P, share, total) {
        const producers = [];
        for (let p = 0; p < P; p++) {
          const s = p === 0 ? tx : tx.clone();
          producers.push(
            (async () => {
              for (let i = 0; i < share; i++) await s.send(i + 1);
            })(),
          );
        }
        let n = 0;
        while (n < total) {
          await rx.recv();
          n++;
        }
        await Promise.all(producers);
        return n;
      },
    };
  }
  if (lib === "ts-chan") {
    const { Chan } = await import("ts-chan");
    const ch = new Chan(cap);
    return {
      async run(P, share, total) {
        const producers = [];
        for (let p = 0; p < P; p++) {
          producers.push(
            (async () => {
              for (let i = 0; i < share; i++) await ch.send(i + 1);
            })(),
          );
        }
        let n = 0;
        while (n < total) {
          await ch.recv();
          n++;
        }
        await Promise.all(producers);
        return n;
      },
    };
  }
  if (lib === "@esfx/async-queue") {
    const { AsyncQueue } = await import("@esfx/async-queue");
    const q = new AsyncQueue();
    return {
      async run(P, share, total) {
        const producers = [];
        for (let p = 0; p < P; p++) {
          producers.push(
            (async () => {
              for (let i = 0; i < share; i++) {
                q.put(i + 1);
                await null; // a producer turn, like an awaited send that does not wait
              }
            })(),
          );
        }
        let n = 0;
        while (n < total) {
          await q.get();
          n++;
        }
        await Promise.all(producers);
        return n;
      },
    };
  }
  if (lib === "effect") {
    const Effect = await import("effect/Effect");
    const Queue = await import("effect/Queue");
    return {
      async run(P, share, total) {
        const program = Effect.flatMap(Queue.bounded(cap), (q) => {
          const producer = Effect.forEach(
            Array.from({ length: share }, (_, i) => i + 1),
            (v) => Queue.offer(q, v),
            { discard: true },
          );
          let n = 0;
          const consumer = Effect.whileLoop({
            while: () => n < total,
            body: () => Queue.take(q),
            step: () => {
              n++;
            },
          });
          const producers = Array.from({ length: P }, () => producer);
          return Effect.map(Effect.all([consumer, ...producers], { concurrency: "unbounded", discard: true }), () => n);
        });
        return Effect.runPromise(program);
      },
    };
  }
  throw new Error("unknown lib " + lib);
}

async function cancelRun(lib, N) {
  let park;
  let cancelAll;
  let settled = 0;
  const onDone = () => {
    settled++;
  };
  const handles = new Array(N).fill(null);
  if (lib.startsWith("kyoto")) {
    const k = await loadKyoto();
    const [tx, rx] = k.channel(1);
    if (lib === "kyoto:abort") {
      const ac = new AbortController();
      park = () => rx.recv({ signal: ac.signal }).then(undefined, onDone);
      cancelAll = () => ac.abort();
    } else {
      park = (i) => {
        const op = rx.recv();
        op.then(undefined, onDone);
        handles[i] = op;
      };
      cancelAll = () => {
        for (let i = 0; i < N; i++) {
          handles[i].cancel();
          handles[i] = null;
        }
      };
    }
    handles.tx = tx;
  } else if (lib.startsWith("ts-chan")) {
    const { Chan } = await import("ts-chan");
    const ch = new Chan(1);
    if (lib === "ts-chan:abort") {
      const ac = new AbortController();
      park = () => ch.recv(ac.signal).then(undefined, onDone);
      cancelAll = () => ac.abort();
    } else {
      park = (i) => {
        const ac = new AbortController();
        ch.recv(ac.signal).then(undefined, onDone);
        handles[i] = ac;
      };
      cancelAll = () => {
        for (let i = 0; i < N; i++) {
          handles[i].abort();
          handles[i] = null;
        }
      };
    }
  } else if (lib === "@esfx/async-queue") {
    const { AsyncQueue } = await import("@esfx/async-queue");
    const { CancelToken } = await import("@esfx/canceltoken");
    const q = new AsyncQueue();
    park = (i) => {
      const source = CancelToken.source();
      q.get(source.token).then(undefined, onDone);
      handles[i] = source;
    };
    cancelAll = () => {
      for (let i = 0; i < N; i++) {
        handles[i].cancel();
        handles[i] = null;
      }
    };
  } else if (lib === "effect") {
    const Effect = await import("effect/Effect");
    const Queue = await import("effect/Queue");
    const Fiber = await import("effect/Fiber");
    const q = await Effect.runPromise(Queue.bounded(1));
    park = (i) => {
      handles[i] = Effect.runFork(Queue.take(q));
    };
    cancelAll = () => {
      const all = [];
      for (let i = 0; i < N; i++) {
        all.push(Effect.runPromise(Fiber.interrupt(handles[i])).then(onDone));
        handles[i] = null;
      }
    };
  } else throw new Error("unknown lib " + lib);

  const H0 = await heap();
  for (let i = 0; i < N; i++) park(i);
  await new Promise((r) => setImmediate(r));
  const t0 = now();
  cancelAll();
  const ok = await within(
    (async () => {
      while (settled < N) await new Promise((r) => setImmediate(r));
      return true;
    })(),
    120000,
    false,
  );
  const cancelMs = ok ? now() - t0 : `>120 s (${settled} settled)`;
  const H2 = await heap();
  return { msgsPerSec: "–", cancelMs, heldB: (H2 - H0) / N };
}
