/**
 * The Espruino HAL with sockets: the time part of hal/espruino/index.ts plus TCP and UDP on
 * `require("net")` and `require("dgram")`. Apps that use no socket get the time-only HAL
 * (`kyoto build` picks), which is a fraction of the size.
 *
 * Espruino's sockets push 8-bit strings (`'data'`) and take strings (`write`), so
 * bytes cross as `E.toString(Uint8Array)` / `E.toUint8Array(string)`. Reads: received strings
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
 *   from 49152–65535 here, and `sockAddr` reports the port asked for;
 * - UDP `send` has no result and no flow control: a datagram is taken whole or refused.
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
interface Emitter {
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

export interface EspruinoHalOptions {
  host?: EspruinoHost;
  /** Write credit per socket, refilled whole by `'drain'` (default 2048 bytes). */
  writeCredit?: number;
  /** Unread bytes a socket may queue before it fails with E_IO (default 8192). */
  maxQueued?: number;
}

const TCP = 1;
const LISTENER = 2;
const UDP = 3;

/** One handle's state. */
class Entry {
  kind: number;
  sock: EspruinoSocket | null = null;
  server: EspruinoServer | null = null;
  udp: EspruinoUdpSocket | null = null;
  /** Received strings not yet read (TCP data; UDP datagrams with their senders). */
  queue: string[] = [];
  peers: HalPeer[] = [];
  /** Offset into queue[0] already read. */
  readAt = 0;
  queued = 0;
  credit = 0;
  connected = false;
  ended = false;
  shut = false;
  /** A negative code once the socket failed. */
  error = 0;
  /** Accepted connections waiting for tcpAccept (listeners). */
  pending: number[] = [];
  ip = "127.0.0.1";
  port = 0;
  remoteIp = "";
  remotePort = 0;
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

/** The Espruino HAL with sockets (failing with E_NOSOCKETS where the host has no "net"). Allocates: per socket. */
export function createEspruinoNetHal(options?: EspruinoHalOptions): NetHal {
  const host = espruinoHost(options && options.host);
  return new EspruinoSockets(host, options) as unknown as NetHal;
}

/** The TimerHal's time (its sink too) plus sockets on `net`/`dgram`. */
class EspruinoSockets extends TimerHal {
  private readonly entries: Array<Entry | null> = [];
  /** Events waiting for the next flush: kind, handle, arg triples. */
  private events: number[] = [];
  private flushArmed = false;
  private readonly flushFn: () => void;
  private readonly writeCredit: number;
  private readonly maxQueued: number;

  constructor(
    private readonly espruino: EspruinoHost,
    options: EspruinoHalOptions | undefined,
  ) {
    super(espruinoHostTimers(espruino));
    this.writeCredit = (options && options.writeCredit) || 2048;
    this.maxQueued = (options && options.maxQueued) || 8192;
    const self = this;
    this.flushFn = function () {
      self.flush();
    };
  }

  // --- plumbing -------------------------------------------------------------------------
  private module<T>(name: string): T | null {
    const req = this.espruino.require;
    if (!req) return null;
    try {
      return req(name) as T;
    } catch (_e) {
      return null;
    }
  }

  private add(entry: Entry): number {
    for (let h = 0; h < this.entries.length; h++) {
      if (this.entries[h] === null) {
        this.entries[h] = entry;
        return h;
      }
    }
    this.entries.push(entry);
    return this.entries.length - 1;
  }

  private get(h: number): Entry | null {
    return h >= 0 && h < this.entries.length ? this.entries[h] : null;
  }

  private emit(kind: number, h: number, arg: number): void {
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
      const entry = this.get(batch[i + 1]);
      if (entry === null || this.sink === null) continue;
      this.sink(batch[i], batch[i + 1], batch[i + 2]);
    }
  }

  private toBytes(s: string): Uint8Array {
    const E = this.espruino.E;
    if (E) return E.toUint8Array(s);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 255;
    return out;
  }

  private toText(buf: Uint8Array, off: number, len: number): string {
    const E = this.espruino.E;
    const view = buf.subarray(off, off + len);
    if (E) return E.toString(view);
    let s = "";
    for (let i = 0; i < view.length; i++) s += String.fromCharCode(view[i]);
    return s;
  }

  private fail(h: number, entry: Entry, code: number): void {
    if (entry.error !== 0) return;
    entry.error = code;
    this.emit(EV_ERROR, h, code);
  }

  /** Wires an Espruino socket to handle `h`. */
  private attach(h: number, entry: Entry, sock: EspruinoSocket): void {
    const self = this;
    entry.sock = sock;
    sock.on("data", function (data: string) {
      if (self.entries[h] !== entry || entry.shut) return;
      const wasEmpty = entry.queued === 0;
      entry.queue.push(data);
      entry.queued += data.length;
      if (entry.queued > self.maxQueued) self.fail(h, entry, E_IO);
      else if (wasEmpty) self.emit(EV_READABLE, h, entry.queued);
    });
    sock.on("drain", function () {
      if (self.entries[h] !== entry || entry.error !== 0 || entry.credit === self.writeCredit) return;
      entry.credit = self.writeCredit;
      self.emit(EV_WRITABLE, h, entry.credit);
    });
    sock.on("error", function (err: unknown) {
      if (self.entries[h] === entry) self.fail(h, entry, espruinoError(err));
    });
    sock.on("close", function () {
      if (self.entries[h] !== entry || entry.ended) return;
      entry.ended = true;
      if (entry.error === 0 && entry.connected) self.emit(EV_READABLE, h, 0);
    });
  }

  // --- TCP ------------------------------------------------------------------------------
  tcpConnect(ip: string, port: number, _noDelay: boolean): number {
    const net = this.module<EspruinoNet>("net");
    if (net === null) return E_NOSOCKETS;
    if (typeof ip !== "string" || !(port > 0 && port < 65536)) return E_INVAL;
    const entry = new Entry(TCP);
    entry.remoteIp = ip;
    entry.remotePort = port;
    const h = this.add(entry);
    const self = this;
    let sock: EspruinoSocket;
    try {
      sock = net.connect({ host: ip, port: port }, function () {
        if (self.entries[h] !== entry || entry.error !== 0) return;
        entry.connected = true;
        entry.credit = self.writeCredit;
        self.emit(EV_WRITABLE, h, entry.credit);
      });
    } catch (err) {
      this.entries[h] = null;
      return espruinoError(err);
    }
    this.attach(h, entry, sock);
    return h;
  }

  tcpListen(ip: string, port: number, _backlog: number): number {
    const net = this.module<EspruinoNet>("net");
    if (net === null) return E_NOSOCKETS;
    const entry = new Entry(LISTENER);
    // Espruino's listen() cannot say which port it took: pick one for port 0.
    entry.port = port === 0 ? 49152 + Math.floor(Math.random() * 16384) : port;
    entry.ip = ip;
    const h = this.add(entry);
    const self = this;
    try {
      const server = net.createServer(function (sock: EspruinoSocket) {
        if (self.entries[h] !== entry) {
          sock.end();
          return;
        }
        const conn = new Entry(TCP);
        conn.connected = true;
        conn.credit = self.writeCredit;
        conn.port = entry.port;
        const c = self.add(conn);
        self.attach(c, conn, sock);
        entry.pending.push(c);
        if (entry.pending.length === 1) self.emit(EV_ACCEPTABLE, h, 1);
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
    const entry = this.get(listener);
    if (entry === null || entry.kind !== LISTENER) return E_INVAL;
    if (entry.error !== 0) return entry.error;
    const c = entry.pending.shift();
    return c === undefined ? HAL_NONE : c;
  }

  tcpRead(h: number, buf: Uint8Array, off: number, len: number): number {
    const entry = this.get(h);
    if (entry === null || entry.kind !== TCP) return E_INVAL;
    if (entry.error !== 0) return entry.error;
    let got = 0;
    while (got < len && entry.queue.length > 0) {
      const head = entry.queue[0];
      const take = Math.min(len - got, head.length - entry.readAt);
      buf.set(this.toBytes(head.substr(entry.readAt, take)), off + got);
      got += take;
      entry.readAt += take;
      if (entry.readAt === head.length) {
        entry.queue.shift();
        entry.readAt = 0;
      }
    }
    entry.queued -= got;
    if (got > 0) return got;
    return entry.ended || entry.shut ? HAL_NONE : 0;
  }

  tcpWrite(h: number, buf: Uint8Array, off: number, len: number): number {
    const entry = this.get(h);
    if (entry === null || entry.kind !== TCP || entry.sock === null) return E_INVAL;
    if (entry.error !== 0) return entry.error;
    if (entry.shut || entry.ended) return E_PIPE;
    const n = Math.min(len, entry.credit);
    if (n <= 0) return 0;
    entry.credit -= n;
    entry.sock.write(this.toText(buf, off, n));
    return n;
  }

  tcpShutdown(h: number): number {
    const entry = this.get(h);
    if (entry === null || entry.kind !== TCP || entry.sock === null) return E_INVAL;
    if (entry.error !== 0) return entry.error;
    if (!entry.shut) {
      entry.shut = true;
      entry.sock.end();
    }
    return 0;
  }

  tcpSetNoDelay(_h: number, _on: boolean): void {
    // Espruino sends what it has at each idle; there is no Nagle setting to change.
  }

  tcpClose(h: number): void {
    const entry = this.get(h);
    if (entry === null || entry.kind === UDP) return;
    this.entries[h] = null;
    if (entry.sock !== null && !entry.ended) entry.sock.end();
    if (entry.server !== null) entry.server.close();
    for (let i = 0; i < entry.pending.length; i++) this.tcpClose(entry.pending[i]);
    entry.pending.length = 0;
  }

  // --- UDP ------------------------------------------------------------------------------
  udpBind(ip: string, port: number): number {
    const dgram = this.module<EspruinoDgram>("dgram");
    if (dgram === null) return E_NOSOCKETS;
    const entry = new Entry(UDP);
    entry.ip = ip;
    entry.port = port === 0 ? 49152 + Math.floor(Math.random() * 16384) : port;
    const h = this.add(entry);
    const self = this;
    try {
      const sock = dgram.createSocket("udp4");
      entry.udp = sock;
      sock.on("error", function (err: unknown) {
        if (self.entries[h] === entry) self.fail(h, entry, espruinoError(err));
      });
      sock.bind(entry.port, function (res: Emitter) {
        if (self.entries[h] !== entry) return;
        res.on("message", function (msg: string, rinfo: { address: string; port: number }) {
          if (self.entries[h] !== entry) return;
          entry.queue.push(msg);
          entry.peers.push({ ip: rinfo.address, port: rinfo.port });
          if (entry.queue.length === 1) self.emit(EV_READABLE, h, 1);
        });
        self.emit(EV_WRITABLE, h, self.writeCredit);
      });
    } catch (err) {
      this.entries[h] = null;
      return espruinoError(err);
    }
    return h;
  }

  udpSend(h: number, buf: Uint8Array, off: number, len: number, ip: string, port: number): number {
    const entry = this.get(h);
    if (entry === null || entry.udp === null) return E_INVAL;
    if (entry.error !== 0) return entry.error;
    const data = this.toText(buf, off, len);
    entry.udp.send(data, 0, data.length, port, ip);
    return len;
  }

  udpRecv(h: number, buf: Uint8Array, off: number, len: number, from: HalPeer): number {
    const entry = this.get(h);
    if (entry === null || entry.kind !== UDP) return E_INVAL;
    if (entry.error !== 0) return entry.error;
    const msg = entry.queue.shift();
    const peer = entry.peers.shift();
    if (msg === undefined || peer === undefined) return HAL_NONE;
    const n = Math.min(len, msg.length);
    buf.set(this.toBytes(msg.substr(0, n)), off);
    from.ip = peer.ip;
    from.port = peer.port;
    return n;
  }

  udpClose(h: number): void {
    const entry = this.get(h);
    if (entry === null || entry.kind !== UDP) return;
    this.entries[h] = null;
    if (entry.udp !== null) entry.udp.close();
  }

  sockAddr(h: number, remote: boolean, out: HalPeer): number {
    const entry = this.get(h);
    if (entry === null) return E_INVAL;
    out.ip = remote ? entry.remoteIp : entry.ip;
    out.port = remote ? entry.remotePort : entry.port;
    return 0;
  }
}
