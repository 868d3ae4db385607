// UDP ping-pong on 127.0.0.1: a responder answers every datagram, a pinger sends five and
// times each round trip, giving up on one after 500 ms (timeout cancels the receive; a late
// reply stays queued and is skipped by its sequence number).
//
//   node examples/udp_ping.mjs

import { UdpSocket, formatAddr, now, spawn, timeout, utf8Decode, utf8Encode } from "kyoto";

const responder = await UdpSocket.bind("127.0.0.1:0");
const pinger = await UdpSocket.bind("127.0.0.1:0");
console.log("responder on " + formatAddr(responder.localAddr()) + ", pinger on " + formatAddr(pinger.localAddr()));

const serving = spawn(async ({ signal }) => {
  const buf = new Uint8Array(512);
  for (;;) {
    const { n, addr } = await responder.recvFrom(buf, { signal });
    await responder.sendTo(utf8Encode("pong " + utf8Decode(buf, 0, n).slice(5)), addr, { signal });
  }
});

pinger.connect(responder.localAddr());
const buf = new Uint8Array(512);
for (let seq = 1; seq <= 5; seq++) {
  const sent = now();
  await pinger.send(utf8Encode("ping " + seq));
  try {
    for (;;) {
      const n = await timeout(500, pinger.recv(buf));
      if (utf8Decode(buf, 0, n) === "pong " + seq) break;
    }
    console.log("ping " + seq + ": pong in " + (now() - sent) + " ms");
  } catch (/** @type {any} */ err) {
    console.log("ping " + seq + ": " + err.code);
  }
}

serving.abort();
pinger.close();
responder.close();
