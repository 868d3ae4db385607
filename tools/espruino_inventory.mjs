/**
 * What a real Espruino 2v29 has, as measured (tools/engines/espruino-2v29.json, copied from
 * the team's engine probes: every standard global, static and prototype member V8 has,
 * probed with `typeof` on the real interpreter, prototype members on an instance).
 *
 * Names are "Global", "Global.static" or "Global.prototype.member". A name in neither list
 * was not probed (typed-array methods live on %TypedArray%.prototype in V8, so only the
 * constructors and `BYTES_PER_ELEMENT` were); callers treat those as unknown, not absent.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), "engines/espruino-2v29.json");
export const ESPRUINO_INVENTORY = JSON.parse(readFileSync(file, "utf8"));

const present = new Set(ESPRUINO_INVENTORY.present);
const absent = new Set(ESPRUINO_INVENTORY.absent);

/** true, false, or undefined when the name was not probed. */
export function espruinoHas(name) {
  if (present.has(name)) return true;
  if (absent.has(name)) return false;
  return undefined;
}

/** Absent names of one shape: "global" (no dot), "static" (A.b) or "prototype" (A.prototype.b). */
export function absentNames(kind) {
  return ESPRUINO_INVENTORY.absent.filter((n) => shapeOf(n) === kind);
}

export function shapeOf(name) {
  const parts = name.split(".");
  if (parts.length === 1) return "global";
  if (parts.length === 3 && parts[1] === "prototype") return "prototype";
  return "static";
}

/**
 * Member names that exist on no probed prototype but are absent from at least one
 * (`finally`, `at`, `flat`, `trimStart`, …): a `.name` access to one of these can only be a
 * missing built-in, unless the code defines a property of that name itself.
 */
export function prototypeOnlyAbsentMembers() {
  const presentMembers = new Set(ESPRUINO_INVENTORY.present.filter((n) => shapeOf(n) === "prototype").map((n) => n.split(".")[2]));
  const out = new Set();
  for (const n of absentNames("prototype")) {
    const m = n.split(".")[2];
    if (!presentMembers.has(m)) out.add(m);
  }
  return out;
}
