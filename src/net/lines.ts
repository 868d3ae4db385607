/**
 * lines(reader): the lines of a byte stream, as an async iterable of strings (UTF-8, without
 * the "\n" or "\r\n"). Works with `for await` and, where there is no `await`, by calling
 * `next()` (an op) by hand.
 *
 * @example
 * for await (const line of lines(stream)) console.log(line);
 *
 * The bytes are read into one buffer from the runtime's buffer pool (`stats().buffers`), held
 * until the stream ends, fails, or the loop stops (`return()`); when the pool is full the
 * first `next()` rejects `ERR_POOL_EXHAUSTED`. A line longer than the buffer
 * (`bufferSize`, 16 KiB by default) comes out in buffer-sized pieces.
 *
 * Cancellation: a cancelled `next()` loses nothing. Bytes it had read stay in the buffer, and
 * a line it had taken (cancelled before its result was taken) is handed out again next.
 */

import { signalOf, WaitOptions } from "../core/cancel";
import { busyError } from "../core/errors";
import { Op, readyOp } from "../core/op";
import { driverFor, IoDriver } from "../io/driver";
import { moveToFront } from "../io/buffers";
import { IoOp } from "../io/io_op";
import { cancelInner, checkMethod, Reader, Thenable } from "./io_traits";
import { utf8Decode } from "./utf8";

/** What `next()` resolves with. */
export interface LineResult {
  value: string | undefined;
  done: boolean;
}

export class Lines {
  /** @internal */ buf: Uint8Array | null = null;
  /** @internal */ start = 0;
  /** @internal */ end = 0;
  /** @internal */ eof = false;
  /** @internal A line handed back by a cancelled `next()`. */
  unreadLine: string | null = null;
  /** @internal */ pending: NextLineOp | null = null;
  private slot = -1;
  private driver: IoDriver | null = null;
  private finished = false;

  /** @internal Use `lines(reader)`. */
  constructor(/** @internal */ readonly reader: Reader) {}

  /** The next line: `{ value, done: false }`, or `{ done: true }` at the end. Allocates: the op. */
  next(options?: WaitOptions): Op<LineResult> {
    const op = new NextLineOp(this);
    return op.start(signalOf(options));
  }

  /** Stops early (what `for await` calls on `break`): gives the buffer back. Allocates: the op. */
  return(): Op<LineResult> {
    this.finish();
    return readyOp<LineResult>({ value: undefined, done: true });
  }

  /** @internal True once the lines are over (end of stream, error, or `return()`). */
  isFinished(): boolean {
    return this.finished;
  }

  /** @internal The buffer, taken from the pool on first use; throws `ERR_POOL_EXHAUSTED` when the pool is full. */
  buffer(): Uint8Array {
    if (this.buf !== null) return this.buf;
    let driver: IoDriver;
    try {
      driver = driverFor(this.reader);
    } catch (_err) {
      this.buf = new Uint8Array(16384); // no sockets on this host: a plain buffer of the default size
      return this.buf;
    }
    const slot = driver.bufferPool.acquire();
    if (slot < 0) throw driver.bufferPool.exhaustedError();
    this.driver = driver;
    this.slot = slot;
    this.buf = driver.bufferPool.buffer(slot);
    return this.buf;
  }

  /** @internal Gives the buffer back; later `next()` calls report done. */
  finish(): void {
    this.finished = true;
    this.unreadLine = null;
    if (this.slot >= 0 && this.driver !== null) {
      const slot = this.slot;
      this.slot = -1;
      this.driver.releaseSlot(slot);
    }
    this.buf = null;
  }
}

// `for await (const line of lines(reader))`: the type says so; the method exists where the engine has the symbol.
export interface Lines {
  [Symbol.asyncIterator](): Lines;
}
if (typeof Symbol === "function" && typeof Symbol.asyncIterator === "symbol") {
  (Lines.prototype as unknown as { [key: symbol]: unknown })[Symbol.asyncIterator] = function (this: Lines) {
    return this;
  };
}

/**
 * The lines of `reader` (a `TcpStream`, or anything with `read(buf)`). Allocates: the iterator.
 *
 * @example
 * ```ts
 * const stream = await TcpStream.connect("127.0.0.1:8080");
 * for await (const line of lines(stream)) console.log("line:", line);
 * stream.close();
 * ```
 */
export function lines(reader: Reader): Lines {
  checkMethod(reader, "reader", "read");
  return new Lines(reader);
}

const NEWLINE = 10;
const RETURN = 13;

class NextLineOp extends IoOp<LineResult> {
  private inner: Thenable<number> | null = null;

  constructor(private readonly lines: Lines) {
    super();
  }

  protected occupy(): unknown {
    const l = this.lines;
    if (l.pending !== null) return busyError("lines read");
    l.pending = this;
    return null;
  }

  /** @internal Hands out the next line when it is there, else reads more. */
  step(): void {
    const l = this.lines;
    if (l.unreadLine !== null) {
      const line = l.unreadLine;
      l.unreadLine = null;
      this.complete({ value: line, done: false });
      return;
    }
    if (l.isFinished()) {
      this.complete({ value: undefined, done: true });
      return;
    }
    let buf: Uint8Array;
    try {
      buf = l.buffer();
    } catch (err) {
      l.pending = null;
      this.fail(err);
      return;
    }
    for (let i = l.start; i < l.end; i++) {
      if (buf[i] === NEWLINE) {
        const stop = i > l.start && buf[i - 1] === RETURN ? i - 1 : i;
        const line = utf8Decode(buf, l.start, stop);
        l.start = i + 1;
        this.complete({ value: line, done: false });
        return;
      }
    }
    if (l.eof || (l.start === 0 && l.end === buf.length)) {
      if (l.start < l.end) {
        const line = utf8Decode(buf, l.start, l.end);
        l.start = l.end = 0;
        this.complete({ value: line, done: false });
      } else {
        l.finish();
        this.complete({ value: undefined, done: true });
      }
      return;
    }
    if (l.start > 0) {
      moveToFront(buf, l.start, l.end);
      l.end -= l.start;
      l.start = 0;
    }
    const self = this;
    const inner = l.reader.read(buf.subarray(l.end));
    this.inner = inner;
    inner.then(
      function (n: number) {
        if (self.inner === inner) self.inner = null;
        if (n === 0) l.eof = true;
        else l.end += n; // kept even if this op was cancelled meanwhile: the next one sees it
        if (!self.isDone()) self.step();
      },
      function (err: unknown) {
        if (self.inner === inner) self.inner = null;
        if (self.isDone()) return;
        l.pending = null;
        l.finish();
        self.fail(err);
      },
    );
  }

  protected commit(): void {
    if (this.lines.pending === this) this.lines.pending = null;
  }

  protected abandon(reason: unknown): void {
    if (this.lines.pending === this) this.lines.pending = null;
    const inner = this.inner;
    this.inner = null;
    cancelInner(inner, reason);
  }

  protected giveBack(result: LineResult): void {
    if (this.lines.pending === this) this.lines.pending = null;
    if (!result.done && result.value !== undefined) this.lines.unreadLine = result.value;
  }
}
