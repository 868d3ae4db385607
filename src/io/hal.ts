/**
 * The HAL contract (SPEC §7): what a host adapter (`hal/node`, `hal/quickjs`, `hal/espruino`,
 * `hal/sim`) implements. Types and event kinds only; `hal/README.md` is the prose version.
 *
 * - Numbers cross the boundary, not objects: small integer handles (>= 0; -1 = failure), and
 *   one event sink `(kind, handle, arg)` registered once with `setSink`.
 * - Events are never delivered re-entrantly from inside a HAL call: a call schedules, and the
 *   event arrives from a later host callback.
 * - Time: one host timer (`armTimer` replaces, `cancelTimer`), `now()`, `wake()`. The runtime
 *   keeps its own timer wheel and arms the host timer for the earliest deadline only.
 * - Sockets are readiness-based with caller-owned buffers, shaped like ECMA-419. They are
 *   optional here so that a time-only HAL (or one for a host without networking) is complete;
 *   the net layer checks for them and fails its ops when they are missing.
 */

export { EV_ACCEPTABLE, EV_ERROR, EV_READABLE, EV_TIMER, EV_WAKE, EV_WRITABLE } from "../runtime/host";
export type { HalFactory, HalSink, TimeHal } from "../runtime/host";
import type { TimeHal } from "../runtime/host";

/** Where a datagram came from; filled in by `udpRecv` (a caller-owned object, reused). */
export interface HalPeer {
  ip: string;
  port: number;
}

/** A complete HAL: the time part plus (optionally) sockets. */
export interface Hal extends TimeHal {
  /** Capability bits (see the `CAP_*` constants); 0 or absent for a time-only HAL. */
  readonly caps?: number;

  /** Starts a TCP connection; `EV_WRITABLE(h, credit)` when connected, `EV_ERROR(h, code)` otherwise. */
  tcpConnect?(ip: string, port: number, noDelay: boolean): number;
  /** Listens on `port`; `EV_ACCEPTABLE(h, pending)` as connections arrive. Port 0 picks one. */
  tcpListen?(port: number, ip?: string): number;
  /** Takes one pending connection: its handle, or -1 when none is pending. */
  tcpAccept?(listener: number): number;
  /** The local port of a listener or socket. */
  localPort?(h: number): number;
  /** Copies up to `len` bytes into `buf[off…]`: the count, 0 when nothing is buffered now, -1 at end of stream. */
  tcpRead?(h: number, buf: Uint8Array, off: number, len: number): number;
  /** Accepts up to `len` bytes from `buf[off…]`: the count taken (0 = wait for `EV_WRITABLE`). */
  tcpWrite?(h: number, buf: Uint8Array, off: number, len: number): number;
  /** Half-closes the write side (FIN). */
  tcpShutdown?(h: number): void;
  /** Closes the socket or listener; no event for `h` arrives afterwards. */
  tcpClose?(h: number): void;

  /** Binds a UDP socket; `EV_READABLE(h, datagrams)` as they arrive. */
  udpBind?(port: number, ip?: string): number;
  /** Sends one datagram: `len`, or a negative code. */
  udpSend?(h: number, buf: Uint8Array, off: number, len: number, ip: string, port: number): number;
  /** Receives one datagram into `buf[off…]` and fills `from`: its length, or -1 when none is queued. */
  udpRecv?(h: number, buf: Uint8Array, off: number, len: number, from: HalPeer): number;
  udpClose?(h: number): void;
}

/** `caps` bit: TCP client sockets. */
export const CAP_TCP_CLIENT = 1;
/** `caps` bit: TCP listeners. */
export const CAP_TCP_SERVER = 2;
/** `caps` bit: UDP sockets. */
export const CAP_UDP = 4;
/** `caps` bit: `now()` is a true monotonic clock (not clamped from a settable one). */
export const CAP_MONOTONIC = 8;
