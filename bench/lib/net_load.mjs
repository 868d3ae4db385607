/**
 * The load generator of the socket benchmarks: plain `node:net` clients in a process of their
 * own (so the server under test has the event loop to itself), driven the same way for the
 * kyoto server and for the raw node:net server. Prints one `@@LOAD {json}` line.
 *
 *   node bench/lib/net_load.mjs stream   <port> <seconds> <writeSize>     one connection, pipelined writes
 *   node bench/lib/net_load.mjs pingpong <port> <seconds> <conns> <size>  each connection: send, await echo, repeat
 *   node bench/lib/net_load.mjs churn    <port> <count> <concurrency>     connect, send 1 byte, await it, close
 *   node bench/lib/net_load.mjs idle     <port> <count>                   open and hold; exits when stdin closes
 *
 * Everything connects to 127.0.0.1 only.
 */
import net from "node:net";
import { performance } from "node:perf_hooks";

const [mode, portArg, a, b, c] = process.argv.slice(2);
const port = Number(portArg);
const HOST = "127.0.0.1";

function report(result) {
  process.stdout.write("@@LOAD " + JSON.stringify(result) + "\n");
}

function connect() {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: HOST, noDelay: true }, () => resolve(s));
    s.once("error", reject);
  });
}

async function stream(seconds, size) {
  const s = await connect();
  const chunk = Buffer.alloc(size, 7);
  const window = 4 * 1048576;
  let sent = 0;
  let received = 0;
  let stop = false;
  const t0 = performance.now();
  let draining = false;
  await new Promise((resolve) => {
    const pump = () => {
      if (draining) return;
      while (!stop && sent - received < window) {
        sent += size;
        if (!s.write(chunk)) {
          draining = true;
          s.once("drain", () => {
            draining = false;
            pump();
          });
          return;
        }
      }
    };
    s.on("data", (d) => {
      received += d.length;
      if (!stop && performance.now() - t0 > seconds * 1000) {
        stop = true;
        s.end();
      }
      if (!stop) pump();
    });
    s.on("end", resolve);
    s.on("close", resolve);
    pump();
  });
  const ms = performance.now() - t0;
  report({ bytesPerSec: (received / ms) * 1000, bytes: received, ms });
  s.destroy();
}

async function pingpong(seconds, conns, size) {
  const sockets = [];
  for (let i = 0; i < conns; i++) sockets.push(await connect());
  const msg = Buffer.alloc(size, 3);
  let messages = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise((resolve) => {
          let got = 0;
          s.on("data", (d) => {
            got += d.length;
            while (got >= size) {
              got -= size;
              messages++;
              if (performance.now() > deadline) {
                s.end();
                resolve();
                return;
              }
              s.write(msg);
            }
          });
          s.on("error", resolve);
          s.write(msg);
        }),
    ),
  );
  const ms = performance.now() - t0;
  report({ messagesPerSec: (messages / ms) * 1000, bytesPerSec: ((messages * size) / ms) * 1000, messages, ms });
  for (const s of sockets) s.destroy();
}

async function churn(count, concurrency) {
  let started = 0;
  let done = 0;
  let failed = 0;
  const t0 = performance.now();
  const one = () =>
    new Promise((resolve) => {
      const s = net.connect({ port, host: HOST }, () => s.end("x"));
      s.on("data", () => {});
      s.on("error", () => {
        failed++;
        resolve();
      });
      s.on("close", resolve);
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < count) {
        started++;
        await one();
        done++;
      }
    }),
  );
  const ms = performance.now() - t0;
  report({ connsPerSec: (done / ms) * 1000, done, failed, ms });
}

async function idle(count) {
  const sockets = [];
  for (let i = 0; i < count; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(count, i + 100); j++) batch.push(connect());
    sockets.push(...(await Promise.all(batch)));
  }
  // Every connection has sent one byte and had it echoed: the server has seen it live.
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise((resolve) => {
          s.once("data", resolve);
          s.write("x");
        }),
    ),
  );
  report({ open: sockets.length });
  process.stdin.on("data", () => {});
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
}

if (mode === "stream") await stream(Number(a), Number(b));
else if (mode === "pingpong") await pingpong(Number(a), Number(b), Number(c));
else if (mode === "churn") await churn(Number(a), Number(b));
else if (mode === "idle") await idle(Number(a));
else {
  process.stderr.write("unknown mode " + mode + "\n");
  process.exit(2);
}
if (mode !== "idle") process.exit(0);
