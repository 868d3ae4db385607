/**
 * Bundles the portable test files for QuickJS: one ES2020 module per test file (rollup,
 * TypeScript plugin, kyoto's internal names renamed like every device bundle), with shared
 * code (assertions, src/) in chunks, written to a fresh
 * build/quickjs-tests-XXXXXX/ per run (several engineers run `npm test` in one tree at
 * once), removed when the process exits unless KYOTO_KEEP_BUILD=1. Type errors are not
 * reported here (`npm run check` does that).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import typescript from "@rollup/plugin-typescript";
import { rollup, type RollupLog } from "rollup";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** test/<dir>/**\/*.test.ts for every <dir> except node/ and harness/: the portable tests. */
export function findPortableTests(testRoot = path.join(repoRoot, "test")): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".test.ts")) out.push(full);
    }
  };
  for (const name of readdirSync(testRoot).sort()) {
    const full = path.join(testRoot, name);
    if (name === "node" || name === "harness" || !statSync(full).isDirectory()) continue;
    walk(full);
  }
  return out;
}

export interface TestBundle {
  dir: string;
  /** Entry module names relative to `dir`, e.g. "sync/semaphore.test.js", with their source. */
  entries: { name: string; source: string }[];
}

/** A fresh directory under build/ for this process, removed at exit unless KYOTO_KEEP_BUILD=1. */
export function scratchDir(prefix: string): string {
  mkdirSync(path.join(repoRoot, "build"), { recursive: true });
  const dir = mkdtempSync(path.join(repoRoot, "build", prefix + "-"));
  if (process.env.KYOTO_KEEP_BUILD !== "1") {
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return dir;
}

/** Rollup inputs for test files: "core/cancel.test" → its path. */
function testInputs(files: string[]): Record<string, string> {
  const input: Record<string, string> = {};
  for (const f of files) {
    const rel = path.relative(path.join(repoRoot, "test"), f).split(path.sep).join("/");
    input[rel.startsWith("..") ? path.basename(f, ".ts") : rel.replace(/\.ts$/, "")] = f;
  }
  return input;
}

/** TypeScript's diagnostics are `npm run check`'s job; test files import each other in cycles. */
function onwarn(warning: RollupLog, warn: (w: RollupLog) => void): void {
  if (warning.plugin === "typescript") return;
  if (warning.code === "CIRCULAR_DEPENDENCY") return;
  warn(warning);
}

const TEST_SOURCES = {
  tsconfig: path.join(repoRoot, "tsconfig.json"),
  include: ["src/**/*.ts", "hal/**/*.ts", "test/**/*.ts"].map((g) => path.join(repoRoot, g)),
  exclude: [path.join(repoRoot, "test/node/**"), path.join(repoRoot, "node_modules/**")],
};

/** What the tests call on mocha's `this`: never renamed, though hal/sim has a private `timeout`. */
const MOCHA_CONTEXT = ["timeout", "slow", "retries", "skip", "currentTest"];

/**
 * The renaming every device bundle gets (tools/mangle.mjs), for kyoto's modules and the tests:
 * the tests read internals (`sem.inner`, pool stats). That public names survive it is shown
 * by test/node/espruino.test.ts.
 */
async function renameInternals(keepFunctionNames: boolean) {
  const { deviceMangle, isKyotoModule } = await import("../../tools/espruino_build.mjs");
  const renamed = (id: string) => isKyotoModule(id) || id.startsWith(path.join(repoRoot, "test") + path.sep);
  return deviceMangle(renamed, MOCHA_CONTEXT, { keepFunctionNames });
}

/**
 * Bundles the portable test files for QuickJS, kyoto's internal names renamed like
 * dist/quickjs/kyoto.min.mjs (what `kyoto run` loads).
 */
export async function bundleTests(files: string[], outDir = scratchDir("quickjs-tests")): Promise<TestBundle> {
  if (existsSync(outDir)) rmSync(outDir, { recursive: true, force: true });
  if (files.length === 0) return { dir: outDir, entries: [] };
  const input = testInputs(files);
  const bundle = await rollup({
    input,
    onwarn,
    plugins: [
      typescript({
        ...TEST_SOURCES,
        noEmitOnError: false,
        compilerOptions: { noEmit: false, allowJs: false, target: "ES2020", sourceMap: true, declaration: false, types: ["mocha"] },
      }),
      // Not minified afterwards: stack traces name the functions (spec10 checks them).
      await renameInternals(true),
    ],
  });
  await bundle.write({
    dir: outDir,
    format: "es",
    sourcemap: true,
    entryFileNames: "[name].js",
    chunkFileNames: "chunks/[name]-[hash].js",
  });
  await bundle.close();
  return {
    dir: outDir,
    entries: Object.keys(input).map((name) => ({ name: name + ".js", source: path.relative(repoRoot, input[name]) })),
  };
}

/**
 * Bundles the portable test files for the Espruino context: lowered, minified and hoisted
 * exactly like dist/espruino/kyoto.js (tools/espruino_build.mjs), one CommonJS module per
 * test file with shared code in chunks, loaded by test/harness/espruino.ts's module loader.
 */
export async function bundleTestsForEspruino(files: string[], outDir = scratchDir("espruino-tests")): Promise<TestBundle> {
  const { espruinoTypescript, espruinoFold, espruinoOutputPlugins, espruinoTslib } = await import("../../tools/espruino_build.mjs");
  if (files.length === 0) return { dir: outDir, entries: [] };
  const input = testInputs(files);
  const bundle = await rollup({
    input,
    onwarn,
    plugins: [espruinoTslib(), espruinoTypescript({ ...TEST_SOURCES, types: ["mocha"] }), espruinoFold(), await renameInternals(false)],
  });
  await bundle.write({
    dir: outDir,
    format: "cjs",
    exports: "named",
    entryFileNames: "[name].js",
    chunkFileNames: "chunks/[name]-[hash].js",
    plugins: espruinoOutputPlugins(),
  });
  await bundle.close();
  return {
    dir: outDir,
    entries: Object.keys(input).map((name) => ({ name: name + ".js", source: path.relative(repoRoot, input[name]) })),
  };
}
