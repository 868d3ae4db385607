/**
 * The layer check (SPEC §2): imports go one way,
 *   src/core → src/sync → src/runtime → src/time → src/io → src/net → hal/<host> → targets
 * A file may import its own layer or lower ones. src/index.ts, src/core_api.ts and
 * src/sim.ts are the entry files and may import any src layer. src/ never imports hal/, targets/ or a
 * package; hal/<host> may import src/ and its own folder only, never targets/; only the
 * node HAL may import `node:` modules, and only the quickjs HAL the QuickJS host modules.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { root } from "./tsprogram.mjs";

export const SRC_LAYERS = ["core", "sync", "runtime", "time", "io", "net"];
const ENTRY_FILES = new Set(["src/index.ts", "src/core_api.ts", "src/sim.ts"]);

/** Classifies a repo-relative path. */
export function layerOf(rel) {
  const parts = rel.split("/");
  if (parts[0] === "src") {
    if (parts.length === 2) return { kind: "src-entry", rank: SRC_LAYERS.length, name: "src entry" };
    const i = SRC_LAYERS.indexOf(parts[1]);
    if (i >= 0) return { kind: "src", rank: i, name: "src/" + parts[1] };
    return { kind: "src-unknown", rank: -1, name: "src/" + parts[1] };
  }
  if (parts[0] === "hal") return { kind: "hal", rank: 10, name: "hal/" + (parts[1] ?? ""), host: parts[1] };
  if (parts[0] === "targets") return { kind: "targets", rank: 11, name: "targets" };
  return { kind: "other", rank: 99, name: parts[0] };
}

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

/** Module specifiers of import/export declarations and dynamic imports, with positions. */
export function importsOf(fileName, text) {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ spec: node.moduleSpecifier.text, pos: node.getStart(sf) });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      found.push({ spec: node.arguments[0].text, pos: node.getStart(sf) });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ spec: node.argument.literal.text, pos: node.getStart(sf) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found.map((f) => ({ ...f, line: sf.getLineAndCharacterOfPosition(f.pos).line + 1 }));
}

/** Returns the problem for one edge, or null when the edge is allowed. */
export function edgeProblem(fromRel, spec) {
  const from = layerOf(fromRel);
  if (!spec.startsWith(".")) {
    if (from.kind === "src" || from.kind === "src-entry" || from.kind === "src-unknown")
      return `src/ must not import packages or host modules ("${spec}"): hosts are reached through the HAL`;
    if (from.kind === "hal") {
      if (from.host === "node") return null;
      if (from.host === "quickjs" && (spec === "os" || spec === "std" || spec.startsWith("qjs:"))) return null;
      return `hal/${from.host} is portable and must not import "${spec}"`;
    }
    return null;
  }
  const toRel = path.posix.normalize(path.posix.join(path.posix.dirname(fromRel), spec));
  const to = layerOf(toRel);
  if (from.kind === "src-unknown") return `${from.name} is not a known layer (${SRC_LAYERS.join(", ")})`;
  if (from.kind === "src" || from.kind === "src-entry") {
    if (to.kind === "hal" || to.kind === "targets") return `src/ must not import ${to.name} (only targets/ combine src and hal)`;
    if (to.kind === "src-entry" && from.kind === "src") return `${from.name} must not import the entry file ${toRel} (import the module itself)`;
    if (to.kind === "src-unknown") return `${to.name} is not a known layer`;
    if (to.kind === "other") return `src/ must not import outside src/ (${toRel})`;
    if (from.kind === "src" && to.rank > from.rank)
      return `${from.name} must not import ${to.name}: layers go ${SRC_LAYERS.join(" → ")} (a layer imports its own or lower ones)`;
    return null;
  }
  if (from.kind === "hal") {
    if (to.kind === "targets") return `hal/ must not import targets/`;
    if (to.kind === "hal" && to.host !== from.host) return `hal/${from.host} must not import hal/${to.host}`;
    if (to.kind === "other") return `hal/ must not import ${toRel}`;
    return null;
  }
  return null;
}

export function checkLayers(dirs = ["src", "hal", "targets"]) {
  const problems = [];
  for (const d of dirs) {
    for (const file of walk(path.join(root, d))) {
      const rel = path.relative(root, file).split(path.sep).join("/");
      for (const imp of importsOf(file, readFileSync(file, "utf8"))) {
        const p = edgeProblem(rel, imp.spec);
        if (p) problems.push(`${rel}:${imp.line}: import "${imp.spec}": ${p}`);
      }
    }
  }
  return problems;
}
