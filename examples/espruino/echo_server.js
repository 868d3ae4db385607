// The TCP echo server for Espruino: every byte a client sends comes back. One task accepts,
// one task per connection reads into a 256-byte buffer and writes it back; a client that
// stops reading stops its own task (writeAll waits for write credit), not the others.
//
// It needs the socket classes of kyoto's net layer (TcpListener, TcpStream): build it with
//   npx kyoto build --target espruino examples/espruino/echo_server.js -o echo.espruino.js
// and upload it to the board's Storage (examples/espruino/README.md). Espruino's
// `listen(port)` takes no address: on the board the server listens on every interface.

import { TcpListener, spawn } from "kyoto";

const PORT = 8080;

async function serve(socket) {
  const buf = new Uint8Array(256);
  try {
    for (;;) {
      const n = await socket.read(buf);
      if (n === 0) return; // the client closed its side
      await socket.writeAll(buf.subarray(0, n));
    }
  } catch (err) {
    print("connection ended: " + err.code);
  } finally {
    socket.close();
  }
}

spawn(async () => {
  const listener = await TcpListener.bind({ host: "127.0.0.1", port: PORT });
  print("echo server on port " + PORT);
  for (;;) {
    const socket = await listener.accept();
    spawn(() => serve(socket));
  }
});
