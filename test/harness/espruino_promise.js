/*
 * Espruino's Promise, as measured on the real 2v29 interpreter, evaluated inside the
 * Espruino test context (test/harness/espruino.ts) in place of V8's:
 *
 *   - reactions are not microtasks: each goes on the interpreter's event queue (`__queue`),
 *     which runs after the timers that are already due;
 *   - `then`, `catch`, `Promise.resolve`, `Promise.reject`, `Promise.all`; no `race`,
 *     `allSettled`, `any`, `finally`;
 *   - `Promise.all` unwraps only real promises: any other thenable is taken as a plain value;
 *   - resolving with a promise, or with an object whose own `then` is a function, adopts it;
 *     an object that inherits its `then` (a class instance) is a plain value. The last two
 *     rules are read from Espruino's src/jswrap_promise.c (`_jswrap_promise_is_promise`
 *     checks the constructor; `_jswrap_prombox_resolve_or_reject` reads `then` with
 *     `jsvObjectGetChildIfExists`, an own-property lookup).
 *
 * A promise rejected with no reaction by the end of the queue turn is reported through
 * `__unhandled` (Espruino prints "Unhandled promise rejection").
 */
(function (global, queue, unhandled) {
  var PENDING = 0;
  var FULFILLED = 1;
  var REJECTED = 2;

  function Promise(executor) {
    if (!(this instanceof Promise)) throw new TypeError("Promise must be called with new");
    if (typeof executor !== "function") throw new TypeError("Promise executor is not a function");
    Object.defineProperty(this, "__espruino", { value: { state: PENDING, value: undefined, reactions: [], handled: false } });
    var fns = resolvers(this);
    try {
      executor(fns.resolve, fns.reject);
    } catch (e) {
      fns.reject(e);
    }
  }

  function resolvers(promise) {
    var done = false;
    return {
      resolve: function (v) {
        if (done) return;
        done = true;
        resolveWith(promise, v);
      },
      reject: function (e) {
        if (done) return;
        done = true;
        settle(promise, REJECTED, e);
      },
    };
  }

  function resolveWith(promise, v) {
    if (v === promise) return settle(promise, REJECTED, new TypeError("a promise cannot resolve to itself"));
    if (v !== null && (typeof v === "object" || typeof v === "function")) {
      // Espruino follows a promise, or an object whose *own* `then` is a function: it reads
      // `then` with jsvObjectGetChildIfExists, which does not look up the prototype chain.
      var then;
      try {
        then = v instanceof Promise ? Promise.prototype.then : Object.prototype.hasOwnProperty.call(v, "then") ? v.then : undefined;
      } catch (e) {
        return settle(promise, REJECTED, e);
      }
      if (typeof then === "function") {
        var fns = resolvers(promise);
        queue(function () {
          try {
            then.call(v, fns.resolve, fns.reject);
          } catch (e) {
            fns.reject(e);
          }
        });
        return;
      }
    }
    settle(promise, FULFILLED, v);
  }

  function settle(promise, state, value) {
    var s = promise.__espruino;
    if (s.state !== PENDING) return;
    s.state = state;
    s.value = value;
    var list = s.reactions;
    s.reactions = [];
    for (var i = 0; i < list.length; i++) schedule(list[i], state, value);
    if (state === REJECTED && !s.handled) unhandled(promise, value);
  }

  function schedule(reaction, state, value) {
    queue(function () {
      var handler = state === FULFILLED ? reaction.onValue : reaction.onError;
      if (typeof handler !== "function") {
        if (state === FULFILLED) reaction.resolve(value);
        else reaction.reject(value);
        return;
      }
      var result;
      try {
        result = handler(value);
      } catch (e) {
        reaction.reject(e);
        return;
      }
      reaction.resolve(result);
    });
  }

  Promise.prototype.then = function (onValue, onError) {
    var s = this.__espruino;
    var child = new Promise(function () {});
    var fns = resolvers(child);
    var reaction = { onValue: onValue, onError: onError, resolve: fns.resolve, reject: fns.reject };
    s.handled = true;
    if (s.state === PENDING) s.reactions.push(reaction);
    else schedule(reaction, s.state, s.value);
    return child;
  };
  Promise.prototype["catch"] = function (onError) {
    return this.then(undefined, onError);
  };
  Promise.resolve = function (v) {
    if (v instanceof Promise) return v;
    return new Promise(function (resolve) {
      resolve(v);
    });
  };
  Promise.reject = function (e) {
    return new Promise(function (_resolve, reject) {
      reject(e);
    });
  };
  Promise.all = function (items) {
    return new Promise(function (resolve, reject) {
      var results = [];
      var left = items.length;
      if (left === 0) return resolve(results);
      items.forEach(function (item, i) {
        if (item instanceof Promise) {
          item.then(function (v) {
            results[i] = v;
            if (--left === 0) resolve(results);
          }, reject);
        } else {
          results[i] = item;
          if (--left === 0) resolve(results);
        }
      });
    });
  };
  Object.defineProperty(global, "Promise", { value: Promise, writable: true, configurable: true, enumerable: false });
})(this, __queue, __unhandled);
