/**
 * The kyoto echo server of the socket benchmarks, as a device script for `kyoto run`: the same
 * loop as the kyoto server in net_servers.mjs (a task per connection, `read` into a buffer of
 * the case's size, `writeAll` back, no Nagle), so the device row differs from the Node row by
 * the engine and the host boundary only.
 *
 *   kyoto run --engine quickjs bench/lib/device_echo_server.mjs <bufSize>
 *
 * Prints "listening on 127.0.0.1:<port>" once it accepts.
 */
import { TcpListener, spawn } from "kyoto";

const bufSize = Number(scriptArgs[1]);
const listener = await TcpListener.bind("127.0.0.1:0", { backlog: 4096 });
console.log("listening on 127.0.0.1:" + listener.localAddr().port);
for (;;) {
  const socket = await listener.accept();
  socket.setNoDelay(true);
  spawn(async () => {
    const buf = new Uint8Array(bufSize);
    try {
      for (;;) {
        const n = await socket.read(buf);
        if (n === 0) break;
        await socket.writeAll(buf.subarray(0, n));
      }
    } catch (e) {
      // the client went away
    } finally {
      socket.close();
    }
  });
}
