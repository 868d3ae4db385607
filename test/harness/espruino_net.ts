/**
 * Espruino's `require("net")` and `require("dgram")`, shaped as on a real Espruino (facts in
 * research/engines.md and Espruino's libs/network), backed by Node's sockets on 127.0.0.1:
 *
 *   - data are 8-bit strings both ways (`'data'(string)`, `write(string)`);
 *   - `write` always buffers and returns false; `'drain'` fires once its buffer is empty;
 *   - `'close'` when the socket is gone, `'error'({ code, message })` with Espruino's
 *     negative socket codes (-9 "connection reset", -11 "no connection", …);
 *   - `net.connect({ host, port }, cb)`, `net.createServer(cb).listen(port)`, `end()`; no
 *     half-close, no pause, no way to learn a listener's port;
 *   - `dgram.createSocket("udp4").bind(port, cb(res))`, `res.on("message", (msg, rinfo))`,
 *     `send(msg, offset, length, port, address)`, `close()`.
 *
 * Everything binds to 127.0.0.1, whatever the caller asks.
 */
import { EventEmitter } from "node:events";
import dgram from "node:dgram";
import net from "node:net";

const LOOPBACK = "127.0.0.1";

function espruinoError(err: NodeJS.ErrnoException): { code: number; message: string } {
  switch (err.code) {
    case "ECONNREFUSED":
      return { code: -11, message: "no connection" };
    case "ECONNRESET":
    case "EPIPE":
      return { code: -9, message: "connection reset" };
    case "ETIMEDOUT":
      return { code: -3, message: "timeout" };
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return { code: -4, message: "no route" };
    default:
      return { code: -10, message: "unknown error" };
  }
}

/** A socket as Espruino gives it to JavaScript. */
class EspruinoSocket extends EventEmitter {
  private pendingWrites = 0;
  constructor(private readonly sock: net.Socket) {
    super();
    sock.on("data", (b: Buffer) => this.emit("data", b.toString("latin1")));
    sock.on("error", (e) => this.emit("error", espruinoError(e)));
    sock.on("close", (hadError) => this.emit("close", hadError));
    sock.on("end", () => sock.end());
  }
  write(data: string): boolean {
    this.pendingWrites++;
    this.sock.write(Buffer.from(String(data), "latin1"), () => {
      if (--this.pendingWrites === 0 && this.sock.writableLength === 0) this.emit("drain");
    });
    return false;
  }
  end(): void {
    this.sock.end();
  }
}

export function espruinoNet() {
  return {
    connect(options: { host: string; port: number }, onConnect: (s: EspruinoSocket) => void): EspruinoSocket {
      const sock = net.connect({ host: LOOPBACK, port: options.port });
      const wrapped = new EspruinoSocket(sock);
      sock.on("connect", () => onConnect(wrapped));
      return wrapped;
    },
    createServer(onConnection: (s: EspruinoSocket) => void) {
      const server = net.createServer((sock) => onConnection(new EspruinoSocket(sock)));
      const open = new Set<net.Socket>();
      server.on("connection", (s) => {
        open.add(s);
        s.on("close", () => open.delete(s));
      });
      return {
        listen(port: number) {
          server.listen(port, LOOPBACK);
          return this;
        },
        close() {
          server.close();
        },
      };
    },
  };
}

export function espruinoDgram() {
  return {
    createSocket(_type: string) {
      const sock = dgram.createSocket("udp4");
      const res = new EventEmitter();
      sock.on("message", (msg, rinfo) => res.emit("message", msg.toString("latin1"), { address: rinfo.address, port: rinfo.port, size: rinfo.size }));
      const wrapped = Object.assign(new EventEmitter(), {
        bind(port: number, onBound: (r: EventEmitter) => void) {
          sock.bind(port, LOOPBACK, () => onBound(res));
          return wrapped;
        },
        send(data: string, offset: number, length: number, port: number, address: string) {
          if (address !== LOOPBACK) throw new Error("the test shim sends to 127.0.0.1 only");
          sock.send(Buffer.from(String(data), "latin1"), offset, length, port, address);
        },
        close() {
          sock.close();
        },
      });
      sock.on("error", (e) => wrapped.emit("error", espruinoError(e)));
      return wrapped;
    },
  };
}
