/**
 * IoDriver: a runtime's socket side. It is attached to the runtime the first time a socket is
 * opened on it (`ioDriver(runtime)`), routes the HAL's socket events to the socket that owns
 * the handle, owns the runtime's `BufferPool`, and closes every socket when the runtime
 * closes.
 *
 * Implementation notes:
 * - The handle table is a plain array indexed by HAL handle (handles are small integers, one
 *   number space for every kind of socket). A socket registers when the HAL gives it a handle
 *   and unregisters before calling the HAL's close, so a stale event finds nothing.
 * - Resources waiting for a free buffer (a listener whose accept met a full pool) are kept in
 *   arrival order and all woken when a slot is released; those still short queue again.
 */

import { closedError, KyotoError, socketError } from "../core/errors";
import { PoolStats } from "../core/pool";
import { currentRuntime, IoAttachment, Runtime } from "../runtime/runtime";
import { BufferPool } from "./buffers";
import { E_INVAL, halErrorName, hasSockets, HalPeer, NetHal } from "./hal";

/** What the driver routes events to: a TCP stream, a listener, a UDP socket. */
export interface IoResource {
  /** @internal A HAL event for this resource's handle. Must not throw. */
  onIoEvent(kind: number, arg: number): void;
  /** @internal The runtime is closing: fail pending ops with `reason` and close the handle. */
  closeByRuntime(reason: unknown): void;
}

/** Something waiting for a buffer slot to be released. */
export interface SlotWaiter {
  /** @internal */
  onSlotFree(): void;
}

export class IoDriver implements IoAttachment {
  /** @internal The runtime's socket buffers. */
  readonly bufferPool: BufferPool;
  /** @internal A scratch address for `sockAddr` / `udpRecv` results (copied out at once). */
  readonly scratch: HalPeer = { ip: "", port: 0 };
  private readonly table: Array<IoResource | null> = [];
  private readonly slotWaiters: SlotWaiter[] = [];
  private closed = false;

  constructor(
    runtime: Runtime,
    readonly hal: NetHal,
  ) {
    this.bufferPool = new BufferPool(runtime.maxBuffers, runtime.bufferSize);
  }

  /**
   * @internal The local (`remote` false) or peer address of handle `h`; throws `ERR_SOCKET` (`EINVAL`
   * once `closed`). Allocates: the result.
   */
  addressOf(h: number, remote: boolean, closed: boolean): { host: string; port: number } {
    const out = this.scratch;
    const r = closed ? E_INVAL : this.hal.sockAddr(h, remote, out);
    if (r < 0) throw halError(r, remote ? "peerAddr" : "localAddr");
    return { host: out.ip, port: out.port };
  }

  /** @internal Routes handle `h`'s events to `r`. */
  register(h: number, r: IoResource): void {
    while (this.table.length <= h) this.table.push(null);
    this.table[h] = r;
  }

  /** @internal Stops routing handle `h` (registered when its socket was made). */
  unregister(h: number): void {
    this.table[h] = null;
  }

  onEvent(kind: number, handle: number, arg: number): void {
    const r = this.table[handle]; // undefined for a handle never registered
    if (r) r.onIoEvent(kind, arg);
  }

  bufferStats(): PoolStats {
    return this.bufferPool.stats();
  }

  /** @internal Returns a buffer slot and wakes every waiter for one, oldest first (those still short wait again). */
  releaseSlot(slot: number): void {
    this.bufferPool.release(slot);
    if (this.slotWaiters.length === 0) return;
    const waiters = this.slotWaiters.splice(0, this.slotWaiters.length);
    for (let i = 0; i < waiters.length; i++) waiters[i].onSlotFree();
  }

  /** @internal */
  waitForSlot(w: SlotWaiter): void {
    if (this.slotWaiters.indexOf(w) < 0) this.slotWaiters.push(w);
  }

  /** @internal */
  stopWaitingForSlot(w: SlotWaiter): void {
    const i = this.slotWaiters.indexOf(w);
    if (i >= 0) this.slotWaiters.splice(i, 1);
  }

  close(reason: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.slotWaiters.length = 0;
    const table = this.table;
    for (let h = 0; h < table.length; h++) {
      const r = table[h];
      if (r !== null) r.closeByRuntime(reason);
    }
  }
}

/**
 * The runtime's driver, attached on first use. Throws `ERR_SOCKET` (`hostCode` "ENOSYS") when
 * the runtime's HAL has no sockets, `ERR_CLOSED` when the runtime is closed.
 */
export function ioDriver(runtime: Runtime): IoDriver {
  const attached = runtime.io();
  if (attached instanceof IoDriver) return attached;
  if (runtime.isClosed()) throw closedError("the runtime");
  const hal = runtime.hal;
  if (!hasSockets(hal)) throw socketError("this runtime's HAL has no sockets", "ENOSYS");
  const driver = new IoDriver(runtime, hal);
  runtime.attachIo(driver);
  return driver;
}

/** Any reader or writer; kyoto's sockets carry their driver. */
interface MaybeKyotoSocket {
  /** @internal */
  driver?: unknown;
}

/**
 * The driver of `socket` when it is one of kyoto's (a `TcpStream`), else the current runtime's
 * (throws like `ioDriver`).
 */
export function driverFor(socket: object): IoDriver {
  const own = (socket as MaybeKyotoSocket).driver;
  return own instanceof IoDriver ? own : ioDriver(currentRuntime());
}

/** `ERR_SOCKET` for a negative HAL code, `hostCode` = its name ("ECONNRESET", …). */
export function halError(code: number, what: string): KyotoError {
  const name = halErrorName(code);
  return socketError(what + ": " + name, name);
}
