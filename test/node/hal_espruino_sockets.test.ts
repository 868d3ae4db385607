/**
 * hal/espruino's sockets on an Espruino-shaped host (test/harness/espruino_net.ts: string
 * data, Espruino's events and error codes, no pause, no half-close) with Espruino's timers
 * (test/harness/espruino.ts: `clearTimeout(undefined)` and unknown ids throw), through the
 * HAL socket conformance suite every adapter runs.
 *
 * Four conformance tests ask for what Espruino's sockets cannot do; they are skipped by exact
 * title (a renamed or new test runs) with the reason in the title. The reasons are in
 * Espruino's network driver interface (libs/network/network.h, `JsNetwork`): a socket has
 * `createsocket`, `accept`, `recv`, `send` and `closesocket` and nothing else — no shutdown
 * (so `end()` closes both ways), `recv` returns -1 alike for a close and a failure (so no
 * reset is told apart), and the socket server's idle loop reads every socket into `data`
 * events with no way to pause (so no receive backpressure).
 */
const CANNOT_ON_ESPRUINO: Record<string, string> = {
  "half-closes client to server: the server reads to -1 and still writes back": "no half-close: end() closes both ways",
  "half-closes server to client: the client reads to -1 and still writes": "no half-close: end() closes both ways",
  "reports a reset by the peer once, as EV_ERROR(E_RESET); then every call returns the error": "no reset: a close with unread bytes is an ordinary end()",
  "stops a writer whose peer never reads: credit runs out and stays out, bytes taken stay bounded":
    "no receive backpressure: Espruino reads every socket into JsVars; the adapter fails a socket past maxQueued unread bytes instead",
};
import * as assert from "node:assert/strict";
import { createEspruinoNetHal, createEspruinoTcpHal, espruinoError } from "../../hal/espruino/sockets";
import { E_INVAL, E_IO, E_NOSOCKETS, E_REFUSED, E_RESET, E_TIMEDOUT, EV_ERROR, EV_WRITABLE, NetHal } from "../../src/io/hal";
import { halConformance } from "../hal/conformance";
import { createEspruinoContext } from "../harness/espruino";
import { espruinoDgram, espruinoNet } from "../harness/espruino_net";

function espruinoHost() {
  const ctx = createEspruinoContext();
  const g = ctx.context as Record<string, any>;
  const modules: Record<string, unknown> = { net: espruinoNet(), dgram: espruinoDgram() };
  return {
    getTime: g.getTime,
    setTimeout: g.setTimeout,
    clearTimeout: g.clearTimeout,
    E: g.E,
    require: (name: string) => modules[name],
  };
}

const UDP_TEST = "sends and receives UDP datagrams with their addresses, one at a time";
const seen: string[] = [];
/** Runs the conformance suite on `create`, skipping the tests in `skip` (title → reason) by exact title. */
function conformance(name: string, create: () => NetHal, skip: Record<string, string>): void {
  const realIt = globalThis.it;
  globalThis.it = Object.assign(function (title: string, fn: Mocha.AsyncFunc) {
    const why = skip[title];
    if (why === undefined) return realIt(title, fn);
    seen.push(title);
    return realIt.skip(`${title} [not on Espruino: ${why}]`, fn);
  }, realIt) as Mocha.TestFunction;
  try {
    halConformance({ name, create });
  } finally {
    globalThis.it = realIt;
  }
}

conformance("espruino (Espruino-shaped net/dgram over Node, Espruino timers)", () => createEspruinoNetHal({ host: espruinoHost() }), CANNOT_ON_ESPRUINO);
conformance("espruino, TCP only (Espruino-shaped net over Node, Espruino timers)", () => createEspruinoTcpHal({ host: espruinoHost() }), {
  ...CANNOT_ON_ESPRUINO,
  [UDP_TEST]: "the TCP-only HAL has no UDP (its udpBind fails E_NOSOCKETS)",
});

describe("hal/espruino sockets beyond the conformance suite", function () {
  it("skips only conformance tests that exist", () => {
    const expected = [...Object.keys(CANNOT_ON_ESPRUINO), ...Object.keys(CANNOT_ON_ESPRUINO), UDP_TEST];
    assert.deepEqual(seen.sort(), expected.sort());
  });

  it("has no UDP in the TCP-only HAL: udpBind fails E_NOSOCKETS, the other UDP calls E_INVAL", () => {
    const hal = createEspruinoTcpHal({ host: espruinoHost() });
    assert.equal(hal.udpBind("127.0.0.1", 0), E_NOSOCKETS);
    const buf = new Uint8Array(4);
    assert.equal(hal.udpSend(0, buf, 0, 4, "127.0.0.1", 9), E_INVAL);
    assert.equal(hal.udpRecv(0, buf, 0, 4, { ip: "", port: 0 }), E_INVAL);
  });

  it("has no sockets on a host without E (no byte conversions): every open fails E_NOSOCKETS", () => {
    const host: Record<string, unknown> = { ...espruinoHost(), E: undefined };
    const hal = createEspruinoNetHal({ host: host as never });
    assert.equal(hal.tcpConnect("127.0.0.1", 9, false), E_NOSOCKETS);
    assert.equal(hal.tcpListen("127.0.0.1", 0, 4), E_NOSOCKETS);
    assert.equal(hal.udpBind("127.0.0.1", 0), E_NOSOCKETS);
  });

  it("fails a socket whose unread bytes pass maxQueued with E_IO instead of growing", async function () {
    const hal = createEspruinoNetHal({ host: espruinoHost(), maxQueued: 1000 });
    const events: Array<[number, number, number]> = [];
    hal.setSink((k, h, a) => events.push([k, h, a]));
    const until = async (pred: () => boolean) => {
      for (let i = 0; i < 500 && !pred(); i++) await new Promise((r) => setTimeout(r, 2));
      assert.ok(pred(), "timed out");
    };
    const l = hal.tcpListen("127.0.0.1", 0, 4);
    await until(() => events.some((e) => e[0] === EV_WRITABLE && e[1] === l));
    const port = { ip: "", port: 0 };
    hal.sockAddr(l, false, port);
    const c = hal.tcpConnect("127.0.0.1", port.port, true);
    let s = -1;
    await until(() => (s = s >= 0 ? s : hal.tcpAccept(l)) >= 0 && events.some((e) => e[0] === EV_WRITABLE && e[1] === c));
    const chunk = new Uint8Array(600);
    for (let i = 0; i < 2; i++) {
      await until(() => events.some((e) => e[0] === EV_WRITABLE && e[1] === c));
      assert.equal(hal.tcpWrite(c, chunk, 0, chunk.length), 600);
      events.length = 0;
    }
    await until(() => events.some((e) => e[0] === EV_ERROR && e[1] === s));
    assert.equal(events.find((e) => e[0] === EV_ERROR && e[1] === s)![2], E_IO);
    assert.equal(hal.tcpRead(s, new Uint8Array(10), 0, 10), E_IO);
    for (const h of [c, s, l]) hal.tcpClose(h);
  });

  it("maps Espruino's socket error codes", () => {
    assert.equal(espruinoError({ code: -9, message: "connection reset" }), E_RESET);
    assert.equal(espruinoError({ code: -11, message: "no connection" }), E_REFUSED);
    assert.equal(espruinoError({ code: -3, message: "timeout" }), E_TIMEDOUT);
    assert.equal(espruinoError({ code: -99 }), E_IO);
  });
});
