/*
 * The in-VM half of the QuickJS test harness: a small mocha (describe/it/before/after/
 * beforeEach/afterEach with .skip/.only) and the `__harness` object the host drives.
 * Evaluated as a plain script after the shared prelude (bin/lib/guest_prelude.js: console
 * and host-backed timers) and before the test bundle, so the test files find mocha's
 * globals exactly as they do under Node.
 *
 * Host functions (installed by test/harness/quickjs.ts on `__host`):
 *   log(level, text)   setTimer(id, ms)   clearTimer(id)   setTestTimeout(ms)
 */
(function () {
  "use strict";

  var timerFire = globalThis.__prelude.fire;

  // Unhandled rejections: the prelude keeps the books (bin/lib/guest_prelude.js); a test
  // fails with the first rejection nothing handled by the time the host asks for its status
  // (every job has run), as mocha fails a test on Node's unhandled rejection.
  var takeUnhandled = globalThis.__prelude.takeUnhandled;

  // --- the suite tree --------------------------------------------------------------------
  var suites = [];
  var tests = [];
  function newSuite(title, parent, mode) {
    var s = {
      id: suites.length, title: title, parent: parent, mode: mode, suites: [], tests: [],
      before: [], after: [], beforeEach: [], afterEach: [],
    };
    suites.push(s);
    if (parent) parent.suites.push(s);
    return s;
  }
  var rootSuite = newSuite("", null, "");
  var current = rootSuite;
  var hasOnly = false;

  function describe(title, fn, mode) {
    var s = newSuite(String(title), current, mode || "");
    if (mode === "only") hasOnly = true;
    var saved = current;
    current = s;
    try {
      fn.call({ timeout: function () {}, slow: function () {}, retries: function () {} });
    } finally {
      current = saved;
    }
    return s;
  }
  function it(title, fn, mode) {
    var t = { id: tests.length, title: String(title), fn: fn, suite: current, mode: fn ? mode || "" : "skip" };
    if (mode === "only") hasOnly = true;
    tests.push(t);
    current.tests.push(t);
    return t;
  }
  function hook(kind) {
    return function (a, b) {
      current[kind].push(typeof a === "function" ? a : b);
    };
  }
  globalThis.describe = function (t, f) { return describe(t, f, ""); };
  globalThis.describe.skip = function (t, f) { return describe(t, f, "skip"); };
  globalThis.describe.only = function (t, f) { return describe(t, f, "only"); };
  globalThis.context = globalThis.describe;
  globalThis.xdescribe = globalThis.describe.skip;
  globalThis.it = function (t, f) { return it(t, f, ""); };
  globalThis.it.skip = function (t, f) { return it(t, f, "skip"); };
  globalThis.it.only = function (t, f) { return it(t, f, "only"); };
  globalThis.specify = globalThis.it;
  globalThis.xit = globalThis.it.skip;
  globalThis.before = hook("before");
  globalThis.after = hook("after");
  globalThis.beforeEach = hook("beforeEach");
  globalThis.afterEach = hook("afterEach");

  function skipped(node) {
    for (var s = node; s; s = s.parent || s.suite) if (s.mode === "skip") return true;
    return false;
  }
  function onlyMarked(test) {
    if (test.mode === "only") return true;
    for (var s = test.suite; s; s = s.parent) if (s.mode === "only") return true;
    return false;
  }

  // --- running ---------------------------------------------------------------------------
  var SKIP = { skipped: true };
  function context(title) {
    return {
      title: title,
      // Like mocha's: the host moves the running test's deadline (and its interrupt) at once.
      timeout: function (ms) { if (typeof ms === "number") __host.setTestTimeout(ms); },
      slow: function () {}, retries: function () {},
      skip: function () { throw SKIP; },
    };
  }
  /** Calls a test or hook function; returns a Promise of its completion. */
  function call(fn, title) {
    var ctx = context(title);
    return new Promise(function (resolve, reject) {
      if (fn.length > 0) {
        fn.call(ctx, function (err) {
          if (err) reject(err); else resolve();
        });
        return;
      }
      var r = fn.call(ctx);
      if (r !== null && (typeof r === "object" || typeof r === "function") && typeof r.then === "function") {
        r.then(function () { resolve(); }, reject);
      } else {
        resolve();
      }
    });
  }
  function series(fns, title) {
    var p = Promise.resolve();
    fns.forEach(function (fn) {
      p = p.then(function () { return call(fn, title); });
    });
    return p;
  }
  function chain(test) {
    var list = [];
    for (var s = test.suite; s; s = s.parent) list.unshift(s);
    return list;
  }

  var runs = [];
  function serialize(err) {
    if (err === SKIP) return { skipped: true };
    if (err === null || typeof err !== "object") return { name: "Error", message: "non-error thrown: " + show(err), stack: "" };
    return {
      name: String(err.name || "Error"),
      message: String(err.message),
      stack: typeof err.stack === "string" ? err.stack : "",
      code: err.code === undefined ? undefined : String(err.code),
    };
  }
  function settle(run, err, failed) {
    if (run.state !== "pending") return;
    if (!failed) run.state = "passed";
    else if (err === SKIP) run.state = "skipped";
    else {
      run.state = "failed";
      run.error = serialize(err);
    }
  }
  var active = null;

  globalThis.__harness = {
    /** The suite tree as JSON, for the host to mirror as mocha suites. */
    list: function () {
      function out(s) {
        return {
          id: s.id,
          title: s.title,
          skip: skipped(s),
          hooks: { before: s.before.length, after: s.after.length },
          suites: s.suites.map(out),
          tests: s.tests.map(function (t) {
            return { id: t.id, title: t.title, skip: skipped(t) || (hasOnly && !onlyMarked(t)) };
          }),
        };
      }
      return JSON.stringify(out(rootSuite));
    },
    /** Starts a test ("test", test id) or a suite's before/after hooks ("before"|"after", suite id). */
    start: function (kind, id) {
      var run = { state: "pending", error: null };
      runs.push(run);
      active = run;
      var p;
      try {
        if (kind === "test") {
          var t = tests[id];
          var path = chain(t);
          var befores = [];
          var afters = [];
          path.forEach(function (s) { befores = befores.concat(s.beforeEach); });
          path.slice().reverse().forEach(function (s) { afters = afters.concat(s.afterEach); });
          var failure = null;
          p = series(befores, t.title)
            .then(function () { return call(t.fn, t.title); })
            .then(null, function (e) { failure = { e: e }; })
            .then(function () { return series(afters, t.title); })
            .then(function () { if (failure) throw failure.e; });
        } else {
          var s = suites[id];
          p = series(kind === "before" ? s.before : s.after, s.title);
        }
      } catch (e) {
        p = Promise.reject(e);
      }
      p.then(function () { settle(run, null, false); }, function (e) { settle(run, e, true); });
      return runs.length - 1;
    },
    status: function (token) {
      var r = runs[token];
      var unhandled = takeUnhandled();
      if (unhandled !== undefined && r.state !== "failed") {
        var reported = serialize(unhandled.reason);
        if (reported.skipped) reported = { name: "Error", message: "a promise rejected with this.skip()", stack: "" };
        reported.message = "unhandled promise rejection: " + reported.message;
        r.state = "failed";
        r.error = reported;
      }
      return JSON.stringify({ state: r.state, error: r.error });
    },
    /** Fires a host timer; an exception fails the running test like mocha's uncaught handler. */
    fire: function (id) {
      try {
        timerFire(id);
      } catch (e) {
        if (active) settle(active, e, true);
        else throw e;
      }
    },
    /** Records an error the host saw while running jobs (e.g. an interrupted job). */
    fail: function (message) {
      if (active) settle(active, new Error(message), true);
    },
  };
})();
