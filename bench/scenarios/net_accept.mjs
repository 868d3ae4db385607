/**
 * Issue #9 sockets (SPEC §9): accepted connections per second. node:net clients in a second
 * process open connections 64 at a time, send one byte, read its echo and close; the server
 * is kyoto's echo server or a raw node:net one.
 *
 * Budget: kyoto ≥ 0.9× raw node:net in the same run.
 */
import { load, withServer } from "../lib/net_servers.mjs";

export const name = "net_accept";
export const order = 21;
export const title = "21. TCP accepted connections/s: kyoto vs raw node:net (Node, loopback)";
export const description = "N connections, 64 in flight: connect, send 1 byte, read the echo, close.";
export const metrics = [{ key: "connsPerSec", label: "connections/s", unit: "ops/s", better: "higher", ratio: true }];
export const notes = ["node:net is the floor (÷ floor = kyoto's share of raw node:net). Shared 2-core machine: noisy."];
export const paramLabel = (p) => "N=" + p.count.toLocaleString("en-US");
export const timeout = 120;

export function kind(lib) {
  return lib === "node:net" ? "floor" : "kyoto";
}

export function cases({ quick }) {
  const count = quick ? 2000 : 10000;
  return ["kyoto", "node:net"].map((lib) => ({ lib, param: { count, concurrency: 64 } }));
}

export async function run(lib, param) {
  return withServer(lib, { bufSize: 1024 }, async (port) => {
    const r = await load(["churn", port, param.count, param.concurrency]);
    if (r.failed > 0) return { connsPerSec: r.connsPerSec, note: r.failed + " connections failed" };
    return { connsPerSec: r.connsPerSec };
  });
}

export function budgets(rows) {
  const out = [];
  for (const r of rows) {
    if (r.kind !== "kyoto" || !r.ratios || !r.ratios.connsPerSec || typeof r.ratios.connsPerSec.floor !== "number") continue;
    const x = r.ratios.connsPerSec.floor;
    out.push({ lib: r.lib, param: r.paramLabel, name: "accepted connections/s ≥ 0.9× raw node:net", met: x >= 0.9, detail: x.toFixed(2) + "×" });
  }
  return out;
}
