/**
 * The API reference (`npm run docs`, TypeDoc over src/index.ts, src/sim.ts, src/core_api.ts):
 * every class and function those entries export has an `@example`, and every example
 * type-checks strictly against the built declarations, as a module that imports what it
 * uses from `kyoto`, `kyoto/sim` or `kyoto/core` (an example without an import line gets
 * one importing every public name).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { assert } from "../assert";
import { typeErrors } from "./typecheck";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const ENTRIES: [string, string][] = [
  ["src/index.ts", "kyoto"],
  ["src/sim.ts", "kyoto/sim"],
  ["src/core_api.ts", "kyoto/core"],
];

interface Documented {
  entry: string;
  name: string;
  examples: string[];
}

/** Every exported class and function of the doc entries, with the code of its @example tags; every exported name. */
function documented(): { items: Documented[]; names: Record<string, string[]> } {
  const program = ts.createProgram(ENTRIES.map(([f]) => path.join(root, f)), { noResolve: false, allowJs: false, target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler });
  const checker = program.getTypeChecker();
  const items: Documented[] = [];
  const names: Record<string, string[]> = {};
  for (const [file, entry] of ENTRIES) {
    const sf = program.getSourceFile(path.join(root, file))!;
    const moduleSymbol = checker.getSymbolAtLocation(sf)!;
    names[entry] = [];
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      // Type-only exports (a class named only as a result type) have no value to give an example of.
      const spec = exported.declarations?.[0];
      if (spec && ts.isExportSpecifier(spec) && (spec.isTypeOnly || spec.parent.parent.isTypeOnly)) {
        names[entry].push(exported.name);
        continue;
      }
      // @internal names are left out of the declarations and the docs.
      if ((symbol.declarations ?? []).some((d) => ts.getJSDocTags(d).some((t) => t.tagName.text === "internal"))) continue;
      names[entry].push(exported.name);
      if (!(symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Function))) continue;
      const examples: string[] = [];
      for (const decl of symbol.declarations ?? []) {
        for (const tag of ts.getJSDocTags(decl)) {
          if (tag.tagName.text !== "example") continue;
          const text = typeof tag.comment === "string" ? tag.comment : ts.getTextOfJSDocComment(tag.comment) ?? "";
          examples.push(text.replace(/^\s*```\w*\n?/, "").replace(/\n?```\s*$/, "") + "\n");
        }
      }
      items.push({ entry, name: exported.name, examples });
    }
  }
  return { items, names };
}

describe("API docs: an @example on every exported class and function, and each one type-checks", function () {
  this.timeout(120_000);
  const { items, names } = documented();
  let dir = "";
  let errors: string[] = [];
  const fileOf = (item: Documented, i: number) => path.join(dir, `${item.entry.replace("/", "_")}.${item.name}.${i}.ts`);

  before(() => {
    mkdirSync(path.join(root, "build"), { recursive: true });
    dir = mkdtempSync(path.join(root, "build", "doc-examples-"));
    const prelude = ENTRIES.map(([, entry]) => `import { ${names[entry].join(", ")} } from "${entry}";`).join("\n") + "\n";
    const files: string[] = [];
    for (const item of items) {
      item.examples.forEach((code, i) => {
        const file = fileOf(item, i);
        writeFileSync(file, (/^\s*import\s/m.test(code) ? "" : prelude) + code + "\nexport {};\n");
        files.push(file);
      });
    }
    errors = files.length ? typeErrors(files, { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: ["node"], typeRoots: [path.join(root, "node_modules/@types")] }) : [];
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("finds the public classes and functions", () => {
    assert.ok(items.length >= 40, `found ${items.length}`);
  });

  for (const item of items) {
    it(`${item.entry}: ${item.name}`, () => {
      assert.ok(item.examples.length > 0, `${item.name} (${item.entry}) has no @example`);
      const mine = item.examples.map((_, i) => path.basename(fileOf(item, i)) + ":");
      assert.deepEqual(errors.filter((e) => mine.some((m) => e.startsWith(m))), []);
    });
  }
});
