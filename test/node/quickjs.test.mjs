/**
 * Runs every portable test file (test/<dir>/**\/*.test.ts except node/ and harness/)
 * inside real QuickJS and QuickJS-ng, reporting each in-VM test as its own mocha test
 * under "quickjs: <file>" / "quickjs-ng: <file>". A failure shows the guest's error and
 * its stack mapped back to the TypeScript sources.
 *
 * The bundles are built and loaded with top-level await, before mocha starts running, so
 * the in-VM suite tree can be mirrored as ordinary mocha suites. That is why this file is
 * .mjs: mocha require()s .ts files, and require() cannot load a module with top-level await.
 * The harness itself is TypeScript (test/harness/*.ts, type-checked by `npm run check`).
 */
import path from "node:path";
import assert from "node:assert/strict";
import { bundleTests, findPortableTests, repoRoot, scratchDir } from "../harness/bundle.ts";
import { ENGINES, GuestFile, guestFailure, loadEngine, MAX_TEST_TIMEOUT_MS } from "../harness/quickjs.ts";

/** Mirrors an in-VM suite (from `__harness.list()`) as mocha suites and tests. */
function mirror(suite, guest, engine) {
  if (suite.hooks.before > 0) {
    before(async function () {
      const r = await guest.run("before", suite.id);
      if (r.state === "failed") throw guestFailure(engine, r.error);
    });
  }
  if (suite.hooks.after > 0) {
    after(async function () {
      const r = await guest.run("after", suite.id);
      if (r.state === "failed") throw guestFailure(engine, r.error);
    });
  }
  for (const t of suite.tests) {
    if (t.skip) {
      it.skip(t.title);
      continue;
    }
    it(t.title, async function () {
      const r = await guest.run("test", t.id);
      if (r.state === "skipped") this.skip();
      if (r.state === "failed") throw guestFailure(engine, r.error);
    });
  }
  for (const child of suite.suites) {
    (child.skip ? describe.skip : describe)(child.title, function () {
      mirror(child, guest, engine);
    });
  }
}

async function prepare(engine, bundle, entry) {
  const guest = new GuestFile(await loadEngine(engine), engine, bundle.dir, entry.name);
  try {
    return { guest, tree: guest.load(), error: null };
  } catch (error) {
    return { guest, tree: null, error };
  }
}

let bundle = null;
let bundleError = null;
try {
  bundle = await bundleTests(findPortableTests());
} catch (err) {
  bundleError = err;
}

if (bundleError) {
  describe("quickjs", () => {
    it("bundles the portable tests for QuickJS", () => {
      throw bundleError;
    });
  });
} else {
  for (const engine of ENGINES) {
    for (const entry of bundle.entries) {
      const { guest, tree, error } = await prepare(engine, bundle, entry);
      describe(`${engine}: ${entry.source}`, function () {
        this.timeout(MAX_TEST_TIMEOUT_MS + 5_000); // the harness fails a test at its own limit first
        after(() => guest.dispose());
        if (error || !tree) {
          it("loads the test bundle", () => {
            throw error;
          });
          return;
        }
        mirror(tree, guest, engine);
      });
    }
  }
}

// --- the harness itself ---------------------------------------------------------------------

const fixture = await bundleTests(
  [path.join(repoRoot, "test/harness/fixtures/selftest.ts")],
  scratchDir("quickjs-harness-selftest"),
);

describe("the QuickJS harness", function () {
  this.timeout(20_000);
  for (const engine of ENGINES) {
    it(`reports outcomes, errors and stacks from inside ${engine}`, async () => {
      const saved = process.env.KYOTO_SEED;
      process.env.KYOTO_SEED = "7";
      const guest = new GuestFile(await loadEngine(engine), engine, fixture.dir, fixture.entries[0].name, {
        timeoutMs: 2_000,
        echo: false,
      });
      try {
        const tree = guest.load();
        const suite = tree.suites[0];
        assert.equal(suite.title, "harness fixture");
        assert.equal((await guest.run("before", suite.id)).state, "passed");
        const results = {};
        for (const t of [...suite.tests, ...suite.suites[0].tests]) {
          const r = await guest.run("test", t.id);
          results[t.title] = { state: r.state, message: r.error?.message, stack: r.error?.stack };
        }
        assert.equal(results["passes synchronously"].state, "passed");
        assert.equal(results["passes after awaiting a host timer"].state, "passed");
        assert.equal(results["passes with a bare thenable"].state, "passed");
        assert.equal(results["sees KYOTO_SEED when the host sets it"].state, "passed");
        assert.equal(results["runs hooks from the outer suite"].state, "passed");
        const failed = results["fails with a message from inside the VM"];
        assert.equal(failed.state, "failed");
        assert.match(failed.message, /arithmetic in the guest/);
        assert.match(failed.stack, /test\/harness\/fixtures\/selftest\.ts:\d+/, "stack is mapped to the TS source");
        assert.match(results["fails when a job rejects"].message, /rejected inside a job/);
        assert.match(results["is reported as never settling"].message, /never settled/);
        assert.equal(results["fails when an assert throws inside an op callback"].state, "failed");
        assert.match(results["fails when an assert throws inside an op callback"].message, /unhandled promise rejection: [\s\S]*assert inside an op callback/);
        assert.equal(results["fails when a promise reaction throws and nothing handles it"].state, "failed");
        assert.match(results["fails when a promise reaction throws and nothing handles it"].message, /thrown in an unobserved reaction/);
        assert.equal(results["passes when a reaction's rejection is handled"].state, "passed");
        assert.equal(results["fails when a Promise.reject is never handled"].state, "failed");
        assert.match(results["fails when a Promise.reject is never handled"].message, /unhandled promise rejection: rejected and dropped/);
        assert.equal(results["passes when a rejection is handled only by await"].state, "passed");
        assert.match(results["times out at the limit the test set with this.timeout(ms)"].message, /timed out after 50 ms/);
        assert.equal(results["runs past the host's limit when the test raised it with this.timeout(ms)"].state, "passed", "2,500 ms against the host's 2,000");
      } finally {
        if (saved === undefined) delete process.env.KYOTO_SEED;
        else process.env.KYOTO_SEED = saved;
        guest.dispose();
      }
    });

    it(`fails dispose() when a guest object leaks inside ${engine}, without printing`, async () => {
      const guest = new GuestFile(await loadEngine(engine), engine, fixture.dir, fixture.entries[0].name, { echo: false });
      guest.load();
      guest["vm"].newObject(); // a handle the host never disposes keeps a guest object alive
      assert.throws(() => guest.dispose(), /could not free its runtime \(guest objects leaked\)[\s\S]*Aborted\(Assertion failed: list_empty/);
    });
  }
});
