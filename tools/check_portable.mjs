/**
 * The syntax half of the portability rules (SPEC §3), over the TypeScript AST of the
 * portable files (src/**, hal/{quickjs,espruino,sim}/**). tsconfig.portable.json already
 * rejects host globals and ES2015+ library objects by type; this rejects what types
 * cannot see, because the ES5 lowering would pull in Symbol.iterator, WeakMap or a
 * generator runtime, or because Espruino cannot parse it:
 *
 *   generators and `yield`; `async` functions/arrows/methods, `await`, `for await`;
 *   `#private` names; labeled statements; `BigInt` and bigint literals;
 *   `Map`, `Set`, `WeakMap`, `WeakSet`, `WeakRef`, `FinalizationRegistry`, `Reflect`,
 *   `Proxy` (any reference to the global);
 *   `Symbol`, except `typeof Symbol` and the member accesses `Symbol.asyncIterator` /
 *   `Symbol.species` (ops subclass Promise: `then` must build plain promises) /
 *   `Symbol.dispose` under a `typeof Symbol` guard (an enclosing `if`, `?:` or `&&` whose
 *   condition tests `typeof Symbol`, or an earlier `if (… typeof Symbol …) return|throw`
 *   in an enclosing block);
 *   `globalThis` in src/ (TypeScript always declares it, so the ES5 lib cannot catch it;
 *   the portable HALs may use it to find their host);
 *   `for…of` unless the iterated expression's type is an array or tuple (TS lowers those
 *   to index loops); array destructuring patterns (object destructuring is fine);
 *   spread of anything that is not an array or tuple (spread of arrays is fine).
 */
import ts from "typescript";
import { relative, where } from "./tsprogram.mjs";

export const PORTABLE = [/^src\//, /^hal\/(quickjs|espruino|sim)\//];
export const isPortableFile = (rel) => PORTABLE.some((re) => re.test(rel)) && !rel.endsWith(".d.ts");

const FORBIDDEN_GLOBALS = new Set([
  "Map", "Set", "WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry", "Reflect", "Proxy", "BigInt",
]);
const ALLOWED_SYMBOL_MEMBERS = new Set(["asyncIterator", "dispose", "species"]);

function hasModifier(node, kind) {
  return !!(ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === kind));
}

function mentionsTypeofSymbol(node) {
  let found = false;
  const visit = (n) => {
    if (found) return;
    if (ts.isTypeOfExpression(n) && ts.isIdentifier(skipParens(n.expression)) && skipParens(n.expression).text === "Symbol") {
      found = true;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

function skipParens(n) {
  while (ts.isParenthesizedExpression(n)) n = n.expression;
  return n;
}

/** Is `node` (a `Symbol.x` access) dominated by a `typeof Symbol` test? */
function isGuarded(node) {
  let child = node;
  for (let p = node.parent; p; child = p, p = p.parent) {
    if (ts.isIfStatement(p) && child === p.thenStatement && mentionsTypeofSymbol(p.expression)) return true;
    if (ts.isIfStatement(p) && child === p.expression && mentionsTypeofSymbol(p.expression)) return true;
    if (ts.isConditionalExpression(p) && child !== p.condition && mentionsTypeofSymbol(p.condition)) return true;
    if (ts.isConditionalExpression(p) && child === p.condition && mentionsTypeofSymbol(p.condition)) return true;
    if (ts.isBinaryExpression(p) && child === p.right && mentionsTypeofSymbol(p.left) &&
        (p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || p.operatorToken.kind === ts.SyntaxKind.BarBarToken)) return true;
    if (ts.isBlock(p) || ts.isSourceFile(p)) {
      // An early exit earlier in the same block: `if (typeof Symbol !== "function") return;`
      for (const stmt of p.statements) {
        if (stmt === child) break;
        if (ts.isIfStatement(stmt) && mentionsTypeofSymbol(stmt.expression) && exits(stmt.thenStatement)) return true;
      }
    }
  }
  return false;
}

function exits(stmt) {
  if (ts.isReturnStatement(stmt) || ts.isThrowStatement(stmt)) return true;
  return ts.isBlock(stmt) && stmt.statements.length > 0 && exits(stmt.statements[stmt.statements.length - 1]);
}

function isArrayish(checker, node) {
  const type = checker.getTypeAtLocation(node);
  const ok = (t) => checker.isArrayType(t) || checker.isTupleType(t);
  if (type.isUnion()) return type.types.every(ok);
  return ok(type);
}

/** Is this identifier a value reference to a global (not a local, import or property name)? */
function isGlobalReference(checker, id) {
  const parent = id.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === id) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent) ||
       ts.isGetAccessor(parent) || ts.isSetAccessor(parent) || ts.isPropertySignature(parent) ||
       ts.isMethodSignature(parent) || ts.isEnumMember(parent)) && parent.name === id) return false;
  if (ts.isTypeReferenceNode(parent) || ts.isQualifiedName(parent) || ts.isExpressionWithTypeArguments(parent) && !ts.isHeritageClause(parent.parent)) return false;
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) return false;
  const sym = checker.getSymbolAtLocation(id);
  if (!sym) return true; // unresolved: tsc reports it too; still a forbidden name
  const decls = sym.declarations ?? [];
  // `declare const Map: any` in a source file is still the host's Map.
  return decls.length === 0 || decls.every((d) => d.getSourceFile().isDeclarationFile || (ts.getCombinedModifierFlags(d) & ts.ModifierFlags.Ambient) !== 0);
}

/** Returns "file:line:col: message" strings for every rule broken in the program's portable files. */
export function checkPortable(program, { filter = isPortableFile, hostFree = (rel) => rel.startsWith("src/") } = {}) {
  const checker = program.getTypeChecker();
  const problems = [];
  for (const sf of program.getSourceFiles()) {
    const rel = relative(sf.fileName);
    if (sf.isDeclarationFile || !filter(rel)) continue;
    const report = (node, msg) => problems.push(`${where(sf, node.getStart(sf))}: ${msg}`);
    const visit = (node) => {
      // Interfaces and type aliases are erased: nothing in them runs (e.g. a `[Symbol.asyncIterator]`
      // member that types what a guarded assignment adds at run time).
      if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return;
      switch (node.kind) {
        case ts.SyntaxKind.FunctionDeclaration:
        case ts.SyntaxKind.FunctionExpression:
        case ts.SyntaxKind.MethodDeclaration:
          if (node.asteriskToken) report(node, "generator functions are not portable (Espruino cannot parse them; ES5 lowering needs a generator runtime)");
          if (hasModifier(node, ts.SyntaxKind.AsyncKeyword)) report(node, "`async` functions are not portable: return an Op / thenable instead");
          break;
        case ts.SyntaxKind.ArrowFunction:
          if (hasModifier(node, ts.SyntaxKind.AsyncKeyword)) report(node, "`async` arrow functions are not portable: return an Op / thenable instead");
          break;
        case ts.SyntaxKind.YieldExpression:
          report(node, "`yield` is not portable");
          break;
        case ts.SyntaxKind.AwaitExpression:
          report(node, "`await` is not portable: chain with .then()");
          break;
        case ts.SyntaxKind.PrivateIdentifier:
          report(node, "`#private` names are not portable (lowered to a WeakMap below ES2022): use TypeScript `private`");
          break;
        case ts.SyntaxKind.LabeledStatement:
          report(node, "labeled statements are not portable (Espruino has no labels)");
          break;
        case ts.SyntaxKind.BigIntLiteral:
          report(node, "bigint literals are not portable");
          break;
        case ts.SyntaxKind.ForOfStatement:
          if (node.awaitModifier) report(node, "`for await` is not portable");
          else if (!isArrayish(checker, node.expression))
            report(node, "`for…of` over a non-array is not portable (needs Symbol.iterator): use an index loop");
          break;
        case ts.SyntaxKind.ArrayBindingPattern:
          report(node, "array destructuring is not portable (Espruino has no destructuring; ES5 lowering may need Symbol.iterator): index the array");
          break;
        case ts.SyntaxKind.BinaryExpression:
          if (node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isArrayLiteralExpression(skipParens(node.left)))
            report(node, "array destructuring assignment is not portable: index the array");
          break;
        case ts.SyntaxKind.SpreadElement:
          if (!isArrayish(checker, node.expression)) report(node, "spread of a non-array is not portable (needs Symbol.iterator)");
          break;
        case ts.SyntaxKind.Identifier: {
          const name = node.text;
          if (name === "globalThis" && hostFree(rel) && isGlobalReference(checker, node)) {
            report(node, "`globalThis` in src/ reaches host globals: go through the HAL (TypeScript declares globalThis whatever the lib)");
          } else if (FORBIDDEN_GLOBALS.has(name) && isGlobalReference(checker, node)) {
            report(node, `\`${name}\` is not portable (absent on Espruino): use typed arrays and plain objects`);
          } else if (name === "Symbol" && isGlobalReference(checker, node)) {
            const p = node.parent;
            if (ts.isTypeOfExpression(p)) break;
            if (ts.isPropertyAccessExpression(p) && p.expression === node && ALLOWED_SYMBOL_MEMBERS.has(p.name.text)) {
              if (!isGuarded(p)) report(node, `\`Symbol.${p.name.text}\` must be feature-detected: guard it with a \`typeof Symbol\` test`);
              break;
            }
            report(node, "`Symbol` is not portable: only `Symbol.asyncIterator` / `Symbol.dispose` / `Symbol.species` behind a `typeof Symbol` guard");
          }
          break;
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return problems;
}
