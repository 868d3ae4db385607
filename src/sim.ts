/**
 * `kyoto/sim`: what the simulation entry adds to `kyoto` — `createSimRuntime`, a runtime on
 * virtual time (SPEC §10): the clock jumps to the next deadline when nothing is ready and
 * advances 1 ms each time the runtime yields to the host, so tests never sleep on the wall
 * clock and a sleep wakes exactly at its deadline. Its sockets run on an in-memory network
 * with seeded latency, loss, reordering, duplication, partitions and resets
 * (`runtime.sim.net`), deterministic per seed.
 *
 * `src/` may not import `hal/`, so the simulated HAL itself (`hal/sim`) is installed by the
 * composition root (`targets/sim.ts` calls `setSimHalFactory(createSimHal)`); code that
 * imports sources directly (tests) can pass `options.hal` or install the factory itself.
 *
 * @module kyoto/sim
 */

import { checkOptions, invalidState } from "./core/errors";
import { Runtime, RuntimeOptions, createRuntime } from "./runtime/runtime";
import { TimeHal } from "./runtime/host";

/** How the simulated links behave (all optional). */
export interface SimNetOptions {
  /** One-way delay in virtual ms (default 1). */
  latency?: number;
  /** Extra random delay, 0…jitter ms, per packet (default 0). */
  jitter?: number;
  /** Bytes per virtual ms per direction between two hosts; 0 = unlimited (default 0). */
  bandwidth?: number;
  /** Probability that a packet (TCP segment or datagram) is lost (default 0). */
  loss?: number;
  /** Probability that a packet is delayed by up to 4 × (latency + jitter) more, overtaking others (default 0). */
  reorder?: number;
  /** Probability that a packet arrives twice (default 0). */
  duplicate?: number;
  /** Probability, per TCP data segment sent, that the connection is reset (default 0). */
  resetRate?: number;
  /** TCP segment payload size (default 1460). */
  mss?: number;
  /** TCP send and receive window in bytes: the write credit and the reader's buffer (default 65,536). */
  window?: number;
  /** First retransmission timeout in virtual ms; doubles per retry up to 16× (default 20). */
  rto?: number;
  /** Timeouts in a row without progress before `E_TIMEDOUT` (default 12). */
  maxRetries?: number;
  /** Datagrams queued per UDP socket before new ones are dropped (default 64). */
  udpQueue?: number;
  /** The address connecting sockets and `sockAddr` use as their own (default "127.0.0.1"). */
  hostIp?: string;
  /** Keep a transcript of every packet and event (`transcript()`), for replay checks. */
  trace?: boolean;
}

/** The simulated network's controls (`runtime.sim.net`). */
export interface SimNetControls {
  /** Cuts the links between hosts `a` and `b`; no argument cuts every link, one argument every link of `a`. */
  partition(a?: string, b?: string): void;
  /** Restores every link. */
  heal(): void;
  /** Resets every open connection with an endpoint at `ip` (default: all); returns how many. */
  reset(ip?: string): number;
  /** One line per packet and event when the runtime was created with `net: { trace: true }`. */
  transcript(): string;
  /** Packets lost so far (loss, partitions, full windows). */
  readonly dropped: number;
  /** Connections reset by the network so far. */
  readonly resets: number;
}

/** What a simulated HAL offers beyond the contract. */
export interface SimControls extends TimeHal {
  /** The simulated network. */
  readonly net: SimNetControls;
  readonly seed: number;
  /** A seeded pseudo-random float in [0, 1). */
  random(): number;
  /** True while the host timer is armed. */
  isTimerArmed(): boolean;
}

export interface SimRuntimeOptions extends RuntimeOptions {
  /** Seed for the simulation's randomness (default 1). */
  seed?: number;
  /** How the sim gets control back after the current host turn (default: setImmediate, else setTimeout 0). */
  defer?: (fn: () => void) => void;
  /** How the simulated network behaves: latency, bandwidth, loss, reordering, … */
  net?: SimNetOptions;
}

/** A runtime on a simulated HAL; `sim` is that HAL (the same object as `hal`). */
export interface SimRuntime extends Runtime {
  readonly sim: SimControls;
}

/** @internal */
export type SimHalFactory = (options: { seed?: number; defer?: (fn: () => void) => void; net?: SimNetOptions }) => SimControls;

let simFactory: SimHalFactory | null = null;

/** @internal Installs the simulated HAL's factory (done by `targets/sim.ts`). Allocates: never. */
export function setSimHalFactory(factory: SimHalFactory | null): void {
  simFactory = factory;
}

/**
 * Creates a runtime on virtual time. `options.hal`, when given, must be a simulated HAL.
 * Allocates: the runtime, its tables and its HAL.
 *
 * @example
 * ```ts
 * const rt = createSimRuntime({ seed: 7 });
 * const elapsed = await rt.run(async () => {
 *   const start = now();
 *   await sleep(3_600_000); // an hour of virtual time, at once
 *   return now() - start;
 * });
 * console.log(elapsed); // 3600000
 * rt.close();
 * ```
 */
export function createSimRuntime(options?: SimRuntimeOptions): SimRuntime {
  const o: SimRuntimeOptions = checkOptions(options) || {};
  let hal = o.hal as SimControls | undefined;
  if (hal === undefined) {
    if (simFactory === null) throw invalidState("createSimRuntime needs the sim HAL: import kyoto/sim, or pass options.hal");
    hal = simFactory({ seed: o.seed, defer: o.defer, net: o.net });
  }
  const rt = createRuntime({ hal: hal, maxTasks: o.maxTasks, maxTimers: o.maxTimers, maxWaiters: o.maxWaiters, budget: o.budget, maxBuffers: o.maxBuffers, bufferSize: o.bufferSize }) as SimRuntime;
  (rt as unknown as { sim: SimControls }).sim = hal;
  return rt;
}
