/**
 * The host half of `kyotoHost` (bin/lib/guest_prelude.js): each `kyotoHost.open()` in the
 * guest is a channel here with a HAL of its own on the Node side (`createHal()`, normally
 * `createNodeHal`). Every contract call on a channel is forwarded to that HAL, and the HAL's
 * events come back through `onEvent(channel, kind, handle, arg)`, which the embedder turns into
 * `callSink(...)` plus a job drain (bin/lib/device_host.mjs, test/harness/quickjs.ts).
 *
 * Socket calls are forwarded by name, whatever the HAL has (tcp*, udp*, sock*, localPort):
 * the four that move bytes (tcpRead, tcpWrite, udpSend, udpRecv) get a view of the caller's
 * bytes in WebAssembly memory, at the address the guest passes (found once per ArrayBuffer
 * from a marker the guest writes, `locate`), so the HAL's own copy is the only one; the
 * others get their numbers, strings and booleans as they are, and an object argument is the
 * HalPeer the call fills in, copied back to the guest's peer object.
 */
import { randomBytes } from "node:crypto";

const BYTE_CALLS = ["tcpRead", "tcpWrite", "udpSend", "udpRecv"];
/** Calls that return a new handle; the close calls end one. */
const OPENS = ["tcpConnect", "tcpListen", "tcpAccept", "udpBind"];
/** How far around the last buffer found `locate` looks first. */
const NEAR = 256 * 1024;
const EV_TIMER = 1;
const EV_WAKE = 2;

/** The socket calls of a HAL: its methods named tcp*, udp*, sock* (and localPort). */
export function socketCallsOf(hal) {
  const names = new Set();
  for (let o = hal; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (/^(tcp|udp|sock)[A-Z]|^localPort$/.test(name) && typeof hal[name] === "function") names.add(name);
    }
  }
  return [...names];
}

export class HalBridge {
  /** `def` installs a host function (quickjs_vm.mjs `hostFunctions`); options: createHal, onEvent. */
  constructor(vm, def, options) {
    this.vm = vm;
    this.createHal = options.createHal;
    this.onEvent = options.onEvent;
    this.channels = [];
    this.socketCalls = socketCallsOf(this.createHal());
    this.marker = null;
    this.lastFound = -1;
    this.peer = null;
    this.smallNumbers = [];
    this.temps = [];
    this.install(def);
  }

  /** Calls a channel's sink with three numbers; returns quickjs-emscripten's call result. */
  callSink(ch, kind, handle, arg) {
    const temps = this.temps;
    try {
      return this.vm.callFunction(ch.sink, this.vm.undefined, this.number(kind), this.number(handle), this.number(arg));
    } finally {
      for (const t of temps) t.dispose();
      temps.length = 0;
    }
  }

  /** True while some channel could still deliver an event (an armed timer, a wake, an open socket). */
  busy() {
    return this.channels.some((ch) => !ch.closed && (ch.armed || ch.waking || ch.sockets > 0));
  }

  /**
   * Stops every channel (no timer left armed, no event delivered afterwards) and lets go of
   * the guest values it held (sinks, the peer object, cached numbers): a handle kept past
   * this would keep its guest object alive and make the runtime's disposal fail.
   */
  close() {
    for (const ch of this.channels) {
      ch.hal.cancelTimer();
      ch.closed = true;
      if (ch.sink && ch.sink.alive) ch.sink.dispose();
      ch.sink = null;
    }
    if (this.peer && this.peer.alive) this.peer.dispose();
    this.peer = null;
    for (const h of this.smallNumbers) if (h && h.alive) h.dispose();
    this.smallNumbers = [];
  }

  install(def) {
    const vm = this.vm;
    const num = (h) => vm.getNumber(h);
    const chan = (h) => {
      const ch = this.channels[num(h)];
      if (!ch) throw new TypeError("kyoto host: no channel " + num(h));
      return ch;
    };

    def("open", () => {
      const ch = { id: this.channels.length, hal: this.createHal(), sink: null, closed: false, armed: false, waking: false, sockets: 0 };
      ch.hal.setSink((kind, handle, arg) => {
        if (kind === EV_TIMER) ch.armed = false;
        else if (kind === EV_WAKE) ch.waking = false;
        if (!ch.closed && ch.sink) this.onEvent(ch, kind, handle, arg);
      });
      this.channels.push(ch);
      return ch.id;
    });
    def("setSink", (idH, fn) => {
      const ch = chan(idH);
      if (ch.sink) throw new TypeError("this HAL already has a sink: one HAL per runtime");
      ch.sink = fn.dup();
    });
    def("caps", (idH) => chan(idH).hal.caps ?? 0);
    def("now", () => performance.now());
    def("armTimer", (idH, ms) => {
      const ch = chan(idH);
      ch.armed = true;
      ch.hal.armTimer(num(ms));
    });
    def("cancelTimer", (idH) => {
      const ch = chan(idH);
      ch.armed = false;
      ch.hal.cancelTimer();
    });
    def("wake", (idH) => {
      const ch = chan(idH);
      ch.waking = true;
      ch.hal.wake();
    });

    def("socketCalls", () => this.socketCalls.join(","));
    def("marker", (sizeH) => {
      this.marker = randomBytes(num(sizeH)).map((b) => (b === 0 ? 1 : b));
      return String.fromCharCode(...this.marker);
    });
    def("locate", () => this.locate());
    def("setPeer", (obj) => {
      this.peer = obj.dup();
    });
    const from = { ip: "", port: 0 };
    const fillPeer = () => {
      vm.newString(from.ip).consume((s) => vm.setProp(this.peer, "ip", s));
      vm.newNumber(from.port).consume((p) => vm.setProp(this.peer, "port", p));
    };
    def("tcpRead", (c, h, at, len) => chan(c).hal.tcpRead(num(h), this.bytes(num(at), num(len)), 0, num(len)));
    def("tcpWrite", (c, h, at, len) => chan(c).hal.tcpWrite(num(h), this.bytes(num(at), num(len)), 0, num(len)));
    def("udpSend", (c, h, at, len, ip, port) =>
      chan(c).hal.udpSend(num(h), this.bytes(num(at), num(len)), 0, num(len), vm.getString(ip), num(port)));
    def("udpRecv", (c, h, at, len) => {
      const got = chan(c).hal.udpRecv(num(h), this.bytes(num(at), num(len)), 0, num(len), from);
      if (got >= 0) fillPeer();
      return got;
    });
    for (const name of this.socketCalls) {
      if (BYTE_CALLS.includes(name)) continue;
      def(name, (c, ...args) => {
        let fills = false;
        const values = args.map((a) => {
          if (vm.typeof(a) !== "object") return vm.dump(a);
          fills = true;
          return from;
        });
        const ch = chan(c);
        const r = ch.hal[name](...values);
        if (fills) fillPeer();
        if (OPENS.includes(name) && r >= 0) ch.sockets++;
        else if (name === "tcpClose" || name === "udpClose") ch.sockets--;
        return r;
      });
    }
  }

  /**
   * The address in WebAssembly memory of the marker the guest just wrote (transformed) over a
   * buffer's first bytes, or -1. The marker is 16 fresh random bytes and only that buffer holds
   * them transformed, so the first hit is the buffer. The search starts around the last hit
   * (the allocator tends to place a new buffer near the last one, often in its freed place):
   * a connection's first read costs microseconds, not a scan of the whole memory.
   */
  locate() {
    const heap = Buffer.from(this.vm.module.HEAPU8.buffer);
    const needle = Buffer.from(this.marker.map((b) => b ^ 0xa5));
    let at = -1;
    if (this.lastFound >= 0) {
      const from = Math.max(0, this.lastFound - NEAR);
      const near = heap.subarray(from, Math.min(heap.length, this.lastFound + NEAR)).indexOf(needle);
      if (near >= 0) at = from + near;
    }
    if (at < 0) at = heap.indexOf(needle);
    if (at >= 0) this.lastFound = at;
    return at;
  }

  /**
   * A view of `len` bytes of WebAssembly memory at `at`: a guest buffer's bytes. Taken afresh
   * for every call (memory growth replaces HEAPU8) and used only during it (the HAL copies).
   */
  bytes(at, len) {
    const heap = this.vm.module.HEAPU8;
    if (!(at >= 0 && len >= 0 && at + len <= heap.length)) throw new RangeError(`kyoto host: bytes ${at}..${at + len} are outside WebAssembly memory`);
    return heap.subarray(at, at + len);
  }

  /** A guest number: small integers (kinds, handles, most args) are made once and kept; others live for one call. */
  number(n) {
    if (n >= 0 && n < 1024 && (n | 0) === n) {
      let h = this.smallNumbers[n];
      if (h === undefined) h = this.smallNumbers[n] = this.vm.newNumber(n);
      return h;
    }
    const h = this.vm.newNumber(n);
    this.temps.push(h);
    return h;
  }
}
