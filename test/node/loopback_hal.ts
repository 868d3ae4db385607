/**
 * An in-memory socket HAL (time from hal/node, sockets between its own handles): lets the
 * device runner's socket bridge be tested before a Node socket HAL exists, with exact bytes and
 * no real network. Events are delivered from setImmediate, never inside a call. Write credit
 * is unlimited; a read takes what has arrived.
 */
import { createNodeHal } from "../../hal/node/index";
import { EV_ACCEPTABLE, EV_READABLE, EV_WRITABLE, Hal, HalPeer, HalSink } from "../../src/io/hal";

interface Sock {
  hal: LoopbackHal;
  kind: "listener" | "tcp" | "udp";
  port: number;
  peer: number;
  inbox: Buffer[];
  ended: boolean;
  pending: number[];
  datagrams: { data: Buffer; from: HalPeer }[];
}

const socks: (Sock | null)[] = [];
const ports = new Map<number, number>();
let nextPort = 40_000;

export class LoopbackHal implements Hal {
  private readonly time = createNodeHal();
  private sink: HalSink | null = null;
  readonly caps = 7;

  setSink(sink: HalSink): void {
    this.sink = sink;
    this.time.setSink(sink);
  }
  now(): number {
    return this.time.now();
  }
  armTimer(ms: number): void {
    this.time.armTimer(ms);
  }
  cancelTimer(): void {
    this.time.cancelTimer();
  }
  wake(): void {
    this.time.wake();
  }

  private open(kind: Sock["kind"], port: number): number {
    const p = port || nextPort++;
    socks.push({ hal: this, kind, port: p, peer: -1, inbox: [], ended: false, pending: [], datagrams: [] });
    if (kind !== "tcp") ports.set(p, socks.length - 1);
    return socks.length - 1;
  }
  private emit(s: Sock, h: number, kind: number, arg: number): void {
    setImmediate(() => s.hal.sink?.(kind, h, arg));
  }

  tcpListen(_ip: string, port: number): number {
    return this.open("listener", port);
  }
  tcpConnect(_ip: string, port: number): number {
    const l = ports.get(port);
    const c = this.open("tcp", 0);
    const listener = l === undefined ? null : socks[l];
    if (!listener) throw new Error("nothing listens on " + port);
    const s = listener.hal.open("tcp", 0);
    socks[c]!.peer = s;
    socks[s]!.peer = c;
    listener.pending.push(s);
    this.emit(socks[c]!, c, EV_WRITABLE, 65536);
    this.emit(listener, l!, EV_ACCEPTABLE, listener.pending.length);
    return c;
  }
  tcpAccept(l: number): number {
    return socks[l]!.pending.shift() ?? -1;
  }
  localPort(h: number): number {
    return socks[h]!.port;
  }
  tcpWrite(h: number, buf: Uint8Array, off: number, len: number): number {
    const peer = socks[socks[h]!.peer]!;
    peer.inbox.push(Buffer.from(buf.subarray(off, off + len)));
    this.emit(peer, socks[h]!.peer, EV_READABLE, len);
    return len;
  }
  tcpRead(h: number, buf: Uint8Array, off: number, len: number): number {
    const s = socks[h]!;
    let n = 0;
    while (n < len && s.inbox.length > 0) {
      const chunk = s.inbox[0];
      const take = Math.min(chunk.length, len - n);
      buf.set(chunk.subarray(0, take), off + n);
      n += take;
      if (take === chunk.length) s.inbox.shift();
      else s.inbox[0] = chunk.subarray(take);
    }
    return n === 0 && s.ended ? -1 : n;
  }
  tcpShutdown(h: number): number {
    const peer = socks[socks[h]!.peer]!;
    peer.ended = true;
    this.emit(peer, socks[h]!.peer, EV_READABLE, 0);
    return 0;
  }
  tcpClose(h: number): void {
    socks[h] = null;
  }
  udpBind(_ip: string, port: number): number {
    return this.open("udp", port);
  }
  udpSend(h: number, buf: Uint8Array, off: number, len: number, _ip: string, port: number): number {
    const to = ports.get(port);
    const target = to === undefined ? null : socks[to];
    if (!target) return len;
    target.datagrams.push({ data: Buffer.from(buf.subarray(off, off + len)), from: { ip: "127.0.0.1", port: socks[h]!.port } });
    this.emit(target, to!, EV_READABLE, target.datagrams.length);
    return len;
  }
  udpRecv(h: number, buf: Uint8Array, off: number, len: number, from: HalPeer): number {
    const d = socks[h]!.datagrams.shift();
    if (!d) return -1;
    const n = Math.min(len, d.data.length);
    buf.set(d.data.subarray(0, n), off);
    from.ip = d.from.ip;
    from.port = d.from.port;
    return n;
  }
  udpClose(h: number): void {
    socks[h] = null;
  }
}
