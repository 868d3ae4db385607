/**
 * Issue #9 sockets (SPEC §9): memory per idle connection at 10,000 connections. The clients
 * (node:net, a second process: the fd limit here is 20,000 per process) open 10,000
 * connections, each sends one byte and gets it back, then they sit idle. The server process
 * reads its heap (heapUsed + arrayBuffers after forced GC) before and with them open.
 *
 * kyoto's server is the Tokio README loop: a task per connection parked in `read` on its own
 * 1 KiB buffer (the README's `[0; 1024]`). Budget: kyoto's bytes per connection ≤ node:net's
 * + 2 KiB.
 */
import { heap } from "../lib/env.mjs";
import { load, withServer } from "../lib/net_servers.mjs";

export const name = "net_idle";
export const order = 22;
export const title = "22. Memory per idle TCP connection at 10,000 connections (Node)";
export const description = "Server heap growth (heapUsed + arrayBuffers after GC) with N idle connections open, per connection.";
export const metrics = [{ key: "bytesPerConn", label: "B/connection", unit: "B", better: "lower" }];
export const notes = [
  "Both servers' sockets are node:net sockets underneath; kyoto's row adds its stream object, its handle-table entry, the HAL's per-socket state and listeners, a pending read op, the app's 1 KiB read buffer, and the task per connection (JoinHandle, its signal, the async function's state).",
  "kyoto:then-loop is the same echo loop without a task (a chain of then-callbacks): the difference between the two kyoto rows is what a task per connection costs.",
];
export const paramLabel = (p) => "N=" + p.count.toLocaleString("en-US");
export const timeout = 180;

export function kind(lib) {
  return lib === "node:net" ? "floor" : "kyoto";
}

export function cases({ quick }) {
  const count = quick ? 2000 : 10000;
  return ["kyoto", "kyoto:then-loop", "node:net"].map((lib) => ({ lib, param: { count } }));
}

export async function run(lib, param) {
  return withServer(lib, { bufSize: param.bufSize || 1024, maxBuffers: param.count + 64 }, async (port) => {
    const before = await heap();
    let child = null;
    await load(["idle", port, param.count], (c) => (child = c));
    const during = await heap();
    child.stdin.end();
    return { bytesPerConn: (during - before) / param.count };
  });
}

export function budgets(rows) {
  const floor = rows.find((r) => r.lib === "node:net" && typeof r.median.bytesPerConn === "number");
  const out = [];
  for (const r of rows) {
    if (r.lib !== "kyoto" || !floor || typeof r.median.bytesPerConn !== "number") continue;
    const over = r.median.bytesPerConn - floor.median.bytesPerConn;
    out.push({ lib: r.lib, param: r.paramLabel, name: "kyoto's overhead per idle connection ≤ 2 KiB over node:net's", met: over <= 2048, detail: Math.round(over) + " B over node:net" });
  }
  return out;
}
