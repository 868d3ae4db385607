/**
 * Structural check that a bundle runs on an engine without function hoisting (Espruino):
 * in every program, function body and block, each `function X` declaration must come
 * before any reference to `X` in code of that scope that can run before the declaration
 * is reached. References inside other function *declarations* are deferred (they run
 * only when called, and the declarations are all hoisted), references inside function
 * expressions are counted (an IIFE runs at once), and shadowed names are skipped.
 *
 * Usage: node tools/check_hoist.mjs dist/espruino/kyoto.js   (exit 1 and file:line:col on failure)
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { forEachBody, forEachChild, isFunction, parse } from "./ast.mjs";

/** Names a function (expression or declaration) declares for its own body. */
function declaredIn(fn) {
  const names = new Set();
  const addPattern = (p) => {
    if (!p) return;
    if (p.type === "Identifier") names.add(p.name);
    else if (p.type === "AssignmentPattern") addPattern(p.left);
    else if (p.type === "RestElement") addPattern(p.argument);
    else if (p.type === "ArrayPattern") p.elements.forEach(addPattern);
    else if (p.type === "ObjectPattern") p.properties.forEach((q) => addPattern(q.value ?? q.argument));
  };
  if (fn.type === "FunctionExpression" && fn.id) names.add(fn.id.name);
  fn.params.forEach(addPattern);
  const walk = (node) => {
    if (node.type === "VariableDeclaration") node.declarations.forEach((d) => addPattern(d.id));
    if (node.type === "FunctionDeclaration") {
      names.add(node.id.name);
      return;
    }
    if (isFunction(node)) return;
    forEachChild(node, walk);
  };
  if (fn.body.type === "BlockStatement") walk(fn.body);
  return names;
}

function isReference(node, parent, key) {
  if (node.type !== "Identifier" || !parent) return node.type === "Identifier";
  if (parent.type === "MemberExpression" && key === "property" && !parent.computed) return false;
  if ((parent.type === "Property" || parent.type === "MethodDefinition" || parent.type === "PropertyDefinition") && key === "key" && !parent.computed) return false;
  if ((parent.type === "LabeledStatement" || parent.type === "BreakStatement" || parent.type === "ContinueStatement") && key === "label") return false;
  if (parent.type === "FunctionDeclaration" && key === "id") return false;
  return true;
}

export function checkHoisted(code, { module = false, file = "<bundle>" } = {}) {
  const ast = parse(code, { module });
  const problems = [];
  forEachBody(ast, (list) => {
    const decls = new Map();
    for (const stmt of list) if (stmt.type === "FunctionDeclaration") decls.set(stmt.id.name, stmt);
    if (decls.size === 0) return;
    const visit = (node, parent, key, shadowed) => {
      if (node.type === "FunctionDeclaration") return; // deferred: runs only when called
      if (node.type === "Identifier" && isReference(node, parent, key)) {
        const decl = decls.get(node.name);
        if (decl && !shadowed.has(node.name) && node.start < decl.start) {
          problems.push(
            `${file}:${node.loc.start.line}:${node.loc.start.column + 1}: \`${node.name}\` is used before ` +
              `\`function ${node.name}\` (declared at ${decl.loc.start.line}:${decl.loc.start.column + 1}); ` +
              `engines without hoisting (Espruino) throw here`,
          );
        }
        return;
      }
      let inner = shadowed;
      if (isFunction(node)) {
        inner = new Set(shadowed);
        for (const n of declaredIn(node)) if (decls.has(n)) inner.add(n);
      }
      forEachChild(node, (c, p, k) => visit(c, p, k, inner));
    };
    for (const stmt of list) visit(stmt, null, null, new Set());
  });
  return problems;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  let failed = false;
  for (const file of process.argv.slice(2)) {
    const problems = checkHoisted(readFileSync(file, "utf8"), { file });
    for (const p of problems.slice(0, 20)) console.error(p);
    if (problems.length > 20) console.error(`… and ${problems.length - 20} more`);
    if (problems.length) failed = true;
    else console.log(`${file}: every function declaration precedes its uses`);
  }
  process.exit(failed ? 1 : 0);
}
