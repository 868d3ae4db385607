/**
 * The HAL contract (SPEC §7): what a host adapter (`hal/node`, `hal/quickjs`, `hal/espruino`,
 * `hal/sim`) implements. Types, event kinds and error codes only; `hal/README.md` is the
 * prose a device porter writes an adapter from, and `test/hal/conformance.ts` checks it.
 *
 * - Numbers cross the boundary, not objects: small integer handles (>= 0), negative integers
 *   for "nothing now" and for errors, and one event sink `(kind, handle, arg)` registered once
 *   with `setSink`.
 * - Events are never delivered re-entrantly from inside a HAL call: a call records and
 *   schedules; the event arrives from a later host callback. No event names a handle after
 *   `tcpClose`/`udpClose` returned.
 * - Time: one host timer (`armTimer` replaces, `cancelTimer`), `now()`, `wake()`.
 * - Sockets are readiness-based with caller-owned buffers, shaped like ECMA-419: an event says
 *   "something is ready", then a synchronous call copies bytes into or out of the caller's
 *   `Uint8Array`. Every socket call returns at once. A host without networking implements the
 *   time part only; the net layer then fails its ops with `ERR_SOCKET` (`hostCode` "ENOSYS").
 */

export { EV_ACCEPTABLE, EV_ERROR, EV_READABLE, EV_TIMER, EV_WAKE, EV_WRITABLE } from "../runtime/host";
export type { HalFactory, HalSink, TimeHal } from "../runtime/host";
import type { TimeHal } from "../runtime/host";

/** An address a socket call fills in (a caller-owned object, reused). */
export interface HalPeer {
  ip: string;
  port: number;
}

/**
 * "Nothing now" from `tcpAccept` and `udpRecv`; "end of stream" from `tcpRead` (the peer
 * sent FIN and every byte before it has been read).
 */
export const HAL_NONE = -1;
/** The connection was reset by the peer (or by the network); unread bytes are gone. */
export const E_RESET = -2;
/** Nobody listens at the address the connection was made to. */
export const E_REFUSED = -3;
/** The address a listener or UDP socket asked for is taken. */
export const E_ADDRINUSE = -4;
/** The peer stopped answering. */
export const E_TIMEDOUT = -5;
/** A write after `tcpShutdown`, or on a socket the peer can no longer receive on. */
export const E_PIPE = -6;
/** A malformed address or argument. */
export const E_INVAL = -7;
/** No route to the address. */
export const E_UNREACH = -8;
/** The host is out of sockets (file descriptors, connection slots). */
export const E_NOSOCKETS = -9;
/** Any other host failure. */
export const E_IO = -10;

const ERROR_NAMES = ["", "", "ECONNRESET", "ECONNREFUSED", "EADDRINUSE", "ETIMEDOUT", "EPIPE", "EINVAL", "EHOSTUNREACH", "EMFILE", "EIO"];

/**
 * The name of a negative HAL error code (`-2` → "ECONNRESET"); what `ERR_SOCKET.hostCode` carries.
 *
 * @example
 * ```ts
 * console.log(halErrorName(E_REFUSED)); // the error's name, e.g. for ERR_SOCKET's hostCode
 * ```
 */
export function halErrorName(code: number): string {
  const i = -code;
  return i >= 2 && i < ERROR_NAMES.length ? ERROR_NAMES[i] : "EIO";
}

/**
 * The socket half of the contract. Handles of TCP sockets, listeners and UDP sockets share
 * one number space per HAL instance; a closed handle may be reused by a later socket.
 */
export interface SocketHal {
  /**
   * Starts connecting to `ip:port` and returns the new socket's handle, or a negative code when
   * it cannot even start (`E_INVAL`, `E_NOSOCKETS`). Later: `EV_WRITABLE(h, credit)` once
   * connected, or `EV_ERROR(h, code)` (`E_REFUSED`, `E_TIMEDOUT`, …).
   */
  tcpConnect(ip: string, port: number, noDelay: boolean): number;
  /**
   * Starts listening on `ip:port` (port 0 picks a free one) with room for `backlog` pending
   * connections; returns the listener's handle or a negative code. Later: `EV_WRITABLE(h, 0)`
   * once listening (its local address is valid from then), or `EV_ERROR(h, code)`.
   */
  tcpListen(ip: string, port: number, backlog: number): number;
  /** Takes one pending connection: its handle (already connected), `HAL_NONE`, or a negative code. */
  tcpAccept(listener: number): number;
  /**
   * Copies up to `len` received bytes into `buf[off…]` and returns the count (> 0); 0 when
   * nothing is buffered now (`EV_READABLE` follows when something arrives); `HAL_NONE` (-1) at
   * end of stream; a code <= -2 once the socket has failed.
   */
  tcpRead(h: number, buf: Uint8Array, off: number, len: number): number;
  /**
   * Takes up to `len` bytes from `buf[off…]` (copied before returning) and returns the count
   * (> 0, at most the write credit); 0 when there is no credit (`EV_WRITABLE` follows); a
   * code <= -2 once the socket has failed or after `tcpShutdown` (`E_PIPE`).
   */
  tcpWrite(h: number, buf: Uint8Array, off: number, len: number): number;
  /** Half-closes: FIN after every byte already taken. Reading goes on. 0, or a negative code. */
  tcpShutdown(h: number): number;
  /** Turns Nagle's algorithm off (`true`) or on. */
  tcpSetNoDelay(h: number, on: boolean): void;
  /**
   * Closes a TCP socket or listener and frees the handle; no event names it afterwards. Bytes
   * already taken are still sent, then FIN; unread received bytes are dropped (the host may
   * reset the connection); a listener's pending connections are closed.
   */
  tcpClose(h: number): void;

  /**
   * Binds a UDP socket to `ip:port` (port 0 picks one); returns its handle or a negative code.
   * Later: `EV_WRITABLE(h, credit)` once bound, or `EV_ERROR(h, code)`.
   */
  udpBind(ip: string, port: number): number;
  /**
   * Sends one datagram of `len` bytes from `buf[off…]` (copied before returning) to
   * `ip:port`: `len` when taken; 0 when the host's send queue is full (`EV_WRITABLE` follows);
   * a negative code. UDP may lose it anyway.
   */
  udpSend(h: number, buf: Uint8Array, off: number, len: number, ip: string, port: number): number;
  /**
   * Takes the oldest queued datagram: copies up to `len` bytes into `buf[off…]` (the rest of a
   * longer datagram is dropped), fills `from`, and returns the count copied; `HAL_NONE` when
   * none is queued (`EV_READABLE` follows); a code <= -2 once the socket has failed.
   */
  udpRecv(h: number, buf: Uint8Array, off: number, len: number, from: HalPeer): number;
  /** Closes a UDP socket and frees the handle; queued datagrams are dropped, no event follows. */
  udpClose(h: number): void;

  /** Fills `out` with the local (`remote` false) or peer address of any socket: 0, or a negative code. */
  sockAddr(h: number, remote: boolean, out: HalPeer): number;
}

/** A HAL: the time part, and the socket part when the host has networking. */
export interface Hal extends TimeHal, Partial<SocketHal> {
  /** Capability bits (`CAP_*`), for hosts that announce what they have; 0 or absent when unknown. */
  readonly caps?: number;
}

/** `caps` bit: TCP client sockets. */
export const CAP_TCP_CLIENT = 1;
/** `caps` bit: TCP listeners. */
export const CAP_TCP_SERVER = 2;
/** `caps` bit: UDP sockets. */
export const CAP_UDP = 4;
/** `caps` bit: `now()` is a true monotonic clock (not clamped from a settable one). */
export const CAP_MONOTONIC = 8;

/** A HAL with sockets. */
export interface NetHal extends TimeHal, SocketHal {}

/**
 * True when `hal` implements the socket part of the contract. It probes the two close calls,
 * which every socket's code calls anyway: a device build that drops the methods nothing names
 * (`kyoto build`) then keeps no HAL call for the probe alone.
 */
export function hasSockets(hal: TimeHal): hal is NetHal {
  return typeof (hal as Hal).tcpClose === "function" && typeof (hal as Hal).udpClose === "function";
}
