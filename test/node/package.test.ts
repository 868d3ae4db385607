/**
 * kyoto as a dependency: `npm pack` (which runs `prepare`, the build) and what the tarball
 * holds; the tarball unpacked into fresh ES module and CommonJS projects; every
 * typed entry (`kyoto`, `kyoto/sim`, `kyoto/core`) type-checked from a strict TypeScript
 * consumer in every resolution mode (node10 through typesVersions, node16, nodenext,
 * bundler) with the repository's own TypeScript; the public surface of `kyoto` held to
 * SPEC §5 at run time and in the declarations (internal members stripped); and `import`
 * and `require` of the installed package sharing one runtime.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { assert } from "../assert";
import { typeErrors } from "./typecheck";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** Every value `kyoto` may export at run time: SPEC §5 (net names once src/net lands). */
export const PUBLIC_VALUES = [
  "Semaphore", "Permit", "Mutex", "MutexGuard", "RwLock", "RwLockReadGuard", "RwLockWriteGuard",
  "Notify", "Barrier", "oneshot", "OneshotSender", "OneshotReceiver",
  "channel", "unboundedChannel", "Sender", "UnboundedSender", "Receiver", "SendPermit",
  "watch", "WatchSender", "WatchReceiver", "broadcast", "BroadcastSender", "BroadcastReceiver",
  "spawn", "JoinHandle", "JoinSet", "yieldNow", "sleep", "sleepUntil", "now", "timeout",
  "interval", "Interval", "select", "join", "tryJoin", "createRuntime", "Runtime",
  "Op", "CancelSource", "CancelSignal", "opsArePromises",
  "ERR_CLOSED", "ERR_CANCELLED", "ERR_TIMEOUT", "ERR_LAGGED", "ERR_POOL_EXHAUSTED", "ERR_BUSY", "ERR_SOCKET",
  // misuse error codes (as Node's), and the opt-in waiting-call stacks
  "ERR_INVALID_ARG_TYPE", "ERR_OUT_OF_RANGE", "ERR_INVALID_STATE", "setDebug", "setErrorReporter",
];
const NET_VALUES = ["TcpListener", "TcpStream", "UdpSocket", "copy", "lines", "formatAddr", "parseAddr", "utf8Encode", "utf8Decode"];

/** Engine pieces that live in `kyoto/core`, never in `kyoto`. */
const CORE_VALUES = ["NodePool", "WaitList", "BatchSemaphore", "TimerWheel", "runDeliveries", "setDeliveryHost", "currentRuntime", "setDefaultHalFactory", "defaultWaiterPool", "NIL"];

/** A strict consumer of every typed entry, with checks that internals stay hidden. */
const CONSUMER = `
import { Semaphore, Mutex, channel, sleep, createRuntime, ERR_CLOSED, type Op, type KyotoError } from "kyoto";
import { createSimRuntime, type SimRuntime } from "kyoto/sim";
import { NodePool, BatchSemaphore, TimerWheel, type PoolStats } from "kyoto/core";

const pool = new NodePool({ capacity: 4 });
const sem = new Semaphore(2, { pool });
const op: Op<import("kyoto").Permit> = sem.acquire(1);
const engine: BatchSemaphore = new BatchSemaphore(1);
const wheel = new TimerWheel();
const stats: PoolStats = pool.stats();
const rt: SimRuntime = createSimRuntime({ seed: 1 });
const mutex = new Mutex({ n: 0 });
const [tx, rx] = channel<number>(4);
const code: string = ERR_CLOSED;
const err: KyotoError | null = null;
const next: Op<number | undefined> = rx.recv();
const nap: Op<void> = sleep(100);
void [op, engine, wheel, stats, rt, mutex, tx, code, err, next, nap, createRuntime];

// The declarations do not show internal members …
// @ts-expect-error internal to the op machinery
op.complete;
// @ts-expect-error internal to the op machinery
op.takeResult;
// @ts-expect-error internal to Mutex
mutex.inner;
`;
/** … and \`kyoto\` does not export the engine. */
const CONSUMER_NO_ENGINE = `
// @ts-expect-error NodePool is kyoto/core's
import { NodePool } from "kyoto";
void NodePool;
`;

interface Mode {
  name: string;
  project: "esm" | "cjs";
  options: ts.CompilerOptions;
}
const MODES: Mode[] = [
  { name: "nodenext, ES module project", project: "esm", options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext } },
  { name: "nodenext, CommonJS project", project: "cjs", options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext } },
  { name: "node16, ES module project", project: "esm", options: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 } },
  { name: "node16, CommonJS project", project: "cjs", options: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 } },
  { name: "bundler", project: "esm", options: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler } },
  { name: "node10 (typesVersions)", project: "cjs", options: { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 } },
];

describe("the packed package", function () {
  this.timeout(180_000);
  let tmp = "";
  let tarball = "";
  const projects: Record<"esm" | "cjs", string> = { esm: "", cjs: "" };

  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), "kyoto-pack-"));
    // `npm pack` runs `prepare` (the build, a no-op when dist/ is current) and prints JSON.
    const out = execFileSync(npm, ["pack", "--json", "--pack-destination", tmp], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const info = JSON.parse(out)[0] as { filename: string };
    tarball = path.join(tmp, path.basename(info.filename));
    for (const kind of ["esm", "cjs"] as const) {
      const dir = path.join(tmp, kind);
      mkdirSync(dir);
      const pkg = { name: "consumer-" + kind, version: "1.0.0", private: true, ...(kind === "esm" ? { type: "module" } : {}) };
      writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg));
      // Installed the way npm lays a package out (the tarball's package/ as node_modules/kyoto),
      // without fetching its dependencies: those serve `npx kyoto run` only, and this test runs
      // offline.
      const target = path.join(dir, "node_modules", "kyoto");
      mkdirSync(target, { recursive: true });
      execFileSync("tar", ["-xzf", tarball, "-C", target, "--strip-components=1"], { stdio: "pipe" });
      writeFileSync(path.join(dir, "consumer.ts"), CONSUMER);
      writeFileSync(path.join(dir, "no_engine.ts"), CONSUMER_NO_ENGINE);
      projects[kind] = dir;
    }
  });

  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("`npm pack --dry-run` lists dist/ (every bundle and declaration), LICENSE, README and what `kyoto build` reads, and no tests or benches", () => {
    const out = execFileSync(npm, ["pack", "--dry-run", "--json"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const files = (JSON.parse(out)[0] as { files: { path: string }[] }).files.map((f) => f.path);
    for (const entry of ["kyoto", "sim", "core"]) {
      for (const ext of [".cjs", ".mjs", ".d.ts", ".d.cts"]) assert.ok(files.includes(`dist/node/${entry}${ext}`), `dist/node/${entry}${ext} is packed`);
    }
    for (const f of ["dist/quickjs/kyoto.mjs", "dist/espruino/kyoto.js", "LICENSE", "README.md", "package.json"]) assert.ok(files.includes(f), `${f} is packed`);
    // `kyoto build` bundles an app from kyoto's sources, so they ship with it.
    for (const f of ["bin/build.mjs", "src/index.ts", "targets/espruino.ts", "hal/espruino/index.ts", "tools/espruino_build.mjs"]) assert.ok(files.includes(f), `${f} is packed`);
    assert.deepEqual(files.filter((f) => /^(test|bench)\//.test(f) || f === "dist/.build-stamp"), []);
    assert.ok(/^MIT License[\s\S]*kyoto developers/.test(readFileSync(path.join(root, "LICENSE"), "utf8")));
  });

  for (const mode of MODES) {
    it(`a strict TypeScript consumer type-checks kyoto, kyoto/sim and kyoto/core (${mode.name})`, () => {
      const dir = projects[mode.project];
      assert.deepEqual(typeErrors([path.join(dir, "consumer.ts"), path.join(dir, "no_engine.ts")], mode.options), []);
    });
  }

  it("resolves each typed entry to the declaration twin of the file Node loads (import → .d.ts, require → .d.cts)", () => {
    for (const [kind, ext] of [["esm", ".d.ts"], ["cjs", ".d.cts"]] as const) {
      const containing = path.join(projects[kind], "consumer.ts");
      for (const entry of ["kyoto", "kyoto/sim", "kyoto/core"]) {
        const options = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext };
        const mode = kind === "esm" ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS;
        const r = ts.resolveModuleName(entry, containing, options, ts.sys, undefined, undefined, mode);
        const file = r.resolvedModule?.resolvedFileName ?? "(unresolved)";
        assert.ok(file.endsWith(ext), `${kind}: ${entry} resolved to ${file}`);
      }
    }
  });

  it("exports what SPEC §5 lists from kyoto, and the engine from kyoto/core only", () => {
    const script = `const k = require("kyoto"), c = require("kyoto/core"); console.log(JSON.stringify({ k: Object.keys(k), c: Object.keys(c) }));`;
    const { k, c } = JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: projects.cjs, encoding: "utf8" })) as { k: string[]; c: string[] };
    assert.deepEqual(k.filter((n) => !PUBLIC_VALUES.includes(n) && !NET_VALUES.includes(n)), [], "kyoto exports only SPEC §5 names");
    assert.deepEqual(PUBLIC_VALUES.filter((n) => !k.includes(n)), [], "kyoto exports every SPEC §5 name");
    assert.deepEqual(CORE_VALUES.filter((n) => !c.includes(n)), [], "kyoto/core exports the engine");
  });

  it("import and require share one instance: same classes, and a CommonJS sleep inside an ES module sim run() runs on virtual time", () => {
    const script = `
      import { createRequire } from "node:module";
      import * as esm from "kyoto";
      import * as esmCore from "kyoto/core";
      import { createSimRuntime } from "kyoto/sim";
      const require = createRequire(import.meta.url);
      const cjs = require("kyoto"), cjsCore = require("kyoto/core"), cjsSim = require("kyoto/sim");
      const same = ["Semaphore", "Op", "sleep", "spawn", "createRuntime"].every((n) => esm[n] === cjs[n] && cjsSim[n] === cjs[n])
        && esmCore.NodePool === cjsCore.NodePool && cjsSim.createSimRuntime === createSimRuntime;
      const rt = createSimRuntime({ seed: 1 });
      const slept = await rt.run(async () => { const t0 = esm.now(); await cjs.sleep(60000); return esm.now() - t0; });
      rt.close();
      console.log(JSON.stringify({ same, slept }));
    `;
    const file = path.join(projects.esm, "shared.mjs");
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, [file], { cwd: projects.esm, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { same: true, slept: 60000 });
  });
});
