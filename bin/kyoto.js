#!/usr/bin/env node
/**
 * The `kyoto` command (SPEC §8):
 *
 *   kyoto run [--engine quickjs|quickjs-ng|node] [--memory 256k] [--stack 128k] [--stats] app.js
 *   kyoto build --target quickjs|espruino app.js [-o out.js]
 *
 * `run` is bin/run.mjs; `build` is bin/build.mjs where this checkout has it.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const USAGE = `usage: kyoto run [--engine quickjs|quickjs-ng|node] [--memory 256k] [--stack 128k] [--stats] app.js
       kyoto build --target quickjs|espruino app.js [-o out.js]`;

const [command, ...args] = process.argv.slice(2);
if (command === "run") {
  const { main } = await import("./run.mjs");
  process.exitCode = await main(args);
} else if (command === "build") {
  const build = path.join(here, "build.mjs");
  if (!existsSync(build)) {
    console.error("kyoto build: not available in this checkout (bin/build.mjs is missing)");
    process.exit(2);
  }
  // Its own process, so it sees the same argv shape as `node bin/build.mjs …`.
  const r = spawnSync(process.execPath, [build, ...args], { stdio: "inherit" });
  process.exit(r.status ?? 1);
} else if (command === "help" || command === "--help" || command === "-h") {
  console.log(USAGE);
} else {
  console.error(command === undefined ? USAGE : `kyoto: unknown command "${command}"\n${USAGE}`);
  process.exit(2);
}
