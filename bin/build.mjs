#!/usr/bin/env node
/**
 * `kyoto build --target espruino|quickjs app.js [-o out.js] [--budget bytes]` (SPEC §8):
 * bundles an app with only the parts of kyoto it imports.
 *
 *   - `import … from "kyoto"` resolves to kyoto's sources with that engine's HAL as the default
 *     host (quickjs: targets/quickjs.ts; espruino: the time-only HAL, or the socket HAL when the
 *     app imports TcpListener, TcpStream or UdpSocket); kyoto's modules are side-effect free,
 *     so what the app does not use is dropped.
 *   - espruino: one ES5 script (TypeScript lowering with tslib's helpers once, the app
 *     lowered too, so it may use classes and async functions), kyoto's internal property
 *     names renamed short, the methods nothing names dropped (tools/drop_unused_methods.mjs),
 *     minified, ASCII only, function declarations hoisted; then checked like the library
 *     bundle (ES5, only what Espruino 2v29 has, hoisted) — a failed check fails the build.
 *   - quickjs: one ES2020 module, kyoto's internal property names renamed short, the methods
 *     nothing names dropped, minified; QuickJS host modules (os, std, qjs:*) stay imports.
 *
 * It prints how many bytes of the output each source module accounts for (through the
 * output's source map: the column adds up to the exact total) and, with `--budget`, whether
 * the output is within it (exit code 1 when not).
 *
 * Run as `npx kyoto build …` (bin/kyoto.js) or `node bin/build.mjs …`; `build(options)`
 * is the same thing for scripts and tests.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { SourceMap } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const USAGE = "usage: kyoto build --target espruino|quickjs app.js [-o out.js] [--budget bytes]";
const TARGETS = { espruino: "targets/espruino.ts", quickjs: "targets/quickjs.ts" };

/** Parses build's arguments; throws a usage error naming what is wrong. */
export function parseArgs(argv) {
  const o = { target: null, input: null, output: null, budget: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value\n${USAGE}`);
      return argv[++i];
    };
    if (a === "--target" || a === "-t") o.target = value();
    else if (a.startsWith("--target=")) o.target = a.slice(9);
    else if (a === "-o" || a === "--output") o.output = value();
    else if (a === "--budget") o.budget = Number(value());
    else if (a.startsWith("-")) throw new Error(`unknown option ${a}\n${USAGE}`);
    else if (o.input === null) o.input = a;
    else throw new Error(`one app file only (got ${o.input} and ${a})\n${USAGE}`);
  }
  if (!(o.target in TARGETS)) throw new Error(`--target must be espruino or quickjs, received ${JSON.stringify(o.target)}\n${USAGE}`);
  if (o.input === null) throw new Error(`no app file given\n${USAGE}`);
  if (o.budget !== null && !(o.budget > 0)) throw new Error(`--budget must be a positive number of bytes\n${USAGE}`);
  o.output ??= o.input.replace(/\.[cm]?[jt]s$/, "") + (o.target === "espruino" ? ".espruino.js" : ".quickjs.mjs");
  return o;
}

/** The socket classes: an Espruino app importing one gets the socket HAL. */
const SOCKET_EXPORTS = ["TcpListener", "TcpStream", "UdpSocket"];

/** Does the app import a socket class (one of `names`, or all of kyoto) from "kyoto"? */
export function usesSockets(source, names = SOCKET_EXPORTS) {
  const re = /import\s*(\*\s*as\s+\w+|\{[^}]*\})\s*from\s*["']kyoto["']/g;
  let m;
  while ((m = re.exec(source)) !== null) {
    if (m[1].startsWith("*")) return true;
    if (names.some((name) => new RegExp("\\b" + name + "\\b").test(m[1]))) return true;
  }
  return false;
}

const isQuickjsHostModule = (id) => id === "os" || id === "std" || id.startsWith("qjs:");

/** The build toolchain is the app's dev dependencies, not kyoto's: say which one is missing. */
async function toolchain(name) {
  try {
    return await import(name);
  } catch (err) {
    if (err && err.code !== "ERR_MODULE_NOT_FOUND") throw err;
    const e = new Error(`kyoto build needs "${name}" in the app's project: npm install -D rollup terser typescript @rollup/plugin-typescript tslib magic-string acorn`);
    e.code = "ERR_MISSING_TOOLCHAIN";
    throw e;
  }
}

/** Bundles `input` for `target`. Returns { code, bytes, modules: [{ id, bytes }], problems }. */
export async function build({ target, input }) {
  const { rollup } = await toolchain("rollup");
  const { minify } = await toolchain("terser");
  const ts = (await toolchain("typescript")).default;
  const typescript = (await toolchain("@rollup/plugin-typescript")).default;
  await toolchain("magic-string");
  await toolchain("acorn");
  const { dropUnusedMethodsPlugin } = await import("../tools/drop_unused_methods.mjs");
  const { espruinoTypescript, espruinoFold, espruinoTslib, deviceMangle, espruinoOutputPlugins, isKyotoModule } = await import("../tools/espruino_build.mjs");
  const app = path.resolve(input);
  const entry = path.join(root, TARGETS[target]);
  const espruino = target === "espruino";
  const include = ["src/**/*.ts", "hal/**/*.ts", "targets/**/*.ts"].map((g) => path.join(root, g));

  // On Espruino the root is composed per app: the socket HAL only when the app uses sockets,
  // its UDP part only when the app uses UdpSocket.
  const ENTRY = "\0kyoto-espruino-entry";
  const resolveKyoto = {
    name: "kyoto-resolve",
    resolveId(id) {
      if (id === "kyoto") return espruino ? ENTRY : entry;
      return id === ENTRY ? ENTRY : null;
    },
    load(id) {
      if (id !== ENTRY) return null;
      const source = readFileSync(app, "utf8");
      const hal = !usesSockets(source) ? ["createEspruinoHal", "hal/espruino/index.ts"]
        : usesSockets(source, ["UdpSocket"]) ? ["createEspruinoNetHal", "hal/espruino/sockets.ts"]
        : ["createEspruinoTcpHal", "hal/espruino/tcp.ts"];
      const abs = (p) => JSON.stringify(path.join(root, p));
      return [
        `import { setDefaultHalFactory } from ${abs("src/runtime/host.ts")};`,
        `import { ${hal[0]} } from ${abs(hal[1])};`,
        `setDefaultHalFactory(function () { return ${hal[0]}(); });`,
        `export * from ${abs("src/index.ts")};`,
      ].join("\n");
    },
  };
  // The app itself (JavaScript) is lowered by TypeScript's transpiler, helpers from tslib.
  const lowerApp = {
    name: "kyoto-lower-app",
    transform(code, id) {
      if (id !== app) return null;
      const out = ts.transpileModule(code, {
        fileName: id,
        compilerOptions: {
          target: espruino ? ts.ScriptTarget.ES5 : ts.ScriptTarget.ES2020,
          module: ts.ModuleKind.ESNext,
          importHelpers: true,
          allowJs: true,
          sourceMap: true,
          lib: espruino ? ["lib.es5.d.ts", "lib.es2015.promise.d.ts"] : undefined,
        },
      });
      return { code: out.outputText, map: out.sourceMapText ? JSON.parse(out.sourceMapText) : null };
    },
  };
  const plugins = espruino
    ? [resolveKyoto, espruinoTslib(), lowerApp, espruinoTypescript({ tsconfig: path.join(root, "tsconfig.json"), include, sourceMap: true }), espruinoFold(), deviceMangle()]
    : [resolveKyoto, typescript({
      tsconfig: path.join(root, "tsconfig.json"), include, noEmitOnError: false,
      compilerOptions: { noEmit: false, allowJs: false, declaration: false, sourceMap: false, target: "ES2020", types: [] },
    }), deviceMangle()];

  const warnings = [];
  const bundle = await rollup({
    input: app,
    external: espruino ? undefined : isQuickjsHostModule,
    plugins,
    // kyoto's modules do nothing at load that an app needs unless it uses their exports;
    // the target module does (it installs the default HAL).
    treeshake: { moduleSideEffects: (id) => !isKyotoModule(id) || id === entry || id === ENTRY },
    onwarn(w) {
      if (w.plugin === "typescript" || w.code === "CIRCULAR_DEPENDENCY") return;
      warnings.push(w.message);
    },
  });
  const { output } = await bundle.generate(espruino
    ? { format: "iife", freeze: false, sourcemap: "hidden", plugins: [dropUnusedMethodsPlugin(), ...espruinoOutputPlugins()] }
    : { format: "es", sourcemap: "hidden", plugins: [dropUnusedMethodsPlugin()] });
  await bundle.close();
  const chunk = output[0];
  let code = chunk.code;
  let map = chunk.map;
  if (!espruino) {
    const min = await minify(code, { module: true, ecma: 2020, compress: { passes: 2 }, sourceMap: { content: map, asObject: true } });
    code = min.code;
    map = min.map;
  }
  const modules = sizesBySource(code, map);
  let problems = [];
  if (espruino) {
    const { checkEspruinoBundle } = await import("../tools/check_bundles.mjs");
    problems = checkEspruinoBundle(code, "out.js", map);
  }
  return { code, bytes: Buffer.byteLength(code, "utf8"), modules, problems, warnings };
}

/**
 * Bytes of the output per source module, exact: every output character is counted for the
 * source its source-map entry points to (rollup's and tslib's glue and anything unmapped
 * count as "(bundle glue)"), so the column sums to the total and reflects what was dropped.
 */
function sizesBySource(code, map) {
  const sourceMap = new SourceMap(map);
  const bytes = {};
  const lines = code.split("\n");
  for (let line = 0; line < lines.length; line++) {
    const text = lines[line];
    for (let col = 0; col < text.length; col++) {
      const entry = sourceMap.findEntry(line, col);
      const source = entry && entry.originalSource && entry.generatedLine === line ? displayId(path.resolve(entry.originalSource)) : "(bundle glue)";
      bytes[source] = (bytes[source] || 0) + Buffer.byteLength(text[col], "utf8");
    }
    if (line < lines.length - 1) bytes["(bundle glue)"] = (bytes["(bundle glue)"] || 0) + 1;
  }
  return Object.keys(bytes).map((id) => ({ id, bytes: bytes[id] })).sort((a, b) => b.bytes - a.bytes);
}

function displayId(id) {
  if (id.startsWith("\0")) return id.slice(1);
  const rel = path.relative(root, id).split(path.sep).join("/");
  if (rel.startsWith("node_modules/")) return rel.slice("node_modules/".length);
  return rel.startsWith("..") ? path.relative(process.cwd(), id) : rel;
}

/** The size table `kyoto build` prints. */
export function formatReport({ target, input, output, budget }, result) {
  const lines = [`kyoto build --target ${target} ${input} -> ${output}`];
  const width = Math.max(20, ...result.modules.map((m) => m.id.length));
  lines.push(`  ${"module".padEnd(width)}  bytes (of the output)`);
  for (const m of result.modules) lines.push(`  ${m.id.padEnd(width)}  ${String(m.bytes).padStart(6)}`);
  let verdict = "";
  if (budget !== null) verdict = result.bytes <= budget ? `  budget ${budget}: met` : `  budget ${budget}: MISSED by ${result.bytes - budget} bytes`;
  lines.push(`  ${"total (exact, as written)".padEnd(width)}  ${String(result.bytes).padStart(6)}${verdict}`);
  return lines.join("\n");
}

export async function main(argv) {
  let options;
  try {
    options = parseArgs(argv);
  } catch (e) {
    console.error("kyoto build: " + e.message);
    return 2;
  }
  const result = await build(options);
  for (const w of result.warnings) console.error("kyoto build: warning: " + w);
  if (result.problems.length > 0) {
    console.error(`kyoto build: the output would not run on Espruino:\n  ${result.problems.join("\n  ")}`);
    return 1;
  }
  mkdirSync(path.dirname(path.resolve(options.output)), { recursive: true });
  writeFileSync(options.output, result.code);
  console.log(formatReport(options, result));
  return options.budget !== null && result.bytes > options.budget ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.exitCode = await main(process.argv.slice(2));
}
