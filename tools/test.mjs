#!/usr/bin/env node
/**
 * `npm test`: build, then the static checks, then mocha (Node, QuickJS, QuickJS-ng, the
 * Espruino vm). A failed build stops here; failed checks do not stop mocha, so one run
 * shows everything, and the exit code is non-zero if any step failed.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const run = (label, cmd, args) => {
  console.log(`\n> ${label}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  return { label, ok: r.status === 0, seconds: (Date.now() - t0) / 1000 };
};

const steps = [];
steps.push(run("build (rollup -c)", bin("rollup"), ["-c"]));
if (steps[0].ok) {
  steps.push(run("check (tools/check.mjs)", process.execPath, [path.join(root, "tools/check.mjs")]));
  steps.push(run("mocha", bin("mocha"), process.argv.slice(2)));
}
console.log("\nnpm test summary:");
for (const s of steps) console.log(`  ${s.ok ? "ok    " : "FAILED"} ${s.label} (${s.seconds.toFixed(1)} s)`);
if (!steps[0].ok) console.log("  (build failed: checks and tests did not run)");
process.exit(steps.every((s) => s.ok) ? 0 : 1);
