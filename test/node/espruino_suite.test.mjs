/**
 * Runs every portable test file (test/<dir>/**\/*.test.ts except node/ and harness/) in the
 * Espruino context (test/harness/espruino.ts: only what a real Espruino 2v29 has, its
 * Promise and its event loop), lowered, minified and hoisted like the Espruino bundle.
 * Each file gets a fresh context and appears as "espruino: <file>".
 *
 * The test files call mocha's own describe/it (passed into the context), so hooks, timeouts
 * and reporting are mocha's; the test bodies, the library and the assertion module all run
 * inside the context. `KYOTO_SEED` is passed through as the global the seeded tests read.
 *
 * Like test/node/quickjs.test.mjs this is .mjs because it bundles with top-level await
 * before mocha starts running.
 */
import { bundleTestsForEspruino, findPortableTests } from "../harness/bundle.ts";
import { createEspruinoContext, loadCommonJs } from "../harness/espruino.ts";

let bundle = null;
let bundleError = null;
try {
  bundle = await bundleTestsForEspruino(findPortableTests());
} catch (err) {
  bundleError = err;
}

/**
 * Tests whose expectation cannot hold on Espruino, each with its exact reason. Skipped by
 * exact title, so a renamed or new test is not silently skipped, and a title that no longer
 * exists fails the run.
 */
const AFTER_AWAIT =
  "promise reactions are queued events there, not microtasks, so the code after an await cannot be told apart by runtime while two runs interleave (ops it creates then go to whichever runtime ran last); only the synchronous parts are exact there (README, Several runtimes)";
const NOT_ON_ESPRUINO = {
  "test/runtime/per_runtime.test.ts": {
    "keeps each interleaved run's runtime current after every await, and spawn/sleep use its tables": AFTER_AWAIT,
    "keeps the outer run current around a nested run of another runtime, and the inner one inside it": AFTER_AWAIT,
    "does not let one runtime's spent budget defer another's deliveries, either way round": AFTER_AWAIT,
    "leaves the other runtime working when one is closed mid-run": AFTER_AWAIT,
  },
  "test/core/op.test.ts": {
    "is a Promise: instanceof, catch, finally, Promise.all/race/allSettled":
      "an op cannot be a Promise there: ES5-lowered classes cannot subclass it, and Espruino's Promise.all unwraps only objects whose constructor is the native Promise, subscribing through its internal then (never the op's), so it would never observe (hence never take) the op; and Espruino has no finally/race/allSettled (README, Espruino)",
  },
};

const MOCHA_GLOBALS = ["describe", "it", "before", "after", "beforeEach", "afterEach", "context", "xit", "xdescribe"];

if (bundleError) {
  describe("espruino", () => {
    it("bundles the portable tests for the Espruino context", () => {
      throw bundleError;
    });
  });
} else {
  for (const entry of bundle.entries) {
    describe(`espruino: ${entry.source}`, function () {
      const ctx = createEspruinoContext();
      after(() => ctx.loop.dispose());
      for (const name of MOCHA_GLOBALS) ctx.context[name] = globalThis[name];
      const other = NOT_ON_ESPRUINO[entry.source] ?? {};
      const skip = Object.keys(other);
      const seen = new Set();
      ctx.context.it = ctx.context.specify = Object.assign(function (title, fn) {
        if (!skip.includes(title)) return it(title, fn);
        seen.add(title);
        return it.skip(`${title} [skipped on Espruino: ${other[title]}]`, fn);
      }, { skip: it.skip, only: it.only });
      if (process.env.KYOTO_SEED !== undefined) ctx.context.KYOTO_SEED = Number(process.env.KYOTO_SEED);
      loadCommonJs(ctx, bundle.dir, entry.name);
      for (const title of skip) {
        if (!seen.has(title)) it(`skip list names a test that exists: ${title}`, () => { throw new Error("no such test: " + title); });
      }
    });
  }
}
