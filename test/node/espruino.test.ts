/**
 * The Espruino bundle (dist/espruino/kyoto.js) in the Espruino context (test/harness/
 * espruino.ts: only what a real Espruino 2v29 has, its Promise and event loop), driven
 * through its public API; the context itself and the bundle check; and the hoist
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
import { checkEspruinoBundleMembers } from "../../tools/check_espruino.mjs";
import { createEspruinoContext } from "../harness/espruino";

const root = path.resolve(import.meta.dirname, "../..");
const BUNDLE = path.join(root, "dist/espruino/kyoto.js");

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
  const ctx = createEspruinoContext();
  ctx.run(code, "kyoto.js");
  return { ctx, kyoto: ctx.run("kyoto", "main.js") as Record<string, any> };
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

describe("the Espruino context", () => {
  it("has none of the absent members and runs promise reactions after timers already due", async () => {
    const ctx = createEspruinoContext({ virtualTime: true });
    const types = ctx.run("[typeof RangeError, typeof Object.isExtensible, typeof [].lastIndexOf, typeof ''.lastIndexOf, typeof Promise.race, typeof Promise.resolve().finally, typeof Math.imul, typeof Map]", "probe.js");
    assert.deepEqual([...(types as string[])], ["undefined", "undefined", "undefined", "function", "undefined", "undefined", "undefined", "undefined"]);
    ctx.run(`var order = []; setTimeout(function () { order.push("t0"); }, 0); setTimeout(function () { order.push("t50"); }, 50);
      Promise.resolve().then(function () { order.push("then1"); }).then(function () { order.push("then2"); }); order.push("sync");`, "order.js");
    await ctx.loop.runFor(60);
    assert.equal(ctx.run("order.join()", "x.js"), "sync,t0,then1,then2,t50", "Espruino's measured order");
  });

  it("runs the idle hook only once no promise reaction is queued, and keeps setImmediate deleted", async () => {
    // Virtual time: the 5 ms timer cannot overtake the then-chain on a loaded machine.
    const ctx = createEspruinoContext({ virtualTime: true });
    assert.equal(ctx.run("typeof setImmediate", "x.js"), "undefined");
    ctx.run(`var order = []; __hostIdle(function () { order.push("idle"); });
      setTimeout(function () { order.push("t0"); }, 0);
      var p = Promise.resolve();
      for (var i = 0; i < 3; i++) p = p.then(function () { order.push("then"); });
      setTimeout(function () { order.push("t5"); }, 5); order.push("sync");`, "idle.js");
    await ctx.loop.runFor(10);
    assert.equal(ctx.run("order.join()", "x.js"), "sync,t0,then,then,then,idle,t5", "after the whole then-chain, before a later timer");
  });

  it("reports a rejection nobody handles by the time the queue runs dry, not one adopted a few turns later", async () => {
    const errors: unknown[] = [];
    const ctx = createEspruinoContext({ onError: (e) => errors.push(e) });
    ctx.run(`var caught; Promise.resolve().then(function () { return Promise.reject("adopted"); }).then(null, function (e) { caught = e; });
      Promise.reject("lost");`, "x.js");
    for (let i = 0; i < 50 && ctx.run("caught", "x.js") === undefined; i++) await new Promise((r) => setTimeout(r, 2));
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(ctx.run("caught", "x.js"), "adopted");
    assert.deepEqual(errors, ["lost"]);
  });

  it("throws on clearTimeout(undefined) and on an id that is not armed; clearTimeout() clears every timer", () => {
    const ctx = createEspruinoContext();
    assert.throws(() => ctx.run("clearTimeout(undefined)", "x.js"), /undefined/);
    assert.throws(() => ctx.run("clearTimeout(12345)", "x.js"), /Unknown Timeout/);
    ctx.run("setTimeout(function () {}, 1000); setTimeout(function () {}, 1000); clearTimeout();", "x.js");
    assert.equal(ctx.loop.pending(), 0);
  });

  it("follows a promise or an object with its own then, and takes an inherited then as a plain value", async () => {
    const ctx = createEspruinoContext();
    ctx.run(`var got = [];
      function T() {} T.prototype.then = function (f) { f("inherited"); };
      var own = { then: function (f) { f("own"); } };
      [Promise.resolve("promise"), own, new T()].forEach(function (v, i) {
        Promise.resolve(0).then(function () { return v; }).then(function (r) { got[i] = typeof r === "string" ? r : "the object"; });
      });`, "x.js");
    for (let i = 0; i < 50 && (ctx.run("got.length", "x.js") as number) < 3; i++) await new Promise((r) => setTimeout(r, 2));
    assert.equal(ctx.run("got.join()", "x.js"), "promise,own,the object");
  });

  it("Promise.all takes a thenable that is not a promise as a plain value", async () => {
    const ctx = createEspruinoContext();
    ctx.run("var got; Promise.all([{ then: function (f) { f(1); } }]).then(function (v) { got = typeof v[0]; });", "x.js");
    for (let i = 0; i < 20 && ctx.run("got", "x.js") === undefined; i++) await new Promise((r) => setTimeout(r, 1));
    assert.equal(ctx.run("got", "x.js"), "object");
  });
});

describe("the Espruino bundle check", () => {
  it("names every absent member a bundle uses, and lets feature detection through", () => {
    const code = [
      "var a = Object.isExtensible(o);",
      "var b = new RangeError('x');",
      "p.finally(f);",
      "var c = typeof Object.isExtensible === 'function' && Object.isExtensible(o);",
      "var d = typeof Math.imul !== 'function' ? 0 : Math.imul(1, 2);",
      "var e = ''.lastIndexOf('x');",
      "var f = Object.keys(o).length + [].keys;",
    ].join("\n");
    const problems = checkEspruinoBundleMembers(code, "planted.js", null);
    assert.deepEqual(problems.map((p: string) => p.split(": ")[0]), ["planted.js:1:9", "planted.js:2:13", "planted.js:3:3", "planted.js:7:36"]);
    assert.match(problems[0], /Object\.isExtensible/);
    assert.match(problems[1], /RangeError/);
    assert.match(problems[2], /finally/);
    assert.match(problems[3], /`\.keys`, a built-in method/, "Object.keys is there, Array.prototype.keys is not");
  });

  it("rejects any mention of the test context's own hook, feature-detected or not", () => {
    const problems = checkEspruinoBundleMembers("var f = typeof __hostIdle === 'function' ? __hostIdle : null;", "planted.js", null);
    assert.equal(problems.length, 2, problems.join("\n"));
    assert.match(problems[0], /__hostIdle.*only the Espruino test context/);
  });

  it("passes the built bundle", () => {
    const code = readFileSync(BUNDLE, "utf8");
    assert.deepEqual(checkEspruinoBundleMembers(code, "dist/espruino/kyoto.js", null), []);
  });
});

/** Runs `code` in a fresh context and returns its global `result` as JSON (for the bundle passes' before/after checks). */
function resultOf(code: string): string {
  const ctx = vm.createContext({});
  vm.runInContext(code, ctx);
  return JSON.stringify(vm.runInContext("result", ctx));
}

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

  it("joins the var statements that meet once a declaration between them has moved, and no others", () => {
    const source = "var a = 1;\nfunction f() { return a + b; }\nvar b = 2;\nvar c = f();\nfunction g() { return c; }\nvar d = g(), e = d + 1;\nvar result = [a, b, c, d, e];";
    const out = hoistFunctionDeclarations(source).code;
    assert.match(out, /^function f\(\) \{ return a \+ b; \}\s*function g\(\)/);
    assert.match(out, /var a = 1,\s*b = 2;\s*var c = f\(\),\s*d = g\(\), e = d \+ 1;\s*var result/, "b joins a, d joins c; d and result were adjacent already: " + out);
    assert.deepEqual(checkHoisted(out), []);
    assert.equal(resultOf(withoutHoisting(out)), "[1,2,3,3,4]");
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

describe("internal property renaming in the Espruino bundle", () => {
  /** Every exported class's public members (not private, protected or @internal), by class. */
  function publicSurface(): Map<string, { proto: string[]; statics: string[] }> {
    const program = ts.createProgram([path.join(root, "targets/espruino.ts")], { target: ts.ScriptTarget.ES2020, lib: ["lib.es2020.d.ts"], types: [] });
    const checker = program.getTypeChecker();
    const sf = program.getSourceFile(path.join(root, "targets/espruino.ts"))!;
    const out = new Map<string, { proto: string[]; statics: string[] }>();
    for (const exp of checker.getExportsOfModule(checker.getSymbolAtLocation(sf)!)) {
      const sym = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
      const decl = sym.declarations?.find(ts.isClassDeclaration);
      if (!decl) continue;
      const entry = { proto: [] as string[], statics: [] as string[] };
      for (const m of decl.members) {
        if (!m.name || !ts.isIdentifier(m.name) || ts.isPropertyDeclaration(m) || ts.isConstructorDeclaration(m)) continue;
        const mods = ts.getModifiers(m as ts.HasModifiers) ?? [];
        if (mods.some((x) => x.kind === ts.SyntaxKind.PrivateKeyword || x.kind === ts.SyntaxKind.ProtectedKeyword)) continue;
        if (ts.getJSDocTags(m).some((t) => t.tagName.text === "internal")) continue;
        (mods.some((x) => x.kind === ts.SyntaxKind.StaticKeyword) ? entry.statics : entry.proto).push(m.name.text);
      }
      out.set(exp.name, entry);
    }
    return out;
  }

  it("renames no public name: every exported class keeps each public method and accessor", () => {
    const { kyoto } = loadBundle(readFileSync(BUNDLE, "utf8"));
    const surface = publicSurface();
    assert.ok(surface.size >= 20, "found the exported classes: " + [...surface.keys()].join(", "));
    const missing: string[] = [];
    let checked = 0;
    for (const [cls, { proto, statics }] of surface) {
      const ctor = kyoto[cls];
      if (ctor === undefined) continue; // exported for its type only (e.g. CopyOp after the net merge)
      assert.equal(typeof ctor, "function", cls + " is exported");
      for (const name of proto) {
        checked++;
        if (!(name in ctor.prototype)) missing.push(cls + ".prototype." + name);
      }
      for (const name of statics) {
        checked++;
        if (!(name in ctor)) missing.push(cls + "." + name);
      }
    }
    assert.deepEqual(missing, []);
    assert.ok(checked > 100, "checked " + checked + " members");
  });

  it("renames only internal names, and does rename them", async () => {
    const { mangleTable } = await import("../../tools/mangle.mjs");
    const table = mangleTable() as Record<string, string>;
    const code = readFileSync(BUNDLE, "utf8");
    // `flags`, `result` and `scheduler` are also DOM or standard names, which terser keeps unless told.
    for (const name of ["abandon", "giveBack", "failIfAborted", "completionObserver", "flags", "result", "scheduler"]) {
      if (!(name in table)) continue;
      assert.ok(!new RegExp("\\." + name + "\\b").test(code), `.${name} is renamed in the bundle`);
    }
    const surface = publicSurface();
    for (const [, { proto, statics }] of surface) for (const n of [...proto, ...statics]) assert.ok(!(n in table), n + " is public");
  });
});

describe("the prototype alias pass", () => {
  const es5 = ts.transpileModule(
    "class A { f() { return 1; } get g() { return 2; } }\nclass B extends A { h() { return B.prototype.f.call(this) + this.g; } k() { return 3; } }\nvar result = [new B().h(), new B().k(), new B() instanceof A];",
    { compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.None, importHelpers: false } },
  ).outputText;

  it("reads each lowered class's prototype through one variable, on the same lines, after __extends", async () => {
    const { aliasPrototypes } = await import("../../tools/proto_alias.mjs");
    const out = aliasPrototypes(es5, { module: false }) as string;
    assert.equal(out.split("\n").length, es5.split("\n").length, "no line added");
    assert.equal((out.match(/\bB\.prototype\b/g) ?? []).length, 1, "B.prototype read once: " + out);
    assert.ok(out.indexOf("__extends(B, _super)") < out.indexOf("var B$prototype"), "after __extends replaced the prototype");
    assert.equal(resultOf(out), resultOf(es5));
    assert.equal(resultOf(out), "[3,3,true]");
  });
});

describe("the this-alias pass", () => {
  it("reads this through one local where a function says it four times or more, arrows included, nested functions on their own", async () => {
    const { aliasThis } = await import("../../tools/alias_this.mjs");
    const source = [
      "function Counter() { 'use strict'; this.n = 0; this.step = 1; this.seen = []; this.name = 'c'; }",
      "Counter.prototype.add = function () { this.n += this.step; var self = this; var later = () => this.n; this.seen.push(later()); return function inner() { 'use strict'; return this === undefined ? 'own this' : typeof this; }; };",
      "Counter.prototype.twice = function () { return this.n * 2; };",
      "var c = new Counter(); var inner = c.add(); c.add();",
      "var result = [c.n, c.seen, c.twice(), inner.call(undefined), inner.call(5)];",
    ].join("\n");
    const out = aliasThis(source, { module: false }) as string;
    assert.equal(out.split("\n").length, source.split("\n").length, "no line added");
    assert.match(out.split("\n")[0], /^function Counter\(\) \{ 'use strict'; var \$this = this;/, "after the directive prologue");
    assert.match(out.split("\n")[1], /var later = \(\) => \$this\.n/, "an arrow reads the enclosing this");
    assert.match(out.split("\n")[1], /'use strict'; return this === undefined \? 'own this' : typeof this/, "a nested function keeps its own this");
    assert.equal(out.split("\n")[2], source.split("\n")[2], "one use: unchanged");
    assert.equal(resultOf(out), resultOf(source));
    assert.equal(resultOf(out), '[2,[1,2],4,"own this","number"]');
  });

  it("leaves derived constructors, field initializers and a name already in use alone (native classes, QuickJS)", async () => {
    const { aliasThis } = await import("../../tools/alias_this.mjs");
    const source = [
      "var $this = 'taken';",
      "class A { constructor() { this.a = 1; this.b = 2; this.c = 3; this.d = 4; } sum() { return this.a + this.b + this.c + this.d; } }",
      "class B extends A { e = this.a + this.b + this.c + this.d; constructor() { super(); this.a = 10; this.b += this.a; this.c += this.b; } }",
      "var result = [new A().sum(), new B().sum(), new B().e, $this];",
    ].join("\n");
    const out = aliasThis(source, { module: false }) as string;
    assert.match(out, /var \$this\$ = this;/, "a fresh name");
    assert.equal((out.match(/var \$this\$ = this;/g) ?? []).length, 2, "A's constructor and sum(), not B's constructor: " + out);
    assert.match(out, /e = this\.a \+ this\.b/, "a field initializer keeps this");
    assert.equal(resultOf(out), resultOf(source));
    assert.equal(resultOf(out), '[10,41,10,"taken"]');
  });
});

describe("the absent-feature fold", () => {
  it("folds typeof of what Espruino lacks, and nothing the module declares or the inventory did not probe", async () => {
    const { foldAbsentTypeofs } = await import("../../tools/fold_absent.mjs");
    const out = foldAbsentTypeofs(
      [
        'export const a = typeof Symbol === "function";',
        'export const b = typeof RangeError === "function" ? 1 : 2;',
        'export const c = typeof Object.isExtensible;',
        'export const d = typeof Object.defineProperty;',
        'export const e = typeof somethingNobodyProbed;',
      ].join("\n"),
    ) as string;
    assert.equal(
      out,
      [
        'export const a = "undefined" === "function";',
        'export const b = "undefined" === "function" ? 1 : 2;',
        'export const c = "undefined";',
        'export const d = typeof Object.defineProperty;',
        'export const e = typeof somethingNobodyProbed;',
      ].join("\n"),
    );
    // A module that binds the name anywhere keeps every test of it.
    const shadowed = 'export const a = typeof Symbol;\nexport function f(Symbol) { return typeof Symbol; }';
    assert.equal(foldAbsentTypeofs(shadowed), shadowed);
  });
});

describe("the unused-method pass of kyoto build", () => {
  const es5 = ts.transpileModule(
    [
      "class Inner { used() { return 1; } size() { return 2; } viaString() { return 3; } helper() { return 4; } get shown() { return 5; } get hidden() { return 6; } }",
      "class Outer { constructor() { this.inner = new Inner(); } size() { return this.inner.size(); } run() { return this.inner.used() + this.inner.helper(); } then(f) { return f(7); } static make() { return new Outer(); } static never() { return 8; } }",
      "var o = Outer.make();",
      'var result = [o.run(), o.inner["viaString"](), o.inner.shown];',
    ].join("\n"),
    { compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.None } },
  ).outputText;

  it("drops the methods (and statics) nothing reaches, follows calls between methods, and keeps names in strings and engine hooks", async () => {
    const { dropUnusedMethods } = await import("../../tools/drop_unused_methods.mjs");
    const out = dropUnusedMethods(es5) as { code: string; dropped: string[] };
    // `size` only calls the inner `size`: neither is reached. `hidden` is an unused accessor.
    assert.deepEqual([...out.dropped].sort(), ["hidden", "never", "size", "size"]);
    for (const kept of ["used", "helper", "viaString", "shown", "then", "run", "make"]) assert.match(out.code, new RegExp("\\b" + kept + "\\b"));
    assert.equal(resultOf(out.code), resultOf(es5));
    assert.equal(resultOf(out.code), "[5,3,5]");
  });

  it("drops unreached methods and accessors of classes that were not lowered (QuickJS)", async () => {
    const { dropUnusedMethods } = await import("../../tools/drop_unused_methods.mjs");
    const code = "class A { constructor() { this.x = 1; } used() { return this.x; } unused() { return 2; } get gone() { return 3; } static make() { return new A(); } static never() {} }\nexport default A.make().used();";
    const out = dropUnusedMethods(code, { module: true }) as { code: string; dropped: string[] };
    assert.deepEqual([...out.dropped].sort(), ["gone", "never", "unused"]);
    assert.match(out.code, /constructor\(\)/);
  });
});

describe("the pure-class pass", () => {
  it("lets the minifier drop a lowered subclass nothing uses, and keeps the ones in use", async () => {
    const { markLoweredClassesPure } = await import("../../tools/pure_classes.mjs");
    const { minify } = await import("terser");
    const es5 = ts.transpileModule(
      "class Base { f() { return 1; } }\nclass Unused extends Base { g() { return 'unused-body'; } }\nclass Used extends Base { h() { return 2; } }\nexport const result = new Used().h() + new Used().f();",
      { compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.ESNext } },
    ).outputText;
    const before = (await minify(es5, { module: true })).code as string;
    const after = (await minify(markLoweredClassesPure(es5), { module: true })).code as string;
    assert.match(before, /unused-body/, "without the annotation the class stays");
    assert.doesNotMatch(after, /unused-body/);
    assert.equal(resultOf(after.replace(/export (var|const) result=/, "result=")), "3");
  });
});
