// A kyoto echo client: connects, sends each argument as a line (or a greeting), half-closes,
// and prints everything the server sends back until it closes.
//
//   node examples/echo_client.mjs 127.0.0.1:8080 "first line" "second line"

import { TcpStream, lines, utf8Encode } from "kyoto";

const argv = typeof process !== "undefined" ? process.argv.slice(2) : [];
const addr = argv[0] || "127.0.0.1:8080";
const messages = argv.length > 1 ? argv.slice(1) : ["hello, echo server"];

const stream = await TcpStream.connect(addr);
console.log("connected to " + addr + " from port " + stream.localAddr().port);
for (const m of messages) await stream.writeAll(utf8Encode(m + "\n"));
await stream.shutdown(); // FIN: the server sees end of stream after our lines

for await (const line of lines(stream)) console.log("echo: " + line);
stream.close();
