/**
 * `npm run bench`: runs every scenario in `bench/scenarios/*.mjs`, each (scenario × lib × param)
 * case in a fresh `node --expose-gc` process, several times, and reports medians side by side
 * with the peers, the ratio to the best peer and to the floor, and the SPEC §9 budgets.
 *
 *   node bench/run.mjs [--runs N] [--filter a,b] [--quick] [--src] [--timeout S] [--list] [--no-save]
 *
 * --filter keeps the cases whose "scenario/lib/param" contains any of the comma-separated
 * substrings (one starting with ^ must match the start: ^contended/ is not quickjs_contended);
 * their rows replace the same rows in the saved results (others are kept).
 * --src measures the source (targets/node.ts) through tsx instead of dist/node/kyoto.mjs (the default when
 * the bundle is missing). Results: bench/results/latest.json, latest.md and the chart latest.svg.
 *
 * A case may measure several libs in one process (`libs: [...]`, e.g. kyoto and its peers in
 * one QuickJS VM, interleaved): its result is `{ rows: { lib: result } }` and it becomes one
 * row per lib.
 */
import { spawn, execSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildMarkdown, renderScenario, summarize } from "./lib/report.mjs";
import { buildChart } from "./lib/chart.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const resultsDir = path.join(here, "results");

function parseArgs(argv) {
  const opts = { runs: null, filter: [], quick: false, src: false, timeout: 180, list: false, save: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(a + " needs a value");
      return argv[++i];
    };
    if (a === "--runs") opts.runs = Number(value());
    else if (a === "--filter") opts.filter.push(...value().split(",").filter(Boolean));
    else if (a === "--quick") opts.quick = true;
    else if (a === "--src") opts.src = true;
    else if (a === "--timeout") opts.timeout = Number(value());
    else if (a === "--list") opts.list = true;
    else if (a === "--no-save") opts.save = false;
    else if (a === "--help" || a === "-h") {
      process.stdout.write(readFileSync(fileURLToPath(import.meta.url), "utf8").split("*/")[0] + "*/\n");
      process.exit(0);
    } else throw new Error("unknown option " + a);
  }
  if (opts.runs === null) opts.runs = opts.quick ? 1 : 3;
  if (!(opts.runs >= 1)) throw new Error("--runs must be at least 1");
  return opts;
}

/** Newest modification time under `dir` (files matching `test`). */
function newest(dir, test) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) t = Math.max(t, newest(p, test));
    else if (test(entry.name)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

function machineInfo(kyoto) {
  let commit = "unknown";
  try {
    commit = execSync("git rev-parse --short HEAD", { cwd: root, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  } catch {}
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    cpu: cpus.length ? cpus[0].model : "unknown",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
    commit,
    kyoto,
  };
}

export function paramLabel(scenario, param) {
  if (typeof scenario.paramLabel === "function") return String(scenario.paramLabel(param));
  if (param === null || param === undefined) return "";
  if (typeof param === "number") return param.toLocaleString("en-US");
  if (typeof param === "string") return param;
  return JSON.stringify(param);
}

export function kindOf(scenario, lib) {
  if (typeof scenario.kind === "function") {
    const k = scenario.kind(lib);
    if (k) return k;
  }
  if (lib === "kyoto" || lib.startsWith("kyoto")) return "kyoto";
  if (lib.startsWith("floor")) return "floor";
  return "peer";
}

async function loadScenarios() {
  const dir = path.join(here, "scenarios");
  const files = readdirSync(dir).filter((f) => f.endsWith(".mjs")).sort();
  const list = [];
  for (const f of files) {
    const mod = await import(pathToFileURL(path.join(dir, f)).href);
    const s = mod.default || mod;
    const name = f.slice(0, -4);
    if (s.name && s.name !== name) throw new Error(`bench/scenarios/${f}: name must be "${name}" (the file name)`);
    list.push({ ...s, name, order: s.order ?? 100, file: f });
  }
  return list.sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
}

/** Runs one case once; resolves to the result object or `{ error }`. */
function runOnce(scenario, c, opts) {
  const args = [];
  if (opts.useSrc) args.push("--import", "tsx");
  args.push("--expose-gc", ...(scenario.nodeArgs || []), ...(c.nodeArgs || []));
  args.push(path.join(here, "case.mjs"), scenario.name, c.lib, JSON.stringify(c.param ?? null));
  const env = { ...process.env, KYOTO_BENCH_QUICK: opts.quick ? "1" : "0", KYOTO_BENCH_SRC: opts.useSrc ? "1" : "0" };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const limitS = c.timeout ?? scenario.timeout ?? opts.timeout;
    const timer = setTimeout(() => {
      err += `\n(killed after ${limitS} s)`;
      child.kill("SIGKILL");
    }, limitS * 1000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = out.split("\n").find((l) => l.startsWith("@@RESULT "));
      if (line) {
        try {
          return resolve(JSON.parse(line.slice("@@RESULT ".length)));
        } catch (e) {
          return resolve({ error: "bad result line: " + e.message });
        }
      }
      const tail = err.trim().split("\n").slice(-3).join(" | ").slice(0, 300);
      resolve({ error: `exit ${code ?? signal}: ${tail || "no result"}` });
    });
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const bundle = path.join(root, "dist/node/kyoto.mjs");
  opts.useSrc = opts.src || !existsSync(bundle);
  let kyoto = opts.useSrc ? "targets/node.ts (src/) via tsx" : "dist/node/kyoto.mjs";
  if (!opts.useSrc) {
    const stale = newest(path.join(root, "src"), (n) => n.endsWith(".ts")) > statSync(bundle).mtimeMs;
    if (stale) {
      kyoto += " (older than src/: run `npm run build` or pass --src)";
      process.stderr.write("warning: dist/node/kyoto.mjs is older than src/ — run `npm run build` first, or pass --src\n");
    }
  }
  const scenarios = await loadScenarios();
  const ctx = { quick: opts.quick };
  const plan = [];
  for (const s of scenarios) {
    const cases = typeof s.cases === "function" ? s.cases(ctx) : s.cases;
    const chosen = cases.filter((c) => {
      const id = `${s.name}/${c.lib}/${paramLabel(s, c.param)}`;
      return opts.filter.length === 0 || opts.filter.some((f) => (f[0] === "^" ? id.startsWith(f.slice(1)) : id.includes(f)));
    });
    if (chosen.length) plan.push({ scenario: s, cases: chosen });
  }
  if (opts.list) {
    for (const p of plan) {
      for (const c of p.cases) console.log(`${p.scenario.name}/${c.lib}/${paramLabel(p.scenario, c.param)}` + (c.libs ? ` (${c.libs.join(", ")})` : ""));
    }
    return;
  }
  const total = plan.reduce((n, p) => n + p.cases.length, 0);
  const machine = machineInfo(kyoto);
  console.log(`kyoto bench: ${total} cases × ${opts.runs} run(s), ${machine.node}, ${machine.cpu} (${machine.cores} cores), kyoto from ${kyoto}\n`);

  const started = Date.now();
  const done = [];
  let index = 0;
  for (const p of plan) {
    const s = p.scenario;
    // Run 1 of every case of the scenario, then run 2…: a busy stretch of a shared machine
    // then lands on every lib of a table instead of on one lib's runs.
    const results = p.cases.map(() => []);
    for (let r = 0; r < opts.runs; r++) {
      for (let i = 0; i < p.cases.length; i++) {
        const c = p.cases[i];
        process.stderr.write(`\r\x1b[K[${index + i + 1}/${total}] ${s.name}/${c.lib}/${paramLabel(s, c.param)} run ${r + 1}/${opts.runs}`);
        results[i].push(await runOnce(s, c, opts));
      }
    }
    index += p.cases.length;
    const rows = [];
    p.cases.forEach((c, i) => {
      for (const lib of c.libs || [c.lib]) {
        const runs = c.libs ? results[i].map((r) => (r.error ? r : (r.rows && r.rows[lib]) || { error: "no result for " + lib })) : results[i];
        rows.push({ lib, param: c.param ?? null, paramLabel: paramLabel(s, c.param), kind: kindOf(s, lib), runs });
      }
    });
    process.stderr.write("\r\x1b[K");
    const entry = summarize(s, rows);
    done.push(entry);
    console.log(renderScenario(entry) + "\n");
    // Saved after every scenario, so an interrupted run keeps what it measured.
    if (opts.save) save(scenarios, done, ctx, opts, machine, Math.round((Date.now() - started) / 1000));
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`done in ${seconds} s`);
  if (opts.save) {
    save(scenarios, done, ctx, opts, machine, seconds);
    console.log(`saved bench/results/latest.json, latest.md and latest.svg`);
  }
}

function save(scenarios, done, ctx, opts, machine, seconds) {

  // Merge into the saved results: rerun rows replace old ones; other rows and scenarios stay.
  mkdirSync(resultsDir, { recursive: true });
  const jsonFile = path.join(resultsDir, "latest.json");
  let saved = { scenarios: [] };
  if (opts.filter.length && existsSync(jsonFile)) saved = JSON.parse(readFileSync(jsonFile, "utf8"));
  const byName = new Map(saved.scenarios.map((e) => [e.name, e]));
  for (const entry of done) {
    const old = byName.get(entry.name);
    if (old && opts.filter.length) {
      const key = (r) => r.lib + "\u0000" + r.paramLabel;
      const fresh = new Map(entry.rows.map((r) => [key(r), r]));
      const s = scenarios.find((x) => x.name === entry.name);
      const order = (typeof s.cases === "function" ? s.cases(ctx) : s.cases).flatMap((c) => (c.libs || [c.lib]).map((lib) => lib + "\u0000" + paramLabel(s, c.param)));
      const merged = new Map(old.rows.map((r) => [key(r), r]));
      for (const [k, r] of fresh) merged.set(k, r);
      const rows = [...merged.values()].sort((a, b) => order.indexOf(key(a)) - order.indexOf(key(b)));
      byName.set(entry.name, summarize(s, rows));
    } else byName.set(entry.name, entry);
  }
  const order = scenarios.map((s) => s.name);
  const all = [...byName.values()].filter((e) => order.includes(e.name)).sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  const result = { machine, runs: opts.runs, quick: opts.quick, seconds, scenarios: all };
  writeFileSync(jsonFile, JSON.stringify(result, null, 1) + "\n");
  writeFileSync(path.join(resultsDir, "latest.md"), buildMarkdown(result));
  writeFileSync(path.join(resultsDir, "latest.svg"), buildChart(result));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
