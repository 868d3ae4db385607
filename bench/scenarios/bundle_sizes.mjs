/**
 * Bundle sizes against SPEC §9 (minified bytes, KB = 1000 B): the whole API for Espruino
 * (dist/espruino/kyoto.js as shipped) and for QuickJS (`kyoto build --target quickjs` of an
 * app re-exporting everything, minified), and apps built with `kyoto build --target espruino`:
 * a Semaphore + sleep app and the TCP echo server. Sizes are exact and deterministic, so one
 * run is enough; the build takes a while, which is all the time measured here.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "../../bin/build.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export const name = "bundle_sizes";
export const order = 20;
export const title = "S1. Bundle sizes (minified bytes) against SPEC §9";
export const description =
  "Whole API: dist/espruino/kyoto.js as shipped; QuickJS: every export, built and minified by kyoto build. Apps: kyoto build --target espruino (tree-shaken, methods nothing names dropped, internal names renamed, minified, hoisted).";
export const metrics = [{ key: "bytes", label: "bytes", unit: "B", better: "lower" }];
export const notes = [
  "The TCP echo server app is examples/espruino/echo_server.js; where the checkout has no TcpListener its row reports 0 bytes and its budget is not checked.",
];
export const timeout = 600;

const BUDGETS = {
  "espruino whole API": 24_000,
  "quickjs whole API": 40_000,
  "espruino Semaphore + sleep app": 6_000,
  "espruino TCP echo server app": 14_000,
};

const APPS = {
  "espruino Semaphore + sleep app": `import { Semaphore, sleep } from "kyoto";
const sem = new Semaphore(1);
function worker(id) {
  sem.acquire().then(function (permit) {
    return sleep(100).then(function () { print("worker " + id); permit.release(); });
  });
}
worker(1);
worker(2);
`,
};

export function cases() {
  return Object.keys(BUDGETS).map((param) => ({ lib: "kyoto", param }));
}

export async function run(_lib, param) {
  if (param === "espruino whole API") return { bytes: statSync(path.join(root, "dist/espruino/kyoto.js")).size };
  const dir = mkdtempSync(path.join(os.tmpdir(), "kyoto-sizes-"));
  if (param === "quickjs whole API") {
    const app = path.join(dir, "all.js");
    writeFileSync(app, `export * from "kyoto";\n`);
    return { bytes: (await build({ target: "quickjs", input: app })).bytes };
  }
  if (param === "espruino TCP echo server app") {
    const echo = path.join(root, "examples/espruino/echo_server.js");
    if (!/\bTcpListener\b/.test(readFileSync(path.join(root, "src/index.ts"), "utf8"))) return { bytes: 0 };
    return { bytes: (await build({ target: "espruino", input: echo })).bytes };
  }
  const app = path.join(dir, "app.js");
  writeFileSync(app, APPS[param]);
  return { bytes: (await build({ target: "espruino", input: app })).bytes };
}

export function budgets(rows) {
  const out = [];
  for (const r of rows) {
    const budget = BUDGETS[r.param];
    const bytes = r.median.bytes;
    if (budget === undefined || !(bytes > 0)) continue;
    out.push({
      lib: r.lib,
      param: r.paramLabel,
      name: `${r.param} ≤ ${budget / 1000} KB`,
      met: bytes <= budget,
      detail: bytes <= budget ? `${bytes} B` : `${bytes} B, missed by ${bytes - budget} B (${(bytes / budget).toFixed(1)}×)`,
    });
  }
  return out;
}
