/**
 * The peers as ES modules a QuickJS guest can import (issue 8: peers run in the same VM as
 * kyoto). Each peer package is bundled with rollup (node-resolve + commonjs) into one module
 * that exports what the scenarios drive; `require("events")` (async-sema) resolves to the
 * small EventEmitter in `events_shim.cjs`, since QuickJS has no Node modules.
 *
 * Bundles are cached under the OS temp directory, keyed by package-lock.json, the shim and
 * this file, so only the first case of a bench run pays for rollup.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const shim = path.join(here, "events_shim.cjs");

/** Each peer package and the exports its bundle keeps (the names the guest code uses). */
export const PEER_ENTRIES = {
  "async-sema": 'export { Sema } from "async-sema";',
  "async-mutex": 'export { Semaphore, Mutex } from "async-mutex";',
  "@esfx/async-semaphore": 'export { AsyncSemaphore } from "@esfx/async-semaphore";',
  "@esfx/async-mutex": 'export { AsyncMutex } from "@esfx/async-mutex";',
  "p-limit": 'export { default as pLimit } from "p-limit";',
  "p-queue": 'export { default as PQueue } from "p-queue";',
};

/** The package behind a bench lib name ("async-mutex:Mutex" → "async-mutex"). */
export function peerPackage(lib) {
  const pkg = lib.split(":")[0];
  if (!(pkg in PEER_ENTRIES)) throw new Error("no QuickJS bundle for peer " + lib);
  return pkg;
}

function cacheFile(pkg) {
  const h = createHash("sha256");
  for (const f of [path.join(root, "package-lock.json"), shim, fileURLToPath(import.meta.url)]) h.update(readFileSync(f));
  h.update(pkg);
  const dir = path.join(os.tmpdir(), "kyoto-bench-peers");
  mkdirSync(dir, { recursive: true });
  return path.join(dir, pkg.replace(/[@/]/g, "_") + "-" + h.digest("hex").slice(0, 16) + ".mjs");
}

/** The ES module source of `pkg` bundled for QuickJS (from the cache when it is there). */
export async function peerBundle(pkg) {
  const file = cacheFile(pkg);
  if (existsSync(file)) return readFileSync(file, "utf8");
  const { rollup } = await import("rollup");
  const { nodeResolve } = await import("@rollup/plugin-node-resolve");
  const { default: commonjs } = await import("@rollup/plugin-commonjs");
  const ENTRY = "\0kyoto-bench-peer";
  const bundle = await rollup({
    input: ENTRY,
    plugins: [
      {
        name: "kyoto-bench-peer",
        resolveId: (id) => (id === ENTRY ? ENTRY : id === "events" ? shim : null),
        load: (id) => (id === ENTRY ? PEER_ENTRIES[pkg] : null),
      },
      nodeResolve({ rootDir: root, preferBuiltins: false }),
      commonjs(),
    ],
    onwarn(w, warn) {
      if (w.code !== "THIS_IS_UNDEFINED" && w.code !== "CIRCULAR_DEPENDENCY") warn(w);
    },
  });
  const { output } = await bundle.generate({ format: "es" });
  await bundle.close();
  const code = output[0].code;
  writeFileSync(file, code);
  return code;
}
