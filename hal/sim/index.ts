/**
 * The simulated HAL: a virtual clock and an in-memory network (`net.ts`) with seeded
 * latency, bandwidth, loss, reordering, duplication, partitions and resets, for
 * deterministic tests: the same seed gives the same run, packet for packet.
 *
 * Time is integer milliseconds and starts at 0. It moves only in two ways:
 * - when the runtime asks for a wake because its budget ran out (`wake(true)`), the clock
 *   advances by 1 ms before `EV_WAKE` is delivered: a busy runtime is not a frozen clock. A
 *   wake for a `yieldNow` alone (`wake(false)`) does not move it (SPEC §10);
 * - when nothing else is pending, the clock jumps to the armed timer's deadline (or to the
 *   next packet arrival or retransmission, if earlier): a sleep wakes exactly at its
 *   deadline, however long it is, in no real time.
 *
 * The sim still needs the host to get control back once native microtasks (the code after an
 * `await`) have settled: it schedules its pump with the `defer` option when given, else the
 * host's `setImmediate`, else a host idle hook `__hostIdle(fn)`, else `setTimeout(fn, 0)` —
 * found by `typeof` so that this file runs unchanged in Node, in QuickJS (where the embedder
 * or the test harness provides `setTimeout`) and in a bare `vm` context. A deferred callback
 * runs after the microtasks of the current host turn, which is what makes "nothing else is
 * pending" observable. Where promise reactions are not microtasks but run after the timers
 * already due (Espruino), a 0 ms timer runs before them, so the clock would jump while
 * `await` continuations are still queued: such a host can only run the sim if it offers an
 * idle hook (`__hostIdle`: run `fn` once no promise reaction is queued; the Espruino test
 * context does). A real Espruino has none.
 *
 * Implementation notes:
 * - One event per pump, so microtasks run between events. Each pump first runs the network
 *   work due now (packets arriving, retransmission timers), which only queues socket events.
 *   Priority: a queued socket event, a timer already due, a wake (+1 ms when the budget was
 *   spent), then the jump to the earliest of the timer's deadline and the network's next item.
 * - Events never arrive from inside a HAL call: calls only record and schedule the pump.
 */

import { invalidArgument, invalidState } from "../../src/core/errors";
import { EV_TIMER, EV_WAKE, HalPeer, HalSink, SocketHal, TimeHal } from "../../src/io/hal";
import { SimNetOptions } from "../../src/sim";
import { SimNet } from "./net";

export { SimNet } from "./net";

// Host scheduling functions, looked up with `typeof` (absent ones are never called).
declare const setImmediate: ((fn: () => void) => unknown) | undefined;
declare const __hostIdle: ((fn: () => void) => void) | undefined;
declare const setTimeout: ((fn: () => void, ms: number) => unknown) | undefined;

export interface SimHalOptions {
  /** Seed for `random()` (default 1). */
  seed?: number;
  /** How to run a callback after the current host turn (default: setImmediate, else the host's `__hostIdle`, else setTimeout 0). */
  defer?: (fn: () => void) => void;
  /** How the simulated network behaves (latency, loss, …; see `SimNetOptions`). */
  net?: SimNetOptions;
}

function hostDefer(): (fn: () => void) => void {
  if (typeof setImmediate === "function") {
    const immediate = setImmediate;
    return function (fn: () => void) {
      immediate(fn);
    };
  }
  if (typeof __hostIdle === "function") {
    const idle = __hostIdle;
    return function (fn: () => void) {
      idle(fn);
    };
  }
  if (typeof setTimeout === "function") {
    const timeout = setTimeout;
    return function (fn: () => void) {
      timeout(fn, 0);
    };
  }
  throw invalidState("the sim HAL needs options.defer: this host has neither setImmediate nor setTimeout");
}

export class SimHal implements TimeHal, SocketHal {
  readonly seed: number;
  private clock = 0;
  private sink: HalSink | null = null;
  private deadline = -1;
  private wakePending = false;
  /** The pending wake is owed to a spent budget: it moves the clock. */
  private advancePending = false;
  private pumpScheduled = false;
  private rng: number;
  private readonly defer: (fn: () => void) => void;
  private readonly pumpFn: () => void;
  /** Wakes delivered so far. */
  wakes = 0;
  /** Wakes that advanced the clock by 1 ms (the runtime's budget was spent). */
  budgetWakes = 0;
  /** Timer events delivered so far. */
  timerFirings = 0;
  /** The simulated network: its controls (`partition`, `heal`, `reset`, `transcript`) and counters. */
  readonly net: SimNet;

  constructor(options?: SimHalOptions) {
    const seed = options && options.seed !== undefined ? options.seed : 1;
    if (typeof seed !== "number" || Math.floor(seed) !== seed || seed === Infinity || seed === -Infinity) throw invalidArgument("options.seed", "an integer", seed);
    this.seed = seed;
    this.rng = (seed | 0) === 0 ? 0x9e3779b9 | 0 : seed | 0; // xorshift has no zero state
    this.defer = options && options.defer ? options.defer : hostDefer();
    const self = this;
    this.pumpFn = function () {
      self.pump();
    };
    this.net = new SimNet(
      {
        now: function () {
          return self.clock;
        },
        random: function () {
          return self.random();
        },
        poke: function () {
          self.schedule();
        },
      },
      options && options.net,
    );
  }

  setSink(sink: HalSink): void {
    if (this.sink !== null) throw invalidState("the sim HAL already has a sink: one HAL per runtime");
    this.sink = sink;
  }

  now(): number {
    return this.clock;
  }

  armTimer(deltaMs: number): void {
    const delta = deltaMs > 0 ? Math.ceil(deltaMs) : 0;
    this.deadline = this.clock + delta;
    this.schedule();
  }

  cancelTimer(): void {
    this.deadline = -1;
  }

  wake(budgetSpent?: boolean): void {
    this.wakePending = true;
    if (budgetSpent === true) this.advancePending = true;
    this.schedule();
  }

  /** True while the host timer is armed. */
  isTimerArmed(): boolean {
    return this.deadline >= 0;
  }

  /** The armed timer's virtual deadline, or -1. */
  timerDeadline(): number {
    return this.deadline;
  }

  /** A seeded pseudo-random float in [0, 1) (xorshift32; ES5 has no Math.imul). */
  random(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x;
    return (x >>> 0) / 4294967296;
  }

  private schedule(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    this.defer(this.pumpFn);
  }

  private pump(): void {
    this.pumpScheduled = false;
    const sink = this.sink;
    if (sink === null) return;
    const net = this.net;
    net.runDue(this.clock);
    if (net.deliverOne(sink)) {
      // one socket event
    } else if (this.deadline >= 0 && this.deadline <= this.clock) {
      this.fireTimer(sink);
    } else if (this.wakePending) {
      this.wakePending = false;
      if (this.advancePending) {
        this.advancePending = false;
        this.clock++;
        this.budgetWakes++;
      }
      this.wakes++;
      sink(EV_WAKE, 0, 0);
    } else {
      const next = net.nextTime();
      if (this.deadline >= 0 && (next < 0 || this.deadline <= next)) {
        this.clock = this.deadline;
        this.fireTimer(sink);
      } else if (next >= 0) {
        if (next > this.clock) this.clock = next;
        net.runDue(this.clock);
        net.deliverOne(sink);
      }
    }
    if (this.wakePending || this.deadline >= 0 || net.hasEvents() || net.nextTime() >= 0) this.schedule();
  }

  private fireTimer(sink: HalSink): void {
    this.deadline = -1;
    this.timerFirings++;
    sink(EV_TIMER, 0, 0);
  }

  // The socket half of the contract is the simulated network's.
  tcpConnect(ip: string, port: number, noDelay: boolean): number {
    return this.net.tcpConnect(ip, port, noDelay);
  }
  tcpListen(ip: string, port: number, backlog: number): number {
    return this.net.tcpListen(ip, port, backlog);
  }
  tcpAccept(listener: number): number {
    return this.net.tcpAccept(listener);
  }
  tcpRead(h: number, buf: Uint8Array, off: number, len: number): number {
    return this.net.tcpRead(h, buf, off, len);
  }
  tcpWrite(h: number, buf: Uint8Array, off: number, len: number): number {
    return this.net.tcpWrite(h, buf, off, len);
  }
  tcpShutdown(h: number): number {
    return this.net.tcpShutdown(h);
  }
  tcpSetNoDelay(h: number, on: boolean): void {
    this.net.tcpSetNoDelay(h, on);
  }
  tcpClose(h: number): void {
    this.net.tcpClose(h);
  }
  udpBind(ip: string, port: number): number {
    return this.net.udpBind(ip, port);
  }
  udpSend(h: number, buf: Uint8Array, off: number, len: number, ip: string, port: number): number {
    return this.net.udpSend(h, buf, off, len, ip, port);
  }
  udpRecv(h: number, buf: Uint8Array, off: number, len: number, from: HalPeer): number {
    return this.net.udpRecv(h, buf, off, len, from);
  }
  udpClose(h: number): void {
    this.net.udpClose(h);
  }
  sockAddr(h: number, remote: boolean, out: HalPeer): number {
    return this.net.sockAddr(h, remote, out);
  }
}

/** A simulated HAL (virtual clock starting at 0). Allocates: on construction. */
export function createSimHal(options?: SimHalOptions): SimHal {
  return new SimHal(options);
}
