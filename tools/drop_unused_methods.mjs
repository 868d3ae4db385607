/**
 * Drops the methods of an app bundle that nothing reaches. Rollup removes unused functions
 * and classes, but never a method of a class that is used: a `Semaphore` brings `close`,
 * `forget` and `addPermits` whether the app calls them or not, and so do the pools, lists
 * and rings under it. `kyoto build` knows the whole program (kyoto and the app in one
 * chunk), so it keeps a method only when its name is reached: named by code outside every
 * method definition, or by the body of a method that is kept — as a property access (`x.m`),
 * an object key or any string (`x["m"]`, `hasOwnProperty.call(x, "m")`). The rest go.
 *
 * What is dropped: in ES5 output, `C.prototype.m = function …;` (and `C$prototype.m = …`
 * after tools/proto_alias.mjs), `Object.defineProperty(C.prototype, "m", { … });` and, in the
 * function that defines a lowered class `C`, `C.m = function …;` statements, which have no
 * effect but the definition; in a class that was not lowered (the QuickJS target), the
 * method or accessor `m`, static or not. What is kept: names engines call by themselves
 * (`then` — `await` calls it —, `toString`, `valueOf`, `toJSON`, `constructor`).
 *
 * The assumption (documented for `kyoto build` users): an app reaches kyoto's methods by
 * name, never through a name computed at run time (`sem["rel" + "ease"]`). The library
 * bundles never go through this pass, nor an app that exports anything: their users are not
 * in the chunk.
 */
import MagicString from "magic-string";
import { forEachChild, parse } from "./ast.mjs";
import { loweredClass } from "./proto_alias.mjs";

const CALLED_BY_ENGINES = new Set(["then", "toString", "valueOf", "toJSON", "constructor"]);

const NO_ALIASES = new Set();

/** `X.prototype` or a variable holding it (`var X$prototype = X.prototype`). */
function isPrototypeRef(node, aliases) {
  if (node.type === "Identifier") return aliases.has(node.name);
  return node.type === "MemberExpression" && !node.computed && node.property.type === "Identifier" && node.property.name === "prototype";
}

/** For a statement `object.name = function …;`, its `object` and `name` nodes; else null. */
function functionAssignment(stmt) {
  if (stmt.type !== "ExpressionStatement") return null;
  const e = stmt.expression;
  if (e.type !== "AssignmentExpression" || e.operator !== "=" || e.left.type !== "MemberExpression" || e.left.computed ||
      e.right.type !== "FunctionExpression") return null;
  return { object: e.left.object, key: e.left.property };
}

/** The method a statement defines ({ name, key: the node naming it }), or null. */
function methodDefinition(stmt, aliases) {
  const assigned = functionAssignment(stmt);
  if (assigned !== null) return isPrototypeRef(assigned.object, aliases) ? { name: assigned.key.name, key: assigned.key } : null;
  if (stmt.type !== "ExpressionStatement") return null;
  const e = stmt.expression;
  if (e.type === "CallExpression" && e.callee.type === "MemberExpression" && !e.callee.computed &&
      e.callee.object.type === "Identifier" && e.callee.object.name === "Object" && e.callee.property.name === "defineProperty" &&
      e.arguments.length === 3 && isPrototypeRef(e.arguments[0], aliases) && e.arguments[1].type === "Literal" &&
      typeof e.arguments[1].value === "string" && e.arguments[2].type === "ObjectExpression" &&
      e.arguments[2].properties.every((p) => p.type === "Property" && (p.value.type === "FunctionExpression" || p.value.type === "Literal"))) {
    return { name: e.arguments[1].value, key: e.arguments[1] };
  }
  return null;
}

/** The definitions in `ast` ({ stmt, name, key }) and the prototype aliases they use. */
function methodDefinitions(ast) {
  const aliases = new Set();
  const definitions = [];
  const walk = (node, parent) => {
    if (node.type === "VariableDeclarator" && node.init && node.id.type === "Identifier" && isPrototypeRef(node.init, NO_ALIASES)) aliases.add(node.id.name);
    if (parent && (parent.type === "BlockStatement" || parent.type === "Program")) {
      const def = methodDefinition(node, aliases);
      if (def !== null) definitions.push({ stmt: node, ...def });
    }
    // A lowered class's static methods: `C.m = function …;` in the function that defines `C`.
    const cls = loweredClass(node);
    if (cls !== null) {
      for (const stmt of cls.body) {
        const assigned = functionAssignment(stmt);
        if (assigned !== null && assigned.object.type === "Identifier" && assigned.object.name === cls.name) {
          definitions.push({ stmt, name: assigned.key.name, key: assigned.key });
        }
      }
    }
    // A class that was not lowered (the QuickJS target): its methods and accessors.
    if (node.type === "MethodDefinition" && !node.computed && node.key.type === "Identifier" && node.kind !== "constructor") {
      definitions.push({ stmt: node, name: node.key.name, key: node.key });
    }
    forEachChild(node, (child) => walk(child, node));
  };
  walk(ast, null);
  return definitions;
}

/** The names `node` mentions as a property or a string, leaving out `skip` (definitions, defining keys). */
function namesIn(node, skip, into = new Set()) {
  const walk = (n) => {
    if (skip.has(n)) return;
    if (n.type === "MemberExpression" && !n.computed && n.property.type === "Identifier") into.add(n.property.name);
    if (n.type === "Property" && !n.computed && n.key.type === "Identifier") into.add(n.key.name);
    if (n.type === "Literal" && typeof n.value === "string") into.add(n.value);
    if (n.type === "TemplateElement") into.add(n.value.cooked);
    forEachChild(n, walk);
  };
  walk(node);
  return into;
}

/**
 * `code` (one script: a whole app with kyoto) without the methods nothing names, with a
 * source map of the change. A name is live when code outside every method definition
 * mentions it, or a live method's body does; a method whose name is not live is dropped
 * (so `Semaphore.prototype.available`, which only calls the inner `available`, does not
 * keep itself alive).
 */
export function dropUnusedMethods(code, { module = false } = {}) {
  const ast = parse(code, { module });
  const definitions = methodDefinitions(ast);
  const keys = new Set(definitions.map((d) => d.key));
  const live = namesIn(ast, new Set([...keys, ...definitions.map((d) => d.stmt)]), new Set(CALLED_BY_ENGINES));
  const bodies = definitions.map((d) => namesIn(d.stmt, keys));
  for (let grew = true; grew; ) {
    grew = false;
    definitions.forEach((d, i) => {
      if (!live.has(d.name) || bodies[i] === null) return;
      for (const n of bodies[i]) if (!live.has(n)) live.add(n), (grew = true);
      bodies[i] = null;
    });
  }
  const dropped = definitions.filter((d) => !live.has(d.name));
  if (dropped.length === 0) return { code, map: null, dropped: [] };
  const s = new MagicString(code);
  for (const d of dropped) s.remove(d.stmt.start, d.stmt.end);
  return { code: s.toString(), map: s.generateMap({ hires: true }), dropped: dropped.map((d) => d.name) };
}

/** The rollup output plugin (before terser): see the module doc. */
export function dropUnusedMethodsPlugin() {
  return {
    name: "kyoto-drop-unused-methods",
    renderChunk(code, chunk, options) {
      // An app that exports something has users outside the chunk: nothing can be dropped.
      if (chunk.exports.length > 0) return null;
      const out = dropUnusedMethods(code, { module: options.format === "es" });
      return out.map === null ? null : { code: out.code, map: out.map };
    },
  };
}
