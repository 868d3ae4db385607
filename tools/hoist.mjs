/**
 * The Espruino hoist pass: moves every function declaration to the top of the statement
 * list it belongs to (program, function body or block), after any directive prologue,
 * keeping their relative order. Two `var` statements that meet once a declaration between
 * them has moved are joined into one (the minifier ran before and could not).
 *
 * Espruino runs code while parsing it and does not hoist function declarations, so code
 * that is valid JavaScript fails there. The typical case is TypeScript's ES5 class output,
 * where `__extends(B, _super)` runs before `function B` inside the class IIFE; tslib's
 * `__generator` has the same shape. Hoisting by hand keeps the meaning for engines that do
 * hoist (declarations are initialised on scope entry anyway) and fixes it for Espruino.
 *
 * It runs as the last renderChunk step (after terser), so the final bytes are what is
 * checked; tools/check_hoist.mjs verifies the result. `KYOTO_NO_HOIST=1` turns it off,
 * which exists to show that the check catches the unhoisted bundle.
 */
import MagicString from "magic-string";
import { forEachBody, isDirective, parse } from "./ast.mjs";

export function hoistFunctionDeclarations(code, { module = false } = {}) {
  const ast = parse(code, { module });
  const s = new MagicString(code);
  let moved = 0;
  forEachBody(ast, (list) => {
    let first = 0;
    while (first < list.length && isDirective(list[first])) first++;
    // Declarations already forming a prefix stay where they are.
    let prefix = first;
    while (prefix < list.length && list[prefix].type === "FunctionDeclaration") prefix++;
    if (prefix >= list.length) return;
    const target = list[prefix].start;
    let previous = list[prefix];
    for (let i = prefix + 1; i < list.length; i++) {
      const stmt = list[i];
      if (stmt.type !== "FunctionDeclaration") {
        // Two `var` statements the minifier kept apart only because a declaration stood
        // between them meet once it has moved: `var a=1;var b=2` becomes `var a=1,b=2`.
        if (isVar(previous) && isVar(stmt) && code[previous.end - 1] === ";" && list[i - 1] !== previous) {
          s.overwrite(previous.end - 1, previous.end, ",");
          s.remove(stmt.start, stmt.declarations[0].start);
        }
        previous = stmt;
        continue;
      }
      // Removing the declaration must not glue the neighbours into one expression
      // (`a=1\n(f)` would become a call): keep a separator in its place.
      const before = code.slice(list[i - 1].start, list[i - 1].end).trimEnd();
      if (!before.endsWith(";") && !before.endsWith("}")) s.appendLeft(stmt.start, ";");
      s.move(stmt.start, stmt.end, target);
      moved++;
    }
  });
  return { code: s.toString(), map: s.generateMap({ hires: true }), moved };
}

const isVar = (stmt) => stmt.type === "VariableDeclaration" && stmt.kind === "var";

/** Rollup output plugin. Put it after terser in `output.plugins`. */
export function hoist() {
  return {
    name: "kyoto-hoist",
    renderChunk(code, chunk, options) {
      if (process.env.KYOTO_NO_HOIST === "1") {
        this.warn("KYOTO_NO_HOIST=1: function declarations are NOT hoisted in " + chunk.fileName);
        return null;
      }
      const out = hoistFunctionDeclarations(code, { module: options.format === "es" });
      return { code: out.code, map: out.map };
    },
  };
}
