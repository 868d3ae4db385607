/**
 * The portability checks themselves (tools/check_*.mjs, tsconfig.portable.json): each rule
 * rejects what SPEC §3 forbids, names file:line, and accepts the allowed forms. `npm run
 * check` applies them to the real tree; these tests keep the checks honest.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ts from "typescript";
import { checkEspruinoBundle, checkQuickjsBundle } from "../../tools/check_bundles.mjs";
import { checkLayers, edgeProblem } from "../../tools/check_layers.mjs";
import { checkPortable } from "../../tools/check_portable.mjs";

const root = path.resolve(import.meta.dirname, "../..");
let dir = "";
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), "kyoto-portability-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A program over one fixture file with tsconfig.portable.json's options. */
function portableProgram(name: string, source: string): ts.Program {
  const file = path.join(dir, name);
  writeFileSync(file, source);
  const configPath = path.join(root, "tsconfig.portable.json");
  const cfg = ts.readConfigFile(configPath, ts.sys.readFile).config;
  const parsed = ts.parseJsonConfigFileContent(cfg, ts.sys, root, undefined, configPath);
  return ts.createProgram([file, path.join(root, "tools/portable-globals.d.ts")], parsed.options);
}

function typeErrors(name: string, source: string): string[] {
  const program = portableProgram(name, source);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

function syntaxProblems(name: string, source: string): string[] {
  return checkPortable(portableProgram(name, source), { filter: (rel: string) => rel.endsWith(name), hostFree: () => true });
}

describe("tsconfig.portable.json", () => {
  for (const [what, code] of [
    ["new Map()", "export const m = new Map<string, number>();"],
    ["new Set()", "export const s = new Set<number>();"],
    ["WeakMap", "export const w = new WeakMap<object, number>();"],
    ["setTimeout", "setTimeout(() => 0, 1);"],
    ["process", "export const p = process.env;"],
    ["require", "export const r = require('net');"],
    ["Object.assign", "export const o = Object.assign({}, { a: 1 });"],
    ["Symbol('x')", "export const s = Symbol('x' as never as string);"],
    ["Symbol.iterator", "export const s = typeof Symbol === 'function' ? Symbol.iterator : 0;"],
  ]) {
    it(`rejects ${what}`, () => {
      assert.ok(typeErrors("types_bad.ts", code).length > 0, `${code} must not type-check`);
    });
  }

  it("accepts typed arrays, Promise and guarded Symbol.dispose / Symbol.asyncIterator", () => {
    const errors = typeErrors(
      "types_ok.ts",
      `export const a = new Int32Array(4);
       export const p: Promise<number> = Promise.resolve(1);
       export const d = typeof Symbol === "function" && typeof Symbol.dispose === "symbol" ? Symbol.dispose : undefined;
       export const i = typeof Symbol === "function" ? Symbol.asyncIterator : undefined;`,
    );
    assert.deepEqual(errors, []);
  });
});

describe("the portable syntax check", () => {
  const rejected: [string, string, RegExp][] = [
    ["async function", "export async function f() { return 1; }", /`async` functions/],
    ["async arrow", "export const f = async () => 1;", /`async` arrow/],
    ["async method", "export class C { async m() {} }", /`async` functions/],
    ["await", "export function f(p: any) { return (async () => { await p; })(); }", /`await`/],
    ["generator", "export function* g() { yield 1; }", /generator functions/],
    ["#private", "export class C { #x = 1; get x() { return this.#x; } }", /#private/],
    ["label", "outer: for (let i = 0; i < 2; i++) { break outer; }", /labeled statements/],
    ["bigint literal", "export const b = 10n as unknown;", /bigint literals/],
    ["BigInt", "declare const BigInt: any; export const b = BigInt(1);", /`BigInt` is not portable/],
    ["new Map", "declare const Map: any; export const m = new Map();", /`Map` is not portable/],
    ["new Set", "declare const Set: any; export const m = new Set();", /`Set` is not portable/],
    ["WeakRef", "declare const WeakRef: any; export const m = new WeakRef({});", /`WeakRef` is not portable/],
    ["Reflect", "declare const Reflect: any; export const k = Reflect.ownKeys({});", /`Reflect` is not portable/],
    ["Proxy", "declare const Proxy: any; export const p = new Proxy({}, {});", /`Proxy` is not portable/],
    ["globalThis (in src/)", "export const g = globalThis;", /`globalThis` in src\//],
    ["unguarded Symbol.dispose", "export const d = Symbol.dispose;", /must be feature-detected/],
    ["unguarded Symbol.asyncIterator in a class", "export class R { [Symbol.asyncIterator]() { return this; } }", /must be feature-detected/],
    ["for…of over a string", "export function f(s: string) { for (const c of s) { void c; } }", /`for…of` over a non-array/],
    ["array destructuring", "export function f(a: number[]) { const [x, y] = a; return x + y; }", /array destructuring/],
    ["array destructuring assignment", "export function f(a: number[]) { let x = 0, y = 0; [x, y] = a; return x + y; }", /destructuring assignment/],
    ["spread of a string", "export function f(s: string) { return [...s]; }", /spread of a non-array/],
  ];
  for (const [what, code, message] of rejected) {
    it(`rejects ${what} with file:line`, () => {
      const problems = syntaxProblems("syntax_bad.ts", code);
      assert.ok(problems.some((p) => message.test(p)), `expected ${message} in:\n${problems.join("\n")}`);
      assert.match(problems[0], /syntax_bad\.ts:\d+:\d+: /);
    });
  }

  it("accepts the allowed forms", () => {
    const problems = syntaxProblems(
      "syntax_ok.ts",
      `export function sum(a: number[]) { let t = 0; for (const x of a) t += x; return t; }
       export function copy(a: number[]) { return [...a, 1]; }
       export function pick(o: { a: number; b: number }) { const { a, b } = o; return a + b; }
       export function attach(proto: any) {
         if (typeof Symbol === "function" && typeof Symbol.dispose === "symbol") proto[Symbol.dispose] = proto.release;
       }
       export function iter(target: any) {
         if (typeof Symbol !== "function") return;
         target[Symbol.asyncIterator] = function () { return target; };
       }
       export function rest(...xs: number[]) { return xs.length; }
       export interface Iterable2 { [Symbol.asyncIterator](): { next(): Promise<unknown> } }
       export type Disposer = { [Symbol.dispose](): void };
       export class C { private n = 0; get value() { return this.n; } }
       export const k = { Map: 1, Set: 2 }.Map;`,
    );
    assert.deepEqual(problems, []);
  });
});

describe("the layer check", () => {
  const cases: [string, string, boolean][] = [
    ["src/core/op.ts", "./pool", true],
    ["src/core/op.ts", "../sync/semaphore", false],
    ["src/sync/mutex.ts", "../core/op", true],
    ["src/sync/mutex.ts", "../runtime/runtime", false],
    ["src/runtime/runtime.ts", "../sync/notify", true],
    ["src/time/sleep.ts", "../runtime/runtime", true],
    ["src/time/sleep.ts", "../io/driver", false],
    ["src/io/driver.ts", "../net/addr", false],
    ["src/net/tcp_stream.ts", "../io/hal", true],
    ["src/sync/mutex.ts", "../index", false],
    ["src/index.ts", "./net/tcp_stream", true],
    ["src/sim.ts", "./runtime/runtime", true],
    ["src/core/op.ts", "../../hal/node/index", false],
    ["src/index.ts", "../targets/node", false],
    ["src/core/op.ts", "node:events", false],
    ["src/core/op.ts", "tslib", false],
    ["hal/node/index.ts", "node:net", true],
    ["hal/node/index.ts", "../../src/io/hal", true],
    ["hal/sim/index.ts", "../../targets/sim", false],
    ["hal/sim/index.ts", "../node/index", false],
    ["hal/espruino/index.ts", "net", false],
    ["hal/quickjs/index.ts", "os", true],
    ["targets/node.ts", "../hal/node/index", true],
    ["targets/node.ts", "../src/index", true],
  ];
  for (const [from, spec, allowed] of cases) {
    it(`${allowed ? "allows" : "rejects"} ${from} → "${spec}"`, () => {
      const problem = edgeProblem(from, spec);
      if (allowed) assert.equal(problem, null);
      else assert.ok(problem, `${from} → ${spec} must be rejected`);
    });
  }

  it("passes on the repository as it is", () => {
    assert.deepEqual(checkLayers(), []);
  });
});

describe("the bundle checks", () => {
  it("accept ES5 with guarded Symbol detection", () => {
    const code = 'var k=function(t){"use strict";function a(){return 1}"function"==typeof Symbol&&"symbol"==typeof Symbol.dispose&&(t[Symbol.dispose]=a);return t.a=a,t}({});';
    assert.deepEqual(checkEspruinoBundle(code, "ok.js"), []);
  });
  for (const [what, code, message] of [
    ["Map", "var m=new Map;", /`Map`, which Espruino 2v29 does not have/],
    ["WeakMap", "var m=new WeakMap;", /`WeakMap`/],
    ["Reflect", "var k=Reflect.ownKeys({});", /`Reflect`/],
    ["queueMicrotask", "queueMicrotask(function(){});", /`queueMicrotask`/],
    ["Symbol()", 'var s=Symbol("x");', /`Symbol`, which Espruino 2v29 does not have/],
    ["Symbol.iterator", "var s=Symbol.iterator;", /`Symbol`, which Espruino 2v29 does not have/],
    ["non-ASCII", 'var s="caf\u00e9";', /non-ASCII character U\+00E9/],
    ["ES2015 syntax", "let a = () => 1;", /not ES5/],
    ["an unhoisted function", "f();function f(){}", /`f` is used before `function f`/],
  ] as [string, string, RegExp][]) {
    it(`reject ${what} in the Espruino bundle`, () => {
      const problems = checkEspruinoBundle(code, "bad.js");
      assert.ok(problems.some((p: string) => message.test(p)), problems.join("\n"));
      assert.match(problems[0], /^bad\.js:\d+/);
    });
  }
  it("reject package imports and Node globals in the QuickJS bundle", () => {
    const problems = checkQuickjsBundle('import x from "events";\nexport const p = process.env;', "q.mjs");
    assert.ok(problems.some((p: string) => /imports "events"/.test(p)));
    assert.ok(problems.some((p: string) => /Node global `process`/.test(p)));
    assert.deepEqual(checkQuickjsBundle('import * as os from "os";\nexport const t = os.now;', "q.mjs"), []);
  });
});
