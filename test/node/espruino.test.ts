/**
 * The Espruino bundle (dist/espruino/kyoto.js) in a Node `vm` context stripped of what
 * Espruino lacks (Map, Set, WeakMap, WeakSet, WeakRef, Symbol, Reflect, Proxy, BigInt,
 * queueMicrotask, setImmediate, process), driven through its public API; and the hoist
 * pass, shown to be needed: Node hoists function declarations, so "Espruino does not
 * hoist" is emulated by rewriting each `function X(){}` declaration into
 * `var X = function X(){}` in place (a use before it then sees `undefined`, as on
 * Espruino), and checked structurally with tools/check_hoist.mjs.
 */
import * as assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import MagicString from "magic-string";
import ts from "typescript";
import { rollup, type OutputOptions, type RollupOptions } from "rollup";
import { forEachBody, parse } from "../../tools/ast.mjs";
import { checkHoisted } from "../../tools/check_hoist.mjs";
import { hoistFunctionDeclarations } from "../../tools/hoist.mjs";

const root = path.resolve(import.meta.dirname, "../..");
const BUNDLE = path.join(root, "dist/espruino/kyoto.js");
const MISSING = ["Map", "Set", "WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry", "Symbol", "Reflect", "Proxy",
  "BigInt", "queueMicrotask", "setImmediate", "process", "globalThis"];

/** A context with Promise and host timers but without what Espruino lacks. */
function espruinoContext(): vm.Context {
  const ctx = vm.createContext({ setTimeout, clearTimeout });
  vm.runInContext(MISSING.map((n) => `delete this.${n};`).join("\n"), ctx);
  for (const n of MISSING) assert.equal(vm.runInContext(`typeof ${n}`, ctx), "undefined", n + " is removed");
  return ctx;
}

/** Emulates an engine without function hoisting: declarations become assignments in place. */
function withoutHoisting(code: string): string {
  const s = new MagicString(code);
  forEachBody(parse(code), (list: { type: string; start: number; end: number; id: { name: string } }[]) => {
    for (const stmt of list) {
      if (stmt.type !== "FunctionDeclaration") continue;
      s.prependRight(stmt.start, `var ${stmt.id.name} = `);
      s.appendLeft(stmt.end, ";");
    }
  });
  return s.toString();
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

function loadBundle(code: string) {
  const ctx = espruinoContext();
  vm.runInContext(code, ctx, { filename: "kyoto.js" });
  return { ctx, kyoto: vm.runInContext("kyoto", ctx) as Record<string, any> };
}

describe("espruino bundle", () => {
  let code = "";
  before(function () {
    if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` first`);
    code = readFileSync(BUNDLE, "utf8");
  });

  it("is ASCII-only ES5 with every function declaration before its uses", () => {
    assert.ok(!/[^\x00-\x7f]/.test(code), "ASCII only");
    parse(code, { ecmaVersion: 5 });
    assert.deepEqual(checkHoisted(code, { file: "dist/espruino/kyoto.js" }), []);
  });

  for (const mode of ["as built", "without function hoisting (emulated Espruino)"]) {
    it(`runs a Semaphore hand-off ${mode}`, async () => {
      const { kyoto } = loadBundle(mode === "as built" ? code : withoutHoisting(code));
      assert.equal(typeof kyoto.Semaphore, "function");
      const sem = new kyoto.Semaphore(1);
      const first = sem.tryAcquire();
      assert.ok(first, "tryAcquire takes the free permit");
      assert.equal(sem.tryAcquire(), null, "no permit left");
      const got: any[] = [];
      sem.acquire().then((p: unknown) => {
        got.push(p);
      });
      assert.equal(sem.waiterCount(), 1);
      await tick();
      assert.equal(got.length, 0, "the waiter waits");
      first.release();
      for (let i = 0; i < 5 && got.length === 0; i++) await tick();
      assert.equal(got.length, 1, "the waiter got the released permit");
      assert.equal(got[0].permits, 1);
      assert.equal(sem.availablePermits(), 0);
      got[0].release();
      assert.equal(sem.availablePermits(), 1);
    });
  }

  it("cancels a waiter with ERR_CANCELLED and leaves nothing queued", async () => {
    const { kyoto } = loadBundle(code);
    const sem = new kyoto.Semaphore(0);
    let error = null as any;
    const op = sem.acquire();
    op.then(null, (e: { code?: string }) => {
      error = e;
    });
    assert.equal(op.cancel(), true);
    for (let i = 0; i < 5 && error === null; i++) await tick();
    assert.equal(error.code, "ERR_CANCELLED");
    assert.equal(sem.waiterCount(), 0);
  });
});

describe("espruino bundle: ops are thenables", () => {
  it("returns real promises from then/catch/finally, unwraps in Promise.all, and leaves unobserved failures silent", async () => {
    const { ctx, kyoto } = loadBundle(readFileSync(BUNDLE, "utf8"));
    const HostPromise = vm.runInContext("Promise", ctx);
    assert.equal(kyoto.opsArePromises, false, "classes are ES5 functions here: ops cannot subclass Promise");
    const sem = new kyoto.Semaphore(1);
    const op = sem.acquire();
    const chained = op.then((p: { permits: number }) => p.permits);
    assert.ok(chained instanceof HostPromise, "then returns a real promise");
    assert.equal(await chained, 1);
    const closed = new kyoto.Semaphore(0);
    closed.close();
    const code = await closed.acquire().then(() => "no").catch((e: { code: string }) => e.code);
    assert.equal(code, "ERR_CLOSED", "op.then(f).catch(g) chains");
    let ran = false;
    const again = new kyoto.Semaphore(1);
    const p = await again.acquire().finally(() => {
      ran = true;
    });
    assert.ok(ran && p.permits === 1, "finally");
    const all = await HostPromise.all([new kyoto.Semaphore(1).acquire(), new kyoto.Semaphore(2).acquire(2)]);
    assert.equal(all.map((x: { permits: number }) => x.permits).join(","), "1,2");
    new kyoto.Semaphore(0).acquire().cancel(); // unobserved: builds nothing, rejects nothing
  });
});

describe("the hoist pass", () => {
  // TypeScript's ES5 class output: `__extends(B, _super)` runs before `function B`.
  const es5 = ts.transpileModule(
    "class A { f() { return 1; } }\nclass B extends A { g() { return this.f() + 1; } }\nvar result = new B().g();",
    { compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.None, importHelpers: false } },
  ).outputText;

  it("is needed: TypeScript's ES5 `extends` uses the class before its function declaration", () => {
    const problems = checkHoisted(es5, { file: "class.es5.js" });
    assert.ok(problems.some((p) => p.includes("`B` is used before `function B`")), problems.join("\n"));
    // The error comes from another realm, so match it by name, not by prototype.
    assert.throws(() => vm.runInNewContext(withoutHoisting(es5), {}), (e: Error) => e.name === "TypeError");
  });

  it("fixes it without changing what the code does", () => {
    const hoisted = hoistFunctionDeclarations(es5).code;
    assert.deepEqual(checkHoisted(hoisted), []);
    const ctx: { result?: number } = {};
    vm.runInNewContext(withoutHoisting(hoisted), ctx);
    assert.equal(ctx.result, 2);
  });

  it("keeps directives first and separates statements it pulls apart", () => {
    const out = hoistFunctionDeclarations('"use strict";\nvar a = f()\nfunction f() { return 1 }\n(0, a)').code;
    assert.ok(out.startsWith('"use strict";\nfunction f()'), out);
    const ctx: Record<string, unknown> = {};
    vm.runInNewContext(withoutHoisting(out), ctx);
    assert.deepEqual(checkHoisted(out), []);
  });

  it("is what makes the bundle pass: KYOTO_NO_HOIST=1 builds one the check rejects", async function () {
    this.timeout(60_000);
    const configs = (await import("../../rollup.config.js")).default as RollupOptions[];
    const config = configs.find((c) => (c.output as OutputOptions).file === "dist/espruino/kyoto.js")!;
    const saved = process.env.KYOTO_NO_HOIST;
    process.env.KYOTO_NO_HOIST = "1";
    try {
      const bundle = await rollup({ ...config, onwarn() {} });
      const { output } = await bundle.generate({ ...(config.output as OutputOptions), file: undefined });
      await bundle.close();
      const unhoisted = output[0].code;
      const problems = checkHoisted(unhoisted, { file: "kyoto.js (KYOTO_NO_HOIST=1)" });
      assert.ok(problems.length > 0, "the unhoisted bundle must fail the hoisting check");
      // (terser happens to put most class constructors first already, so whether the
      // unhoisted bundle crashes depends on which path runs; the structural check does not.)
    } finally {
      if (saved === undefined) delete process.env.KYOTO_NO_HOIST;
      else process.env.KYOTO_NO_HOIST = saved;
    }
  });
});
