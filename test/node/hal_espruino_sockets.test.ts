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
import { createEspruinoNetHal, espruinoError } from "../../hal/espruino/sockets";
import { E_IO, E_REFUSED, E_RESET, E_TIMEDOUT, EV_ERROR, EV_WRITABLE } from "../../src/io/hal";
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

const seen: string[] = [];
const realIt = globalThis.it;
globalThis.it = Object.assign(function (title: string, fn: Mocha.AsyncFunc) {
  const why = CANNOT_ON_ESPRUINO[title];
  if (why === undefined) return realIt(title, fn);
  seen.push(title);
  return realIt.skip(`${title} [not on Espruino: ${why}]`, fn);
}, realIt) as Mocha.TestFunction;
try {
  halConformance({
    name: "espruino (Espruino-shaped net/dgram over Node, Espruino timers)",
    create: () => createEspruinoNetHal({ host: espruinoHost() }),
  });
} finally {
  globalThis.it = realIt;
}

describe("hal/espruino sockets beyond the conformance suite", function () {
  it("skips only conformance tests that exist", () => {
    assert.deepEqual(seen.sort(), Object.keys(CANNOT_ON_ESPRUINO).sort());
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
