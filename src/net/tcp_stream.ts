/**
 * TcpStream: one TCP connection.
 *
 * @example
 * const stream = await TcpStream.connect("127.0.0.1:8080");
 * await stream.writeAll(bytes);
 * const n = await stream.read(buf);          // 0 = the peer finished sending
 * stream.close();
 *
 * Every waiting method returns an op and takes `{ signal }`. One read and one write may be in
 * progress at a time (a second fails `ERR_BUSY`); reads and writes may overlap. Reads copy
 * straight from the host into the caller's buffer.
 *
 * Cancellation (SPEC §4.3):
 * - `read` / `readExact`: no byte is lost. Bytes a cancelled read had already taken from the
 *   host are pushed back in front of the stream, so the next read returns them first.
 * - `write` / `writeAll`: a write *reserves* room and hands its bytes to the host only when
 *   its result is taken (`commit`); cancelled before that, nothing of it is sent. `writeAll`
 *   sends its earlier chunks as it goes (only its last chunk is reserved): when it is
 *   cancelled part way, `op.written` says how many bytes were sent.
 * - `connect`: a cancelled connect closes its half-open socket.
 *
 * Write buffering: bytes go straight to the host while it has write credit; what it does not
 * take waits in the stream's send buffer (a slot of the runtime's buffer pool, allocated on
 * first use) and goes out on `EV_WRITABLE`. A write waits while that buffer is full, so a
 * peer that never reads stops the writer: memory stays bounded by the host's queue plus one
 * buffer. `close()` still sends what is buffered (then FIN), unless the stream failed.
 *
 * Implementation notes:
 * - `reservedBytes` (taken by an uncommitted write) count against the send buffer's room
 *   but are not in it; `staged` bytes are in it, oldest first. staged + reservedBytes <= size.
 * - A host error (`EV_ERROR`, or a negative return) sets `failure` once: pending and later
 *   ops fail with that `ERR_SOCKET`, buffered bytes are dropped.
 * - Lingering: `close()` with bytes staged (and no failure) keeps the handle and the slot
 *   until `flush` has handed them all to the host, or the stream fails. So `closed` with
 *   `slot >= 0` means lingering; `finishClose` (idempotent: `slot` becomes -1) ends it.
 */

import { signalOf, WaitOptions } from "../core/cancel";
import { busyError, closedError, invalidArgument, KyotoError, socketError } from "../core/errors";
import { Op } from "../core/op";
import { halError, IoDriver, IoResource } from "../io/driver";
import { EV_ERROR, EV_READABLE, EV_WRITABLE, HAL_NONE, NetHal } from "../io/hal";
import { IoOp, Openable, OpenOp } from "../io/io_op";
import { moveToFront } from "../io/buffers";
import { AddrLike, copyAddr, parseAddr, SocketAddr } from "./addr";
import { checkBuffer } from "./io_traits";

/** Options of `TcpStream.connect`. */
export interface ConnectOptions extends WaitOptions {
  /** Disable Nagle's algorithm from the start (default false). */
  noDelay?: boolean;
}

/**
 * @example
 * ```ts
 * const listener = await TcpListener.bind("127.0.0.1:0");
 * const stream = await TcpStream.connect(listener.localAddr());
 * await stream.writeAll(utf8Encode("hello\n"));
 * await stream.shutdown(); // FIN: the peer reads end of stream after "hello"
 * const peer = await listener.accept();
 * const buf = new Uint8Array(64);
 * const n = await peer.read(buf); // 0 would mean end of stream
 * console.log(utf8Decode(buf, 0, n));
 * peer.close();
 * stream.close();
 * listener.close();
 * ```
 */
export class TcpStream implements IoResource, Openable {
  /** @internal The pending connect, until the host says connected. */
  opening: OpenOp<TcpStream> | null = null;
  /** @internal The read in progress. */
  readOp: ReadOp | null = null;
  /** @internal The write in progress. */
  writeOp: WriteOp | null = null;
  /** @internal */
  failure: KyotoError | null = null;
  /** @internal Bytes reserved by an uncommitted write. */
  reservedBytes = 0;
  private staged = 0;
  private stash: Uint8Array | null = null;
  private stashOff = 0;
  private closed = false;
  /** @internal The shutdown waiting for the send buffer to empty. */
  shutdownOp: ShutdownOp | null = null;
  /** @internal FIN was requested from the host. */
  shutDown = false;
  private local: SocketAddr | null = null;
  private peer: SocketAddr | null = null;

  /** @internal Use `TcpStream.connect` or `TcpListener.accept`. */
  constructor(
    /** @internal */ readonly driver: IoDriver,
    /** @internal */ readonly h: number,
    private slot: number,
  ) {
    driver.register(h, this);
  }

  /**
   * Connects to `addr` (`"127.0.0.1:8080"` or `{ host, port }`). Rejects `ERR_SOCKET`
   * (`hostCode` "ECONNREFUSED", …), `ERR_POOL_EXHAUSTED` (pool "buffers") when the runtime's
   * buffer pool is full, `ERR_CANCELLED`. Allocates: the op and the stream.
   */
  static connect(addr: AddrLike, options?: ConnectOptions): Op<TcpStream> {
    const a = parseAddr(addr, "addr");
    const signal = signalOf(options);
    const noDelay = !!(options && options.noDelay);
    return new OpenOp(function (driver: IoDriver): TcpStream {
      const slot = driver.bufferPool.acquire();
      if (slot < 0) throw driver.bufferPool.exhaustedError();
      const h = driver.hal.tcpConnect(a.host, a.port, noDelay);
      if (h < 0) {
        driver.releaseSlot(slot);
        throw halError(h, "connect failed");
      }
      return new TcpStream(driver, h, slot);
    }).start(signal);
  }

  /**
   * Reads into `buf`: resolves with the count (at least 1), or 0 once the peer has finished
   * sending (or `buf` is empty). Allocates: the op.
   */
  read(buf: Uint8Array, options?: WaitOptions): Op<number> {
    return new ReadOp(this, checkBuffer(buf), false).start(signalOf(options));
  }

  /**
   * Reads exactly `buf.length` bytes; rejects `ERR_CLOSED` when the stream ends first (the
   * bytes read so far stay readable). Allocates: the op.
   */
  readExact(buf: Uint8Array, options?: WaitOptions): Op<number> {
    return new ReadOp(this, checkBuffer(buf), true).start(signalOf(options));
  }

  /** Writes some of `buf` (at least 1 byte unless `buf` is empty); resolves with the count. Allocates: the op. */
  write(buf: Uint8Array, options?: WaitOptions): Op<number> {
    return new WriteOp(this, checkBuffer(buf), false).start(signalOf(options));
  }

  /** Writes all of `buf`; resolves with its length. Allocates: the op. */
  writeAll(buf: Uint8Array, options?: WaitOptions): Op<number> {
    return new WriteOp(this, checkBuffer(buf), true).start(signalOf(options));
  }

  /**
   * Half-closes: once every byte written so far is handed to the host, sends FIN. Reading
   * goes on; later writes fail `ERR_SOCKET` ("EPIPE"). Allocates: the op.
   */
  shutdown(options?: WaitOptions): Op<void> {
    return new ShutdownOp(this).start(signalOf(options));
  }

  /**
   * Closes the stream: pending ops reject `ERR_CLOSED`; bytes already written are still sent,
   * then FIN; unread received bytes are dropped. Idempotent. Allocates: never.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.readOp !== null || this.writeOp !== null || this.shutdownOp !== null) this.failPending(closedError("the stream"));
    if (this.staged === 0 || this.failure !== null) this.finishClose(); // else it lingers (see the notes)
  }

  /** True once `close()` was called. */
  isClosed(): boolean {
    return this.closed;
  }

  /** This end's address. Allocates: the result. */
  localAddr(): SocketAddr {
    if (this.local === null) this.local = this.driver.addressOf(this.h, false, this.closed);
    return copyAddr(this.local);
  }

  /** The peer's address. Allocates: the result. */
  peerAddr(): SocketAddr {
    if (this.peer === null) this.peer = this.driver.addressOf(this.h, true, this.closed);
    return copyAddr(this.peer);
  }

  /** Turns Nagle's algorithm off (`true`: small writes leave at once) or on. */
  setNoDelay(noDelay: boolean): void {
    if (typeof noDelay !== "boolean") throw invalidArgument("noDelay", "a boolean", noDelay);
    if (!this.closed && this.failure === null) this.driver.hal.tcpSetNoDelay(this.h, noDelay);
  }

  // ---- internals used by the ops ----

  /** @internal Why the stream cannot be read or written: its failure, or `ERR_CLOSED`; else null. */
  unusable(): KyotoError | null {
    return this.failure !== null ? this.failure : this.closed ? closedError("the stream") : null;
  }

  /** @internal Copies up to `len` bytes into `buf[off…]`: pushed-back bytes first, then the host's. */
  pull(buf: Uint8Array, off: number, len: number): number {
    const stash = this.stash;
    if (stash !== null) {
      const available = stash.length - this.stashOff;
      const n = available < len ? available : len;
      buf.set(stash.subarray(this.stashOff, this.stashOff + n), off);
      this.stashOff += n;
      if (this.stashOff === stash.length) this.stash = null;
      return n;
    }
    if (this.failure !== null) return -2;
    return this.checked(this.driver.hal.tcpRead(this.h, buf, off, len), HAL_NONE);
  }

  /** @internal Pushes bytes back in front of the stream (a cancelled read's). Allocates: one array. */
  unread(bytes: Uint8Array): void {
    if (bytes.length === 0 || this.closed) return;
    const rest = this.stash === null ? 0 : this.stash.length - this.stashOff;
    const merged = new Uint8Array(bytes.length + rest);
    merged.set(bytes, 0);
    if (this.stash !== null) merged.set(this.stash.subarray(this.stashOff), bytes.length);
    this.stash = merged;
    this.stashOff = 0;
  }

  /** @internal Room for a write to reserve (the send buffer's free space). */
  room(): number {
    return this.driver.bufferPool.size - this.staged - this.reservedBytes;
  }

  /** @internal Hands `buf[off, off+n)` to the host, buffering what it does not take. */
  push(buf: Uint8Array, off: number, n: number): void {
    const taken = this.staged === 0 ? this.checked(this.driver.hal.tcpWrite(this.h, buf, off, n), 0) : 0;
    if (taken < 0) return;
    if (taken < n) {
      this.driver.bufferPool.buffer(this.slot).set(buf.subarray(off + taken, off + n), this.staged);
      this.staged += n - taken;
    }
  }

  /** @internal Why a write cannot go on now (failed, closed, shut down), or null. */
  writeBlocker(): KyotoError | null {
    const unusable = this.unusable();
    if (unusable !== null) return unusable;
    if (this.shutDown || this.shutdownOp !== null) return socketError("the stream was shut down for writing", "EPIPE");
    return null;
  }

  /** @internal The stream failed: pending and later ops get `err`; buffered bytes are dropped. */
  setFailure(err: KyotoError): void {
    if (this.failure !== null) return;
    this.failure = err;
    this.staged = 0;
    this.failPending(err);
    if (this.closed) this.finishClose();
  }

  /** @internal */
  onIoEvent(kind: number, arg: number): void {
    const connect = this.opening;
    if (kind === EV_ERROR) {
      this.setFailure(halError(arg, connect !== null ? "connect failed" : "the connection failed"));
      if (connect !== null) this.finishClose();
    } else if (kind === EV_WRITABLE) {
      if (connect === null) this.flush();
      else {
        this.opening = null;
        connect.complete(this);
      }
    } else if (kind === EV_READABLE && this.readOp !== null) this.readOp.step();
  }

  /** @internal */
  closeByRuntime(reason: unknown): void {
    this.failPending(reason);
    this.closed = true;
    this.finishClose();
  }

  /** @internal Frees the handle and the buffer slot at once. */
  finishClose(): void {
    if (this.slot < 0) return;
    const slot = this.slot;
    this.slot = -1;
    this.closed = true;
    this.stash = null;
    this.driver.unregister(this.h);
    this.driver.hal.tcpClose(this.h);
    this.driver.releaseSlot(slot);
  }

  /** @internal Sends buffered bytes as credit allows, then wakes a waiting writer, a shutdown, a lingering close. */
  flush(): void {
    const hal: NetHal = this.driver.hal;
    if (this.staged > 0 && this.failure === null) {
      const buf = this.driver.bufferPool.buffer(this.slot);
      const n = this.checked(hal.tcpWrite(this.h, buf, 0, this.staged), 0);
      if (n < 0) return;
      moveToFront(buf, n, this.staged);
      this.staged -= n;
    }
    if (this.writeOp !== null) this.writeOp.step();
    if (this.staged > 0) return;
    if (this.closed) {
      this.finishClose();
      return;
    }
    const shutdown = this.shutdownOp;
    if (shutdown !== null && this.reservedBytes === 0 && this.failure === null) {
      this.shutdownOp = null;
      this.shutDown = true;
      const r = hal.tcpShutdown(this.h);
      if (r < 0) shutdown.fail(halError(r, "shutdown failed"));
      else shutdown.complete(undefined);
    }
  }

  /** A host read's or write's result `n`: below `lowest` (`HAL_NONE` for a read, its end of stream; 0 for a write) it fails the stream. */
  private checked(n: number, lowest: number): number {
    if (n < lowest) this.setFailure(halError(n, "the connection failed"));
    return n;
  }

  /** @internal A committed write may have left bytes for a waiting shutdown. */
  afterCommit(): void {
    if (this.shutdownOp !== null) this.flush();
  }

  /** Fails the pending connect, read, write and shutdown with `err`. */
  private failPending(err: unknown): void {
    const connect = this.opening;
    const reader = this.readOp;
    const writer = this.writeOp;
    const shutdown = this.shutdownOp;
    this.opening = this.readOp = this.writeOp = this.shutdownOp = null;
    if (connect !== null) connect.fail(err);
    if (reader !== null) reader.fail(err);
    if (writer !== null) writer.fail(err);
    if (shutdown !== null) shutdown.fail(err);
  }
}

/** `read` and `readExact`. */
class ReadOp extends IoOp<number> {
  private got = 0;

  constructor(
    private readonly stream: TcpStream,
    private readonly buf: Uint8Array,
    private readonly exact: boolean,
  ) {
    super();
  }

  protected occupy(): KyotoError | null {
    const s = this.stream;
    if (s.readOp !== null) return busyError("read");
    const unusable = s.unusable();
    if (unusable !== null) return unusable;
    if (this.buf.length === 0) this.complete(0); // nothing to wait for: the step is a no-op
    else s.readOp = this;
    return null;
  }

  /** @internal Reads what is there; completes, fails, or keeps waiting for `EV_READABLE`. */
  step(): void {
    if (this.isDone()) return; // complete, waiting to be taken: its bytes are in `buf`
    const s = this.stream;
    const buf = this.buf;
    for (;;) {
      const n = s.pull(buf, this.got, buf.length - this.got);
      if (n > 0) {
        this.got += n;
        if (!this.exact || this.got === buf.length) {
          this.complete(this.got);
          return;
        }
        continue;
      }
      if (n === 0) return;
      if (n === HAL_NONE) {
        if (!this.exact) {
          this.complete(0);
          return;
        }
        s.readOp = null;
        s.unread(buf.subarray(0, this.got));
        const err = closedError("the stream");
        err.message = "the stream ended after " + this.got + " of " + buf.length + " bytes";
        this.fail(err);
        return;
      }
      if (s.readOp === this) s.readOp = null;
      this.fail(s.failure);
      return;
    }
  }

  protected commit(): void {
    if (this.stream.readOp === this) this.stream.readOp = null;
  }

  protected abandon(): void {
    this.giveBack(this.got);
  }

  protected giveBack(n: number): void {
    const s = this.stream;
    if (s.readOp === this) s.readOp = null;
    s.unread(this.buf.subarray(0, n));
  }
}

/** `write` and `writeAll`: the last (or only) chunk is reserved and handed over on commit. */
class WriteOp extends IoOp<number> {
  /** Bytes of `buf` already handed to the host (for `writeAll` cancelled part way). */
  written = 0;
  private held = 0;

  constructor(
    private readonly stream: TcpStream,
    private readonly buf: Uint8Array,
    private readonly all: boolean,
  ) {
    super();
  }

  protected occupy(): KyotoError | null {
    const s = this.stream;
    if (s.writeOp !== null) return busyError("write");
    const blocker = s.writeBlocker();
    if (blocker !== null) return blocker;
    if (this.buf.length === 0) this.complete(0); // nothing to wait for: the step is a no-op
    else s.writeOp = this;
    return null;
  }

  /** @internal Reserves (or, for writeAll's earlier chunks, sends) what the send buffer has room for. */
  step(): void {
    if (this.isDone()) return; // complete, its chunk reserved until taken
    const s = this.stream;
    for (;;) {
      const blocker = s.writeBlocker();
      if (blocker !== null) {
        if (s.writeOp === this) s.writeOp = null;
        this.fail(blocker);
        return;
      }
      const room = s.room();
      if (room <= 0) return;
      const remaining = this.buf.length - this.written;
      const n = remaining < room ? remaining : room;
      if (!this.all || n === remaining) {
        s.reservedBytes += n;
        this.held = n;
        this.complete(this.written + n);
        return;
      }
      s.push(this.buf, this.written, n);
      this.written += n;
    }
  }

  protected commit(): void {
    const s = this.stream;
    const n = this.held;
    this.held = 0;
    s.reservedBytes -= n;
    if (s.writeOp === this) s.writeOp = null;
    if (s.failure === null && !s.isClosed()) {
      s.push(this.buf, this.written, n);
      this.written += n;
      s.afterCommit();
    }
  }

  protected abandon(): void {
    if (this.stream.writeOp === this) this.stream.writeOp = null;
  }

  protected giveBack(): void {
    this.stream.reservedBytes -= this.held;
    this.held = 0;
    this.abandon();
    this.stream.afterCommit();
  }
}

/** `shutdown`: completes once FIN is requested from the host. */
class ShutdownOp extends IoOp<void> {
  constructor(private readonly stream: TcpStream) {
    super();
  }

  protected occupy(): KyotoError | null {
    const s = this.stream;
    const unusable = s.unusable();
    if (unusable !== null) return unusable;
    if (s.shutDown || s.shutdownOp !== null) this.complete(undefined);
    else {
      s.shutdownOp = this;
      s.flush();
    }
    return null;
  }

  protected abandon(): void {
    if (this.stream.shutdownOp === this) this.stream.shutdownOp = null;
  }
}
