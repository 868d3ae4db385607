/**
 * The top-level `var` pass (tools/top_level_var.mjs) and its effect on the shipped ES2020
 * bundles: no module-scope `const`/`let` is left for V8 to guard with TDZ checks.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import * as acorn from "acorn";
import { topLevelVar } from "../../tools/top_level_var.mjs";

const root = path.resolve(import.meta.dirname, "../..");

function topLevelKinds(code: string, module: boolean): string[] {
  const ast = acorn.parse(code, { ecmaVersion: "latest", sourceType: module ? "module" : "script" }) as unknown as {
    body: Array<{ type: string; kind?: string; declaration?: { type: string; kind?: string } }>;
  };
  const kinds: string[] = [];
  for (const stmt of ast.body) {
    const decl = stmt.type === "ExportNamedDeclaration" ? stmt.declaration : stmt;
    if (decl && decl.type === "VariableDeclaration") kinds.push(decl.kind as string);
  }
  return kinds;
}

describe("top-level var pass", () => {
  it("rewrites module-scope const and let to var, and nothing nested", () => {
    const input = "const A = 1;\nlet b = 2;\nexport const C = 3;\nfunction f() { const x = A; let y = b; return x + y; }\nfor (let i = 0; i < 2; i++) {}\n";
    const { code } = topLevelVar(input, { module: true });
    assert.deepEqual(topLevelKinds(code, true), ["var", "var", "var"]);
    assert.match(code, /function f\(\) \{ const x = A; let y = b;/);
    assert.match(code, /for \(let i = 0;/);
  });

  // The Node runtime lives in dist/node/chunks/runtime-*.cjs (the entries re-export it).
  const nodeFiles = ["dist/node/kyoto.mjs", "dist/node/kyoto.cjs"];
  for (const name of readdirSync(path.join(root, "dist/node/chunks"))) if (name.endsWith(".cjs")) nodeFiles.push("dist/node/chunks/" + name);
  for (const file of [...nodeFiles, "dist/quickjs/kyoto.mjs"]) {
    it(`leaves no module-scope const or let in ${file}`, () => {
      const code = readFileSync(path.join(root, file), "utf8");
      const kinds = topLevelKinds(code, file.endsWith(".mjs"));
      assert.ok(kinds.length > 0, "the bundle has top-level declarations");
      assert.deepEqual(kinds.filter((k) => k !== "var"), []);
    });
  }
});
