import net from "node:net";
import { createHash, randomBytes } from "node:crypto";
import { assert } from "../assert";
import { createNodeHal, NodeHal, SEND_WINDOW } from "../../hal/node/index";
import { createRuntime, Runtime, spawn } from "../../src/runtime/runtime";
import { sleep } from "../../src/time/sleep";
import { TcpListener } from "../../src/net/tcp_listener";
import { TcpStream } from "../../src/net/tcp_stream";

/** A kyoto echo server on 127.0.0.1 (the Tokio README's loop); resolves its port. */
async function echoServer(rt: Runtime, listeners: TcpListener[]): Promise<number> {
  return rt.run(async () => {
    const listener = await TcpListener.bind("127.0.0.1:0");
    listeners.push(listener);
    spawn(async () => {
      for (;;) {
        let socket: TcpStream;
        try {
          socket = await listener.accept();
        } catch (_err) {
          return; // closed
        }
        spawn(async () => {
          const buf = new Uint8Array(65536);
          try {
            for (;;) {
              const n = await socket.read(buf);
              if (n === 0) break;
              await socket.writeAll(buf.subarray(0, n));
            }
          } finally {
            socket.close();
          }
        });
      }
    });
    return listener.localAddr().port;
  });
}

/** Runs `fn` while the runtime serves (its run() active, so deliveries use its budget). */
function serving<T>(rt: Runtime, fn: () => Promise<T>): Promise<T> {
  return rt.run(fn);
}

describe("net on Node (real loopback sockets)", function () {
  this.timeout(60000);
  let rt: Runtime;
  let hal: NodeHal;
  const listeners: TcpListener[] = [];

  beforeEach(function () {
    hal = createNodeHal();
    rt = createRuntime({ hal: hal });
  });

  afterEach(function () {
    rt.close();
  });

  it("echoes to a plain node:net client (not kyoto)", async function () {
    const port = await echoServer(rt, listeners);
    const reply = await serving(rt, () => new Promise<string>((resolve, reject) => {
      const c = net.connect(port, "127.0.0.1", () => c.end("hello from node:net\n"));
      let got = "";
      c.on("data", (d) => (got += d.toString()));
      c.on("end", () => resolve(got));
      c.on("error", reject);
    }));
    assert.equal(reply, "hello from node:net\n");
  });

  it("serves 1,000 concurrent connections, every reply intact", async function () {
    const port = await echoServer(rt, listeners);
    const count = 1000;
    const replies = await serving(rt, () => {
      const all: Array<Promise<boolean>> = [];
      for (let i = 0; i < count; i++) {
        all.push(new Promise<boolean>((resolve, reject) => {
          const msg = "connection " + i + " " + "x".repeat(i % 200) + "\n";
          const c = net.connect(port, "127.0.0.1", () => c.end(msg));
          let got = "";
          c.on("data", (d) => (got += d.toString()));
          c.on("end", () => resolve(got === msg));
          c.on("error", reject);
        }));
      }
      return Promise.all(all);
    });
    assert.equal(replies.filter((ok) => ok).length, count);
    assert.ok(rt.stats().buffers.peak >= 2, "connections held buffer slots");
    await serving(rt, () => sleep(50));
    assert.equal(rt.stats().buffers.live, 0, "every connection gave its slot back");
  });

  it("cannot grow the server's memory past its buffers when a client never reads", async function () {
    const big = new Uint8Array(64 * 1048576);
    const result = await serving(rt, async () => {
      const listener = await TcpListener.bind("127.0.0.1:0");
      const client = net.connect(listener.localAddr().port, "127.0.0.1");
      client.pause(); // never reads
      const s = await listener.accept();
      const op = s.writeAll(big);
      await sleep(500);
      const written1 = (op as unknown as { written: number }).written;
      await sleep(300);
      const written2 = (op as unknown as { written: number }).written;
      const held = hal.heldBytes((s as unknown as { h: number }).h);
      const done = op.isDone();
      op.cancel();
      s.close();
      listener.close();
      client.destroy();
      return { written1, written2, held, done };
    });
    assert.equal(result.done, false, "the 64 MiB write is still waiting");
    assert.equal(result.written2, result.written1, "and has stopped moving");
    assert.ok(result.written1 < 24 * 1048576, "what went is bounded by the kernel's socket buffers: " + result.written1);
    assert.ok(result.held <= SEND_WINDOW, "the adapter holds at most its send window: " + result.held);
    assert.equal(rt.stats().buffers.peak, 1, "one buffer slot for the one stream");
  });

  it("sends 100 MB from a node:net client through the echo server and gets it back intact (SHA-256)", async function () {
    const port = await echoServer(rt, listeners);
    const total = 100 * 1000 * 1000;
    const chunk = randomBytes(1 << 20);
    const sent = createHash("sha256");
    const got = createHash("sha256");
    const result = await serving(rt, () => new Promise<{ bytes: number }>((resolve, reject) => {
      let received = 0;
      const c = net.connect(port, "127.0.0.1", () => {
        let left = total;
        const pump = () => {
          while (left > 0) {
            const n = Math.min(left, chunk.length);
            const piece = n === chunk.length ? chunk : chunk.subarray(0, n);
            sent.update(piece);
            left -= n;
            if (!c.write(piece)) {
              c.once("drain", pump);
              return;
            }
          }
          c.end();
        };
        pump();
      });
      c.on("data", (d) => {
        received += d.length;
        got.update(d);
      });
      c.on("end", () => resolve({ bytes: received }));
      c.on("error", reject);
    }));
    assert.equal(result.bytes, total);
    assert.equal(got.digest("hex"), sent.digest("hex"));
  });
});
