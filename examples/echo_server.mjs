// The echo server from Tokio's README, line for line in kyoto — plus what `npm start` needs
// around it: where it listens, how to talk to it, a self-check client so you see bytes go
// round, and a clean stop on Ctrl-C.
//
//   npm start                        # builds, then runs this on Node
//   nc 127.0.0.1 8080                # type a line: it comes back
//   PORT=0 node examples/echo_server.mjs   # any free port
//
// It imports "kyoto", so the same file runs inside QuickJS through the device runner.

import { CancelSource, JoinSet, TcpListener, formatAddr } from "kyoto";
import { selfCheck } from "./self_check.mjs";

// The port: PORT in the environment on Node, or the first script argument on a device
// (`kyoto run examples/echo_server.mjs 0`); 0 picks a free one.
const env = typeof process !== "undefined" ? process.env : {};
const device = /** @type {{ scriptArgs?: string[] }} */ (/** @type {unknown} */ (globalThis));
const arg = device.scriptArgs ? device.scriptArgs[1] : undefined;
const given = env.PORT !== undefined && env.PORT !== "" ? env.PORT : arg;
const port = given !== undefined ? Number(given) : 8080;
const stop = new CancelSource();
const connections = new JoinSet();

const listener = await TcpListener.bind({ host: "127.0.0.1", port: port });
const addr = listener.localAddr();
console.log("kyoto echo server listening on " + formatAddr(addr));
console.log("talk to it:  nc " + addr.host + " " + addr.port + "   (type a line, it comes back; Ctrl-D ends)");
if (typeof process !== "undefined") {
  process.once("SIGINT", () => stop.cancel("Ctrl-C"));
  console.log("Ctrl-C stops it.");
}
selfCheck(addr).then(
  (report) => console.log("self-check: ok, " + report),
  (err) => console.error("self-check: FAILED:", err),
);

for (;;) {
  let socket;
  try {
    socket = await listener.accept({ signal: stop.signal });
  } catch (/** @type {any} */ e) {
    break; // stopped
  }

  connections.spawn(async ({ signal }) => {
    const buf = new Uint8Array(1024);

    // In a loop, read data from the socket and write the data back.
    try {
      for (;;) {
        let n;
        try {
          n = await socket.read(buf, { signal });
          // socket closed
          if (n === 0) return;
        } catch (/** @type {any} */ e) {
          if (e.code !== "ERR_CANCELLED") console.error("failed to read from socket; err =", e.code, e.hostCode);
          return;
        }

        // Write the data back
        try {
          await socket.writeAll(buf.subarray(0, n), { signal });
        } catch (/** @type {any} */ e) {
          if (e.code !== "ERR_CANCELLED") console.error("failed to write to socket; err =", e.code, e.hostCode);
          return;
        }
      }
    } finally {
      socket.close();
    }
  });
}

listener.close();
connections.abortAll();
console.log("stopped: the listener is closed and every connection with it");
