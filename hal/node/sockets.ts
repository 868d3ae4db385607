/**
 * The Node HAL's sockets: the `SocketHal` contract (`src/io/hal.ts`, `hal/README.md`) over
 * `node:net` and `node:dgram`.
 *
 * - Reads: streams stay paused (a `readable` listener); `tcpRead` pulls with `socket.read()`
 *   and keeps what does not fit in the caller's buffer as the handle's remainder. Node stops
 *   reading from the kernel once its readable buffer reaches the high-water mark, so what the
 *   adapter holds per socket is bounded by that plus one remainder.
 * - Writes: the credit is `SEND_WINDOW - socket.writableLength`; `drain` refills it and fires
 *   `EV_WRITABLE` when a write had come up short. Bytes are copied once (`Buffer.from`).
 * - Sockets are created with `allowHalfOpen` (a peer's FIN does not end our side).
 * - Errors: a host error becomes `EV_ERROR(h, code)` once (its `code` mapped to the HAL's
 *   numbers); the socket is destroyed and every later call returns the code.
 *
 * Implementation notes:
 * - Events go through `emit`, which defers them (one `setImmediate` batch) while any HAL call
 *   is on the stack, so the sink is never entered from inside a call even if Node emits
 *   synchronously; a deferred event whose handle was closed (or reused) meanwhile is dropped.
 * - A closed handle's Node listeners are removed before anything else, so Node can no longer
 *   reach the sink for it.
 */

import dgram from "node:dgram";
import net from "node:net";
import {
  E_ADDRINUSE,
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
  SocketHal,
} from "../../src/io/hal";
import { HostTimers, TimerHal } from "../../src/runtime/timer_hal";

/** Bytes a socket may have queued in Node before its write credit is 0. */
export const SEND_WINDOW = 65536;
/** Node's readable high-water mark per socket: it stops reading from the kernel above it. */
const READ_WINDOW = 65536;
/** Datagrams queued per UDP socket before new ones are dropped. */
const UDP_QUEUE = 256;
/** Datagrams handed to Node and not yet sent before `udpSend` returns 0. */
const UDP_SENDS = 64;

const TCP = 1;
const LISTENER = 2;
const UDP = 3;

/** One handle's state. */
class Entry {
  /** The remainder of the last `socket.read()` that did not fit. */
  rest: Buffer | null = null;
  restOff = 0;
  ended = false;
  /** The error code once failed (0 while healthy). */
  error = 0;
  shut = false;
  wantWrite = false;
  ready = false;
  /** Listener: accepted sockets not yet taken. UDP: queued datagrams. */
  queue: Array<net.Socket | Datagram> = [];
  sending = 0;
  backlog = 0;
  constructor(
    readonly kind: number,
    readonly io: net.Socket | net.Server | dgram.Socket,
  ) {}
}

interface Datagram {
  data: Buffer;
  ip: string;
  port: number;
}

const HOST_CODES: { [name: string]: number } = {
  ECONNRESET: E_RESET,
  ECONNABORTED: E_RESET,
  ECONNREFUSED: E_REFUSED,
  EADDRINUSE: E_ADDRINUSE,
  EADDRNOTAVAIL: E_INVAL,
  ETIMEDOUT: E_TIMEDOUT,
  EPIPE: E_PIPE,
  ERR_STREAM_DESTROYED: E_PIPE,
  ERR_STREAM_WRITE_AFTER_END: E_PIPE,
  EINVAL: E_INVAL,
  ERR_INVALID_IP_ADDRESS: E_INVAL,
  ERR_SOCKET_BAD_PORT: E_INVAL,
  EHOSTUNREACH: E_UNREACH,
  ENETUNREACH: E_UNREACH,
  EMFILE: E_NOSOCKETS,
  ENFILE: E_NOSOCKETS,
  ENOBUFS: E_NOSOCKETS,
};

/** Maps a Node error to a HAL code (unknown ones are `E_IO`). */
export function hostErrorCode(err: unknown): number {
  const name = err !== null && typeof err === "object" ? (err as { code?: unknown }).code : undefined;
  return typeof name === "string" && HOST_CODES[name] !== undefined ? HOST_CODES[name] : E_IO;
}

/** The Node HAL: the time part (`TimerHal` on Node's timers) and sockets. */
export class NodeHal extends TimerHal implements SocketHal {
  private readonly entries: Array<Entry | null> = [];
  private readonly free: number[] = [];
  private depth = 0;
  private readonly deferred: Array<number | Entry> = [];
  private flushScheduled = false;
  private readonly flushFn: () => void;

  constructor(timers: HostTimers) {
    super(timers);
    const self = this;
    this.flushFn = function () {
      self.flush();
    };
  }

  /** Open handles (for tests: a closed socket leaves nothing). */
  openHandles(): number {
    return this.entries.length - this.free.length;
  }

  /** Bytes the adapter holds for `h` (Node's queues and the read remainder): bounded per socket. */
  heldBytes(h: number): number {
    const e = this.entries[h];
    if (!e || e.kind !== TCP) return 0;
    const s = e.io as net.Socket;
    return s.writableLength + s.readableLength + (e.rest === null ? 0 : e.rest.length - e.restOff);
  }

  tcpConnect(ip: string, port: number, noDelay: boolean): number {
    if (net.isIP(ip) === 0 || !validPort(port)) return E_INVAL;
    const socket = new net.Socket({ allowHalfOpen: true, readableHighWaterMark: READ_WINDOW, writableHighWaterMark: SEND_WINDOW } as net.SocketConstructorOpts);
    const h = this.add(TCP, socket);
    const e = this.entries[h] as Entry;
    this.watchStream(h, e, socket);
    const self = this;
    socket.once("connect", function () {
      e.ready = true;
      if (noDelay) socket.setNoDelay(true);
      self.emit(e, EV_WRITABLE, h, self.credit(socket));
    });
    this.depth++;
    try {
      socket.connect(port, ip);
    } finally {
      this.depth--;
    }
    return h;
  }

  tcpListen(ip: string, port: number, backlog: number): number {
    if (net.isIP(ip) === 0 || !validPort(port)) return E_INVAL;
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, highWaterMark: READ_WINDOW } as net.ServerOpts);
    const h = this.add(LISTENER, server);
    const e = this.entries[h] as Entry;
    e.backlog = backlog > 0 ? backlog : 128;
    const self = this;
    server.on("connection", function (socket: net.Socket) {
      if (e.queue.length >= e.backlog) {
        socket.destroy();
        return;
      }
      socket.on("error", noop); // until it is accepted and watched
      e.queue.push(socket);
      if (e.queue.length === 1) self.emit(e, EV_ACCEPTABLE, h, 1);
    });
    server.on("error", function (err: unknown) {
      self.fail(h, e, hostErrorCode(err));
    });
    server.once("listening", function () {
      e.ready = true;
      self.emit(e, EV_WRITABLE, h, 0);
    });
    this.depth++;
    try {
      server.listen({ host: ip, port: port, backlog: e.backlog });
    } finally {
      this.depth--;
    }
    return h;
  }

  tcpAccept(listener: number): number {
    const e = this.entries[listener];
    if (!e || e.kind !== LISTENER) return E_INVAL;
    if (e.error !== 0) return e.error;
    const socket = e.queue.shift() as net.Socket | undefined;
    if (socket === undefined) return HAL_NONE;
    socket.removeListener("error", noop);
    const h = this.add(TCP, socket);
    const entry = this.entries[h] as Entry;
    entry.ready = true;
    this.watchStream(h, entry, socket);
    // The `readable` listener restarts reading (pauseOnConnect stopped it); reads stay pull-based.
    if (socket.destroyed) this.fail(h, entry, E_RESET);
    return h;
  }

  tcpRead(h: number, buf: Uint8Array, off: number, len: number): number {
    const e = this.entries[h];
    if (!e || e.kind !== TCP) return E_INVAL;
    if (e.error !== 0) return e.error;
    if (len <= 0) return 0;
    let rest = e.rest;
    if (rest === null) {
      this.depth++;
      try {
        rest = (e.io as net.Socket).read() as Buffer | null;
      } finally {
        this.depth--;
      }
      if (rest === null) return e.ended ? HAL_NONE : 0;
      e.restOff = 0;
    }
    const available = rest.length - e.restOff;
    const n = available < len ? available : len;
    buf.set(rest.subarray(e.restOff, e.restOff + n), off);
    if (n === available) e.rest = null;
    else {
      e.rest = rest;
      e.restOff += n;
    }
    return n;
  }

  tcpWrite(h: number, buf: Uint8Array, off: number, len: number): number {
    const e = this.entries[h];
    if (!e || e.kind !== TCP) return E_INVAL;
    if (e.error !== 0) return e.error;
    if (e.shut) return E_PIPE;
    const socket = e.io as net.Socket;
    const credit = this.credit(socket);
    const n = len < credit ? len : credit;
    this.depth++;
    try {
      if (n > 0) socket.write(Buffer.from(buf.subarray(off, off + n)));
      if (n < len) {
        // Credit is promised back. `drain` only comes when Node's queue went past its
        // high-water mark; a write the kernel took at once leaves no drain to wait for.
        if (socket.writableNeedDrain) e.wantWrite = true;
        else this.emit(e, EV_WRITABLE, h, this.credit(socket));
      }
    } finally {
      this.depth--;
    }
    return n > 0 ? n : 0;
  }

  tcpShutdown(h: number): number {
    const e = this.entries[h];
    if (!e || e.kind !== TCP) return E_INVAL;
    if (e.error !== 0) return e.error;
    if (!e.shut) {
      e.shut = true;
      this.depth++;
      try {
        (e.io as net.Socket).end();
      } finally {
        this.depth--;
      }
    }
    return 0;
  }

  tcpSetNoDelay(h: number, on: boolean): void {
    const e = this.entries[h];
    if (e && e.kind === TCP && e.error === 0) (e.io as net.Socket).setNoDelay(on);
  }

  tcpClose(h: number): void {
    const e = this.entries[h];
    if (!e || e.kind === UDP) return;
    this.release(h);
    this.depth++;
    try {
      if (e.kind === LISTENER) {
        (e.io as net.Server).close();
        for (let i = 0; i < e.queue.length; i++) (e.queue[i] as net.Socket).destroy();
        e.queue.length = 0;
        return;
      }
      const socket = e.io as net.Socket;
      socket.on("error", noop);
      // Unread bytes: drop them and reset (as the kernel does); else flush, FIN, then free.
      if (e.error !== 0) socket.destroy();
      else if (e.rest !== null || socket.readableLength > 0) socket.resetAndDestroy();
      else {
        socket.resume(); // discard what still arrives so the peer's FIN can complete the close
        socket.destroySoon();
      }
    } finally {
      this.depth--;
    }
  }

  udpBind(ip: string, port: number): number {
    const family = net.isIP(ip);
    if (family === 0 || !validPort(port)) return E_INVAL;
    const socket = dgram.createSocket(family === 6 ? "udp6" : "udp4");
    const h = this.add(UDP, socket);
    const e = this.entries[h] as Entry;
    const self = this;
    socket.on("message", function (data: Buffer, rinfo: dgram.RemoteInfo) {
      if (e.queue.length >= UDP_QUEUE) return;
      e.queue.push({ data: data, ip: rinfo.address, port: rinfo.port });
      if (e.queue.length === 1) self.emit(e, EV_READABLE, h, 1);
    });
    socket.on("error", function (err: unknown) {
      self.fail(h, e, hostErrorCode(err));
    });
    socket.once("listening", function () {
      e.ready = true;
      self.emit(e, EV_WRITABLE, h, UDP_SENDS);
    });
    this.depth++;
    try {
      socket.bind(port, ip);
    } finally {
      this.depth--;
    }
    return h;
  }

  udpSend(h: number, buf: Uint8Array, off: number, len: number, ip: string, port: number): number {
    const e = this.entries[h];
    if (!e || e.kind !== UDP) return E_INVAL;
    if (e.error !== 0) return e.error;
    if (net.isIP(ip) === 0 || !validPort(port) || port === 0) return E_INVAL;
    if (e.sending >= UDP_SENDS) {
      e.wantWrite = true;
      return 0;
    }
    e.sending++;
    const self = this;
    this.depth++;
    try {
      (e.io as dgram.Socket).send(Buffer.from(buf.subarray(off, off + len)), port, ip, function () {
        e.sending--;
        if (e.wantWrite && self.entries[h] === e) {
          e.wantWrite = false;
          self.emit(e, EV_WRITABLE, h, UDP_SENDS - e.sending);
        }
      });
    } finally {
      this.depth--;
    }
    return len;
  }

  udpRecv(h: number, buf: Uint8Array, off: number, len: number, from: HalPeer): number {
    const e = this.entries[h];
    if (!e || e.kind !== UDP) return E_INVAL;
    if (e.error !== 0) return e.error;
    const d = e.queue.shift() as Datagram | undefined;
    if (d === undefined) return HAL_NONE;
    const n = d.data.length < len ? d.data.length : len;
    buf.set(d.data.subarray(0, n), off);
    from.ip = d.ip;
    from.port = d.port;
    return n;
  }

  udpClose(h: number): void {
    const e = this.entries[h];
    if (!e || e.kind !== UDP) return;
    this.release(h);
    e.queue.length = 0;
    const socket = e.io as dgram.Socket;
    socket.on("error", noop);
    try {
      socket.close();
    } catch (_err) {
      // never bound: nothing to close
    }
  }

  sockAddr(h: number, remote: boolean, out: HalPeer): number {
    const e = this.entries[h];
    if (!e) return E_INVAL;
    if (e.error !== 0) return e.error;
    let ip: string | undefined;
    let port: number | undefined;
    if (e.kind === TCP) {
      const s = e.io as net.Socket;
      ip = remote ? s.remoteAddress : s.localAddress;
      port = remote ? s.remotePort : s.localPort;
    } else if (!remote && e.ready) {
      const a = (e.io as net.Server | dgram.Socket).address();
      if (a !== null && typeof a === "object") {
        ip = a.address;
        port = a.port;
      }
    }
    if (ip === undefined || port === undefined) return E_INVAL;
    out.ip = ip;
    out.port = port;
    return 0;
  }

  private credit(socket: net.Socket): number {
    const room = SEND_WINDOW - socket.writableLength;
    return room > 0 ? room : 0;
  }

  private add(kind: number, io: net.Socket | net.Server | dgram.Socket): number {
    const e = new Entry(kind, io);
    if (this.free.length > 0) {
      const h = this.free.pop() as number;
      this.entries[h] = e;
      return h;
    }
    this.entries.push(e);
    return this.entries.length - 1;
  }

  /** Frees the handle and cuts every Node listener that could reach the sink for it. */
  private release(h: number): void {
    const e = this.entries[h] as Entry;
    this.entries[h] = null;
    this.free.push(h);
    e.io.removeAllListeners();
  }

  private watchStream(h: number, e: Entry, socket: net.Socket): void {
    const self = this;
    socket.on("readable", function () {
      self.emit(e, EV_READABLE, h, socket.readableLength);
    });
    socket.on("end", function () {
      e.ended = true;
      self.emit(e, EV_READABLE, h, 0);
    });
    socket.on("drain", function () {
      if (e.wantWrite) {
        e.wantWrite = false;
        self.emit(e, EV_WRITABLE, h, self.credit(socket));
      }
    });
    socket.on("error", function (err: unknown) {
      self.fail(h, e, hostErrorCode(err));
    });
    socket.on("close", function () {
      // Closed without an error event (destroyed by the host): a reset for whoever waits.
      if (e.error === 0 && !(e.ended && e.shut)) self.fail(h, e, E_RESET);
    });
  }

  private fail(h: number, e: Entry, code: number): void {
    if (e.error !== 0 || this.entries[h] !== e) return;
    e.error = code;
    e.rest = null;
    e.queue.length = 0;
    if (e.kind === TCP) (e.io as net.Socket).destroy();
    else if (e.kind === LISTENER) (e.io as net.Server).close();
    this.emit(e, EV_ERROR, h, code);
  }

  private emit(e: Entry, kind: number, h: number, arg: number): void {
    if (this.depth > 0) {
      this.deferred.push(kind, h, arg, e);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(this.flushFn);
      }
      return;
    }
    const sink = this.sink;
    if (sink !== null && this.entries[h] === e) sink(kind, h, arg);
  }

  private flush(): void {
    this.flushScheduled = false;
    const items = this.deferred.splice(0, this.deferred.length);
    for (let i = 0; i < items.length; i += 4) this.emit(items[i + 3] as Entry, items[i] as number, items[i + 1] as number, items[i + 2] as number);
  }
}

function validPort(port: number): boolean {
  return typeof port === "number" && port >= 0 && port <= 65535 && Math.floor(port) === port;
}

function noop(): void {}
