/**
 * The top-level `var` pass: rewrites the module-scope `const` / `let` declarations of a
 * bundle to `var`.
 *
 * V8 guards every read of a module-scope `const` or `let` from inside a function with a
 * temporal-dead-zone check, so a hot path that reads a constant like `NIL` pays for it on
 * each access: measured on Node 20, `tryAcquire` + `release` ran at 147 M ops/s with
 * `const` and 270 M ops/s with `var`, the same code otherwise. A bundle's top-level names are
 * unique and never read before their declaration runs, so the rewrite keeps the meaning.
 */
import MagicString from "magic-string";
import { parse } from "./ast.mjs";

export function topLevelVar(code, { module = true } = {}) {
  const ast = parse(code, { module });
  const s = new MagicString(code);
  for (const stmt of ast.body) {
    const decl = stmt.type === "ExportNamedDeclaration" ? stmt.declaration : stmt;
    if (decl && decl.type === "VariableDeclaration" && decl.kind !== "var") {
      s.overwrite(decl.start, decl.start + decl.kind.length, "var");
    }
  }
  return { code: s.toString(), map: s.generateMap({ hires: true }) };
}

/** Rollup output plugin: apply the pass to every ES module chunk. */
export function topLevelVarPlugin() {
  return {
    name: "kyoto-top-level-var",
    renderChunk(code, _chunk, options) {
      return options.format === "es" ? topLevelVar(code, { module: true }) : topLevelVar(code, { module: false });
    },
  };
}
