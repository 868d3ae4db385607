/**
 * The Espruino HAL with TCP and UDP: hal/espruino/tcp.ts (time and TCP on `require("net")`)
 * plus UDP on `require("dgram")`. Datagrams cross as 8-bit strings like TCP's bytes; `send`
 * has no result and no flow control there, so a datagram is taken whole or refused. Received
 * datagrams queue with their senders until `udpRecv` takes them.
 */

import { E_INVAL, E_NOSOCKETS, EV_READABLE, EV_WRITABLE, HAL_NONE, HalPeer, NetHal } from "../../src/io/hal";
import { espruinoHost } from "./index";
import {
  EspruinoDgram,
  espruinoError,
  EspruinoHalOptions,
  EspruinoTcpSockets,
  EspruinoUdpSocket,
  Emitter,
  Entry,
  UDP,
} from "./tcp";

export { createEspruinoTcpHal, espruinoError } from "./tcp";
export type { EspruinoDgram, EspruinoHalOptions, EspruinoNet, EspruinoServer, EspruinoSocket, EspruinoUdpSocket } from "./tcp";

/** The Espruino HAL with TCP and UDP (failing with E_NOSOCKETS where the host has no "net"/"dgram"). Allocates: per socket. */
export function createEspruinoNetHal(options?: EspruinoHalOptions): NetHal {
  return new EspruinoNetSockets(espruinoHost(options && options.host), options);
}


/** TCP on `net` and UDP on `dgram`. */
class EspruinoNetSockets extends EspruinoTcpSockets {
  udpBind(ip: string, port: number): number {
    const dgram = this.module<EspruinoDgram>("dgram");
    if (dgram === null) return E_NOSOCKETS;
    const entry = new Entry(UDP);
    entry.ip = ip;
    entry.port = this.listenPort(port);
    const h = this.add(entry);
    const self = this;
    try {
      const sock = dgram.createSocket("udp4");
      entry.udp = sock;
      sock.on("error", this.onError(h, entry));
      sock.bind(entry.port, function (res: Emitter) {
        if (!self.holds(h, entry)) return;
        res.on("message", function (msg: string, rinfo: { address: string; port: number }) {
          if (!self.holds(h, entry)) return;
          entry.received.push(msg);
          entry.origins.push({ ip: rinfo.address, port: rinfo.port });
          if (entry.received.length === 1) self.emit(EV_READABLE, h, 1);
        });
        self.emit(EV_WRITABLE, h, self.creditSize);
      });
    } catch (err) {
      this.free(h);
      return espruinoError(err);
    }
    return h;
  }

  udpSend(h: number, buf: Uint8Array, off: number, len: number, ip: string, port: number): number {
    const entry = this.get(h, UDP);
    if (entry === null) return E_INVAL;
    if (entry.errorCode !== 0) return entry.errorCode;
    (entry.udp as EspruinoUdpSocket).send(this.toText(buf, off, len), 0, len, port, ip);
    return len;
  }

  udpRecv(h: number, buf: Uint8Array, off: number, len: number, from: HalPeer): number {
    const entry = this.get(h, UDP);
    if (entry === null) return E_INVAL;
    if (entry.errorCode !== 0) return entry.errorCode;
    const msg = entry.received.shift();
    const peer = entry.origins.shift();
    if (msg === undefined || peer === undefined) return HAL_NONE;
    const n = Math.min(len, msg.length);
    this.copyIn(msg.substr(0, n), buf, off);
    from.ip = peer.ip;
    from.port = peer.port;
    return n;
  }

  udpClose(h: number): void {
    const entry = this.get(h, UDP);
    if (entry === null) return;
    this.free(h);
    (entry.udp as EspruinoUdpSocket).close();
  }
}
