/**
 * The Espruino HAL with TCP sockets: the time part of hal/espruino/index.ts plus TCP on
 * `require("net")`; its UDP calls fail with `E_NOSOCKETS`. hal/espruino/sockets.ts adds UDP on
 * `require("dgram")`. `kyoto build` picks the smallest HAL an app needs: time only (no
 * socket class imported), this one (no `UdpSocket`), or the one with UDP.
 *
 * Espruino's sockets push 8-bit strings (`'data'`) and take strings (`write`), so
 * bytes cross as `E.toString(Uint8Array)` / `E.toUint8Array(string)` (a host without `E` has
 * no sockets here: every open fails with `E_NOSOCKETS`). Reads: received strings
 * queue per socket and `tcpRead` copies out of them. Espruino cannot pause a socket, so the
 * queue is bounded: past `maxQueued` unread bytes the socket fails with `E_IO` (the host
 * would otherwise fill its JsVars with a peer's data). Writes: `write()` always buffers
 * and `'drain'` fires when its buffer is empty, so credit is `writeCredit` bytes, taken by
 * `tcpWrite` and given back whole on `'drain'`. Errors arrive as `'error'({ code, message })`
 * with Espruino's socket codes (libs/network/socketerrors.h: -3 timeout, -4 no route,
 * -7 max sockets, -9 connection reset, -11 no connection, -12 bad argument).
 *
 * What Espruino cannot do, and what this adapter does instead:
 * - no half-close: `tcpShutdown` ends the socket once every byte is written (`end()`); the
 *   peer sees the end of the stream, and nothing more is received on this side;
 * - no reset: `tcpClose` with unread bytes ends the socket like any other close;
 * - `listen(port)` takes no address and cannot report the port it chose: port 0 picks one
 *   from 49152–65535 here, and `sockAddr` reports the port asked for.
 *
 * Events go through one `setTimeout(…, 0)` flush per batch, never from inside a HAL call.
 */

import {
  E_INVAL,
  E_IO,
  E_NOSOCKETS,
  E_PIPE,
  E_REFUSED,
  E_RESET,
  E_TIMEDOUT,
  E_UNREACH,
  EV_ACCEPTABLE,
  EV_ERROR,
  EV_READABLE,
  EV_WRITABLE,
  HAL_NONE,
  HalPeer,
  NetHal,
} from "../../src/io/hal";
import { TimerHal } from "../../src/runtime/timer_hal";
import { EspruinoHost, espruinoHost, espruinoHostTimers } from "./index";

/** An Espruino event emitter (every object there has `on`). */
export interface Emitter {
  on(event: string, fn: (a?: any, b?: any) => void): void;
}
/** A socket from `require("net")`. */
export interface EspruinoSocket extends Emitter {
  write(data: string): boolean;
  end(): void;
}
export interface EspruinoServer {
  listen(port: number): unknown;
  close(): void;
}
export interface EspruinoNet {
  connect(options: { host: string; port: number }, onConnect: (socket: EspruinoSocket) => void): EspruinoSocket;
  createServer(onConnection: (socket: EspruinoSocket) => void): EspruinoServer;
}
export interface EspruinoUdpSocket extends Emitter {
  bind(port: number, onBound: (res: Emitter) => void): unknown;
  send(data: string, offset: number, length: number, port: number, address: string): void;
  close(): void;
}
export interface EspruinoDgram {
  createSocket(type: string): EspruinoUdpSocket;
}

/** `E`'s byte conversions. */
type EspruinoBytes = NonNullable<EspruinoHost["E"]>;

export interface EspruinoHalOptions {
  host?: EspruinoHost;
  /** Write credit per socket, refilled whole by `'drain'` (default 2048 bytes). */
  writeCredit?: number;
  /** Unread bytes a socket may queue before it fails with E_IO (default 8192). */
  maxQueued?: number;
}

/** @internal Entry kinds. */
export const TCP = 1;
const LISTENER = 2;
/** @internal */
export const UDP = 3;

/** @internal One handle's state. */
export class Entry {
  /** @internal TCP, LISTENER or UDP. */
  kind: number;
  /** @internal */
  sock: EspruinoSocket | null = null;
  /** @internal */
  server: EspruinoServer | null = null;
  /** @internal */
  udp: EspruinoUdpSocket | null = null;
  /** @internal Received strings not yet read (TCP data; UDP datagrams with their senders). */
  received: string[] = [];
  /** @internal The senders of the `received` datagrams (UDP). */
  origins: HalPeer[] = [];
  /** @internal Offset into received[0] already read (TCP). */
  readAt = 0;
  /** @internal Unread bytes in `received` (TCP). */
  unreadBytes = 0;
  /** @internal Write credit left until the next `'drain'`. */
  credit = 0;
  /** @internal */
  connected = false;
  /** @internal The host closed the socket (`'close'`). */
  ended = false;
  /** @internal `tcpShutdown` ended it. */
  shut = false;
  /** @internal A negative code once the socket failed. */
  errorCode = 0;
  /** @internal Accepted connections waiting for tcpAccept (listeners). */
  accepted: number[] = [];
  /** @internal */
  ip = "127.0.0.1";
  /** @internal */
  port = 0;
  /** @internal */
  peerIp = "";
  /** @internal */
  peerPort = 0;
  constructor(kind: number) {
    this.kind = kind;
  }
}

/** Espruino's socket error codes (socketerrors.h) as HAL codes. */
export function espruinoError(err: unknown): number {
  const code = err && typeof err === "object" ? (err as { code?: unknown }).code : err;
  switch (code) {
    case -3:
    case -14:
      return E_TIMEDOUT;
    case -4:
      return E_UNREACH;
    case -7:
      return E_NOSOCKETS;
    case -9:
      return E_RESET;
    case -11:
    case -6:
      return E_REFUSED;
    case -12:
      return E_INVAL;
    default:
      return E_IO;
  }
}

/** The Espruino HAL with TCP only: its UDP calls fail with E_NOSOCKETS. Allocates: per socket. */
export function createEspruinoTcpHal(options?: EspruinoHalOptions): NetHal {
  return new EspruinoTcpSockets(espruinoHost(options && options.host), options);
}

/** @internal The TimerHal's time (its sink too) plus TCP on `net`. */
export class EspruinoTcpSockets extends TimerHal implements NetHal {
  private readonly entries: Array<Entry | null> = [];
  /** Events waiting for the next flush: kind, handle, arg triples. */
  private events: number[] = [];
  private flushArmed = false;
  private readonly flushFn: () => void;
  /** Write credit a socket gets back whole on `'drain'` (`options.writeCredit`). */
  protected readonly creditSize: number;
  /** Unread bytes a socket may queue (`options.maxQueued`). */
  private readonly queueLimit: number;

  constructor(
    private readonly espruino: EspruinoHost,
    options: EspruinoHalOptions | undefined,
  ) {
    super(espruinoHostTimers(espruino));
    this.creditSize = (options && options.writeCredit) || 2048;
    this.queueLimit = (options && options.maxQueued) || 8192;
    const self = this;
    this.flushFn = function () {
      self.flush();
    };
  }

  // --- plumbing -------------------------------------------------------------------------
  /** `require(name)`, or null when the host has no such module (or no `E` to convert bytes). */
  protected module<T>(name: string): T | null {
    const req = this.espruino.require;
    if (!req || !this.espruino.E) return null;
    try {
      return req(name) as T;
    } catch (_e) {
      return null;
    }
  }

  /** Stores `entry` under the lowest free handle. */
  protected add(entry: Entry): number {
    const entries = this.entries;
    let h = entries.indexOf(null);
    if (h < 0) h = entries.length;
    entries[h] = entry;
    return h;
  }

  /** Frees handle `h`. */
  protected free(h: number): void {
    this.entries[h] = null;
  }

  /** The entry of handle `h` when it is open and of `kind`, else null. */
  protected get(h: number, kind: number): Entry | null {
    const entry = this.entries[h];
    return entry && entry.kind === kind ? entry : null;
  }

  /** True while handle `h` still holds `entry` (a host callback may outlive the handle). */
  protected holds(h: number, entry: Entry): boolean {
    return this.entries[h] === entry;
  }

  protected emit(kind: number, h: number, arg: number): void {
    this.events.push(kind, h, arg);
    if (!this.flushArmed) {
      this.flushArmed = true;
      this.espruino.setTimeout(this.flushFn, 0);
    }
  }

  /** Delivers queued events, skipping those of handles closed since. */
  private flush(): void {
    this.flushArmed = false;
    const batch = this.events;
    this.events = [];
    for (let i = 0; i < batch.length; i += 3) {
      if (this.entries[batch[i + 1]] && this.sink !== null) this.sink(batch[i], batch[i + 1], batch[i + 2]);
    }
  }

  /** Copies `s` (an 8-bit string) into `buf[off…]`. */
  protected copyIn(s: string, buf: Uint8Array, off: number): void {
    buf.set((this.espruino.E as EspruinoBytes).toUint8Array(s), off);
  }

  /** `buf[off, off+len)` as an 8-bit string. */
  protected toText(buf: Uint8Array, off: number, len: number): string {
    return (this.espruino.E as EspruinoBytes).toString(buf.subarray(off, off + len));
  }

  protected fail(h: number, entry: Entry, code: number): void {
    if (entry.errorCode !== 0) return;
    entry.errorCode = code;
    this.emit(EV_ERROR, h, code);
  }

  /** Fails `entry` with the HAL code of an Espruino `'error'` event, while `h` holds it. */
  protected onError(h: number, entry: Entry): (err: unknown) => void {
    const self = this;
    return function (err: unknown) {
      if (self.holds(h, entry)) self.fail(h, entry, espruinoError(err));
    };
  }

  /** A local port for `port` (Espruino cannot say which port 0 took: one from 49152–65535). */
  protected listenPort(port: number): number {
    return port === 0 ? 49152 + Math.floor(Math.random() * 16384) : port;
  }

  /** Wires an Espruino socket to handle `h`. */
  private attach(h: number, entry: Entry, sock: EspruinoSocket): void {
    const self = this;
    entry.sock = sock;
    sock.on("data", function (data: string) {
      if (!self.holds(h, entry) || entry.shut) return;
      const wasEmpty = entry.unreadBytes === 0;
      entry.received.push(data);
      entry.unreadBytes += data.length;
      if (entry.unreadBytes > self.queueLimit) self.fail(h, entry, E_IO);
      else if (wasEmpty) self.emit(EV_READABLE, h, entry.unreadBytes);
    });
    sock.on("drain", function () {
      if (self.holds(h, entry) && entry.errorCode === 0 && entry.credit !== self.creditSize) self.refill(h, entry);
    });
    sock.on("error", this.onError(h, entry));
    sock.on("close", function () {
      if (!self.holds(h, entry) || entry.ended) return;
      entry.ended = true;
      if (entry.errorCode === 0 && entry.connected) self.emit(EV_READABLE, h, 0);
    });
  }

  /** Gives a socket its whole write credit back and says so (`EV_WRITABLE`). */
  private refill(h: number, entry: Entry): void {
    entry.credit = this.creditSize;
    this.emit(EV_WRITABLE, h, entry.credit);
  }

  // --- TCP ------------------------------------------------------------------------------
  tcpConnect(ip: string, port: number, _noDelay: boolean): number {
    const net = this.module<EspruinoNet>("net");
    if (net === null) return E_NOSOCKETS;
    if (typeof ip !== "string" || !(port > 0 && port < 65536)) return E_INVAL;
    const entry = new Entry(TCP);
    entry.peerIp = ip;
    entry.peerPort = port;
    const h = this.add(entry);
    const self = this;
    let sock: EspruinoSocket;
    try {
      sock = net.connect({ host: ip, port: port }, function () {
        if (!self.holds(h, entry) || entry.errorCode !== 0) return;
        entry.connected = true;
        self.refill(h, entry);
      });
    } catch (err) {
      this.free(h);
      return espruinoError(err);
    }
    this.attach(h, entry, sock);
    return h;
  }

  tcpListen(ip: string, port: number, _backlog: number): number {
    const net = this.module<EspruinoNet>("net");
    if (net === null) return E_NOSOCKETS;
    const entry = new Entry(LISTENER);
    entry.port = this.listenPort(port);
    entry.ip = ip;
    const h = this.add(entry);
    const self = this;
    try {
      const server = net.createServer(function (sock: EspruinoSocket) {
        if (!self.holds(h, entry)) {
          sock.end();
          return;
        }
        const conn = new Entry(TCP);
        conn.connected = true;
        conn.credit = self.creditSize;
        conn.port = entry.port;
        const c = self.add(conn);
        self.attach(c, conn, sock);
        entry.accepted.push(c);
        if (entry.accepted.length === 1) self.emit(EV_ACCEPTABLE, h, 1);
      });
      entry.server = server;
      server.listen(entry.port);
    } catch (err) {
      this.fail(h, entry, espruinoError(err));
      return h;
    }
    this.emit(EV_WRITABLE, h, 0);
    return h;
  }

  tcpAccept(listener: number): number {
    const entry = this.get(listener, LISTENER);
    if (entry === null) return E_INVAL;
    if (entry.errorCode !== 0) return entry.errorCode;
    const c = entry.accepted.shift();
    return c === undefined ? HAL_NONE : c;
  }

  tcpRead(h: number, buf: Uint8Array, off: number, len: number): number {
    const entry = this.get(h, TCP);
    if (entry === null) return E_INVAL;
    if (entry.errorCode !== 0) return entry.errorCode;
    let got = 0;
    while (got < len && entry.received.length > 0) {
      const head = entry.received[0];
      const take = Math.min(len - got, head.length - entry.readAt);
      this.copyIn(head.substr(entry.readAt, take), buf, off + got);
      got += take;
      entry.readAt += take;
      if (entry.readAt === head.length) {
        entry.received.shift();
        entry.readAt = 0;
      }
    }
    entry.unreadBytes -= got;
    if (got > 0) return got;
    return entry.ended || entry.shut ? HAL_NONE : 0;
  }

  tcpWrite(h: number, buf: Uint8Array, off: number, len: number): number {
    const entry = this.get(h, TCP);
    if (entry === null) return E_INVAL;
    if (entry.errorCode !== 0) return entry.errorCode;
    if (entry.shut || entry.ended) return E_PIPE;
    const n = Math.min(len, entry.credit);
    if (n <= 0) return 0;
    entry.credit -= n;
    (entry.sock as EspruinoSocket).write(this.toText(buf, off, n));
    return n;
  }

  tcpShutdown(h: number): number {
    const entry = this.get(h, TCP);
    if (entry === null) return E_INVAL;
    if (entry.errorCode !== 0) return entry.errorCode;
    if (!entry.shut) {
      entry.shut = true;
      (entry.sock as EspruinoSocket).end();
    }
    return 0;
  }

  tcpSetNoDelay(_h: number, _on: boolean): void {
    // Espruino sends what it has at each idle; there is no Nagle setting to change.
  }

  tcpClose(h: number): void {
    const entry = this.entries[h];
    if (!entry || entry.kind === UDP) return;
    this.free(h);
    if (entry.sock !== null && !entry.ended) entry.sock.end();
    if (entry.server !== null) entry.server.close();
    for (let i = 0; i < entry.accepted.length; i++) this.tcpClose(entry.accepted[i]);
    entry.accepted.length = 0;
  }

  // --- UDP: none here (hal/espruino/sockets.ts has it) -----------------------------------
  udpBind(_ip: string, _port: number): number {
    return E_NOSOCKETS;
  }

  udpSend(_h: number, _buf: Uint8Array, _off: number, _len: number, _ip: string, _port: number): number {
    return E_INVAL;
  }

  udpRecv(_h: number, _buf: Uint8Array, _off: number, _len: number, _from: HalPeer): number {
    return E_INVAL;
  }

  udpClose(_h: number): void {}

  sockAddr(h: number, remote: boolean, out: HalPeer): number {
    const entry = this.entries[h];
    if (!entry) return E_INVAL;
    out.ip = remote ? entry.peerIp : entry.ip;
    out.port = remote ? entry.peerPort : entry.port;
    return 0;
  }
}
