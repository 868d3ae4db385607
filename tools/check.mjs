#!/usr/bin/env node
/**
 * `npm run check`: every static check of the pipeline, each failing with file:line.
 *
 *   1. types       tsc over tsconfig.json (src, hal, targets, tests)
 *   2. portable    tsc over tsconfig.portable.json (ES5 lib, no @types: no Map, no host globals)
 *   3. syntax      tools/check_portable.mjs over the portable files (no async, generators, …)
 *   4. espruino    tools/check_espruino.mjs over the portable sources: no standard member a real
 *                  Espruino 2v29 lacks (the bundle half runs in step 6)
 *   5. layers      tools/check_layers.mjs (core → sync → runtime → time → io → net → hal → targets)
 *   6. bundles     tools/check_bundles.mjs over dist/ (Espruino: ES5, ASCII, only what Espruino has, hoisted)
 *
 * `node tools/check.mjs types portable` runs a subset.
 */
import { checkBundles } from "./check_bundles.mjs";
import { checkEspruinoSources } from "./check_espruino.mjs";
import { checkLayers } from "./check_layers.mjs";
import { checkPortable } from "./check_portable.mjs";
import { typecheck } from "./tsprogram.mjs";

let portableProgram = null;
const steps = {
  types: () => typecheck("tsconfig.json").problems,
  portable: () => {
    const r = typecheck("tsconfig.portable.json");
    portableProgram = r.program;
    return r.problems.map((p) => p + "  [portable profile: ES5 library, no host types]");
  },
  syntax: () => checkPortable(portableProgram ?? typecheck("tsconfig.portable.json").program),
  espruino: () => checkEspruinoSources(portableProgram ?? typecheck("tsconfig.portable.json").program),
  layers: () => checkLayers(),
  bundles: () => checkBundles(),
};

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(steps);
let failed = 0;
for (const name of wanted) {
  if (!steps[name]) {
    console.error(`unknown check "${name}"; known: ${Object.keys(steps).join(", ")}`);
    process.exit(2);
  }
  const t0 = Date.now();
  const problems = steps[name]();
  const ms = Date.now() - t0;
  if (problems.length === 0) {
    console.log(`check ${name}: ok (${ms} ms)`);
  } else {
    failed++;
    console.error(`check ${name}: FAILED, ${problems.length} problem(s)`);
    for (const p of problems.slice(0, 50)) console.error("  " + p);
    if (problems.length > 50) console.error(`  … and ${problems.length - 50} more`);
  }
}
if (failed) {
  console.error(`\n${failed} check(s) failed`);
  process.exit(1);
}
