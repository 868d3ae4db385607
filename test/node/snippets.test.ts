/**
 * The documentation compiles: every ```ts block of README.md and every example under
 * examples/ type-checks in a strict TypeScript project against the built declarations
 * (dist/node/*.d.ts, reached as `kyoto` / `kyoto/sim` / `kyoto/core` through the package's
 * own exports, as an app would import them).
 *
 * A README block preceded by `<!-- typecheck: pending REASON -->` documents API that does
 * not type-check yet; the test expects it to fail, so it fails once the API catches up and
 * the mark must go.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { assert } from "../assert";
import { typeErrors } from "./typecheck";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface Snippet {
  line: number;
  code: string;
  pending: string | null;
}

/** The ```ts blocks of a markdown text, with their line and pending mark. */
export function tsBlocks(markdown: string): Snippet[] {
  const out: Snippet[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "```ts") continue;
    const mark = i > 0 ? /^<!-- typecheck: pending (.+?) -->$/.exec(lines[i - 1].trim()) : null;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i].trim() !== "```"; i++) body.push(lines[i]);
    out.push({ line: start + 1, code: body.join("\n") + "\n", pending: mark ? mark[1] : null });
  }
  return out;
}

/** Node's own types are in scope: the README and the examples are Node programs. */
const STRICT: ts.CompilerOptions = {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  types: ["node"],
  typeRoots: [path.join(root, "node_modules/@types")],
};

describe("README and examples type-check against the declarations", function () {
  this.timeout(120_000);
  const blocks = tsBlocks(readFileSync(path.join(root, "README.md"), "utf8"));
  const examples = readdirSync(path.join(root, "examples")).filter((f) => /\.(mjs|js|ts)$/.test(f)).sort();
  let dir = "";
  const fileOf = (block: Snippet) => path.join(dir, `readme_${block.line}.ts`);
  /** Diagnostics of one program over every settled block and every example, by file name. */
  let settled: string[] = [];

  before(() => {
    // Inside the repository, so `kyoto` resolves to this package's own exports (dist/).
    mkdirSync(path.join(root, "build"), { recursive: true });
    dir = mkdtempSync(path.join(root, "build", "snippets-"));
    for (const block of blocks) writeFileSync(fileOf(block), block.code);
    const files = blocks.filter((b) => !b.pending).map(fileOf).concat(examples.map((f) => path.join(root, "examples", f)));
    settled = typeErrors(files, { ...STRICT, allowJs: true, checkJs: true });
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("README.md has ```ts blocks and examples/ has examples to check", () => {
    assert.ok(blocks.filter((b) => !b.pending).length >= 1, `found ${blocks.length} blocks`);
    assert.ok(examples.length > 0);
  });

  for (const block of blocks) {
    const name = `readme_${block.line}.ts`;
    if (block.pending) {
      it(`README.md:${block.line} is still expected to fail (pending ${block.pending})`, () => {
        const errors = typeErrors([fileOf(block)], STRICT);
        assert.ok(errors.length > 0, `README.md:${block.line} type-checks now: remove its "typecheck: pending" mark`);
      });
    } else {
      it(`README.md:${block.line} type-checks (strict)`, () => {
        assert.deepEqual(settled.filter((e) => e.startsWith(name + ":")), []);
      });
    }
  }

  for (const example of examples) {
    it(`examples/${example} type-checks (strict, checkJs)`, () => {
      assert.deepEqual(settled.filter((e) => e.startsWith(example + ":")), []);
    });
  }

  it("nothing else in those programs reports an error", () => {
    const known = blocks.map((b) => `readme_${b.line}.ts:`).concat(examples.map((f) => f + ":"));
    assert.deepEqual(settled.filter((e) => !known.some((k) => e.startsWith(k))), []);
  });
});
