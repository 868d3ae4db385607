#!/usr/bin/env node
/**
 * `npm run build`: rollup, but only when something it reads changed.
 *
 * The inputs are every file under src/, hal/ and targets/, rollup.config.js with the local
 * modules it imports (tools/*.mjs, followed transitively), this script, package.json,
 * tsconfig.json and the KYOTO_NO_HOIST switch. Their contents are hashed;
 * after a successful build the hash and the list of files written go to dist/.build-stamp.
 * When the hash matches and every listed file is still there, the build is a no-op.
 * `--force` rebuilds anyway. A build starts from an empty dist/, so nothing stale ships.
 *
 * A build runs three rollup processes at once (`KYOTO_BUILD=types|es2020|es5`, see
 * rollup.config.js): the declarations (the one step that needs TypeScript's checker), the
 * ES2020 bundles (Node and QuickJS), and the ES5 Espruino bundle (with terser's two passes).
 * They share nothing, so on two cores the build takes about as long as the longest part.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const stampFile = path.join(root, "dist", ".build-stamp");

function walk(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else out.push(full);
  }
  return out;
}

/** `file` and the relative modules it imports, transitively. */
function withLocalImports(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(/^\s*import\s[^;]*?from\s+"(\.{1,2}\/[^"]+)"/gm)) {
    withLocalImports(path.resolve(path.dirname(file), m[1]), seen);
  }
  return seen;
}

/** The hash of everything the build reads. */
function inputHash() {
  const files = [];
  for (const dir of ["src", "hal", "targets"]) walk(path.join(root, dir), files);
  files.push(...withLocalImports(path.join(root, "rollup.config.js")));
  for (const file of ["tools/build.mjs", "package.json", "tsconfig.json"]) files.push(path.join(root, file));
  const h = createHash("sha256");
  h.update("KYOTO_NO_HOIST=" + (process.env.KYOTO_NO_HOIST || "") + "\n");
  for (const file of files) {
    h.update(path.relative(root, file) + "\n");
    h.update(readFileSync(file));
  }
  return h.digest("hex");
}

/** True when dist/ was built from exactly these inputs and nothing it wrote is missing. */
function upToDate(hash) {
  if (!existsSync(stampFile)) return false;
  const stamp = JSON.parse(readFileSync(stampFile, "utf8"));
  return stamp.hash === hash && stamp.outputs.every((f) => existsSync(path.join(root, f)));
}

function rollupPart(part) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, "node_modules/rollup/dist/bin/rollup"), "-c", "--silent"], {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, KYOTO_BUILD: part },
    });
    child.on("close", (status) => resolve(status === 0));
  });
}

const force = process.argv.includes("--force");
const t0 = Date.now();
const hash = inputHash();
if (!force && upToDate(hash)) {
  console.error(`build: dist/ is up to date (${Date.now() - t0} ms; --force rebuilds)`);
} else {
  // A clean dist/: files an earlier build wrote (old chunk hashes) would otherwise ship.
  rmSync(path.join(root, "dist"), { recursive: true, force: true });
  const ok = (await Promise.all([rollupPart("types"), rollupPart("es2020"), rollupPart("es5")])).every(Boolean);
  if (!ok) {
    console.error("build: FAILED");
    process.exit(1);
  }
  if (hash !== inputHash()) {
    console.error("build: inputs changed while building; not stamping, the next build runs again");
  } else {
    const outputs = walk(path.join(root, "dist"), []).map((f) => path.relative(root, f).split(path.sep).join("/"));
    writeFileSync(stampFile, JSON.stringify({ hash, outputs }, null, 1) + "\n");
  }
  console.error(`build: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
