#!/usr/bin/env node
/**
 * `npm test`: build, then the static checks, then mocha (Node, QuickJS, QuickJS-ng, the
 * Espruino vm). A failed build stops here; failed checks do not stop mocha, so one run
 * shows everything, and the exit code is non-zero if any step failed. The last line is the
 * plain count `tests: N passed, N failed, N skipped`, read from mocha's own summary.
 */
import { spawn, spawnSync } from "node:child_process";
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

/** Runs mocha, passing its output through while keeping the tail to read the counts. */
function runMocha(args) {
  console.log("\n> mocha");
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(bin("mocha"), args, { cwd: root, stdio: ["inherit", "pipe", "inherit"] });
    let tail = "";
    child.stdout.on("data", (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString("utf8")).slice(-8192);
    });
    child.on("close", (status) => {
      const count = (word) => {
        const m = tail.match(new RegExp("^\\s*(\\d+) " + word, "m"));
        return m ? Number(m[1]) : 0;
      };
      const counts = { passed: count("passing"), failed: count("failing"), skipped: count("pending") };
      resolve({ label: "mocha", ok: status === 0, seconds: (Date.now() - t0) / 1000, counts });
    });
  });
}

const steps = [];
steps.push(run("build (tools/build.mjs)", process.execPath, [path.join(root, "tools/build.mjs")]));
let counts = null;
if (steps[0].ok) {
  steps.push(run("check (tools/check.mjs)", process.execPath, [path.join(root, "tools/check.mjs")]));
  const mocha = await runMocha(process.argv.slice(2));
  counts = mocha.counts;
  steps.push(mocha);
}
console.log("\nnpm test summary:");
for (const s of steps) console.log(`  ${s.ok ? "ok    " : "FAILED"} ${s.label} (${s.seconds.toFixed(1)} s)`);
if (!steps[0].ok) console.log("  (build failed: checks and tests did not run)");
if (counts !== null) console.log(`tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(steps.every((s) => s.ok) ? 0 : 1);
