/**
 * `kyoto run [--engine quickjs|quickjs-ng|node] [--memory 256k] [--stack 128k] [--stats] app.js`
 * (SPEC §8): runs an ES module the way a device would. On quickjs / quickjs-ng it runs inside
 * quickjs-emscripten with this process as the device's host (bin/lib/device_host.mjs); on node
 * it runs on Node against the Node bundle. The exit code is the script's outcome: 0 when it
 * finished, 1 for an uncaught error, an unhandled rejection or out-of-memory, 2 for bad
 * usage, 130 for Ctrl-C.
 */
import { existsSync } from "node:fs";
import { register } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { quickjsBundles } from "./lib/device_host.mjs";
import { statsLine } from "./lib/stats_line.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ENGINES = ["quickjs", "quickjs-ng", "node"];

/** "256k", "1m", "65536" -> bytes. */
export function parseSize(text, flag) {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i.exec(String(text));
  if (!m) throw new UsageError(`${flag} expects a size such as 256k or 1m, got "${text}"`);
  const scale = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase()];
  return Math.round(Number(m[1]) * scale);
}

class UsageError extends Error {}

export function parseArgs(args) {
  const o = { engine: "quickjs", memory: 0, stack: 0, stats: false, script: null, scriptArgs: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (o.script !== null) {
      o.scriptArgs.push(a);
      continue;
    }
    const [flag, inline] = a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= args.length) throw new UsageError(`${flag} needs a value`);
      return args[++i];
    };
    if (flag === "--engine") {
      o.engine = value();
      if (!ENGINES.includes(o.engine)) throw new UsageError(`--engine expects ${ENGINES.join(", ")}, got "${o.engine}"`);
    } else if (flag === "--memory") o.memory = parseSize(value(), "--memory");
    else if (flag === "--stack") o.stack = parseSize(value(), "--stack");
    else if (flag === "--stats") o.stats = true;
    else if (flag.startsWith("-")) throw new UsageError(`unknown option ${flag}`);
    else o.script = a;
  }
  if (o.script === null) throw new UsageError("no script given");
  if (!existsSync(o.script)) throw new UsageError(`no such script: ${o.script}`);
  return o;
}

/**
 * The guest runs on a worker thread (bin/lib/device_worker.mjs): Ctrl-C raises the shared
 * interrupt flag, which stops a guest spinning in a synchronous loop through the runtime's
 * interrupt handler, and posts "interrupt" for a guest that waits. A second Ctrl-C ends the
 * process at once (a host call that never returns).
 */
async function runQuickJs(o) {
  const bundles = quickjsBundles();
  if (!existsSync(bundles.kyoto)) {
    console.error(`kyoto run: ${path.relative(process.cwd(), bundles.kyoto)} is missing: run \`npm run build\``);
    return 2;
  }
  const interrupt = new SharedArrayBuffer(4);
  const worker = new Worker(new URL("./lib/device_worker.mjs", import.meta.url), {
    workerData: { ...o, interrupt },
  });
  const flag = new Int32Array(interrupt);
  const onSigint = () => {
    if (Atomics.exchange(flag, 0, 1) === 1) process.exit(130);
    worker.postMessage("interrupt");
  };
  process.on("SIGINT", onSigint);
  try {
    return await new Promise((resolve) => {
      worker.on("error", (err) => {
        console.error(`kyoto run: the device host failed: ${err?.stack ?? err}`);
        resolve(1);
      });
      worker.on("exit", resolve);
    });
  } finally {
    process.off("SIGINT", onSigint);
  }
}

async function runNode(o) {
  if (o.memory || o.stack) console.error("kyoto run: --memory and --stack limit QuickJS guests; ignored with --engine node");
  const dist = path.join(root, "dist/node");
  if (!existsSync(path.join(dist, "kyoto.mjs"))) {
    console.error("kyoto run: dist/node/kyoto.mjs is missing: run `npm run build`");
    return 2;
  }
  // "kyoto", "kyoto/sim" and "kyoto/core" resolve to this checkout's Node bundle, wherever the script lives.
  const targets = {
    kyoto: pathToFileURL(path.join(dist, "kyoto.mjs")).href,
    "kyoto/sim": pathToFileURL(path.join(dist, "sim.mjs")).href,
    "kyoto/core": pathToFileURL(path.join(dist, "core.mjs")).href,
  };
  const hooks = `const t = ${JSON.stringify(targets)};
export async function resolve(spec, ctx, next) { return Object.hasOwn(t, spec) ? { url: t[spec], shortCircuit: true } : next(spec, ctx); }`;
  register("data:text/javascript," + encodeURIComponent(hooks));
  const core = await import(targets["kyoto/core"]);
  let ticker = null;
  const sample = (label) => {
    const s = { memory: process.memoryUsage().heapUsed, limit: 0, kyoto: core.currentRuntime().stats() };
    console.error(statsLine(s, label));
  };
  if (o.stats) {
    ticker = setInterval(() => sample(), 1000);
    ticker.unref();
    process.on("exit", () => sample("at exit"));
  }
  process.argv = [process.argv[0], path.resolve(o.script), ...o.scriptArgs];
  await import(pathToFileURL(path.resolve(o.script)).href);
  return undefined;
}

/** Runs `kyoto run …`; resolves with the exit code (undefined: let Node decide, for --engine node). */
export async function main(args) {
  let o;
  try {
    o = parseArgs(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`kyoto run: ${err.message}\nusage: kyoto run [--engine quickjs|quickjs-ng|node] [--memory 256k] [--stack 128k] [--stats] app.js`);
    return 2;
  }
  if (o.engine === "node") return runNode(o);
  const code = await runQuickJs(o);
  // Sockets or timers the guest left behind must not keep the process alive after its outcome.
  process.exit(code);
}
