/**
 * Folds feature tests for what Espruino 2v29 lacks. Portable code feature-detects what some
 * engines lack (`typeof Symbol === "function"`, `typeof RangeError`, `typeof
 * Error.captureStackTrace`); in a device bundle for Espruino the answer is known from the
 * measured inventory (tools/espruino_inventory.mjs), so `typeof X` and `typeof X.y` for an
 * absent global or static member become the string "undefined", and terser then drops the
 * branch that can never run there. The test context deletes the same members, so the suite
 * runs what ships.
 *
 * Only the `typeof` operand is replaced, never a name that the module itself declares (a
 * local `Symbol` shadows the global), and only names the inventory lists as absent: one
 * that was not probed stays a run-time test. No line is added or removed, so a source map
 * of the input stays right line for line.
 */
import MagicString from "magic-string";
import { forEachChild, parse } from "./ast.mjs";
import { espruinoHas } from "./espruino_inventory.mjs";

/** Every name the module binds anywhere (declarations, parameters, catch clauses). */
function declaredNames(ast) {
  const names = new Set();
  const addPattern = (p) => {
    if (!p) return;
    if (p.type === "Identifier") names.add(p.name);
    else forEachChild(p, addPattern);
  };
  const walk = (n) => {
    if (n.type === "VariableDeclarator") addPattern(n.id);
    if ((n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ClassDeclaration") && n.id) names.add(n.id.name);
    if (n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression") n.params.forEach(addPattern);
    if (n.type === "CatchClause") addPattern(n.param);
    if (n.type === "ImportSpecifier" || n.type === "ImportDefaultSpecifier" || n.type === "ImportNamespaceSpecifier") names.add(n.local.name);
    forEachChild(n, walk);
  };
  walk(ast);
  return names;
}

/** The inventory name a `typeof` operand refers to ("Symbol", "Error.captureStackTrace"), or null. */
function globalName(node) {
  if (node.type === "Identifier") return { root: node.name, name: node.name };
  if (node.type === "MemberExpression" && !node.computed && node.object.type === "Identifier" && node.property.type === "Identifier") {
    return { root: node.object.name, name: node.object.name + "." + node.property.name };
  }
  return null;
}

/** `code` (one ES module) with `typeof` of every absent global or static member folded to "undefined". */
export function foldAbsentTypeofs(code) {
  if (code.indexOf("typeof") < 0) return code;
  const ast = parse(code, { module: true });
  const declared = declaredNames(ast);
  const s = new MagicString(code);
  let changed = false;
  const walk = (n) => {
    if (n.type === "UnaryExpression" && n.operator === "typeof") {
      const g = globalName(n.argument);
      if (g !== null && !declared.has(g.root) && espruinoHas(g.name) === false) {
        s.overwrite(n.start, n.end, '"undefined"');
        changed = true;
        return;
      }
    }
    forEachChild(n, walk);
  };
  walk(ast);
  return changed ? s.toString() : code;
}
