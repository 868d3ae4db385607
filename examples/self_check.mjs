// The self-check `npm start` runs against the echo server: one kyoto client connects, sends
// a few lines, reads them back and compares. Resolves with a one-line report; rejects when a
// byte differs. Portable (no Node API), so the QuickJS device runner can reuse it.

import { TcpStream, now, utf8Decode, utf8Encode } from "kyoto";

/** @param {import("kyoto").AddrLike} addr */
export async function selfCheck(addr) {
  const started = now();
  const message = "hello from kyoto's own client\nbytes go round\n";
  const sent = utf8Encode(message);
  const stream = await TcpStream.connect(addr);
  try {
    await stream.writeAll(sent);
    const back = new Uint8Array(sent.length);
    await stream.readExact(back);
    const text = utf8Decode(back);
    if (text !== message) throw new Error("the echo differs: " + JSON.stringify(text));
    return sent.length + " bytes sent and echoed back in " + (now() - started) + " ms";
  } finally {
    stream.close();
  }
}
