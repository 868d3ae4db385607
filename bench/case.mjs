/**
 * One benchmark case in a fresh process: `node --expose-gc bench/case.mjs <scenario> <lib> <param-json>`.
 *
 * Loads `bench/scenarios/<scenario>.mjs`, calls `run(lib, param, ctx)` and prints its result
 * as one `@@RESULT {json}` line (anything else a library prints is ignored by the runner).
 * The process exits as soon as the result is out: some peers leave timers behind.
 */
import { pathToFileURL } from "node:url";
import path from "node:path";
import { quick, kyotoSource } from "./lib/env.mjs";

const [scenarioName, lib, paramJson] = process.argv.slice(2);
if (!scenarioName || !lib) {
  process.stderr.write("usage: node --expose-gc bench/case.mjs <scenario> <lib> [param-json]\n");
  process.exit(2);
}
const file = path.join(path.dirname(new URL(import.meta.url).pathname), "scenarios", scenarioName + ".mjs");
const mod = await import(pathToFileURL(file).href);
const scenario = mod.default || mod;
const param = paramJson === undefined || paramJson === "" ? null : JSON.parse(paramJson);
const result = await scenario.run(lib, param, { quick, kyotoSource });
process.stdout.write("\n@@RESULT " + JSON.stringify(result) + "\n", () => process.exit(0));
