/**
 * One rollup config, every bundle (SPEC §3):
 *
 *   dist/node/{kyoto,sim,core}.{cjs,mjs,d.ts,d.cts}  from targets/{node,sim,core}.ts
 *       (ES2020). Built together so that the entries share one copy of the runtime (SPEC
 *       §10); the CommonJS files are that copy and each .mjs re-exports its .cjs
 *       (tools/node_entries.mjs), so `import` and `require` share it too.
 *   dist/quickjs/{kyoto,sim}.mjs   from targets/quickjs.ts and targets/quickjs_sim.ts: ES2020
 *       modules, unminified (readable stack traces on devices), `sim` importing `kyoto`;
 *       and {kyoto,sim}.min.mjs, the same minified, kyoto's internal property names renamed
 *       short (tools/mangle.mjs), with a source map to the TypeScript: what
 *       `kyoto run` loads, since a QuickJS function keeps its source text in the heap;
 *       kyoto.d.ts: kyoto's declarations plus the QuickJS HAL's (kyoto/espruino uses kyoto's).
 *   dist/espruino/kyoto.js   from targets/espruino.ts: one ES5 script assigning the global
 *       `kyoto`, lowered, minified and hoisted as tools/espruino_build.mjs says (the same
 *       steps `kyoto build --target espruino` and the Espruino test run use).
 *
 * The ES2020 outputs also get their module-scope `const`/`let` rewritten to `var`
 * (tools/top_level_var.mjs): V8 checks the temporal dead zone on every read otherwise.
 */
import terser from "@rollup/plugin-terser";
import { dts } from "rollup-plugin-dts";
import { aliasThisPlugin } from "./tools/alias_this.mjs";
import { deviceMangle, espruinoFold, espruinoOutputPlugins, espruinoTslib, internalNames } from "./tools/espruino_build.mjs";
import { propertyRenaming } from "./tools/mangle.mjs";
import { topLevelVarPlugin } from "./tools/top_level_var.mjs";
import { typescriptTranspile } from "./tools/rollup_ts.mjs";
import { ctsTwins, esmEntries } from "./tools/node_entries.mjs";

/** Transpile-only TypeScript for one target (tools/rollup_ts.mjs); tsc checks types once, in `npm run check`. */
function ts(options) {
  return typescriptTranspile({ tsconfig: "./tsconfig.json", ...options });
}

const quickjsRenaming = propertyRenaming(internalNames());

const nodeBuiltin = (id) => id.startsWith("node:");
// QuickJS host modules a device build may import; everything else is bundled.
const quickjsHostModule = (id) => id === "os" || id === "std" || id.startsWith("qjs:");

const nodeEntries = { kyoto: "targets/node.ts", sim: "targets/sim.ts", core: "targets/core.ts" };
const quickjsEntries = { kyoto: "targets/quickjs.ts", sim: "targets/quickjs_sim.ts" };

const configs = [
  {
    input: nodeEntries,
    external: nodeBuiltin,
    plugins: [ts({ target: "ES2020" })],
    output: {
      dir: "dist/node",
      format: "cjs",
      entryFileNames: "[name].cjs",
      chunkFileNames: "chunks/runtime-[hash].cjs",
      exports: "named",
      plugins: [topLevelVarPlugin(), esmEntries()],
    },
  },
  {
    input: nodeEntries,
    external: nodeBuiltin,
    plugins: [dts({ tsconfig: "./tsconfig.json", compilerOptions: { types: ["node"], stripInternal: true } })],
    output: {
      dir: "dist/node",
      format: "es",
      entryFileNames: "[name].d.ts",
      chunkFileNames: "chunks/types-[hash].d.ts",
      plugins: [ctsTwins()],
    },
  },
  {
    // kyoto/quickjs's types: kyoto's declarations plus the QuickJS HAL's.
    input: "targets/quickjs.ts",
    plugins: [dts({ tsconfig: "./tsconfig.json", compilerOptions: { types: [], stripInternal: true } })],
    output: { file: "dist/quickjs/kyoto.d.ts", format: "es" },
  },
  {
    input: quickjsEntries,
    // One file per entry: what sim needs beyond kyoto's exports goes into kyoto.mjs as extra
    // exports instead of a shared chunk (a device loads the bundle as one module).
    preserveEntrySignatures: "allow-extension",
    external: quickjsHostModule,
    plugins: [ts({ target: "ES2020", sourceMap: true })],
    output: [
      { dir: "dist/quickjs", format: "es", entryFileNames: "[name].mjs", sourcemap: true, plugins: [topLevelVarPlugin()] },
      {
        dir: "dist/quickjs",
        format: "es",
        entryFileNames: "[name].min.mjs",
        sourcemap: true,
        // kyoto's internal property names renamed short and `this` read through a local, as in every device bundle.
        plugins: [aliasThisPlugin(), terser({ module: true, ecma: 2020, compress: { passes: 2 }, keep_classnames: true, mangle: { properties: quickjsRenaming.properties }, nameCache: quickjsRenaming.nameCache() })],
      },
    ],
  },
  {
    input: "targets/espruino.ts",
    // ES5 with tslib's helpers bundled once (tree-shaken), internal names renamed, minified,
    // hoisted: tools/espruino_build.mjs.
    plugins: [espruinoTslib(), ts({ target: "ES5", importHelpers: true, sourceMap: true }), espruinoFold(), deviceMangle()],
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

// tools/build.mjs runs three parts at once, each in its own process: the declarations
// ("types"), the ES2020 bundles for Node and QuickJS, which share one transpile of each file
// ("es2020"), and the ES5 Espruino bundle ("es5"). Unset: everything.
const PARTS = { types: (c) => partOf(c) === "types", es2020: (c) => partOf(c) === "es2020", es5: (c) => partOf(c) === "es5" };
const part = process.env.KYOTO_BUILD;
if (part && !PARTS[part]) throw new Error(`KYOTO_BUILD=${part}: expected one of ${Object.keys(PARTS).join(", ")}`);
export default part ? configs.filter(PARTS[part]) : configs;

function partOf(config) {
  if (config.plugins.some((p) => p.name === "dts")) return "types";
  const outputs = [].concat(config.output);
  return outputs.some((o) => o.file === "dist/espruino/kyoto.js") ? "es5" : "es2020";
}
