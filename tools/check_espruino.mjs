/**
 * The Espruino half of the portability rules (SPEC §3), against what a real Espruino 2v29
 * has (tools/engines/espruino-2v29.json), in two passes that both name a source line:
 *
 *   sources  Over the TypeScript program of the portable files (src/**, hal/{quickjs,
 *            espruino,sim}/**): every property access and global the type checker resolves
 *            to a standard-library declaration is looked up in the inventory
 *            (`ObjectConstructor.isExtensible` → "Object.isExtensible", `Array#lastIndexOf`
 *            → "Array.prototype.lastIndexOf", `RangeError` → "RangeError"). Types tell
 *            `[].lastIndexOf` (absent) from `"".lastIndexOf` (present).
 *   bundle   Over dist/espruino/kyoto.js, mapped back through its hidden source map: free
 *            references to absent globals, `Global.member` for absent statics, and `.member`
 *            where the member exists on no probed prototype and the bundle does not define
 *            it itself (`.finally`, `.at`, `.flat`, …). This catches what the lowering and
 *            tslib's helpers add, which the sources do not show.
 *
 * Writing a member (`err.name = "AbortError"`) is not a use. A read is allowed where it is
 * feature-detected: the operand of `typeof`, or inside
 * the branch of a `?:`, `&&`, `||` or `if` whose test says `typeof <the same name>`.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { SourceMap } from "node:module";
import ts from "typescript";
import { forEachChild, parse } from "./ast.mjs";
import { espruinoHas, prototypeOnlyAbsentMembers } from "./espruino_inventory.mjs";
import { isPortableFile } from "./check_portable.mjs";
import { relative, root, where } from "./tsprogram.mjs";

/**
 * Globals only the Espruino test context defines (test/harness/espruino.ts), for test code
 * and hal/sim: the bundle may not mention them at all, feature-detected or not.
 */
export const HARNESS_ONLY = ["__hostIdle"];

// --- sources -----------------------------------------------------------------------------

const isLibFile = (f) => /[\\/]typescript[\\/]lib[\\/]lib\..*\.d\.ts$/.test(f.fileName);

/** "ObjectConstructor" → "Object", "Array" → "Array.prototype", "Math" → "Math". */
function ownerName(iface) {
  if (iface.endsWith("Constructor")) return iface.slice(0, -"Constructor".length);
  if (iface === "Math" || iface === "JSON") return iface;
  if (iface === "ReadonlyArray") return "Array.prototype";
  return iface + ".prototype";
}

function tsTypeofName(expr) {
  const e = skipTsParens(expr);
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) {
    const left = tsTypeofName(e.expression);
    return left === null ? null : left + "." + e.name.text;
  }
  return null;
}

function skipTsParens(n) {
  while (ts.isParenthesizedExpression(n) || ts.isAsExpression(n) || ts.isNonNullExpression(n) || ts.isTypeAssertionExpression(n)) n = n.expression;
  return n;
}

function tsMentionsTypeof(node, text) {
  let found = false;
  const visit = (n) => {
    if (found) return;
    if (ts.isTypeOfExpression(n) && tsTypeofName(n.expression) === text) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

/** Is `node` (whose source text is `text`) feature-detected? */
function tsGuarded(node, text) {
  let child = node;
  for (let p = node.parent; p; child = p, p = p.parent) {
    if (ts.isTypeOfExpression(p)) return true;
    if (ts.isConditionalExpression(p) && child !== p.condition && tsMentionsTypeof(p.condition, text)) return true;
    if (ts.isBinaryExpression(p) && child === p.right &&
        (p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || p.operatorToken.kind === ts.SyntaxKind.BarBarToken) &&
        tsMentionsTypeof(p.left, text)) return true;
    if (ts.isIfStatement(p) && child !== p.expression && tsMentionsTypeof(p.expression, text)) return true;
  }
  return false;
}

/** The inventory names `node` refers to, from its declarations in the standard library. */
function libNames(checker, node, member) {
  const symbol = checker.getSymbolAtLocation(node);
  if (!symbol) return [];
  const names = new Set();
  for (const d of symbol.declarations ?? []) {
    if (!isLibFile(d.getSourceFile())) continue;
    if (!member) {
      names.add(symbol.name);
      continue;
    }
    const owner = d.parent;
    if (owner && (ts.isInterfaceDeclaration(owner) || ts.isClassDeclaration(owner)) && owner.name) {
      names.add(ownerName(owner.name.text) + "." + symbol.name);
    }
  }
  return [...names];
}

export function checkEspruinoSources(program) {
  const checker = program.getTypeChecker();
  const problems = [];
  for (const sf of program.getSourceFiles()) {
    const rel = relative(sf.fileName);
    if (!isPortableFile(rel)) continue;
    const visit = (node) => {
      // Types are erased: `[Symbol.asyncIterator](): …` in an interface references nothing.
      if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return;
      let names = [];
      let text = null;
      if (ts.isPropertyAccessExpression(node)) {
        names = libNames(checker, node.name, true);
        text = tsTypeofName(node);
      } else if (ts.isElementAccessExpression(node) && ts.isStringLiteral(node.argumentExpression)) {
        names = libNames(checker, node.argumentExpression, true);
      } else if (ts.isIdentifier(node) && !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node) &&
          !ts.isPropertyAssignment(node.parent) && !ts.isTypeReferenceNode(node.parent) && !ts.isExpressionWithTypeArguments(node.parent)) {
        names = libNames(checker, node, false);
        text = node.text;
      }
      // Writing a member the engine lacks defines it (`err.name = "AbortError"`): only reads count.
      const written = !!node.parent && ts.isBinaryExpression(node.parent) && node.parent.left === node &&
        node.parent.operatorToken.kind === ts.SyntaxKind.EqualsToken;
      for (const name of written ? [] : names) {
        if (espruinoHas(name) !== false) continue;
        if (text !== null && tsGuarded(node, text)) continue;
        problems.push(`${where(sf, node.getStart(sf))}: uses \`${name}\`, which Espruino 2v29 does not have (tools/engines/espruino-2v29.json); avoid it or feature-detect it with \`typeof\``);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return problems;
}

// --- bundle ------------------------------------------------------------------------------

function memberText(n) {
  if (n.type === "Identifier") return n.name;
  if (n.type === "MemberExpression" && !n.computed) {
    const left = memberText(n.object);
    return left === null ? null : left + "." + n.property.name;
  }
  return null;
}

function mentionsTypeof(node, text) {
  let found = false;
  const visit = (n) => {
    if (found) return;
    if (n.type === "UnaryExpression" && n.operator === "typeof" && memberText(n.argument) === text) found = true;
    else forEachChild(n, visit);
  };
  visit(node);
  return found;
}

function guarded(chain, text) {
  for (let i = chain.length - 1; i > 0; i--) {
    const { node: p } = chain[i - 1];
    const { node: child } = chain[i];
    if (p.type === "UnaryExpression" && p.operator === "typeof") return true;
    if (p.type === "ConditionalExpression" && child !== p.test && mentionsTypeof(p.test, text)) return true;
    if (p.type === "LogicalExpression" && child === p.right && mentionsTypeof(p.left, text)) return true;
    if (p.type === "IfStatement" && child !== p.test && mentionsTypeof(p.test, text)) return true;
  }
  return false;
}

/** Names the program binds anywhere, and property names it defines (keys, assignments). */
function definitions(ast) {
  const bound = new Set();
  const defined = new Set();
  const add = (p) => {
    if (p && p.type === "Identifier") bound.add(p.name);
  };
  const walk = (n) => {
    if (n.type === "VariableDeclarator") add(n.id);
    if ((n.type === "FunctionDeclaration" || n.type === "FunctionExpression") && n.id) add(n.id);
    if (n.params) n.params.forEach(add);
    if (n.type === "CatchClause") add(n.param);
    if (n.type === "Property" && !n.computed) defined.add(n.key.type === "Identifier" ? n.key.name : String(n.key.value));
    if (n.type === "AssignmentExpression" && n.left.type === "MemberExpression") {
      const k = n.left.property;
      if (!n.left.computed) defined.add(k.name);
      else if (k.type === "Literal") defined.add(String(k.value));
    }
    if (n.type === "CallExpression" && memberText(n.callee) === "Object.defineProperty" && n.arguments[1]?.type === "Literal") {
      defined.add(String(n.arguments[1].value));
    }
    forEachChild(n, walk);
  };
  walk(ast);
  return { bound, defined };
}

export function checkEspruinoBundleMembers(code, file, map) {
  let ast;
  try {
    ast = parse(code, { ecmaVersion: 5 });
  } catch {
    return []; // the ES5 syntax check reports it
  }
  const sourceMap = map ? new SourceMap(map) : null;
  const at = (node) => {
    const here = `${file}:${node.loc.start.line}:${node.loc.start.column + 1}`;
    const o = sourceMap ? sourceMap.findEntry(node.loc.start.line - 1, node.loc.start.column) : null;
    if (!o || !o.originalSource) return here;
    const src = path.relative(root, path.resolve(path.dirname(path.join(root, file)), o.originalSource)).split(path.sep).join("/");
    return `${src}:${o.originalLine + 1}:${o.originalColumn + 1} (${here})`;
  };
  const { bound, defined } = definitions(ast);
  const onlyAbsent = prototypeOnlyAbsentMembers();
  const problems = [];
  const chain = [];
  const walk = (n, parent, key) => {
    chain.push({ node: n, key });
    if (n.type === "Identifier" && !bound.has(n.name) && HARNESS_ONLY.includes(n.name)) {
      problems.push(`${at(n)}: references \`${n.name}\`, which only the Espruino test context defines`);
    }
    if (n.type === "Identifier" && !bound.has(n.name) && espruinoHas(n.name) === false) {
      const isName = parent && ((parent.type === "MemberExpression" && key === "property" && !parent.computed) ||
        (parent.type === "Property" && key === "key" && !parent.computed));
      if (!isName && !guarded(chain, n.name)) {
        problems.push(`${at(n)}: references \`${n.name}\`, which Espruino 2v29 does not have`);
      }
    }
    if (n.type === "MemberExpression" && !n.computed) {
      const prop = n.property.name;
      const text = memberText(n);
      const obj = n.object;
      // On a global the inventory probed (Object, Math, …) the static decides: `Object.keys`
      // is there even though no prototype has a `keys`.
      const staticOf = obj.type === "Identifier" && !bound.has(obj.name) && espruinoHas(obj.name) === true
        ? espruinoHas(obj.name + "." + prop) : undefined;
      if (staticOf === false && !guarded(chain, text)) {
        problems.push(`${at(n)}: uses \`${obj.name}.${prop}\`, which Espruino 2v29 does not have`);
      } else if (staticOf !== true && onlyAbsent.has(prop) && !defined.has(prop) && !guarded(chain, text ?? "")) {
        problems.push(`${at(n.property)}: uses \`.${prop}\`, a built-in method Espruino 2v29 does not have on any type`);
      }
    }
    forEachChild(n, (c, p, k) => walk(c, p, k));
    chain.pop();
  };
  walk(ast, null, null);
  return problems;
}

/** The bundle's hidden source map (written beside it by the build), or null. */
export function readBundleMap(abs) {
  const mapFile = abs + ".map";
  return existsSync(mapFile) ? JSON.parse(readFileSync(mapFile, "utf8")) : null;
}
