/**
 * One rollup config, every bundle (SPEC §3):
 *
 *   dist/node/{kyoto,sim}.{mjs,cjs,d.ts}  from targets/node.ts and targets/sim.ts (ES2020).
 *       Built together so that `kyoto/sim` imports `kyoto` instead of carrying a second
 *       copy of the runtime (SPEC §10). ESM and CJS are separate copies of each other.
 *   dist/quickjs/{kyoto,sim}.mjs   from targets/quickjs.ts and targets/quickjs_sim.ts: ES2020
 *       modules, unminified (readable stack traces on devices), `sim` importing `kyoto`;
 *       and {kyoto,sim}.min.mjs, the same minified with a source map to the TypeScript: what
 *       `kyoto run` loads, since a QuickJS function keeps its source text in the heap;
 *       kyoto.d.ts: kyoto's declarations plus the QuickJS HAL's (kyoto/espruino uses kyoto's).
 *   dist/espruino/kyoto.js   from targets/espruino.ts: one ES5 script assigning the global
 *       `kyoto`, lowered, minified and hoisted as tools/espruino_build.mjs says (the same
 *       steps `kyoto build --target espruino` and the Espruino test run use).
 *
 * The ES2020 outputs also get their module-scope `const`/`let` rewritten to `var`
 * (tools/top_level_var.mjs): V8 checks the temporal dead zone on every read otherwise.
 */
import typescript from "@rollup/plugin-typescript";
import terser from "@rollup/plugin-terser";
import { dts } from "rollup-plugin-dts";
import { ESPRUINO_TS_OPTIONS, espruinoMangle, espruinoOutputPlugins } from "./tools/espruino_build.mjs";
import { topLevelVarPlugin } from "./tools/top_level_var.mjs";

const sources = ["src/**/*.ts", "hal/**/*.ts", "targets/**/*.ts"];

/** The TypeScript plugin for one target. Type errors are reported by `npm run check`. */
function ts(compilerOptions) {
  return typescript({
    tsconfig: "./tsconfig.json",
    include: sources,
    exclude: ["test/**", "tools/**", "node_modules/**"],
    noEmitOnError: false,
    compilerOptions: {
      noEmit: false,
      allowJs: false,
      declaration: false,
      sourceMap: false,
      types: ["node"],
      ...compilerOptions,
    },
  });
}

/** Keeps TypeScript's diagnostics out of the build log (tsc reports them in `npm run check`). */
function onwarn(warning, warn) {
  if (warning.plugin === "typescript" && /TS\d+/.test(String(warning.message))) return;
  warn(warning);
}

const nodeBuiltin = (id) => id.startsWith("node:");
// QuickJS host modules a device build may import; everything else is bundled.
const quickjsHostModule = (id) => id === "os" || id === "std" || id.startsWith("qjs:");

const nodeEntries = { kyoto: "targets/node.ts", sim: "targets/sim.ts" };
const quickjsEntries = { kyoto: "targets/quickjs.ts", sim: "targets/quickjs_sim.ts" };

export default [
  {
    input: nodeEntries,
    external: nodeBuiltin,
    onwarn,
    // As for QuickJS below: kyoto.mjs holds the runtime and sim.mjs imports it.
    preserveEntrySignatures: "allow-extension",
    plugins: [ts({ target: "ES2020" })],
    output: [
      {
        dir: "dist/node",
        format: "es",
        entryFileNames: "[name].mjs",
        chunkFileNames: "chunks/[name]-[hash].mjs",
        plugins: [topLevelVarPlugin()],
      },
      {
        dir: "dist/node",
        format: "cjs",
        entryFileNames: "[name].cjs",
        chunkFileNames: "chunks/[name]-[hash].cjs",
        exports: "named",
        plugins: [topLevelVarPlugin()],
      },
    ],
  },
  {
    input: nodeEntries,
    external: nodeBuiltin,
    onwarn,
    plugins: [dts({ tsconfig: "./tsconfig.json", compilerOptions: { types: ["node"] } })],
    output: { dir: "dist/node", format: "es", entryFileNames: "[name].d.ts", chunkFileNames: "chunks/[name]-[hash].d.ts" },
  },
  {
    // kyoto/quickjs's types: kyoto's declarations plus the QuickJS HAL's.
    input: "targets/quickjs.ts",
    onwarn,
    plugins: [dts({ tsconfig: "./tsconfig.json", compilerOptions: { types: [] } })],
    output: { file: "dist/quickjs/kyoto.d.ts", format: "es" },
  },
  {
    input: quickjsEntries,
    external: quickjsHostModule,
    // kyoto.mjs may export internals that sim.mjs needs, so the two stay one file each
    // (a device loads kyoto.mjs alone) instead of sharing a third chunk.
    preserveEntrySignatures: "allow-extension",
    onwarn,
    plugins: [ts({ target: "ES2020", types: [], sourceMap: true })],
    output: [
      { dir: "dist/quickjs", format: "es", entryFileNames: "[name].mjs", sourcemap: true, plugins: [topLevelVarPlugin()] },
      {
        dir: "dist/quickjs",
        format: "es",
        entryFileNames: "[name].min.mjs",
        sourcemap: true,
        plugins: [terser({ module: true, ecma: 2020, compress: { passes: 2 }, keep_classnames: true })],
      },
    ],
  },
  {
    input: "targets/espruino.ts",
    onwarn,
    // ES5 with tslib's helpers bundled once (tree-shaken), minified, hoisted: tools/espruino_build.mjs.
    plugins: [ts({ ...ESPRUINO_TS_OPTIONS, sourceMap: true }), espruinoMangle()],
    output: {
      file: "dist/espruino/kyoto.js",
      format: "iife",
      name: "kyoto",
      // kyoto.js.map, without a sourceMappingURL comment (bytes on a device): read by the
      // static check (tools/check_espruino.mjs) to name the source line of a problem.
      sourcemap: "hidden",
      plugins: espruinoOutputPlugins(),
    },
  },
];
