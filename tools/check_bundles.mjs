/**
 * Checks on the built bundles (SPEC §3), run after `npm run build`:
 *
 * dist/espruino/kyoto.js
 *   - ASCII only;
 *   - parses as an ES5 script (acorn, ecmaVersion 5): no ES2015+ syntax slipped through;
 *   - no reference to a global, static or built-in method a real Espruino 2v29 lacks
 *     (tools/check_espruino.mjs, from tools/engines/espruino-2v29.json), named by its
 *     source line through the bundle's hidden source map;
 *     (`Symbol` among them: only behind a `typeof Symbol` test, as tslib's helpers and the
 *     sources' `Symbol.dispose` / `Symbol.asyncIterator` detection use it);
 *   - every function declaration precedes its uses (tools/check_hoist.mjs).
 * dist/quickjs/kyoto.mjs
 *   - parses as an ES2020 module; imports nothing but QuickJS host modules (os, std, qjs:*);
 *   - no reference to Node globals (process, require, Buffer, setImmediate, __dirname).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { forEachChild, parse } from "./ast.mjs";
import { checkEspruinoBundleMembers, readBundleMap } from "./check_espruino.mjs";
import { checkHoisted } from "./check_hoist.mjs";
import { root } from "./tsprogram.mjs";

export const ESPRUINO_BUNDLE = "dist/espruino/kyoto.js";
export const QUICKJS_BUNDLE = "dist/quickjs/kyoto.mjs";

const NODE_ONLY = ["process", "require", "Buffer", "setImmediate", "__dirname", "__filename", "module"];

function lineCol(code, index) {
  const before = code.slice(0, index);
  const line = before.split("\n").length;
  return `${line}:${index - before.lastIndexOf("\n")}`;
}

/** Every name bound anywhere in the program (a crude but safe "is it a local?" test). */
function boundNames(ast) {
  const names = new Set();
  const add = (p) => {
    if (!p) return;
    if (p.type === "Identifier") names.add(p.name);
    else if (p.type === "AssignmentPattern") add(p.left);
    else if (p.type === "RestElement") add(p.argument);
    else if (p.type === "ArrayPattern") p.elements.forEach(add);
    else if (p.type === "ObjectPattern") p.properties.forEach((q) => add(q.value ?? q.argument));
  };
  const walk = (n) => {
    if (n.type === "VariableDeclarator") add(n.id);
    if ((n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ClassDeclaration" || n.type === "ClassExpression") && n.id) add(n.id);
    if (n.params) n.params.forEach(add);
    if (n.type === "CatchClause") add(n.param);
    if (n.type === "ImportSpecifier" || n.type === "ImportDefaultSpecifier" || n.type === "ImportNamespaceSpecifier") add(n.local);
    forEachChild(n, walk);
  };
  walk(ast);
  return names;
}

/** Free references to `names`, as [{ node, parent, key }]. */
function globalRefs(ast, names) {
  const bound = boundNames(ast);
  const wanted = new Set(names.filter((n) => !bound.has(n)));
  const refs = [];
  const walk = (n, parent, key) => {
    if (n.type === "Identifier" && wanted.has(n.name)) {
      const isProp = parent && ((parent.type === "MemberExpression" && key === "property" && !parent.computed) ||
        (parent.type === "Property" && key === "key" && !parent.computed) ||
        ((parent.type === "MethodDefinition" || parent.type === "PropertyDefinition") && key === "key" && !parent.computed));
      if (!isProp) refs.push({ node: n, parent, key });
    }
    forEachChild(n, (c, p, k) => walk(c, p, k));
  };
  walk(ast, null, null);
  return refs;
}

function asciiProblems(file, code) {
  const m = /[^\x00-\x7f]/.exec(code);
  return m ? [`${file}:${lineCol(code, m.index)}: non-ASCII character U+${m[0].codePointAt(0).toString(16).toUpperCase().padStart(4, "0")} (Espruino bundles must be ASCII only)`] : [];
}

export function checkEspruinoBundle(code, file = ESPRUINO_BUNDLE, map = null) {
  const problems = asciiProblems(file, code);
  let ast;
  try {
    ast = parse(code, { ecmaVersion: 5 });
  } catch (e) {
    return [...problems, `${file}:${e.loc ? e.loc.line + ":" + (e.loc.column + 1) : "?"}: not ES5: ${e.message}`];
  }
  problems.push(...checkEspruinoBundleMembers(code, file, map));
  problems.push(...checkHoisted(code, { file }));
  return problems;
}

export function checkQuickjsBundle(code, file = QUICKJS_BUNDLE) {
  let ast;
  try {
    ast = parse(code, { module: true, ecmaVersion: 2020 });
  } catch (e) {
    return [`${file}:${e.loc ? e.loc.line + ":" + (e.loc.column + 1) : "?"}: not an ES2020 module: ${e.message}`];
  }
  const problems = [];
  for (const stmt of ast.body) {
    if ((stmt.type === "ImportDeclaration" || stmt.type === "ExportAllDeclaration" || stmt.type === "ExportNamedDeclaration") && stmt.source) {
      const id = stmt.source.value;
      if (!(id === "os" || id === "std" || id.startsWith("qjs:")))
        problems.push(`${file}:${stmt.loc.start.line}: imports "${id}"; the QuickJS bundle may import only host modules`);
    }
  }
  for (const { node } of globalRefs(ast, NODE_ONLY)) {
    problems.push(`${file}:${node.loc.start.line}:${node.loc.start.column + 1}: references the Node global \`${node.name}\``);
  }
  return problems;
}

export function checkBundles() {
  const problems = [];
  for (const [rel, check] of [[ESPRUINO_BUNDLE, checkEspruinoBundle], [QUICKJS_BUNDLE, checkQuickjsBundle]]) {
    const abs = path.join(root, rel);
    if (!existsSync(abs)) {
      problems.push(`${rel}: missing; run \`npm run build\` first`);
      continue;
    }
    problems.push(...check(readFileSync(abs, "utf8"), rel, readBundleMap(abs)));
  }
  return problems;
}
