/**
 * TcpListener: accepts TCP connections.
 *
 * @example
 * const listener = await TcpListener.bind("127.0.0.1:8080");
 * for (;;) {
 *   const socket = await listener.accept();
 *   spawn(() => serve(socket));
 * }
 *
 * `bind` resolves once the host listens (port 0 picks a free port: read it with
 * `localAddr()`). Accepts queue in call order. Each accepted stream takes a slot of the
 * runtime's buffer pool; while the pool is full, `accept` waits and the connection stays in
 * the host's backlog — connections never cost unbounded memory.
 *
 * Cancellation: a cancelled accept loses no connection. One cancelled after it took a
 * connection (before its result was taken) hands it back to the front of the listener, for
 * the next accept.
 */

import { signalOf, WaitOptions } from "../core/cancel";
import { closedError, invalidArgument } from "../core/errors";
import { Op } from "../core/op";
import { halError, IoDriver, IoResource, SlotWaiter } from "../io/driver";
import { EV_ACCEPTABLE, EV_ERROR, EV_WRITABLE, HAL_NONE } from "../io/hal";
import { IoOp, Openable, OpenOp } from "../io/io_op";
import { AddrLike, copyAddr, parseAddr, SocketAddr } from "./addr";
import { TcpStream } from "./tcp_stream";

/** Options of `TcpListener.bind`. */
export interface ListenOptions extends WaitOptions {
  /** Pending connections the host may queue (default 511). */
  backlog?: number;
}

/**
 * @example
 * ```ts
 * const listener = await TcpListener.bind("127.0.0.1:0"); // port 0: any free port
 * console.log("listening on", formatAddr(listener.localAddr()));
 * const client = TcpStream.connect(listener.localAddr());
 * const socket = await listener.accept();
 * (await client).close();
 * socket.close();
 * listener.close();
 * ```
 */
export class TcpListener implements IoResource, SlotWaiter, Openable {
  /** @internal The pending bind, until the host says it listens. */
  opening: OpenOp<TcpListener> | null = null;
  /** Pending accepts, oldest first. */
  private readonly accepts: AcceptOp[] = [];
  /** Connections handed back by accepts cancelled after taking them; served first. */
  private readonly returned: TcpStream[] = [];
  private failure: unknown = null;
  private closed = false;
  private local: SocketAddr | null = null;

  /** @internal Use `TcpListener.bind`. */
  constructor(
    private readonly driver: IoDriver,
    private readonly h: number,
  ) {
    driver.register(h, this);
  }

  /**
   * Listens on `addr` (`"127.0.0.1:8080"`, `{ host, port }`, or a port number, which binds
   * 127.0.0.1). Rejects `ERR_SOCKET` (`hostCode` "EADDRINUSE", …). Allocates: the op and the listener.
   */
  static bind(addr: AddrLike, options?: ListenOptions): Op<TcpListener> {
    const a = parseAddr(addr, "addr");
    const signal = signalOf(options);
    const backlog = options && options.backlog !== undefined ? options.backlog : 511;
    if (typeof backlog !== "number" || backlog < 1 || Math.floor(backlog) !== backlog) throw invalidArgument("options.backlog", "a positive integer", backlog);
    return new OpenOp(function (driver: IoDriver): TcpListener {
      const h = driver.hal.tcpListen(a.host, a.port, backlog);
      if (h < 0) throw halError(h, "listen failed");
      return new TcpListener(driver, h);
    }).start(signal);
  }

  /** Waits for the next connection. Rejects `ERR_CLOSED` once the listener is closed. Allocates: the op. */
  accept(options?: WaitOptions): Op<TcpStream> {
    return new AcceptOp(this).start(signalOf(options));
  }

  /** The address the listener is bound to (the real port when bound to port 0). Allocates: the result. */
  localAddr(): SocketAddr {
    if (this.local === null) this.local = this.driver.addressOf(this.h, false, this.closed);
    return copyAddr(this.local);
  }

  /** Stops listening: pending accepts reject `ERR_CLOSED`, unaccepted connections are closed. Idempotent. */
  close(): void {
    this.closeWith(closedError("the listener"));
  }

  /** @internal */
  onIoEvent(kind: number, arg: number): void {
    const binding = this.opening;
    if (kind === EV_WRITABLE) {
      this.opening = null;
      if (binding !== null) binding.complete(this);
    } else if (kind === EV_ACCEPTABLE) this.serveAccepts();
    else if (kind === EV_ERROR) {
      const err = halError(arg, "listen failed");
      if (binding !== null) this.closeWith(err);
      else {
        this.failure = err;
        this.failAccepts(err);
      }
    }
  }

  /** @internal */
  onSlotFree(): void {
    this.serveAccepts();
  }

  /** @internal */
  closeByRuntime(reason: unknown): void {
    this.closeWith(reason);
  }

  /** @internal Queues an accept (or says why it cannot) and serves it if a connection is there. */
  enqueue(op: AcceptOp): unknown {
    if (this.failure !== null) return this.failure;
    if (this.closed) return closedError("the listener");
    this.accepts.push(op);
    this.serveAccepts();
    return null;
  }

  /** @internal An accept cancelled after taking `stream` hands it back. */
  handBack(stream: TcpStream): void {
    if (this.closed) stream.close();
    else {
      this.returned.unshift(stream);
      this.serveAccepts();
    }
  }

  /** @internal */
  dropAccept(op: AcceptOp): void {
    const i = this.accepts.indexOf(op);
    if (i >= 0) this.accepts.splice(i, 1);
    if (this.accepts.length === 0) this.driver.stopWaitingForSlot(this);
  }

  /** Gives pending connections to waiting accepts, oldest first. */
  private serveAccepts(): void {
    const driver = this.driver;
    while (this.accepts.length > 0 && !this.closed) {
      const returned = this.returned.shift();
      if (returned !== undefined) {
        (this.accepts.shift() as AcceptOp).complete(returned);
        continue;
      }
      const slot = driver.bufferPool.acquire();
      if (slot < 0) {
        driver.waitForSlot(this);
        return;
      }
      const h = driver.hal.tcpAccept(this.h);
      if (h < 0) {
        driver.releaseSlot(slot);
        if (h < HAL_NONE) {
          this.failure = halError(h, "accept failed");
          this.failAccepts(this.failure);
        }
        return;
      }
      (this.accepts.shift() as AcceptOp).complete(new TcpStream(driver, h, slot));
    }
  }

  private failAccepts(err: unknown): void {
    const accepts = this.accepts.splice(0, this.accepts.length);
    for (let i = 0; i < accepts.length; i++) accepts[i].fail(err);
    this.driver.stopWaitingForSlot(this);
  }

  /** Closes with `err`: the pending bind and accepts fail with it, handed-back connections are closed. */
  private closeWith(err: unknown): void {
    const binding = this.opening;
    this.opening = null;
    if (binding !== null) binding.fail(err);
    if (this.closed) return;
    this.closed = true;
    this.failAccepts(err);
    const returned = this.returned.splice(0, this.returned.length);
    for (let i = 0; i < returned.length; i++) returned[i].close();
    this.driver.unregister(this.h);
    this.driver.hal.tcpClose(this.h);
  }
}

/** `TcpListener.accept`. */
class AcceptOp extends IoOp<TcpStream> {
  constructor(private readonly owner: TcpListener) {
    super();
  }

  protected occupy(): unknown {
    return this.owner.enqueue(this);
  }

  protected abandon(): void {
    this.owner.dropAccept(this);
  }

  protected giveBack(stream: TcpStream): void {
    this.owner.handBack(stream);
  }
}
