/**
 * The servers the socket benchmarks measure, on 127.0.0.1 port 0, and the way to drive the
 * load generator (`net_load.mjs`, a process of its own) against them.
 *
 * - kyoto: the Tokio README echo loop (`read` into a per-connection buffer, `writeAll` back)
 *   in a task per connection, on a runtime whose `run()` is active for the whole measurement
 *   (its budget applies); `kyoto:then-loop` runs the same loop as a then-chain, no task.
 * - node:net: `socket.on("data", d => socket.write(d))` with back-pressure, the plain way.
 * - kyoto run quickjs / quickjs-ng: the kyoto loop above, with the same buffer size, inside the
 *   device runner (device_echo_server.mjs in a child process: the guest's sockets are served
 *   by that Node process, as on a device).
 */
import net from "node:net";
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { echo } from "./echo_loop.mjs";
import { loadKyoto } from "./env.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

/** Starts the load generator; resolves its `@@LOAD` result (and gives the child for idle runs). */
export function load(args, onChild) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(here, "net_load.mjs"), ...args.map(String)], { stdio: ["pipe", "pipe", "inherit"] });
    if (onChild) onChild(child);
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/@@LOAD (.*)\n/);
      if (m) resolve(JSON.parse(m[1]));
    });
    child.on("exit", (code) => {
      if (!/@@LOAD/.test(out)) reject(new Error("load generator exited " + code));
    });
  });
}

/** Runs `measure(port)` against the chosen server; resolves what `measure` returns. */
export async function withServer(lib, options, measure) {
  const bufSize = options.bufSize || 65536;
  if (lib === "node:net") {
    const server = net.createServer({ noDelay: true }, (s) => {
      s.on("data", (d) => {
        if (!s.write(d)) {
          s.pause();
          s.once("drain", () => s.resume());
        }
      });
      s.on("end", () => s.end());
      s.on("error", () => {});
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    try {
      return await measure(server.address().port, server);
    } finally {
      server.close();
    }
  }
  if (lib.startsWith("kyoto run ")) return withDeviceServer(lib.slice("kyoto run ".length), bufSize, measure);
  const k = await loadKyoto();
  const rt = k.createRuntime({ maxBuffers: options.maxBuffers || 16384 });
  try {
    return await rt.run(async () => {
      const listener = await k.TcpListener.bind("127.0.0.1:0", { backlog: 4096 });
      const serving = k.spawn(async () => {
        for (;;) {
          let socket;
          try {
            socket = await listener.accept();
          } catch (e) {
            return;
          }
          socket.setNoDelay(true);
          if (lib === "kyoto:then-loop") {
            // The same loop as a chain of then-callbacks: no task per connection.
            const buf = new Uint8Array(bufSize);
            const next = () =>
              socket.read(buf).then(
                (n) => (n === 0 ? socket.close() : socket.writeAll(buf.subarray(0, n)).then(next, () => socket.close())),
                () => socket.close(),
              );
            next();
            continue;
          }
          k.spawn(() => echo(socket, bufSize));
        }
      });
      try {
        return await measure(listener.localAddr().port, rt);
      } finally {
        listener.close();
        serving.abort();
      }
    });
  } finally {
    rt.close();
  }
}

/** The kyoto echo loop inside `kyoto run --engine <engine>`, on a free port. */
async function withDeviceServer(engine, bufSize, measure) {
  const root = path.resolve(here, "../..");
  const script = path.join(here, "device_echo_server.mjs");
  const args = [path.join(root, "bin/kyoto.js"), "run", "--engine", engine, "--memory", "8m", script, bufSize];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  try {
    const port = await new Promise((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
        const m = out.match(/listening on 127\.0\.0\.1:(\d+)/);
        if (m) resolve(Number(m[1]));
      });
      exited.then((code) => reject(new Error("kyoto run exited " + code + " before listening")));
    });
    return await measure(port);
  } finally {
    child.kill("SIGINT");
    await exited;
  }
}
