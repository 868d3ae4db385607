/**
 * The HAL socket conformance suite: one set of tests every adapter runs (hal/README.md,
 * "The conformance suite"). It drives the adapter directly through the contract — no kyoto
 * runtime in between — with both ends of every connection on the same HAL over 127.0.0.1.
 *
 * @example
 * import { halConformance } from "../hal/conformance";
 * halConformance({ name: "node", create: () => createNodeHal() });
 *
 * Every test installs a recording sink that notes a violation when an event arrives while a
 * HAL call is on the stack (re-entrant) or names a handle that was closed; each test ends by
 * asserting there was none. Waiting is done in host turns (`adapter.tick`, default
 * setImmediate, else setTimeout 0) up to `adapter.waitMs` of real time, so it works on real
 * sockets and on the sim's virtual clock alike.
 */

import { E_PIPE, E_REFUSED, E_RESET, EV_ACCEPTABLE, EV_ERROR, EV_READABLE, EV_WRITABLE, HAL_NONE, HalPeer, NetHal } from "../../src/io/hal";
import { assert } from "../assert";

declare const setImmediate: ((fn: () => void) => unknown) | undefined;
declare const setTimeout: (fn: () => void, ms: number) => unknown;

/** What an adapter gives the suite. */
export interface ConformanceAdapter {
  /** Shown in the suite's title. */
  name: string;
  /** A fresh HAL (with sockets) for one test. */
  create(): NetHal;
  /** Resolves after the host had a turn (default: setImmediate, else setTimeout 0). */
  tick?: () => Promise<void>;
  /** Real time a single wait may take before the test fails (default 5,000 ms). */
  waitMs?: number;
  /** The most bytes a writer may push at a peer that never reads (default 32 MiB). */
  maxUnreadBytes?: number;
  /** The adapter's links lose datagrams (a faulty sim): the UDP test is skipped. */
  lossyUdp?: boolean;
}

interface Event {
  kind: number;
  h: number;
  arg: number;
}

/** A HAL wrapped so the sink can tell calls from events, with helpers to wait on events. */
class Probe {
  readonly events: Event[] = [];
  readonly violations: string[] = [];
  private depth = 0;
  private readonly closed: { [h: number]: boolean } = {};

  constructor(
    readonly hal: NetHal,
    private readonly adapter: ConformanceAdapter,
  ) {
    const self = this;
    hal.setSink(function (kind: number, h: number, arg: number) {
      if (self.depth > 0) self.violations.push("event " + kind + " for handle " + h + " from inside a HAL call");
      if (self.closed[h]) self.violations.push("event " + kind + " for handle " + h + " after it was closed");
      self.events.push({ kind: kind, h: h, arg: arg });
    });
  }

  /** Runs a HAL call with the re-entrancy guard up; a new handle is no longer "closed". */
  call<T>(fn: (hal: NetHal) => T): T {
    this.depth++;
    try {
      const r = fn(this.hal);
      if (typeof r === "number" && r >= 0) delete this.closed[r];
      return r;
    } finally {
      this.depth--;
    }
  }

  close(h: number, udp?: boolean): void {
    this.call((hal) => (udp ? hal.udpClose(h) : hal.tcpClose(h)));
    this.closed[h] = true;
  }

  /** Waits until `pred()` holds, in host turns, failing after the adapter's wait limit. */
  async until(pred: () => boolean, what: string): Promise<void> {
    const tick = this.adapter.tick || defaultTick;
    const limit = this.adapter.waitMs || 5000;
    const start = Date.now();
    while (!pred()) {
      if (Date.now() - start > limit) throw new Error("timed out waiting for " + what);
      await tick();
    }
  }

  /** Lets the host run for `turns` turns (to show that nothing more happens). */
  async idle(turns: number): Promise<void> {
    const tick = this.adapter.tick || defaultTick;
    for (let i = 0; i < turns; i++) await tick();
  }

  /** The first event of `kind` for `h` not yet taken; removes it. */
  take(kind: number, h: number): Event | null {
    for (let i = 0; i < this.events.length; i++) {
      const e = this.events[i];
      if (e.kind === kind && e.h === h) {
        this.events.splice(i, 1);
        return e;
      }
    }
    return null;
  }

  async next(kind: number, h: number, what: string): Promise<Event> {
    let got: Event | null = null;
    await this.until(() => (got = this.take(kind, h)) !== null, what);
    return got as unknown as Event;
  }

  /** Listens on 127.0.0.1 port 0; returns the handle and the port. */
  async listen(): Promise<{ l: number; port: number }> {
    const l = this.call((hal) => hal.tcpListen("127.0.0.1", 0, 16));
    assert.ok(l >= 0, "tcpListen returns a handle: " + l);
    await this.next(EV_WRITABLE, l, "the listener to listen (EV_WRITABLE)");
    const out: HalPeer = { ip: "", port: 0 };
    assert.equal(this.call((hal) => hal.sockAddr(l, false, out)), 0);
    assert.equal(out.ip, "127.0.0.1");
    assert.ok(out.port > 0, "a real port once listening");
    return { l: l, port: out.port };
  }

  /** A connected pair through listener `l`: [client, server]. */
  async pair(l: number, port: number): Promise<[number, number]> {
    const c = this.call((hal) => hal.tcpConnect("127.0.0.1", port, true));
    assert.ok(c >= 0, "tcpConnect returns a handle: " + c);
    let s = -1;
    await this.until(() => {
      if (s < 0) s = this.call((hal) => hal.tcpAccept(l));
      return s >= 0;
    }, "a connection to accept");
    const connected = await this.next(EV_WRITABLE, c, "the client to connect (EV_WRITABLE)");
    assert.ok(connected.arg > 0, "connected with write credit: " + connected.arg);
    return [c, s];
  }

  /** Writes all of `data`, waiting for EV_WRITABLE when credit runs out. */
  async writeAll(h: number, data: Uint8Array): Promise<void> {
    let off = 0;
    while (off < data.length) {
      const n = this.call((hal) => hal.tcpWrite(h, data, off, data.length - off));
      assert.ok(n >= 0, "tcpWrite failed: " + n);
      off += n;
      if (off < data.length) await this.next(EV_WRITABLE, h, "write credit (EV_WRITABLE)");
    }
  }

  /** Reads until `n` bytes or end of stream; returns what came (and whether the stream ended). */
  async read(h: number, n: number): Promise<{ bytes: Uint8Array; eof: boolean }> {
    const buf = new Uint8Array(n);
    let got = 0;
    for (;;) {
      const r = this.call((hal) => hal.tcpRead(h, buf, got, n - got));
      if (r > 0) {
        got += r;
        if (got === n) return { bytes: buf, eof: false };
        continue;
      }
      if (r === HAL_NONE) return { bytes: buf.subarray(0, got), eof: true };
      assert.equal(r, 0, "tcpRead failed: " + r);
      await this.next(EV_READABLE, h, "bytes to read (EV_READABLE)");
    }
  }

  assertClean(): void {
    assert.deepEqual(this.violations, []);
  }
}

function defaultTick(): Promise<void> {
  return new Promise<void>((resolve) => {
    if (typeof setImmediate === "function") setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}

function bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 255;
  return out;
}

function text(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

/** The first index where `got` differs from `want`'s start, or -1 (a loop: Espruino's typed arrays are not probed). */
function firstDifference(got: Uint8Array, want: Uint8Array): number {
  for (let i = 0; i < got.length; i++) if (got[i] !== want[i]) return i;
  return -1;
}

/** Settles like the first of `a` and `b` to settle (Espruino has no Promise.race). */
function firstOf<T>(a: PromiseLike<T>, b: PromiseLike<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    a.then(resolve, reject);
    b.then(resolve, reject);
  });
}

/** Declares the conformance tests (mocha `describe`/`it`) for one adapter. */
export function halConformance(adapter: ConformanceAdapter): void {
  const probe = () => new Probe(adapter.create(), adapter);

  describe("HAL socket conformance: " + adapter.name, function () {
    it("connects and accepts: handles, addresses, one connection per accept", async function () {
      const p = probe();
      const { l, port } = await p.listen();
      const [c, s] = await p.pair(l, port);
      assert.equal(p.call((hal) => hal.tcpAccept(l)), HAL_NONE, "nothing more is pending");
      const a: HalPeer = { ip: "", port: 0 };
      assert.equal(p.call((hal) => hal.sockAddr(c, true, a)), 0);
      assert.deepEqual([a.ip, a.port], ["127.0.0.1", port], "the client's peer is the listener's address");
      assert.equal(p.call((hal) => hal.sockAddr(s, false, a)), 0);
      assert.equal(a.port, port, "the accepted socket's local port is the listener's");
      const cl: HalPeer = { ip: "", port: 0 };
      p.call((hal) => hal.sockAddr(c, false, cl));
      p.call((hal) => hal.sockAddr(s, true, a));
      assert.equal(a.port, cl.port, "the accepted socket's peer is the client");
      p.close(c);
      p.close(s);
      p.close(l);
      await p.idle(20);
      p.assertClean();
    });

    it("echoes bytes both ways through caller-owned buffers and offsets", async function () {
      const p = probe();
      const { l, port } = await p.listen();
      const [c, s] = await p.pair(l, port);
      const msg = new Uint8Array(100000);
      for (let i = 0; i < msg.length; i++) msg[i] = (i * 7 + 3) & 255;
      const sending = p.writeAll(c, msg);
      const got = await p.read(s, msg.length);
      await sending;
      assert.equal(text(got.bytes.subarray(0, 64)), text(msg.subarray(0, 64)));
      assert.equal(firstDifference(got.bytes, msg), -1, "every byte arrives in order");
      const back = p.writeAll(s, got.bytes.subarray(0, 5000));
      const echoed = await p.read(c, 5000);
      await back;
      assert.equal(firstDifference(echoed.bytes, msg), -1);
      const framed = new Uint8Array(10);
      const w = p.call((hal) => hal.tcpWrite(s, bytes("xxhelloyy"), 2, 5));
      assert.equal(w, 5, "tcpWrite takes from buf[off…]");
      let n = 0;
      await p.until(() => (n += Math.max(0, p.call((hal) => hal.tcpRead(c, framed, 3 + n, 7 - n)))) === 5, "5 bytes");
      assert.equal(text(framed.subarray(3, 8)), "hello", "tcpRead copies to buf[off…]");
      for (const h of [c, s, l]) p.close(h);
      p.assertClean();
    });

    it("half-closes client to server: the server reads to -1 and still writes back", async function () {
      const p = probe();
      const { l, port } = await p.listen();
      const [c, s] = await p.pair(l, port);
      await p.writeAll(c, bytes("request"));
      assert.equal(p.call((hal) => hal.tcpShutdown(c)), 0);
      const w = p.call((hal) => hal.tcpWrite(c, bytes("late"), 0, 4));
      assert.equal(w, E_PIPE, "a write after shutdown returns E_PIPE");
      const req = await p.read(s, 100);
      assert.equal(text(req.bytes), "request");
      assert.ok(req.eof, "then end of stream (-1)");
      assert.equal(p.call((hal) => hal.tcpRead(s, new Uint8Array(4), 0, 4)), HAL_NONE, "-1 again");
      await p.writeAll(s, bytes("response"));
      p.call((hal) => hal.tcpShutdown(s));
      const res = await p.read(c, 100);
      assert.equal(text(res.bytes), "response");
      assert.ok(res.eof);
      for (const h of [c, s, l]) p.close(h);
      await p.idle(20);
      p.assertClean();
    });

    it("half-closes server to client: the client reads to -1 and still writes", async function () {
      const p = probe();
      const { l, port } = await p.listen();
      const [c, s] = await p.pair(l, port);
      await p.writeAll(s, bytes("banner"));
      p.call((hal) => hal.tcpShutdown(s));
      const got = await p.read(c, 100);
      assert.equal(text(got.bytes), "banner");
      assert.ok(got.eof);
      await p.writeAll(c, bytes("still here"));
      const back = await p.read(s, 10);
      assert.equal(text(back.bytes), "still here");
      for (const h of [c, s, l]) p.close(h);
      p.assertClean();
    });

    it("reports a reset by the peer once, as EV_ERROR(E_RESET); then every call returns the error", async function () {
      const p = probe();
      const { l, port } = await p.listen();
      const [c, s] = await p.pair(l, port);
      await p.writeAll(c, bytes("never read"));
      await p.until(() => p.take(EV_READABLE, s) !== null, "the bytes to reach the server");
      p.close(s); // closing with unread bytes resets the connection
      const err = await p.next(EV_ERROR, c, "the reset (EV_ERROR)");
      assert.equal(err.arg, E_RESET);
      assert.ok(p.call((hal) => hal.tcpRead(c, new Uint8Array(8), 0, 8)) <= -2, "reads fail after EV_ERROR");
      assert.ok(p.call((hal) => hal.tcpWrite(c, bytes("x"), 0, 1)) <= -2, "writes fail after EV_ERROR");
      await p.idle(20);
      assert.equal(p.take(EV_ERROR, c), null, "EV_ERROR comes once");
      p.close(c);
      p.close(l);
      p.assertClean();
    });

    it("fails a connect to a port nobody listens on with EV_ERROR(E_REFUSED)", async function () {
      const p = probe();
      const { l, port } = await p.listen();
      p.close(l);
      await p.idle(5);
      const c = p.call((hal) => hal.tcpConnect("127.0.0.1", port, false));
      assert.ok(c >= 0);
      const err = await p.next(EV_ERROR, c, "the refusal");
      assert.equal(err.arg, E_REFUSED);
      assert.equal(p.take(EV_WRITABLE, c), null, "never connected");
      p.close(c);
      p.assertClean();
    });

    it("stops a writer whose peer never reads: credit runs out and stays out, bytes taken stay bounded", async function () {
      const p = probe();
      const { l, port } = await p.listen();
      const [c, s] = await p.pair(l, port);
      const chunk = new Uint8Array(65536);
      const limit = adapter.maxUnreadBytes || 32 * 1048576;
      let taken = 0;
      for (let rounds = 0; rounds < 400; rounds++) {
        const n = p.call((hal) => hal.tcpWrite(s, chunk, 0, chunk.length));
        assert.ok(n >= 0);
        taken += n;
        assert.ok(taken <= limit, "took " + taken + " bytes for a peer that never reads");
        if (n === 0) {
          await p.idle(50);
          if (p.take(EV_WRITABLE, s) === null) break;
        }
      }
      assert.equal(p.call((hal) => hal.tcpWrite(s, chunk, 0, chunk.length)), 0, "no credit while the peer does not read");
      // The peer reads: credit comes back.
      const drained = p.read(c, taken);
      await p.next(EV_WRITABLE, s, "credit after the peer reads");
      const got = await drained;
      assert.equal(got.bytes.length, taken, "every byte taken arrives");
      for (const h of [c, s, l]) p.close(h);
      p.assertClean();
    });

    it("closes during a pending read and a pending write: no event for the closed handles, the peer sees the end", async function () {
      const p = probe();
      const { l, port } = await p.listen();
      const [c, s] = await p.pair(l, port);
      assert.equal(p.call((hal) => hal.tcpRead(c, new Uint8Array(16), 0, 16)), 0, "a read that must wait");
      const chunk = new Uint8Array(65536);
      while (p.call((hal) => hal.tcpWrite(s, chunk, 0, chunk.length)) > 0) {
        // fill the credit: the write is now pending (EV_WRITABLE promised)
      }
      p.close(c); // pending read, unread bytes: resets
      p.close(s); // pending write
      await p.idle(50);
      const c2 = (await p.pair(l, port))[0];
      p.close(c2);
      await p.idle(20);
      p.close(l);
      p.assertClean();
    });

    it("sends and receives UDP datagrams with their addresses, one at a time", async function () {
      if (adapter.lossyUdp) this.skip();
      const p = probe();
      const a = p.call((hal) => hal.udpBind("127.0.0.1", 0));
      const b = p.call((hal) => hal.udpBind("127.0.0.1", 0));
      assert.ok(a >= 0 && b >= 0 && a !== b);
      await p.next(EV_WRITABLE, a, "a bound");
      await p.next(EV_WRITABLE, b, "b bound");
      const pa: HalPeer = { ip: "", port: 0 };
      const pb: HalPeer = { ip: "", port: 0 };
      p.call((hal) => hal.sockAddr(a, false, pa));
      p.call((hal) => hal.sockAddr(b, false, pb));
      assert.ok(pa.port > 0 && pb.port > 0 && pa.port !== pb.port);
      assert.equal(p.call((hal) => hal.udpSend(a, bytes("--one--"), 2, 3, "127.0.0.1", pb.port)), 3);
      assert.equal(p.call((hal) => hal.udpSend(a, bytes("two"), 0, 3, "127.0.0.1", pb.port)), 3);
      const buf = new Uint8Array(8);
      const from: HalPeer = { ip: "", port: 0 };
      let n = HAL_NONE;
      await p.until(() => (n = p.call((hal) => hal.udpRecv(b, buf, 1, 7, from))) !== HAL_NONE, "a datagram");
      assert.equal(n, 3);
      assert.equal(text(buf.subarray(1, 4)), "one");
      assert.deepEqual([from.ip, from.port], ["127.0.0.1", pa.port]);
      await p.until(() => (n = p.call((hal) => hal.udpRecv(b, buf, 0, 2, from))) !== HAL_NONE, "the second datagram");
      assert.equal(n, 2, "a longer datagram is truncated to len");
      assert.equal(text(buf.subarray(0, 2)), "tw");
      assert.equal(p.call((hal) => hal.udpRecv(b, buf, 0, 8, from)), HAL_NONE, "none left: the rest of the datagram was dropped");
      assert.equal(p.call((hal) => hal.udpSend(b, bytes("back"), 0, 4, "127.0.0.1", pa.port)), 4);
      await p.until(() => (n = p.call((hal) => hal.udpRecv(a, buf, 0, 8, from))) !== HAL_NONE, "the reply");
      assert.equal(text(buf.subarray(0, n)), "back");
      assert.equal(from.port, pb.port);
      p.call((hal) => hal.udpSend(a, bytes("late"), 0, 4, "127.0.0.1", pb.port));
      p.close(b, true);
      p.close(a, true);
      await p.idle(20);
      p.assertClean();
    });

    it("delivers no event after close: not for a listener with pending connections, not for queued events", async function () {
      const p = probe();
      const { l, port } = await p.listen();
      const c = p.call((hal) => hal.tcpConnect("127.0.0.1", port, false));
      await p.next(EV_ACCEPTABLE, l, "a pending connection");
      p.close(l); // closes the pending connection too
      const ev = await firstOf(p.next(EV_ERROR, c, "the client to see its connection closed").then(() => "error"), p.next(EV_READABLE, c, "end").then(() => "eof"));
      assert.ok(ev === "error" || ev === "eof", "the client learns its connection is gone");
      p.close(c);
      const u = p.call((hal) => hal.udpBind("127.0.0.1", 0));
      p.close(u, true); // closed before its EV_WRITABLE (bound) could arrive
      await p.idle(30);
      p.assertClean();
    });

    it("never calls the sink from inside a HAL call, whatever the call", async function () {
      const p = probe();
      const { l, port } = await p.listen();
      const [c, s] = await p.pair(l, port);
      for (let i = 0; i < 20; i++) {
        p.call((hal) => hal.tcpWrite(c, bytes("ping"), 0, 4));
        p.call((hal) => hal.tcpRead(s, new Uint8Array(64), 0, 64));
        p.call((hal) => hal.tcpSetNoDelay(s, i % 2 === 0));
        await p.idle(1);
      }
      p.call((hal) => hal.tcpShutdown(c));
      p.call((hal) => hal.tcpShutdown(s));
      await p.idle(20);
      for (const h of [c, s, l]) p.close(h);
      p.assertClean();
    });
  });
}
