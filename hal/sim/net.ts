/**
 * SimNet: the simulated HAL's in-memory network — the `SocketHal` contract over hosts and
 * links with seeded latency, jitter, bandwidth, loss, reordering, duplication, partitions
 * and resets. Same seed, same run: every random choice comes from the sim's seeded PRNG and
 * every future event sits in one agenda ordered by (virtual time, insertion order).
 *
 * @example
 * const rt = createSimRuntime({ seed: 7, net: { latency: 2, jitter: 3, loss: 0.05, reorder: 0.1 } });
 * rt.sim.net.partition();           // cut every link: TCP stalls (retransmits), UDP is lost
 * rt.sim.net.heal();                // TCP resumes where it stopped
 *
 * TCP is modelled as TCP: byte sequence numbers, cumulative acknowledgements, a receive
 * window, go-back-N retransmission on a timeout with exponential backoff, SYN and FIN
 * retransmitted like data. The link may lose, delay, reorder and duplicate segments; the
 * receiver keeps only the next in-order segment, so the reader sees exactly the bytes the
 * writer's `tcpWrite` took, in order, once — or an error: a reset (`E_RESET`, injected with
 * `reset(…)` or the `resetRate` option) or a peer silent for `maxRetries` timeouts
 * (`E_TIMEDOUT`). A partition shorter than that only stalls the stream.
 *
 * Implementation notes:
 * - Nothing here calls the sink. Network work produces HAL events into a FIFO that the sim's
 *   pump delivers one at a time from its own host callback (no re-entrant events). An event
 *   remembers the endpoint it was for; if that handle was closed (or reused) by delivery time
 *   it is dropped.
 * - Send side of an endpoint: `snd` holds the bytes from `sndUna` (oldest unacknowledged) to
 *   `sndEnd` (next byte to be taken); credit = window − (sndEnd − sndUna). FIN takes the
 *   sequence number `sndEnd` once shut down.
 * - Receive side: `rcv[0…rcvLen)` are bytes received in order and not yet read; `rcvNxt` is
 *   the next sequence number expected. Everything else is dropped and re-acknowledged.
 * - A closed endpoint (`h === -1`) keeps sending what was taken, then FIN (graceful close);
 *   data arriving for it is answered with a reset, as a kernel does for a closed socket.
 */

import {
  E_ADDRINUSE,
  E_INVAL,
  E_PIPE,
  E_REFUSED,
  E_RESET,
  E_TIMEDOUT,
  EV_ACCEPTABLE,
  EV_ERROR,
  EV_READABLE,
  EV_WRITABLE,
  HAL_NONE,
  HalPeer,
  SocketHal,
} from "../../src/io/hal";
import { SimNetOptions } from "../../src/sim";
import { copyOf, moveToFront } from "../../src/io/buffers";
import { Agenda, AgendaItem } from "./agenda";

/** What SimNet needs from the sim: its clock, its PRNG and a way to ask for a pump. */
export interface SimClock {
  now(): number;
  random(): number;
  poke(): void;
}

const CONNECTING = 0;
const OPEN = 1;
const FAILED = 2;

const SEG_SYN = 1;
const SEG_SYNACK = 2;
const SEG_DATA = 3;
const SEG_ACK = 4;
const SEG_RST = 5;

class TcpEnd {
  h: number;
  state = CONNECTING;
  error = 0;
  peer: TcpEnd | null = null;
  localIp: string;
  localPort: number;
  remoteIp: string;
  remotePort: number;
  // send side
  snd: Uint8Array;
  sndUna = 0;
  sndNxt = 0;
  sndEnd = 0;
  shut = false;
  peerWnd: number;
  wantWrite = false;
  rtoGen = 0;
  rtoArmed = false;
  retries = 0;
  // receive side
  rcv: Uint8Array;
  rcvLen = 0;
  rcvNxt = 0;
  finRcvd = false;
  wantRead = true;
  /** The handle was closed (h is then -1); not-yet-accepted ends have h -1 too. */
  closed = false;
  constructor(h: number, window: number, localIp: string, localPort: number, remoteIp: string, remotePort: number) {
    this.h = h;
    this.snd = new Uint8Array(window);
    this.rcv = new Uint8Array(window);
    this.peerWnd = window;
    this.localIp = localIp;
    this.localPort = localPort;
    this.remoteIp = remoteIp;
    this.remotePort = remotePort;
  }
}

class Listener {
  queue: TcpEnd[] = [];
  ready = false;
  constructor(
    public h: number,
    readonly ip: string,
    readonly port: number,
    readonly backlog: number,
  ) {}
}

class UdpEnd {
  queue: Array<{ data: Uint8Array; ip: string; port: number }> = [];
  constructor(
    public h: number,
    readonly ip: string,
    readonly port: number,
  ) {}
}

type Entry = TcpEnd | Listener | UdpEnd;

/** A packet in flight; it is also the agenda item that delivers it. */
class Packet implements AgendaItem {
  at = 0;
  order = 0;
  constructor(
    private readonly net: SimNet,
    readonly kind: number,
    readonly from: TcpEnd | UdpEnd,
    readonly toIp: string,
    readonly toPort: number,
    readonly seq: number,
    readonly data: Uint8Array | null,
    readonly fin: boolean,
    readonly wnd: number,
  ) {}
  run(): void {
    this.net.arrive(this);
  }
}

/** A retransmission timer; stale once its endpoint re-armed (generation moved on). */
class Rto implements AgendaItem {
  at = 0;
  order = 0;
  constructor(
    private readonly net: SimNet,
    readonly end: TcpEnd,
    readonly gen: number,
  ) {}
  run(): void {
    if (this.end.rtoGen === this.gen) this.net.timeout(this.end);
  }
}

export class SimNet implements SocketHal {
  private readonly o: Required<SimNetOptions>;
  private readonly entries: Array<Entry | null> = [];
  private readonly free: number[] = [];
  private readonly listeners: { [addr: string]: Listener } = {};
  private readonly udps: { [addr: string]: UdpEnd } = {};
  private readonly agenda = new Agenda();
  /** Link busy-until times per "src>dst" (bandwidth). */
  private readonly busy: { [link: string]: number } = {};
  private cuts: string[] = [];
  private nextPort = 49152;
  // The event FIFO: kind, handle, arg, entry.
  private readonly evKind: number[] = [];
  private readonly evHandle: number[] = [];
  private readonly evArg: number[] = [];
  private readonly evEntry: Entry[] = [];
  private evHead = 0;
  private readonly log: string[] | null;
  /** Packets lost to loss, partitions or a full window so far. */
  dropped = 0;
  /** Connections reset by the network (injected resets) so far. */
  resets = 0;

  constructor(
    private readonly clock: SimClock,
    options?: SimNetOptions,
  ) {
    const o = options || {};
    this.o = {
      latency: num(o.latency, 1),
      jitter: num(o.jitter, 0),
      bandwidth: num(o.bandwidth, 0),
      loss: num(o.loss, 0),
      reorder: num(o.reorder, 0),
      duplicate: num(o.duplicate, 0),
      resetRate: num(o.resetRate, 0),
      mss: num(o.mss, 1460),
      window: num(o.window, 65536),
      rto: num(o.rto, 20),
      maxRetries: num(o.maxRetries, 12),
      udpQueue: num(o.udpQueue, 64),
      hostIp: o.hostIp || "127.0.0.1",
      trace: !!o.trace,
    };
    this.log = this.o.trace ? [] : null;
  }

  // ---- control (tests) ----

  /** Cuts the links between `a` and `b` (both directions); no argument cuts every link, one argument every link of host `a`. */
  partition(a?: string, b?: string): void {
    this.cuts.push((a || "*") + "|" + (b || "*"));
    this.trace("partition " + (a || "*") + " " + (b || "*"));
  }

  /** Restores every link. */
  heal(): void {
    this.cuts = [];
    this.trace("heal");
    this.clock.poke();
  }

  /** Resets every open connection with an endpoint at `ip` (default: all). Returns how many. */
  reset(ip?: string): number {
    let n = 0;
    for (let h = 0; h < this.entries.length; h++) {
      const e = this.entries[h];
      if (e instanceof TcpEnd && e.state !== FAILED && (ip === undefined || e.localIp === ip || e.remoteIp === ip)) {
        this.abort(e);
        n++;
      }
    }
    return n;
  }

  /** The transcript (with `trace: true`): one line per packet and event, for replay comparisons. */
  transcript(): string {
    return this.log === null ? "" : this.log.join("\n");
  }

  // ---- what the sim's pump uses ----

  /** The earliest agenda time, or -1. */
  nextTime(): number {
    return this.agenda.nextTime();
  }

  /** Runs every agenda item due at `now`. */
  runDue(now: number): void {
    while (this.agenda.length > 0 && this.agenda.nextTime() <= now) this.agenda.pop().run();
  }

  /** True when events wait for delivery. */
  hasEvents(): boolean {
    return this.evHead < this.evKind.length;
  }

  /** Delivers the next event whose handle is still the one it was for (returns false when none). */
  deliverOne(sink: (kind: number, h: number, arg: number) => void): boolean {
    while (this.evHead < this.evKind.length) {
      const i = this.evHead++;
      const kind = this.evKind[i];
      const h = this.evHandle[i];
      const arg = this.evArg[i];
      const e = this.evEntry[i];
      if (this.evHead === this.evKind.length) {
        this.evKind.length = this.evHandle.length = this.evArg.length = this.evEntry.length = 0;
        this.evHead = 0;
      }
      if (this.entries[h] !== e || e.h !== h) continue;
      if (this.log !== null) this.trace("event " + kind + " h" + h + " " + arg);
      sink(kind, h, arg);
      return true;
    }
    return false;
  }

  // ---- SocketHal: TCP ----

  tcpConnect(ip: string, port: number, _noDelay: boolean): number {
    if (!validIp(ip) || !validPort(port) || port === 0) return E_INVAL;
    const end = new TcpEnd(-1, this.o.window, this.o.hostIp, this.ephemeral(), ip, port);
    end.h = this.add(end);
    this.send(end, SEG_SYN, 0, null, false);
    this.armRto(end);
    return end.h;
  }

  tcpListen(ip: string, port: number, backlog: number): number {
    if (!validIp(ip) || !validPort(port)) return E_INVAL;
    const p = port === 0 ? this.ephemeral() : port;
    const l = new Listener(-1, ip, p, backlog > 0 ? backlog : 128);
    l.h = this.add(l);
    if (this.listeners[ip + ":" + p] !== undefined) {
      this.event(l, EV_ERROR, E_ADDRINUSE);
      return l.h;
    }
    this.listeners[ip + ":" + p] = l;
    l.ready = true;
    this.event(l, EV_WRITABLE, 0);
    return l.h;
  }

  tcpAccept(listener: number): number {
    const l = this.entries[listener];
    if (!(l instanceof Listener)) return E_INVAL;
    const end = l.queue.shift();
    if (end === undefined) return HAL_NONE;
    end.h = this.add(end);
    return end.h;
  }

  tcpRead(h: number, buf: Uint8Array, off: number, len: number): number {
    const e = this.entries[h];
    if (!(e instanceof TcpEnd)) return E_INVAL;
    if (e.state === FAILED) return e.error;
    if (e.rcvLen === 0) {
      e.wantRead = true;
      return e.finRcvd ? HAL_NONE : 0;
    }
    const n = len < e.rcvLen ? len : e.rcvLen;
    if (n <= 0) return 0;
    const room = e.rcv.length - e.rcvLen;
    buf.set(e.rcv.subarray(0, n), off);
    moveToFront(e.rcv, n, e.rcvLen);
    e.rcvLen -= n;
    if (room < this.o.mss && e.peer !== null) this.send(e, SEG_ACK, 0, null, false); // window update
    return n;
  }

  tcpWrite(h: number, buf: Uint8Array, off: number, len: number): number {
    const e = this.entries[h];
    if (!(e instanceof TcpEnd)) return E_INVAL;
    if (e.state === FAILED) return e.error;
    if (e.shut) return E_PIPE;
    const credit = e.snd.length - (e.sndEnd - e.sndUna);
    const n = len < credit ? len : credit;
    if (n < len) e.wantWrite = true;
    if (n <= 0) return 0;
    e.snd.set(buf.subarray(off, off + n), e.sndEnd - e.sndUna);
    e.sndEnd += n;
    this.pushData(e);
    return n;
  }

  tcpShutdown(h: number): number {
    const e = this.entries[h];
    if (!(e instanceof TcpEnd)) return E_INVAL;
    if (e.state === FAILED) return e.error;
    if (!e.shut) {
      e.shut = true;
      this.pushData(e);
    }
    return 0;
  }

  tcpSetNoDelay(_h: number, _on: boolean): void {
    // Segments leave as soon as the window allows: there is no Nagle delay to switch off.
  }

  tcpClose(h: number): void {
    const e = this.entries[h];
    if (e instanceof Listener) {
      this.release(h);
      e.h = -1;
      if (this.listeners[e.ip + ":" + e.port] === e) delete this.listeners[e.ip + ":" + e.port];
      for (let i = 0; i < e.queue.length; i++) this.abortEnd(e.queue[i], true);
      e.queue.length = 0;
      return;
    }
    if (!(e instanceof TcpEnd)) return;
    this.release(h);
    e.h = -1;
    e.closed = true;
    if (e.state === FAILED) return;
    if (e.rcvLen > 0 || e.state === CONNECTING) {
      this.abortEnd(e, true);
      return;
    }
    e.wantWrite = false;
    if (!e.shut) {
      e.shut = true;
      this.pushData(e);
    }
  }

  // ---- SocketHal: UDP ----

  udpBind(ip: string, port: number): number {
    if (!validIp(ip) || !validPort(port)) return E_INVAL;
    const p = port === 0 ? this.ephemeral() : port;
    const u = new UdpEnd(-1, ip, p);
    u.h = this.add(u);
    if (this.udps[ip + ":" + p] !== undefined) {
      this.event(u, EV_ERROR, E_ADDRINUSE);
      return u.h;
    }
    this.udps[ip + ":" + p] = u;
    this.event(u, EV_WRITABLE, 65536);
    return u.h;
  }

  udpSend(h: number, buf: Uint8Array, off: number, len: number, ip: string, port: number): number {
    const u = this.entries[h];
    if (!(u instanceof UdpEnd)) return E_INVAL;
    if (!validIp(ip) || !validPort(port) || port === 0) return E_INVAL;
    this.transmit(new Packet(this, SEG_DATA, u, ip, port, 0, copyOf(buf, off, off + len), false, 0), u.ip, ip, len);
    return len;
  }

  udpRecv(h: number, buf: Uint8Array, off: number, len: number, from: HalPeer): number {
    const u = this.entries[h];
    if (!(u instanceof UdpEnd)) return E_INVAL;
    const d = u.queue.shift();
    if (d === undefined) return HAL_NONE;
    const n = d.data.length < len ? d.data.length : len;
    buf.set(d.data.subarray(0, n), off);
    from.ip = d.ip;
    from.port = d.port;
    return n;
  }

  udpClose(h: number): void {
    const u = this.entries[h];
    if (!(u instanceof UdpEnd)) return;
    this.release(h);
    u.h = -1;
    if (this.udps[u.ip + ":" + u.port] === u) delete this.udps[u.ip + ":" + u.port];
    u.queue.length = 0;
  }

  sockAddr(h: number, remote: boolean, out: HalPeer): number {
    const e = this.entries[h];
    if (e === null || e === undefined) return E_INVAL;
    if (e instanceof TcpEnd) {
      if (e.state === FAILED) return e.error;
      out.ip = remote ? e.remoteIp : e.localIp;
      out.port = remote ? e.remotePort : e.localPort;
      return 0;
    }
    if (remote) return E_INVAL;
    out.ip = e.ip;
    out.port = e.port;
    return 0;
  }

  // ---- TCP machinery ----

  /** @internal A packet reached its destination host. */
  arrive(p: Packet): void {
    if (this.log !== null) this.trace("arrive " + describe(p));
    if (p.from instanceof UdpEnd) {
      const u = this.udps[p.toIp + ":" + p.toPort];
      if (u === undefined || u.queue.length >= this.o.udpQueue) {
        this.dropped++;
        return;
      }
      u.queue.push({ data: p.data as Uint8Array, ip: p.from.ip, port: p.from.port });
      if (u.queue.length === 1) this.event(u, EV_READABLE, 1);
      return;
    }
    const from = p.from;
    if (p.kind === SEG_SYN) {
      this.arriveSyn(from);
      return;
    }
    const to = from.peer;
    if (p.kind === SEG_RST) {
      if (to !== null && to.state !== FAILED) this.failEnd(to, to.state === CONNECTING ? E_REFUSED : E_RESET);
      return;
    }
    if (to === null) return;
    if (to.state === FAILED) {
      // A segment for a dead socket (reset, or closed while connecting): answer with a reset.
      if (p.kind !== SEG_ACK) this.send(to, SEG_RST, 0, null, false);
      return;
    }
    if (p.kind === SEG_SYNACK) {
      if (to.state === CONNECTING) {
        to.state = OPEN;
        to.retries = 0;
        this.disarmRto(to);
        this.event(to, EV_WRITABLE, to.snd.length);
        this.pushData(to);
      }
      return;
    }
    if (p.kind === SEG_ACK) {
      this.arriveAck(to, p.seq, p.wnd);
      return;
    }
    this.arriveData(to, p);
  }

  private arriveSyn(client: TcpEnd): void {
    if (client.peer !== null) {
      if (client.peer.state !== FAILED) this.send(client.peer, SEG_SYNACK, 0, null, false);
      return;
    }
    const l = this.listeners[client.remoteIp + ":" + client.remotePort] || this.listeners["0.0.0.0:" + client.remotePort];
    if (l === undefined) {
      // Nobody listens: the host answers with a reset from the address connected to.
      const refuser = new TcpEnd(-1, 0, client.remoteIp, client.remotePort, client.localIp, client.localPort);
      refuser.peer = client;
      this.send(refuser, SEG_RST, 0, null, false);
      return;
    }
    if (l.queue.length >= l.backlog) {
      this.dropped++;
      return; // the client retransmits its SYN
    }
    const server = new TcpEnd(-1, this.o.window, client.remoteIp, client.remotePort, client.localIp, client.localPort);
    server.state = OPEN;
    server.peer = client;
    client.peer = server;
    l.queue.push(server);
    if (l.queue.length === 1) this.event(l, EV_ACCEPTABLE, 1);
    this.send(server, SEG_SYNACK, 0, null, false);
  }

  private arriveAck(e: TcpEnd, ack: number, wnd: number): void {
    e.peerWnd = wnd;
    e.retries = 0; // the peer answers: a full window is a stall, never a timeout
    const top = e.shut ? e.sndEnd + 1 : e.sndEnd;
    if (ack > e.sndUna && ack <= top) {
      const acked = (ack > e.sndEnd ? e.sndEnd : ack) - e.sndUna;
      if (acked > 0) {
        moveToFront(e.snd, acked, e.sndEnd - e.sndUna);
        e.sndUna += acked;
      }
      if (ack > e.sndEnd) e.sndUna = ack; // FIN acknowledged
      if (e.sndNxt < e.sndUna) e.sndNxt = e.sndUna;
      if (e.wantWrite && acked > 0) {
        e.wantWrite = false;
        this.event(e, EV_WRITABLE, e.snd.length - (e.sndEnd - e.sndUna));
      }
    }
    this.pushData(e);
  }

  private arriveData(e: TcpEnd, p: Packet): void {
    const data = p.data as Uint8Array;
    if (e.closed && data.length > 0) {
      this.abortEnd(e, true); // data for a closed socket: reset
      return;
    }
    if (p.seq === e.rcvNxt && !e.finRcvd) {
      if (p.fin) {
        e.finRcvd = true;
        e.rcvNxt++;
        if (e.wantRead) {
          e.wantRead = false;
          this.event(e, EV_READABLE, 0);
        }
      } else if (data.length <= e.rcv.length - e.rcvLen) {
        e.rcv.set(data, e.rcvLen);
        e.rcvLen += data.length;
        e.rcvNxt += data.length;
        if (e.wantRead && data.length > 0) {
          e.wantRead = false;
          this.event(e, EV_READABLE, e.rcvLen);
        }
      } else this.dropped++;
    }
    this.send(e, SEG_ACK, 0, null, false);
  }

  /** Sends what the peer's window allows (and FIN once everything before it is out); arms the retransmission timer. */
  private pushData(e: TcpEnd): void {
    if (e.state !== OPEN) return;
    const limit = e.sndUna + (e.peerWnd > 0 ? e.peerWnd : 0);
    while (e.sndNxt < e.sndEnd && e.sndNxt < limit) {
      let len = e.sndEnd - e.sndNxt;
      if (len > this.o.mss) len = this.o.mss;
      if (e.sndNxt + len > limit) len = limit - e.sndNxt;
      const at = e.sndNxt - e.sndUna;
      if (this.o.resetRate > 0 && this.clock.random() < this.o.resetRate) {
        this.abort(e);
        return;
      }
      this.send(e, SEG_DATA, e.sndNxt, copyOf(e.snd, at, at + len), false);
      e.sndNxt += len;
    }
    if (e.shut && e.sndNxt === e.sndEnd) {
      this.send(e, SEG_DATA, e.sndEnd, EMPTY, true);
      e.sndNxt = e.sndEnd + 1;
    }
    if (e.sndNxt > e.sndUna || (e.sndEnd > e.sndUna && e.peerWnd === 0)) {
      if (!e.rtoArmed) this.armRto(e);
    } else this.disarmRto(e);
  }

  /** @internal A retransmission timer fired: go back to the oldest unacknowledged byte. */
  timeout(e: TcpEnd): void {
    e.rtoArmed = false;
    if (e.state === FAILED) return;
    if (++e.retries > this.o.maxRetries) {
      if (e.peer !== null) this.send(e, SEG_RST, 0, null, false);
      this.failEnd(e, E_TIMEDOUT);
      return;
    }
    this.trace("rto " + e.localPort + ">" + e.remotePort + " retry " + e.retries);
    if (e.state === CONNECTING) {
      this.send(e, SEG_SYN, 0, null, false);
      this.armRto(e);
      return;
    }
    e.sndNxt = e.sndUna;
    if (e.peerWnd === 0) e.peerWnd = 1; // window probe
    this.pushData(e);
    if (!e.rtoArmed && e.sndUna < (e.shut ? e.sndEnd + 1 : e.sndEnd)) this.armRto(e);
  }

  private armRto(e: TcpEnd): void {
    const backoff = e.retries < 4 ? 1 << e.retries : 16;
    e.rtoArmed = true;
    const item = new Rto(this, e, ++e.rtoGen);
    item.at = this.clock.now() + this.o.rto * backoff;
    this.agenda.push(item);
    this.clock.poke();
  }

  private disarmRto(e: TcpEnd): void {
    if (e.rtoArmed) {
      e.rtoArmed = false;
      e.rtoGen++;
    }
  }

  /** Resets a connection from the network: both ends fail with `E_RESET`. */
  private abort(e: TcpEnd): void {
    this.resets++;
    this.trace("reset " + e.localPort + "<>" + e.remotePort);
    const peer = e.peer;
    this.failEnd(e, E_RESET);
    if (peer !== null) this.failEnd(peer, E_RESET);
  }

  /** This end gives up: fail it and tell the peer with a reset segment (which may be lost). */
  private abortEnd(e: TcpEnd, tellPeer: boolean): void {
    if (tellPeer && e.peer !== null) this.send(e, SEG_RST, 0, null, false);
    this.failEnd(e, E_RESET);
  }

  private failEnd(e: TcpEnd, code: number): void {
    if (e.state === FAILED) return;
    e.state = FAILED;
    e.error = code;
    e.rcvLen = 0;
    this.disarmRto(e);
    this.event(e, EV_ERROR, code);
  }

  private send(e: TcpEnd, kind: number, seq: number, data: Uint8Array | null, fin: boolean): void {
    const ackSeq = kind === SEG_ACK ? e.rcvNxt : seq;
    const wnd = e.rcv.length - e.rcvLen;
    this.transmit(new Packet(this, kind, e, e.remoteIp, e.remotePort, ackSeq, data, fin, wnd), e.localIp, e.remoteIp, data === null ? 0 : data.length);
  }

  /** Puts a packet on the link from `src` to `dst`: loss, partitions, bandwidth, latency, jitter, reordering, duplication. */
  private transmit(p: Packet, src: string, dst: string, bytes: number): void {
    const o = this.o;
    const rnd = this.clock;
    if (this.isCut(src, dst) || (o.loss > 0 && rnd.random() < o.loss)) {
      this.dropped++;
      if (this.log !== null) this.trace("drop " + describe(p));
      return;
    }
    const now = rnd.now();
    let at = now;
    if (o.bandwidth > 0) {
      const link = src + ">" + dst;
      const start = this.busy[link] !== undefined && this.busy[link] > now ? this.busy[link] : now;
      this.busy[link] = start + bytes / o.bandwidth;
      at = this.busy[link];
    }
    at += o.latency + (o.jitter > 0 ? rnd.random() * o.jitter : 0);
    if (o.reorder > 0 && rnd.random() < o.reorder) at += rnd.random() * 4 * (o.latency + o.jitter);
    p.at = Math.ceil(at);
    if (this.log !== null) this.trace("send " + describe(p) + " @" + p.at);
    this.agenda.push(p);
    if (o.duplicate > 0 && rnd.random() < o.duplicate) {
      const copy = new Packet(this, p.kind, p.from, p.toIp, p.toPort, p.seq, p.data, p.fin, p.wnd);
      copy.at = p.at + Math.ceil(rnd.random() * (o.latency + 1));
      this.agenda.push(copy);
    }
    this.clock.poke();
  }

  private isCut(a: string, b: string): boolean {
    const cuts = this.cuts;
    for (let i = 0; i < cuts.length; i++) {
      const bar = cuts[i].indexOf("|");
      const x = cuts[i].slice(0, bar);
      const y = cuts[i].slice(bar + 1);
      if ((matches(x, a) && matches(y, b)) || (matches(x, b) && matches(y, a))) return true;
    }
    return false;
  }

  // ---- handles and events ----

  private add(e: Entry): number {
    if (this.free.length > 0) {
      const h = this.free.pop() as number;
      this.entries[h] = e;
      return h;
    }
    this.entries.push(e);
    return this.entries.length - 1;
  }

  private release(h: number): void {
    this.entries[h] = null;
    this.free.push(h);
  }

  private event(e: Entry, kind: number, arg: number): void {
    if (e.h < 0) return;
    this.evKind.push(kind);
    this.evHandle.push(e.h);
    this.evArg.push(arg);
    this.evEntry.push(e);
    this.clock.poke();
  }

  private ephemeral(): number {
    const p = this.nextPort;
    this.nextPort = p >= 65535 ? 49152 : p + 1;
    return p;
  }

  private trace(line: string): void {
    if (this.log !== null) this.log.push(this.clock.now() + " " + line);
  }
}

const EMPTY = new Uint8Array(0);

function num(v: number | undefined, d: number): number {
  return typeof v === "number" && v === v ? v : d;
}

function matches(pattern: string, ip: string): boolean {
  return pattern === "*" || pattern === ip;
}

function validIp(ip: string): boolean {
  return typeof ip === "string" && ip.length > 0 && ip.length < 64;
}

function validPort(port: number): boolean {
  return typeof port === "number" && port >= 0 && port <= 65535 && Math.floor(port) === port;
}

/** A short, deterministic description of a packet (with a checksum of its payload). */
function describe(p: Packet): string {
  const d = p.data;
  let sum = 0;
  if (d !== null) for (let i = 0; i < d.length; i++) sum = (sum * 31 + d[i]) % 1000000007;
  const from = p.from instanceof UdpEnd ? p.from.port : (p.from as TcpEnd).localPort;
  return ["", "syn", "synack", p.fin ? "fin" : "data", "ack", "rst"][p.kind] + " " + from + ">" + p.toPort + " seq " + p.seq + " len " + (d === null ? 0 : d.length) + " sum " + sum + " wnd " + p.wnd;
}
