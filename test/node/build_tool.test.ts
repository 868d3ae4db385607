/**
 * tools/build.mjs: a build with nothing changed is a no-op (it neither runs rollup nor touches
 * dist/).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { assert } from "../assert";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** Runs the build; returns what it reported (on stderr, so `npm pack --json` output stays JSON). */
function build(): string {
  const r = spawnSync(process.execPath, [path.join(root, "tools/build.mjs")], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error("build failed:\n" + r.stdout + r.stderr);
  return r.stderr;
}

describe("npm run build (tools/build.mjs)", function () {
  this.timeout(180_000);

  it("does nothing when nothing changed since the last build", () => {
    build(); // brings dist/ up to date if it is not
    const stamp = JSON.parse(readFileSync(path.join(root, "dist/.build-stamp"), "utf8")) as { outputs: string[] };
    assert.ok(stamp.outputs.includes("dist/node/kyoto.cjs"), "the stamp lists what the build wrote");
    const before = stamp.outputs.map((f) => statSync(path.join(root, f)).mtimeMs);
    const out = build();
    assert.ok(/up to date/.test(out), out);
    assert.deepEqual(stamp.outputs.map((f) => statSync(path.join(root, f)).mtimeMs), before);
  });
});
