/**
 * The kyoto echo server of the socket benchmarks, as a device script for `kyoto run`: the
 * kyoto server of net_servers.mjs (a task per connection running echo_loop.mjs with the
 * case's buffer size, no Nagle), so the device row differs from the Node row by the engine
 * and the host boundary only.
 *
 *   kyoto run --engine quickjs bench/lib/device_echo_server.mjs <bufSize>
 *
 * Prints "listening on 127.0.0.1:<port>" once it accepts.
 */
import { TcpListener, spawn } from "kyoto";
import { echo } from "./echo_loop.mjs";

const bufSize = Number(scriptArgs[1]);
const listener = await TcpListener.bind("127.0.0.1:0", { backlog: 4096 });
console.log("listening on 127.0.0.1:" + listener.localAddr().port);
for (;;) {
  const socket = await listener.accept();
  socket.setNoDelay(true);
  spawn(() => echo(socket, bufSize));
}
