/**
 * The echo loop of the kyoto servers in the socket benchmarks, on Node (net_servers.mjs) and
 * inside `kyoto run` (device_echo_server.mjs): `read` into a buffer of the case's size,
 * `writeAll` it back, until the peer ends. It touches the socket only, so it imports nothing.
 */
export async function echo(socket, bufSize) {
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
}
