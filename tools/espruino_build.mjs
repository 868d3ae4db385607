/**
 * How code is lowered for Espruino, in one place: the library bundle (rollup.config.js),
 * `kyoto build --target espruino` (bin/build.mjs) and the portable test suite run in the
 * Espruino context (test/harness/espruino_bundle.ts) all use these, so what the tests run
 * is processed exactly like what ships.
 *
 *   TypeScript to ES5 with tslib's helpers imported once (not inlined per file), the ES5
 *   library plus the Promise constructor as the type environment; feature tests for what
 *   Espruino lacks folded in kyoto's own modules (tools/fold_absent.mjs); kyoto's internal property
 *   names renamed short in kyoto's own modules (tools/mangle.mjs); then terser (ES5, ASCII
 *   only, two compress passes); then the hoist pass (tools/hoist.mjs) as the very last
 *   step, so the shipped bytes are hoisted even after terser's rewrites.
 */
import typescript from "@rollup/plugin-typescript";
import terser from "@rollup/plugin-terser";
import { createRequire } from "node:module";
import path from "node:path";
import { foldAbsentTypeofs } from "./fold_absent.mjs";
import { hoist } from "./hoist.mjs";
import { mangleInternals, mangleTable } from "./mangle.mjs";
import { root } from "./tsprogram.mjs";

export const ESPRUINO_TS_OPTIONS = { target: "ES5", types: [], importHelpers: true, lib: ["ES5", "ES2015.Promise"] };

export const ESPRUINO_TERSER_OPTIONS = {
  ecma: 5,
  compress: { passes: 2 },
  format: { ascii_only: true, comments: false },
};

/**
 * The TypeScript plugin lowering `include` to ES5 for Espruino (type errors: `npm run check`).
 * @param {{ tsconfig: string, include: string[], exclude?: string[], sourceMap?: boolean, types?: string[] }} options
 */
export function espruinoTypescript({ tsconfig, include, exclude = [], sourceMap = false, types = [] }) {
  return typescript({
    tsconfig,
    include,
    exclude,
    noEmitOnError: false,
    compilerOptions: {
      noEmit: false,
      allowJs: false,
      declaration: false,
      sourceMap,
      ...ESPRUINO_TS_OPTIONS,
      types,
    },
  });
}

/** Output plugins for an Espruino chunk: minify, then hoist. */
export function espruinoOutputPlugins() {
  return [terser(ESPRUINO_TERSER_OPTIONS), hoist()];
}

const tables = {};
/** kyoto's modules: the portable sources and the targets (not apps, not tests, not tslib). */
export const isKyotoModule = (id) => {
  const rel = path.relative(root, id).split(path.sep).join("/");
  return /^(src|hal\/(espruino|quickjs|sim)|targets)\//.test(rel) && rel.endsWith(".ts");
};

/** The renaming table of kyoto's internal property names (tools/mangle.mjs), one per process and `keep`. */
export function internalNames(keep = []) {
  const key = keep.join(",");
  return (tables[key] ??= mangleTable(undefined, keep));
}

/**
 * The rollup plugin renaming kyoto's internal properties in the modules `include` accepts
 * (default: kyoto's own), for every device bundle: Espruino's, and QuickJS's through
 * `kyoto build`. `keep`: names never renamed, for code that also calls a host object by that
 * name (the tests call mocha's `this.timeout`); `keepFunctionNames` for code that is not
 * minified afterwards.
 */
export function deviceMangle(include = isKyotoModule, keep = [], { keepFunctionNames = false } = {}) {
  return mangleInternals({ table: internalNames(keep), include, keepFunctionNames });
}

const isTslib = (id) => /[\\/]tslib[\\/]tslib\.es6\.mjs$/.test(id);

/**
 * The rollup plugin folding `typeof` tests of what Espruino lacks (tools/fold_absent.mjs) in
 * kyoto's own modules and in tslib's helpers (its generator's `Symbol`/`Iterator` tests).
 */
export function espruinoFold() {
  return {
    name: "kyoto-fold-absent",
    transform(code, id) {
      if (!isKyotoModule(id) && !isTslib(id)) return null;
      const out = foldAbsentTypeofs(code);
      return out === code ? null : { code: out, map: null };
    },
  };
}

/**
 * The rollup plugin resolving `tslib` (TypeScript's `importHelpers`) to tools/espruino_tslib.mjs:
 * tslib's helpers with the `__extends` Espruino needs. Put it before the TypeScript plugin.
 */
export function espruinoTslib() {
  const shim = path.join(root, "tools/espruino_tslib.mjs");
  return {
    name: "kyoto-espruino-tslib",
    // Neither does anything at load that a helper it exports needs (tslib's one top-level
    // statement reads `SuppressedError`, which a bundler must otherwise keep).
    resolveId(source) {
      if (source === "tslib") return { id: shim, moduleSideEffects: false };
      return source === "tslib/tslib.es6.mjs" ? { id: createRequire(import.meta.url).resolve(source), moduleSideEffects: false } : null;
    },
  };
}
