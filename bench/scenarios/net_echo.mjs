/**
 * Issue #9 sockets (SPEC §9 "Sockets (Node)"): TCP echo throughput through kyoto's echo
 * server (the Tokio README loop) against a raw node:net echo server, the load coming from
 * plain node:net clients in a separate process.
 *
 *   1 conn × 64 KiB   one connection, the client pipelines 64 KiB writes (≤ 4 MiB in flight)
 *   100 conns × 1 KiB 100 connections, each sends 1 KiB and waits for its echo, repeatedly
 *
 * Budget: kyoto ≥ 0.9× raw node:net in the same run, in both; the same echo loop inside
 * `kyoto run` (QuickJS, QuickJS-ng; bench/lib/device_echo_server.mjs, same buffer size, no
 * Nagle) ≥ 0.3× kyoto on Node.
 */
import { load, withServer } from "../lib/net_servers.mjs";

export const name = "net_echo";
export const order = 20;
export const title = "20. TCP echo throughput: kyoto vs raw node:net (Node, loopback)";
export const description =
  "Echo server in the case process, node:net clients in a second process. MB/s = echoed bytes received by the clients per second (MB = 10^6 B).";
export const metrics = [
  { key: "mbPerSec", label: "MB/s echoed", unit: "", better: "higher", ratio: true },
  { key: "msgsPerSec", label: "messages/s", unit: "ops/s", better: "higher", ratio: true },
];
export const notes = [
  "node:net is the floor here (÷ floor = kyoto's share of raw node:net). The CPU is 2 cores shared with other work: absolute numbers are noisy, the ratio in one run is what counts.",
  "The kyoto run rows run the kyoto row's loop with its buffer size and no Nagle (bench/lib/device_echo_server.mjs). They used to run examples/echo_server.mjs, whose 1 KiB buffer (64 host round trips per 64 KiB) and Nagle's algorithm (a delayed-ACK stall per 1 KiB message) made them 0.01–0.09×.",
];
export const paramLabel = (p) => (p.conns === 1 ? "1 conn × 64 KiB writes" : p.conns + " conns × 1 KiB messages");
export const timeout = 120;

export function kind(lib) {
  return lib === "node:net" ? "floor" : lib.startsWith("kyoto run ") ? "device" : "kyoto";
}

export function cases({ quick }) {
  const seconds = quick ? 1 : 3;
  const list = [];
  for (const lib of ["kyoto", "node:net"]) list.push({ lib, param: { conns: 1, size: 65536, seconds } });
  for (const lib of ["kyoto", "node:net"]) list.push({ lib, param: { conns: 100, size: 1024, seconds } });
  // SPEC §9 "Sockets (QuickJS via kyoto run)": the echo server example inside QuickJS.
  for (const lib of ["kyoto run quickjs", "kyoto run quickjs-ng"]) {
    list.push({ lib, param: { conns: 1, size: 65536, seconds } });
    list.push({ lib, param: { conns: 100, size: 1024, seconds } });
  }
  return list;
}

export async function run(lib, param) {
  return withServer(lib, { bufSize: param.conns === 1 ? 65536 : 1024 }, async (port) => {
    if (param.conns === 1) {
      const r = await load(["stream", port, param.seconds, param.size]);
      return { mbPerSec: r.bytesPerSec / 1e6, msgsPerSec: "" };
    }
    const r = await load(["pingpong", port, param.seconds, param.conns, param.size]);
    return { mbPerSec: r.bytesPerSec / 1e6, msgsPerSec: r.messagesPerSec };
  });
}

export function budgets(rows) {
  const out = [];
  for (const r of rows) {
    if (r.kind === "device") {
      const onNode = rows.find((o) => o.lib === "kyoto" && o.paramLabel === r.paramLabel);
      if (!onNode || !(onNode.median.mbPerSec > 0) || typeof r.median.mbPerSec !== "number") continue;
      const x = r.median.mbPerSec / onNode.median.mbPerSec;
      out.push({ lib: r.lib, param: r.paramLabel, name: "echo throughput through kyoto run ≥ 0.3× kyoto on Node (" + r.paramLabel + ")", met: x >= 0.3, detail: x.toFixed(2) + "×" });
      continue;
    }
    if (r.kind !== "kyoto" || !r.ratios || !r.ratios.mbPerSec || typeof r.ratios.mbPerSec.floor !== "number") continue;
    const x = r.ratios.mbPerSec.floor;
    out.push({ lib: r.lib, param: r.paramLabel, name: "echo throughput ≥ 0.9× raw node:net (" + r.paramLabel + ")", met: x >= 0.9, detail: x.toFixed(2) + "×" });
  }
  return out;
}
