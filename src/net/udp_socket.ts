/**
 * UdpSocket: datagrams.
 *
 * @example
 * const socket = await UdpSocket.bind("127.0.0.1:0");
 * await socket.sendTo(bytes, "127.0.0.1:9000");
 * const { n, addr } = await socket.recvFrom(buf);
 *
 * One receive and one send may be in progress at a time (a second fails `ERR_BUSY`). A
 * datagram longer than the buffer is truncated. `connect(addr)` sets a default peer for
 * `send` and makes `recv` drop datagrams from anyone else.
 *
 * Cancellation: a receive cancelled after it took a datagram (before its result was taken)
 * puts the datagram back in front, for the next receive. A send completes as the host takes
 * the datagram; cancelling it after that does not recall it (UDP promises no delivery anyway).
 */

import { signalOf, WaitOptions } from "../core/cancel";
import { busyError, closedError, invalidArgument, KyotoError } from "../core/errors";
import { failedOp, Op } from "../core/op";
import { halError, IoDriver, IoResource } from "../io/driver";
import { EV_ERROR, EV_READABLE, EV_WRITABLE, HAL_NONE } from "../io/hal";
import { IoOp, Openable, OpenOp } from "../io/io_op";
import { copyOf } from "../io/buffers";
import { AddrLike, copyAddr, parseAddr, SocketAddr } from "./addr";
import { checkBuffer } from "./io_traits";

/** What `recvFrom` resolves with. */
export interface Received {
  /** Bytes copied into the buffer. */
  n: number;
  /** Who sent the datagram. */
  addr: SocketAddr;
}

interface Held {
  data: Uint8Array;
  addr: SocketAddr;
}

/**
 * @example
 * ```ts
 * const a = await UdpSocket.bind("127.0.0.1:0");
 * const b = await UdpSocket.bind("127.0.0.1:0");
 * await a.sendTo(utf8Encode("ping"), b.localAddr());
 * const buf = new Uint8Array(64);
 * const { n, addr } = await b.recvFrom(buf);
 * console.log(utf8Decode(buf, 0, n), "from", formatAddr(addr));
 * a.close();
 * b.close();
 * ```
 */
export class UdpSocket implements IoResource, Openable {
  /** @internal The pending bind, until the host says bound. */
  opening: OpenOp<UdpSocket> | null = null;
  private receiver: RecvOp | null = null;
  private sender: SendOp | null = null;
  private readonly held: Held[] = [];
  private failure: KyotoError | null = null;
  private closed = false;
  private ready = false;
  private peer: SocketAddr | null = null;
  private local: SocketAddr | null = null;

  /** @internal Use `UdpSocket.bind`. */
  constructor(
    private readonly driver: IoDriver,
    private readonly h: number,
  ) {
    driver.register(h, this);
  }

  /** Binds a UDP socket to `addr` (port 0 picks one). Rejects `ERR_SOCKET` ("EADDRINUSE", …). Allocates: the op and the socket. */
  static bind(addr: AddrLike, options?: WaitOptions): Op<UdpSocket> {
    const a = parseAddr(addr, "addr");
    return new OpenOp(function (driver: IoDriver): UdpSocket {
      const h = driver.hal.udpBind(a.host, a.port);
      if (h < 0) throw halError(h, "bind failed");
      return new UdpSocket(driver, h);
    }).start(signalOf(options));
  }

  /** Sends `buf` as one datagram to `addr`; resolves with its length. Allocates: the op. */
  sendTo(buf: Uint8Array, addr: AddrLike, options?: WaitOptions): Op<number> {
    return new SendOp(this, checkBuffer(buf), parseAddr(addr, "addr")).start(signalOf(options));
  }

  /** Receives one datagram into `buf`. Allocates: the op and the result. */
  recvFrom(buf: Uint8Array, options?: WaitOptions): Op<Received> {
    return new RecvOp(this, checkBuffer(buf), false).start(signalOf(options)) as unknown as Op<Received>;
  }

  /** Sets the default peer for `send`/`recv` (no packet is sent). Allocates: the parsed address. */
  connect(addr: AddrLike): void {
    this.peer = parseAddr(addr, "addr");
  }

  /** Sends `buf` to the connected peer. Allocates: the op. */
  send(buf: Uint8Array, options?: WaitOptions): Op<number> {
    checkBuffer(buf);
    if (this.peer === null) return noPeer();
    return new SendOp(this, buf, this.peer).start(signalOf(options));
  }

  /** Receives one datagram from the connected peer into `buf`; resolves with its length. Allocates: the op. */
  recv(buf: Uint8Array, options?: WaitOptions): Op<number> {
    checkBuffer(buf);
    if (this.peer === null) return noPeer();
    return new RecvOp(this, buf, true).start(signalOf(options)) as unknown as Op<number>;
  }

  /** The bound address. Allocates: the result. */
  localAddr(): SocketAddr {
    if (this.local === null) this.local = this.driver.addressOf(this.h, false, this.closed);
    return copyAddr(this.local);
  }

  /** Closes the socket: pending ops reject `ERR_CLOSED`; queued datagrams are dropped. Idempotent. */
  close(): void {
    this.closeWith(closedError("the socket"));
  }

  /** @internal */
  onIoEvent(kind: number, arg: number): void {
    if (kind === EV_WRITABLE) {
      if (!this.ready) {
        this.ready = true;
        const op = this.opening;
        this.opening = null;
        if (op !== null) op.complete(this);
      }
      if (this.sender !== null) this.sender.step();
    } else if (kind === EV_READABLE) {
      if (this.receiver !== null) this.receiver.step();
    } else if (kind === EV_ERROR) {
      const err = halError(arg, this.ready ? "the socket failed" : "bind failed");
      this.failure = err;
      this.failPending(err);
    }
  }

  /** @internal */
  closeByRuntime(reason: unknown): void {
    this.closeWith(reason);
  }

  // ---- used by the ops ----

  /** @internal Starts `op` as the receiver, or says why it cannot. */
  claimReceiver(op: RecvOp): KyotoError | null {
    const refused = this.refusal(this.receiver, "receive");
    if (refused === null) this.receiver = op;
    return refused;
  }

  /** @internal Starts `op` as the sender, or says why it cannot. */
  claimSender(op: SendOp): KyotoError | null {
    const refused = this.refusal(this.sender, "send");
    if (refused === null) this.sender = op;
    return refused;
  }

  /** @internal */
  releaseReceiver(op: RecvOp): void {
    if (this.receiver === op) this.receiver = null;
  }

  /** @internal */
  releaseSender(op: SendOp): void {
    if (this.sender === op) this.sender = null;
  }

  /** @internal Takes one datagram (held-back ones first): its length and sender, -1 for none, or an error code. */
  take(buf: Uint8Array, out: { addr: SocketAddr | null }, fromPeerOnly: boolean): number {
    for (;;) {
      let n: number;
      const held = this.held.shift();
      if (held !== undefined) {
        n = held.data.length < buf.length ? held.data.length : buf.length;
        buf.set(held.data.subarray(0, n));
        out.addr = held.addr;
      } else {
        const from = this.driver.scratch;
        n = this.driver.hal.udpRecv(this.h, buf, 0, buf.length, from);
        if (n < 0) {
          if (n < HAL_NONE) {
            this.failure = halError(n, "the socket failed");
          }
          return n;
        }
        out.addr = { host: from.ip, port: from.port };
      }
      const peer = this.peer;
      if (fromPeerOnly && peer !== null && (out.addr.host !== peer.host || out.addr.port !== peer.port)) continue;
      return n;
    }
  }

  /** @internal Puts a datagram back in front (a receive cancelled after taking it). Allocates: a copy. */
  hold(data: Uint8Array, addr: SocketAddr): void {
    if (!this.closed) this.held.unshift({ data: copyOf(data, 0, data.length), addr: addr });
  }

  /** @internal Hands a datagram to the host: its length, 0 for "wait for EV_WRITABLE", or an error code. */
  transmit(buf: Uint8Array, to: SocketAddr): number {
    if (this.failure !== null) return -2;
    const n = this.driver.hal.udpSend(this.h, buf, 0, buf.length, to.host, to.port);
    if (n < 0) this.failure = halError(n, "send failed");
    return n;
  }

  /** @internal */
  failureOrClosed(): KyotoError {
    return this.failure !== null ? this.failure : closedError("the socket");
  }

  /** Why a `what` op cannot start while `current` is in progress: busy, failed, closed; or null. */
  private refusal(current: unknown, what: string): KyotoError | null {
    if (current !== null) return busyError(what);
    if (this.failure !== null) return this.failure;
    return this.closed ? closedError("the socket") : null;
  }

  /** Fails the pending bind, receive and send with `err`. */
  private failPending(err: unknown): void {
    const b = this.opening;
    const r = this.receiver;
    const s = this.sender;
    this.opening = this.receiver = this.sender = null;
    if (b !== null) b.fail(err);
    if (r !== null) r.fail(err);
    if (s !== null) s.fail(err);
  }

  private closeWith(err: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.held.length = 0;
    this.failPending(err);
    this.driver.unregister(this.h);
    this.driver.hal.udpClose(this.h);
  }
}


/** `recvFrom` (resolves `{ n, addr }`) and `recv` (resolves `n`). */
class RecvOp extends IoOp<Received | number> {
  private readonly from: { addr: SocketAddr | null } = { addr: null };

  constructor(
    private readonly socket: UdpSocket,
    private readonly buf: Uint8Array,
    private readonly connected: boolean,
  ) {
    super();
  }

  protected occupy(): KyotoError | null {
    return this.socket.claimReceiver(this);
  }

  /** @internal */
  step(): void {
    if (this.isDone()) return;
    const s = this.socket;
    const n = s.take(this.buf, this.from, this.connected);
    if (n === HAL_NONE) return;
    if (n < 0) {
      s.releaseReceiver(this);
      this.fail(s.failureOrClosed());
      return;
    }
    this.complete(this.connected ? n : { n: n, addr: this.from.addr as SocketAddr });
  }

  protected commit(): void {
    this.socket.releaseReceiver(this);
  }

  protected abandon(): void {
    this.socket.releaseReceiver(this);
  }

  protected giveBack(result: Received | number): void {
    this.socket.releaseReceiver(this);
    const n = typeof result === "number" ? result : result.n;
    this.socket.hold(this.buf.subarray(0, n), this.from.addr as SocketAddr);
  }
}

/** `sendTo` / `send`: hands the datagram to the host as soon as it has room. */
class SendOp extends IoOp<number> {
  constructor(
    private readonly socket: UdpSocket,
    private readonly buf: Uint8Array,
    private readonly to: SocketAddr,
  ) {
    super();
  }

  protected occupy(): KyotoError | null {
    return this.socket.claimSender(this);
  }

  /** @internal Sends now when the host takes it (the op then completes); else waits for `EV_WRITABLE`. */
  step(): void {
    if (this.isDone()) return;
    const s = this.socket;
    const n = s.transmit(this.buf, this.to);
    if (n === 0 && this.buf.length > 0) return;
    s.releaseSender(this);
    if (n < 0) this.fail(s.failureOrClosed());
    else this.complete(n);
  }

  protected abandon(): void {
    this.socket.releaseSender(this);
  }
}

/** `send` / `recv` before `connect(addr)`. */
function noPeer(): Op<number> {
  return failedOp(closedError("no peer: call connect(addr) first; the socket"));
}
