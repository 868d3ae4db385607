/**
 * Which property names a device bundle may rename (SPEC §9: on Espruino a property name of
 * 5–9 characters costs one more JsVar than a short one, 15–18 characters two).
 *
 * A name is internal when every class member, interface member or object-literal key of
 * that name in the portable sources is `private`, `protected` or marked `@internal`. A
 * name that is public anywhere — a public method, an options field, a HAL function, an
 * Espruino API the adapter calls (declared as an interface there), a standard-library
 * member — is kept everywhere, so renaming can never break a caller or a host. Names of 4
 * characters or fewer are left alone: they already cost the minimum. Accessors are kept
 * (ES5 output defines them with a string name), and so is any name that also appears as a
 * string literal in the sources (`obj["name"]`, `hasOwnProperty.call(o, "name")`).
 *
 * The renaming is applied per kyoto module (a rollup `transform` after TypeScript), never to
 * the app's own code: an app calling a host object's `.check()` or `.result` keeps working.
 * Every module uses one fixed table (name → short name) computed up front, so the modules
 * agree without sharing state.
 */
import ts from "typescript";
import { isPortableFile } from "./check_portable.mjs";
import { aliasPrototypes } from "./proto_alias.mjs";
import { aliasThis } from "./alias_this.mjs";
import { markLoweredClassesPure } from "./pure_classes.mjs";
import { loadProgram, relative } from "./tsprogram.mjs";

const MIN_LENGTH = 5;

function memberName(node) {
  const n = node.name;
  if (!n) return null;
  if (ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) return n.text;
  if (ts.isStringLiteral(n)) return null; // quoted: never renamed
  return null;
}

function isHidden(node) {
  const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) ?? [] : [];
  if (mods.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) return true;
  return ts.getJSDocTags(node).some((t) => t.tagName.text === "internal");
}

/** The internal property names of the portable sources (sorted). */
export function internalPropertyNames(program = loadProgram("tsconfig.portable.json").program) {
  program.getTypeChecker(); // binds the files, which sets the parent links used below
  const hidden = new Set();
  const shown = new Set();
  for (const sf of program.getSourceFiles()) {
    const rel = relative(sf.fileName);
    const mine = isPortableFile(rel);
    const visit = (node) => {
      if (ts.isClassElement(node) || ts.isTypeElement(node) || ts.isPropertyAssignment(node) ||
          ts.isShorthandPropertyAssignment(node) || ts.isMethodDeclaration(node) || ts.isParameter(node)) {
        let name = ts.isParameter(node) ? null : memberName(node);
        // Constructor parameter properties (`constructor(private readonly host: …)`).
        if (ts.isParameter(node) && ts.isIdentifier(node.name) && ts.isConstructorDeclaration(node.parent) &&
            ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => ts.isModifier(m) && m.kind !== ts.SyntaxKind.DecoratorKeyword)) {
          name = node.name.text;
        }
        if (name !== null) {
          if (mine && isHidden(node) && !ts.isGetAccessor(node) && !ts.isSetAccessor(node)) hidden.add(name);
          else shown.add(name);
        }
      }
      if (mine && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) shown.add(node.text);
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return [...hidden].filter((n) => !shown.has(n) && n.length >= MIN_LENGTH && !n.startsWith("#")).sort();
}

/** Every property name the sources mention at all (short names must not collide with one). */
function allPropertyNames(program) {
  const names = new Set();
  for (const sf of program.getSourceFiles()) {
    const visit = (node) => {
      if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) names.add(node.text);
      else if (ts.isStringLiteral(node)) names.add(node.text);
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return names;
}

function* shortNames() {
  const first = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$";
  const rest = first + "0123456789";
  for (const a of first) yield a;
  for (const a of first) for (const b of rest) yield a + b;
  for (const a of first) for (const b of rest) for (const c of rest) yield a + b + c;
}

/**
 * { internal name → short name }, avoiding every name the sources (or the standard library)
 * use; the names in `keep` are left as they are.
 */
export function mangleTable(program = loadProgram("tsconfig.portable.json").program, keep = []) {
  const internal = internalPropertyNames(program).filter((n) => !keep.includes(n));
  const taken = allPropertyNames(program);
  const table = {};
  const gen = shortNames();
  for (const name of internal) {
    let short;
    do short = gen.next().value;
    while (taken.has(short) || short in Object.prototype || short in Function.prototype || short in Array.prototype);
    table[name] = short;
  }
  return table;
}

/**
 * Rollup plugin: renames the internal properties (`table`) in the modules `include` accepts,
 * after TypeScript has lowered them (local names are shortened too, function and class names
 * only without `keepFunctionNames`),
 * reads each lowered class's prototype through one variable (tools/proto_alias.mjs), reads
 * `this` through a local where that is shorter (tools/alias_this.mjs) and marks each lowered
 * class pure (tools/pure_classes.mjs). The code is otherwise left as it is for
 * the later steps (tree-shaking, terser, hoist).
 * @returns {import("rollup").Plugin}
 */
export function mangleInternals({ table, include, keepFunctionNames = false }) {
  const names = Object.keys(table);
  const renaming = propertyRenaming(table);
  return {
    name: "kyoto-mangle-internals",
    async transform(code, id) {
      if (names.length === 0 || !include(id)) return null;
      const { minify } = await import("terser");
      const out = await minify(markLoweredClassesPure(aliasPrototypes(aliasThis(code))), {
        module: true,
        compress: false,
        // `keepFunctionNames`: for code that is not minified after this (the QuickJS test
        // bundle), whose stack traces must name the functions.
        mangle: { properties: renaming.properties, toplevel: false, reserved: [], keep_fnames: keepFunctionNames, keep_classnames: keepFunctionNames },
        nameCache: renaming.nameCache(),
        format: { beautify: true, comments: "all", preserve_annotations: true },
        sourceMap: true,
      });
      return { code: out.code, map: out.map };
    },
  };
}

/**
 * terser's `mangle.properties` renaming exactly the properties of `table` to their short
 * names, and the `nameCache` that fixes the short names (a fresh copy per `minify` call:
 * every name is already in it, so terser never adds one). Used directly only for code that
 * is all kyoto's, such as a library bundle: an app's own properties must not be renamed
 * (see `mangleInternals`, which renames per kyoto module).
 */
export function propertyRenaming(table) {
  const names = Object.keys(table);
  const cache = {};
  for (const n of names) cache["$" + n] = table[n];
  return {
    // `builtins`: terser otherwise keeps any name a DOM or standard object also has
    // (`flags`, `result`, `items`, `scheduler`…); the regex already limits it to ours.
    properties: { regex: new RegExp("^(?:" + names.join("|") + ")$"), keep_quoted: true, builtins: true },
    nameCache: () => ({ props: { props: { ...cache } } }),
  };
}
