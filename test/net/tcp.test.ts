import { assert } from "../assert";
import { outcome, settle, track } from "../helpers";
import { createSimRuntime, SimRuntime, SimNetOptions } from "../../src/sim";
import { SimHal } from "../../hal/sim";
import { spawn } from "../../src/runtime/runtime";
import { sleep } from "../../src/time/sleep";
import { select } from "../../src/runtime/select";
import { CancelSource } from "../../src/core/cancel";
import { TcpListener } from "../../src/net/tcp_listener";
import { TcpStream } from "../../src/net/tcp_stream";
import { UdpSocket } from "../../src/net/udp_socket";
import { lines } from "../../src/net/lines";
import { copy } from "../../src/net/copy";
import { utf8Decode, utf8Encode } from "../../src/net/utf8";

function sim(net?: SimNetOptions, maxBuffers?: number): SimRuntime {
  return createSimRuntime({ hal: new SimHal({ seed: 1, net: net }), maxBuffers: maxBuffers });
}

function text(b: Uint8Array): string {
  return utf8Decode(b);
}

/** A listener and a connected pair [client, server]. */
async function pair(): Promise<{ listener: TcpListener; client: TcpStream; server: TcpStream }> {
  const listener = await TcpListener.bind("127.0.0.1:0");
  const accepting = listener.accept();
  const client = await TcpStream.connect(listener.localAddr());
  const server = await accepting;
  return { listener, client, server };
}

/** Reads until `n` bytes or end of stream. */
async function readN(s: TcpStream, n: number): Promise<string> {
  const buf = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const k = await s.read(buf.subarray(got));
    if (k === 0) break;
    got += k;
  }
  return text(buf.subarray(0, got));
}

describe("TcpListener / TcpStream", function () {
  it("echoes through bind, accept, connect, read and writeAll, with matching addresses", async function () {
    const rt = sim({ latency: 3 });
    await rt.run(async () => {
      const listener = await TcpListener.bind("127.0.0.1:0");
      const port = listener.localAddr().port;
      assert.ok(port > 0);
      spawn(async () => {
        const s = await listener.accept();
        const buf = new Uint8Array(64);
        for (;;) {
          const n = await s.read(buf);
          if (n === 0) break;
          await s.writeAll(buf.subarray(0, n));
        }
        s.close();
      });
      const c = await TcpStream.connect({ host: "127.0.0.1", port: port });
      assert.deepEqual(c.peerAddr(), { host: "127.0.0.1", port: port });
      await c.writeAll(utf8Encode("hello, kyoto"));
      assert.equal(await readN(c, 12), "hello, kyoto");
      await c.shutdown();
      assert.equal(await c.read(new Uint8Array(4)), 0, "the server closed after our FIN");
      c.close();
      listener.close();
    });
    assert.equal(rt.stats().buffers.live, 0, "every buffer slot is back");
    rt.close();
  });

  it("fails bind, connect and UDP bind with ERR_SOCKET ENOSYS on a HAL without sockets", async function () {
    // The sim's clock and timers without its socket calls: a host without networking.
    const hal = new SimHal({ seed: 1 });
    const socketCalls = ["tcpConnect", "tcpListen", "tcpAccept", "tcpRead", "tcpWrite", "tcpShutdown", "tcpSetNoDelay", "tcpClose", "udpBind", "udpSend", "udpRecv", "udpClose", "sockAddr"];
    for (let i = 0; i < socketCalls.length; i++) (hal as unknown as Record<string, unknown>)[socketCalls[i]] = undefined;
    const rt = createSimRuntime({ hal: hal });
    await rt.run(async () => {
      const nosys = { code: "ERR_SOCKET", message: /has no sockets/ };
      const errors = [
        await assert.rejects(TcpListener.bind("127.0.0.1:0"), nosys, "bind"),
        await assert.rejects(TcpStream.connect("127.0.0.1:9"), nosys, "connect"),
        await assert.rejects(UdpSocket.bind("127.0.0.1:0"), nosys, "UDP bind"),
      ];
      for (let i = 0; i < errors.length; i++) assert.equal((errors[i] as { hostCode?: string }).hostCode, "ENOSYS");
    });
    assert.equal(rt.stats().buffers.live, 0, "no buffer slot taken");
    rt.close();
  });

  it("fails a second concurrent read or write with ERR_BUSY and leaves the first alone", async function () {
    const rt = sim();
    await rt.run(async () => {
      const { listener, client, server } = await pair();
      const first = server.read(new Uint8Array(8));
      assert.equal(await outcome(server.read(new Uint8Array(8))), "ERR_BUSY");
      const big = new Uint8Array(200000);
      const w = client.writeAll(big);
      assert.equal(await outcome(client.write(new Uint8Array(1))), "ERR_BUSY");
      assert.ok((await first) > 0, "the first read still gets bytes");
      let got = 8;
      const buf = new Uint8Array(65536);
      while (got < big.length) got += await server.read(buf);
      assert.equal(await w, big.length);
      client.close();
      server.close();
      listener.close();
    });
    rt.close();
  });

  it("loses no byte when a read is cancelled: pending, complete-but-not-taken, by signal, or readExact part way", async function () {
    const rt = sim({ latency: 2 });
    await rt.run(async () => {
      const { listener, client, server } = await pair();
      // 1. Cancelled while pending: nothing was taken.
      const pending = server.read(new Uint8Array(16));
      await sleep(5);
      assert.equal(pending.cancel(), true);
      assert.equal(await outcome(pending), "ERR_CANCELLED");
      await client.writeAll(utf8Encode("abcdef"));
      await sleep(10);
      // 2. Complete (bytes already copied) but cancelled before its result was taken.
      const buf = new Uint8Array(3);
      const early = server.read(buf);
      assert.ok(early.isDone(), "the bytes were there: the read completed at once");
      assert.equal(early.cancel(), true);
      assert.equal(await outcome(early), "ERR_CANCELLED");
      assert.equal(await readN(server, 6), "abcdef", "the cancelled read's bytes come first, then the rest");
      // 3. By signal, and 4. readExact cancelled after part of its bytes.
      const source = new CancelSource();
      const bySignal = server.read(new Uint8Array(4), { signal: source.signal });
      source.cancel("stop");
      assert.equal(await outcome(bySignal), "ERR_CANCELLED");
      await client.writeAll(utf8Encode("12345"));
      await sleep(10);
      const exact = server.readExact(new Uint8Array(8));
      await sleep(10);
      assert.equal(exact.isDone(), false, "5 of 8 bytes: still waiting");
      exact.cancel();
      await client.writeAll(utf8Encode("678"));
      const all = new Uint8Array(8);
      assert.equal(await server.readExact(all), 8);
      assert.equal(text(all), "12345678", "the part readExact had read is read again");
      for (const s of [client, server]) s.close();
      listener.close();
    });
    rt.close();
  });

  it("sends nothing of a write cancelled before its result is taken; writeAll cancelled part way says what went", async function () {
    const rt = sim({ latency: 2, window: 4096 }, 64);
    await rt.run(async () => {
      const { listener, client, server } = await pair();
      const w = client.write(utf8Encode("lost"));
      assert.ok(w.isDone(), "room was reserved at once");
      assert.equal(w.cancel(), true);
      assert.equal(await client.write(utf8Encode("kept")), 4);
      await client.shutdown();
      assert.equal(await readN(server, 100), "kept", "the cancelled write's bytes never left");
      // writeAll into a peer that does not read: it stops; cancel it; the peer gets exactly `written`.
      const big = new Uint8Array(1 << 20);
      for (let i = 0; i < big.length; i++) big[i] = i & 255;
      const op = server.writeAll(big);
      await sleep(200);
      assert.equal(op.isDone(), false, "a peer that never reads stops the writer");
      const written = (op as unknown as { written: number }).written;
      assert.ok(written > 0 && written < big.length, "part of it went: " + written);
      op.cancel();
      const shut = server.shutdown(); // completes once the buffered part has gone out
      const got = new Uint8Array(big.length);
      let n = 0;
      for (;;) {
        const k = await client.read(got.subarray(n));
        if (k === 0) break;
        n += k;
      }
      await shut;
      assert.equal(n, written, "the peer received exactly the bytes writeAll reported");
      for (let i = 0; i < n; i++) if (got[i] !== (i & 255)) throw new Error("byte " + i + " differs");
      for (const s of [client, server]) s.close();
      listener.close();
    });
    rt.close();
  });

  it("loses no connection when an accept is cancelled, pending or after it took one", async function () {
    const rt = sim();
    await rt.run(async () => {
      const listener = await TcpListener.bind("127.0.0.1:0");
      const addr = listener.localAddr();
      const waiting = listener.accept();
      await sleep(1);
      waiting.cancel();
      const c1 = await TcpStream.connect(addr);
      await sleep(5);
      const took = listener.accept();
      assert.ok(took.isDone(), "a connection was pending: accepted at once");
      took.cancel();
      const s1 = await listener.accept();
      assert.equal(s1.peerAddr().port, c1.localAddr().port, "the next accept gets the handed-back connection");
      const sel = await select([listener.accept(), sleep(50)]);
      assert.equal(sel.index, 1, "no connection pending: the sleep wins and the accept is cancelled");
      const c2 = await TcpStream.connect(addr);
      const s2 = await listener.accept();
      assert.equal(s2.peerAddr().port, c2.localAddr().port);
      for (const s of [c1, s1, c2, s2]) s.close();
      listener.close();
    });
    assert.equal(rt.stats().buffers.live, 0);
    rt.close();
  });

  it("closes the half-open socket of a cancelled connect, and refuses with ERR_SOCKET ECONNREFUSED", async function () {
    const rt = sim({ latency: 20 });
    await rt.run(async () => {
      const listener = await TcpListener.bind("127.0.0.1:0");
      const addr = listener.localAddr();
      const c = TcpStream.connect(addr);
      await sleep(5);
      assert.equal(c.cancel(), true);
      assert.equal(rt.stats().buffers.live, 0, "the cancelled connect gave its buffer slot back");
      listener.close();
      const refused = TcpStream.connect(addr);
      const seen = track(refused);
      await outcome(refused);
      assert.equal(seen.error.code, "ERR_SOCKET");
      assert.equal(seen.error.hostCode, "ECONNREFUSED");
    });
    rt.close();
  });

  it("closes what a cancelled bind opened, so the port is free again (TCP and UDP)", async function () {
    const rt = sim({ latency: 3 });
    await rt.run(async () => {
      const tcp = TcpListener.bind("127.0.0.1:7001");
      const udp = UdpSocket.bind("127.0.0.1:7002");
      assert.equal(tcp.cancel(), true);
      assert.equal(udp.cancel(), true);
      assert.equal(await outcome(tcp), "ERR_CANCELLED");
      assert.equal(await outcome(udp), "ERR_CANCELLED");
      const tcpAgain = await TcpListener.bind("127.0.0.1:7001");
      const udpAgain = await UdpSocket.bind("127.0.0.1:7002");
      assert.equal(tcpAgain.localAddr().port, 7001);
      assert.equal(udpAgain.localAddr().port, 7002);
      tcpAgain.close();
      udpAgain.close();
    });
    rt.close();
  });

  it("bounds connections by the buffer pool: accept waits, connect fails ERR_POOL_EXHAUSTED, stats report", async function () {
    const rt = sim({}, 3);
    await rt.run(async () => {
      const listener = await TcpListener.bind("127.0.0.1:0");
      const addr = listener.localAddr();
      const c1 = await TcpStream.connect(addr);
      const s1 = await listener.accept();
      const c2 = await TcpStream.connect(addr);
      assert.deepEqual(rt.stats().buffers, { live: 3, peak: 3, capacity: 3 });
      const a = listener.accept();
      await sleep(20);
      assert.equal(a.isDone(), false, "the pool is full: accept waits, the connection stays in the backlog");
      assert.equal(await outcome(TcpStream.connect(addr)), "ERR_POOL_EXHAUSTED");
      c1.close();
      const s2 = await a;
      assert.equal(s2.peerAddr().port, c2.localAddr().port, "once a slot frees, the waiting connection is accepted");
      for (const s of [s1, c2, s2]) s.close();
      listener.close();
      assert.equal(rt.stats().buffers.live, 0);
    });
    rt.close();
  });

  it("fails pending and later ops with ERR_SOCKET ECONNRESET when the network resets the connection", async function () {
    const rt = sim({ latency: 2 });
    await rt.run(async () => {
      const { listener, client, server } = await pair();
      const r = track(server.read(new Uint8Array(8)));
      await sleep(5);
      assert.equal(rt.sim.net.reset(), 1, "one connection: both its ends fail");
      await sleep(5);
      assert.equal(r.error.code, "ERR_SOCKET");
      assert.equal(r.error.hostCode, "ECONNRESET");
      assert.equal(await outcome(client.write(new Uint8Array(1))), "ERR_SOCKET");
      client.close();
      server.close();
      listener.close();
    });
    rt.close();
  });

  it("stalls a stream across a partition and resumes it, every byte once and in order", async function () {
    const rt = sim({ latency: 2 });
    await rt.run(async () => {
      const { listener, client, server } = await pair();
      rt.sim.net.partition();
      const sending = client.writeAll(utf8Encode("through the storm"));
      const buf = new Uint8Array(64);
      const pending = server.read(buf);
      const r = track(pending);
      await sleep(500);
      assert.equal(r.done, false, "nothing crosses a partition");
      rt.sim.net.heal();
      await sending;
      const n = await pending;
      const rest = await readN(server, 17 - n);
      assert.equal(text(buf.subarray(0, n)) + rest, "through the storm");
      client.close();
      server.close();
      listener.close();
    });
    rt.close();
  });

  it("fails pending socket ops with ERR_CLOSED when the runtime closes", async function () {
    const rt = sim();
    let read: ReturnType<typeof track> | null = null;
    let accept: ReturnType<typeof track> | null = null;
    await rt.run(async () => {
      const { listener, server } = await pair();
      read = track(server.read(new Uint8Array(4)));
      accept = track(listener.accept());
    });
    rt.close();
    await settle(5);
    assert.equal(read!.error.code, "ERR_CLOSED");
    assert.equal(accept!.error.code, "ERR_CLOSED");
    assert.equal(rt.stats().buffers.live, 0);
  });
});

describe("lines and copy", function () {
  it("splits on \\n and \\r\\n, decodes UTF-8 across reads, and ends with a last unterminated line", async function () {
    const rt = sim({ mss: 3 });
    await rt.run(async () => {
      const { listener, client, server } = await pair();
      await client.writeAll(utf8Encode("alpha\r\nbéta ☃\n\nlast"));
      await client.shutdown();
      const got: string[] = [];
      const it = lines(server);
      for (;;) {
        const r = await it.next();
        if (r.done) break;
        got.push(r.value as string);
      }
      assert.deepEqual(got, ["alpha", "béta ☃", "", "last"]);
      assert.equal(rt.stats().buffers.live, 2, "the lines buffer went back at the end (the two streams keep theirs)");
      for (const s of [client, server]) s.close();
      listener.close();
    });
    rt.close();
  });

  it("hands a line taken by a cancelled next() out again", async function () {
    const rt = sim();
    await rt.run(async () => {
      const { listener, client, server } = await pair();
      await client.writeAll(utf8Encode("one\ntwo\nthree\n"));
      await sleep(10);
      const it = lines(server);
      assert.deepEqual(await it.next(), { value: "one", done: false });
      const second = it.next();
      assert.ok(second.isDone(), "the line was in the buffer");
      assert.equal(second.cancel(), true);
      assert.deepEqual(await it.next(), { value: "two", done: false });
      assert.deepEqual(await it.next(), { value: "three", done: false });
      await it.return();
      for (const s of [client, server]) s.close();
      listener.close();
    });
    rt.close();
  });

  it("copies every byte until end of stream and resolves with the count", async function () {
    const rt = sim({ latency: 1, mss: 500 });
    await rt.run(async () => {
      const { listener, client, server } = await pair();
      spawn(async () => {
        await copy(server, server); // an echo server in one line
        server.close();
      });
      const data = new Uint8Array(100000);
      for (let i = 0; i < data.length; i++) data[i] = (i * 13) & 255;
      const sending = client.writeAll(data).then(() => client.shutdown());
      const back = new Uint8Array(data.length);
      let n = 0;
      for (;;) {
        const k = await client.read(back.subarray(n));
        if (k === 0) break;
        n += k;
      }
      await sending;
      assert.equal(n, data.length);
      for (let i = 0; i < n; i++) if (back[i] !== data[i]) throw new Error("byte " + i + " differs");
      client.close();
      listener.close();
    });
    rt.close();
  });
});

describe("UdpSocket", function () {
  it("sends and receives datagrams with addresses; connect filters; a cancelled recv keeps its datagram", async function () {
    const rt = sim({ latency: 2 });
    await rt.run(async () => {
      const a = await UdpSocket.bind("127.0.0.1:0");
      const b = await UdpSocket.bind("127.0.0.1:0");
      const c = await UdpSocket.bind("127.0.0.1:0");
      await a.sendTo(utf8Encode("ping"), b.localAddr());
      await sleep(10);
      const buf = new Uint8Array(16);
      const early = b.recvFrom(buf);
      assert.ok(early.isDone());
      early.cancel();
      const r = await b.recvFrom(buf);
      assert.equal(text(buf.subarray(0, r.n)), "ping", "the cancelled receive's datagram comes again");
      assert.deepEqual(r.addr, a.localAddr());
      b.connect(a.localAddr());
      await c.sendTo(utf8Encode("stranger"), b.localAddr());
      await b.send(utf8Encode("pong"));
      await a.sendTo(utf8Encode("friend"), b.localAddr());
      const n = await b.recv(buf);
      assert.equal(text(buf.subarray(0, n)), "friend", "recv on a connected socket drops other senders");
      const back = await a.recvFrom(buf);
      assert.equal(text(buf.subarray(0, back.n)), "pong");
      const waiting = b.recvFrom(buf);
      assert.equal(await outcome(b.recvFrom(buf)), "ERR_BUSY");
      waiting.cancel();
      for (const s of [a, b, c]) s.close();
    });
    rt.close();
  });
});
