/**
 * copy(reader, writer): moves every byte from `reader` to `writer` until the reader's end of
 * stream; resolves with the count. The bytes pass through one buffer from the runtime's buffer
 * pool (`ERR_POOL_EXHAUSTED` when the pool is full), given back when the copy ends.
 *
 * @example
 * const [n] = await join([copy(client, upstream), copy(upstream, client)]);
 *
 * Cancellation: `op.copied` counts the bytes the writer took. When the reader is a
 * `TcpStream`, bytes read but not yet written when the copy is cancelled are pushed back in
 * front of it, so nothing read is lost.
 */

import { signalOf, WaitOptions } from "../core/cancel";
import { Op } from "../core/op";
import { driverFor, IoDriver } from "../io/driver";
import { cancelInner, checkMethod, Reader, Thenable, Writer } from "./io_traits";

export class CopyOp extends Op<number> {
  /** Bytes the writer has taken so far. */
  copied = 0;
  private inner: Thenable<unknown> | null = null;
  private slot = -1;
  private buf: Uint8Array | null = null;
  /** Bytes of `buf` read and being written. */
  private inFlight = 0;

  constructor(
    private readonly reader: Reader,
    private readonly writer: Writer,
    private readonly driver: IoDriver,
  ) {
    super();
  }

  /** @internal */
  start(options: WaitOptions | undefined): CopyOp {
    const signal = signalOf(options);
    if (this.failIfAborted(signal)) return this;
    const slot = this.driver.bufferPool.acquire();
    if (slot < 0) this.fail(this.driver.bufferPool.exhaustedError());
    else {
      this.slot = slot;
      this.buf = this.driver.bufferPool.buffer(slot);
      this.readNext();
    }
    this.watch(signal);
    return this;
  }

  private readNext(): void {
    const self = this;
    const inner = this.reader.read(this.buf as Uint8Array);
    this.inner = inner;
    inner.then(function (n: number) {
      if (self.inner !== inner) return;
      self.inner = null;
      if (n === 0) self.finish(true, self.copied);
      else self.writeOut(n);
    }, this.errorHandler(inner));
  }

  private writeOut(n: number): void {
    const self = this;
    this.inFlight = n;
    const inner = this.writer.writeAll((this.buf as Uint8Array).subarray(0, n));
    this.inner = inner;
    inner.then(function () {
      if (self.inner !== inner) return;
      self.inner = null;
      self.copied += n;
      self.inFlight = 0;
      self.readNext();
    }, this.errorHandler(inner));
  }

  private errorHandler(inner: Thenable<unknown>): (err: unknown) => void {
    const self = this;
    return function (err: unknown) {
      if (self.inner !== inner) return;
      self.inner = null;
      self.finish(false, err);
    };
  }

  private finish(ok: boolean, value: unknown): void {
    this.releaseBuffer();
    if (ok) this.complete(value as number);
    else this.fail(value);
  }

  private releaseBuffer(): void {
    if (this.slot >= 0) {
      const slot = this.slot;
      this.slot = -1;
      this.buf = null;
      this.driver.releaseSlot(slot);
    }
  }

  protected abandon(reason: unknown): void {
    const inner = this.inner;
    this.inner = null;
    cancelInner(inner, reason);
    if (this.inFlight > 0 && this.buf !== null) {
      // Read but not (all) written: back in front of the reader when it can take them.
      const sent = inner !== null && typeof (inner as { written?: unknown }).written === "number" ? (inner as unknown as { written: number }).written : 0;
      const back = this.reader as { unread?: (b: Uint8Array) => void };
      if (typeof back.unread === "function") back.unread(this.buf.subarray(sent, this.inFlight));
      this.copied += sent;
    }
    this.releaseBuffer();
  }
}

/**
 * Copies `reader` to `writer` until end of stream; resolves with the byte count. Allocates: the op.
 *
 * @example
 * ```ts
 * // An echo server's connection handler: everything read is written back.
 * const listener = await TcpListener.bind("127.0.0.1:0");
 * spawn(async () => {
 *   const socket = await listener.accept();
 *   const bytes = await copy(socket, socket); // until end of stream
 *   console.log("echoed", bytes, "bytes");
 *   socket.close();
 * });
 * ```
 */
export function copy(reader: Reader, writer: Writer, options?: WaitOptions): Op<number> {
  checkMethod(reader, "reader", "read");
  checkMethod(writer, "writer", "writeAll");
  return new CopyOp(reader, writer, driverFor(reader)).start(options);
}
