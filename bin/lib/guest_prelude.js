/*
 * The guest half of a QuickJS host run from Node (`kyoto run`, and the test harness): a plain
 * script evaluated before any module. It gives the guest what a device's firmware would:
 *
 *   console.log/info/warn/error/debug       -> __host.log(level, text)
 *   setTimeout/setInterval/clearTimeout/…   -> __host.setTimer(id, ms) / clearTimer(id);
 *                                              the host calls __prelude.fire(id)
 *   kyotoHost.open()                        -> one QuickJsHost per HAL (hal/quickjs/README.md),
 *                                              when the host installs __host.open (kyoto run)
 *   unhandled rejections                    -> __prelude.takeUnhandled() after the jobs drained;
 *                                              __host.rejection() (optional) says one may be due
 *
 * Socket calls cross the boundary as numbers: the bytes go through one exchange buffer whose
 * address in WebAssembly memory the host learns once (quickjs-emscripten has no call that
 * writes into a guest ArrayBuffer), so a read is host -> exchange -> caller's buffer and a
 * write caller's buffer -> exchange -> host, with no allocation per call.
 */
(function () {
  "use strict";
  var host = globalThis.__host;

  // --- console ---------------------------------------------------------------------------
  function show(v) {
    if (typeof v === "string") return v;
    if (v instanceof Error) return (v.name || "Error") + ": " + v.message;
    try {
      var s = JSON.stringify(v);
      return s === undefined ? String(v) : s;
    } catch (_e) {
      return String(v);
    }
  }
  function logger(level) {
    return function () {
      var parts = [];
      for (var i = 0; i < arguments.length; i++) parts.push(show(arguments[i]));
      host.log(level, parts.join(" "));
    };
  }
  globalThis.console = {
    log: logger("log"), info: logger("info"), warn: logger("warn"), error: logger("error"), debug: logger("debug"),
  };

  // --- timers (host-backed) --------------------------------------------------------------
  var timers = {};
  var nextTimer = 1;
  function arm(fn, ms, args, repeat) {
    if (typeof fn !== "function") throw new TypeError("timer callback must be a function");
    var id = nextTimer++;
    var delay = Math.max(0, Number(ms) || 0);
    timers[id] = { fn: fn, args: args, repeat: repeat ? delay : -1 };
    host.setTimer(id, delay);
    return id;
  }
  globalThis.setTimeout = function (fn, ms) {
    return arm(fn, ms, Array.prototype.slice.call(arguments, 2), false);
  };
  globalThis.setInterval = function (fn, ms) {
    return arm(fn, ms, Array.prototype.slice.call(arguments, 2), true);
  };
  globalThis.clearTimeout = globalThis.clearInterval = function (id) {
    if (id !== undefined && id !== null && timers[id]) {
      delete timers[id];
      host.clearTimer(id);
    }
  };

  // --- unhandled rejections --------------------------------------------------------------
  // quickjs-emscripten does not expose QuickJS's rejection tracker, so the guest keeps its own
  // books, as Node does: a promise that rejects and has no handler once the job queue has
  // drained (the end of the turn) is an unhandled rejection; `takeUnhandled()` gives the host
  // the first one. What it sees:
  //  - rejections: `new Promise` (its reject, or its executor throwing), `Promise.reject`,
  //    `Promise.all/allSettled/any/race/withResolvers`, and every promise `then`/`catch`/
  //    `finally` returns (its reaction threw, it passed a rejection on, or it adopted a
  //    promise that rejected). The global `Promise` is a wrapper over the native one for
  //    this (same prototype, statics and `instanceof`); subclass instances (kyoto's ops,
  //    which settle only when observed) are not wrapped.
  //  - handlers: `then` (hence `catch`, `finally`, `Promise.all`) and `await`. An `await`
  //    calls no `then`, but it reads the promise's `constructor` (PromiseResolve), which is
  //    a getter here that marks the promise handled and returns the native Promise, so
  //    `await` keeps its one-tick fast path.
  // What it cannot see: a promise the engine makes itself and nobody touches, above all an
  // async function's result (`f()` whose body throws, called and dropped), and
  // `Promise.resolve(thenable)` with a thenable that rejects. And `p.constructor === Promise`
  // is false here (it is the native Promise, which `await` needs).
  var NativePromise = Promise;
  var promiseProto = NativePromise.prototype;
  var nativeThen = promiseProto.then;
  var nativeResolve = NativePromise.resolve;
  var hasOwn = Object.prototype.hasOwnProperty;
  var HANDLED = Symbol("kyoto.handled");
  var FOLLOWER = Symbol("kyoto.follower");
  /** `{ link, reason }`: link.promise rejected this turn (a link: the promise may not exist yet). */
  var rejections = [];

  function markHandled(p) {
    if (p === promiseProto || p === null || typeof p !== "object" || p[HANDLED] === true) return;
    try {
      p[HANDLED] = true;
    } catch (_e) {
      // A frozen promise: nothing can be recorded on it (it is reported, at worst).
    }
  }
  function rejected(link, reason) {
    if (rejections.length === 0 && typeof host.rejection === "function") host.rejection();
    rejections.push({ link: link, reason: reason });
  }
  /** `target` (a link) adopts `p`: when p rejects, so does target. */
  function follow(p, target) {
    if (p instanceof NativePromise) {
      try {
        p[FOLLOWER] = target;
      } catch (_e) {
        // frozen: see markHandled
      }
    }
  }
  function rethrow(reason) {
    throw reason;
  }
  /** A reaction of `then` that records what the promise `then` returned (link.promise) gets. */
  function reaction(fn, link, follower) {
    return function (value) {
      if (follower) rejected(follower, value);
      var r;
      try {
        r = fn(value);
      } catch (e) {
        rejected(link, e);
        throw e;
      }
      follow(r, link);
      return r;
    };
  }
  promiseProto.then = function then(onFulfilled, onRejected) {
    markHandled(this);
    var follower = this !== null && typeof this === "object" ? this[FOLLOWER] : undefined;
    var link = { promise: null };
    var derived = nativeThen.call(
      this,
      typeof onFulfilled === "function" ? reaction(onFulfilled, link, null) : onFulfilled,
      reaction(typeof onRejected === "function" ? onRejected : rethrow, link, follower),
    );
    link.promise = derived;
    return derived;
  };
  Object.defineProperty(promiseProto, "constructor", {
    configurable: true,
    get: function () {
      markHandled(this);
      return NativePromise;
    },
    set: function (v) {
      Object.defineProperty(this, "constructor", { value: v, writable: true, enumerable: false, configurable: true });
    },
  });
  function TrackedPromise(executor) {
    if (new.target === undefined) return NativePromise(executor); // throws as the native one does
    if (new.target !== TrackedPromise || typeof executor !== "function") return Reflect.construct(NativePromise, [executor], new.target);
    var link = { promise: null };
    var settled = false;
    link.promise = Reflect.construct(
      NativePromise,
      [
        function (resolve, reject) {
          function resolveTracked(value) {
            if (!settled) {
              settled = true;
              follow(value, link);
            }
            resolve(value);
          }
          function rejectTracked(reason) {
            if (!settled) {
              settled = true;
              rejected(link, reason);
            }
            reject(reason);
          }
          try {
            executor(resolveTracked, rejectTracked);
          } catch (e) {
            rejectTracked(e);
          }
        },
      ],
      TrackedPromise,
    );
    return link.promise;
  }
  var statics = Object.getOwnPropertyNames(NativePromise).concat(Object.getOwnPropertySymbols(NativePromise));
  for (var k = 0; k < statics.length; k++) {
    var key = statics[k];
    if (key !== "length" && key !== "name" && key !== "prototype") {
      Object.defineProperty(TrackedPromise, key, Object.getOwnPropertyDescriptor(NativePromise, key));
    }
  }
  Object.defineProperty(TrackedPromise, "name", { value: "Promise" });
  Object.defineProperty(TrackedPromise, "prototype", { value: promiseProto, writable: false });
  // `Promise.resolve(p)` is `p` for a native promise (its constructor is the native Promise).
  TrackedPromise.resolve = function resolve(value) {
    return nativeResolve.call(this === TrackedPromise ? NativePromise : this, value);
  };
  globalThis.Promise = TrackedPromise;

  /** The first rejection this turn that nothing handled, as `{ reason }`, or undefined. Forgets the rest. */
  function takeUnhandled() {
    var found;
    for (var i = 0; i < rejections.length; i++) {
      var p = rejections[i].link.promise;
      if (p === null || hasOwn.call(p, HANDLED)) continue;
      markHandled(p); // reported once
      if (found === undefined) found = { reason: rejections[i].reason };
    }
    rejections = [];
    return found;
  }

  globalThis.__prelude = {
    /** Fires a host timer; the callback's exception propagates to the host. */
    fire: function (id) {
      var t = timers[id];
      if (!t) return;
      if (t.repeat < 0) delete timers[id];
      else host.setTimer(id, t.repeat);
      t.fn.apply(undefined, t.args);
    },
    takeUnhandled: takeUnhandled,
  };

  if (typeof host.open !== "function") return;

  // --- kyotoHost: one channel per HAL ------------------------------------------------------
  var EXCHANGE = 16384;
  var exchange = null;
  /** The exchange buffer, located by the host on first use (a marker it can find in memory). */
  function ex() {
    if (exchange !== null) return exchange;
    for (var attempt = 0; attempt < 4; attempt++) {
      var bytes = new Uint8Array(EXCHANGE);
      var marker = host.marker();
      // The marker string itself lives in the heap too: write its bytes transformed.
      for (var i = 0; i < marker.length; i++) bytes[i] = marker.charCodeAt(i) ^ 0xa5;
      var ok = host.locate(EXCHANGE);
      for (var j = 0; j < marker.length; j++) bytes[j] = 0;
      if (ok) {
        exchange = bytes;
        return bytes;
      }
    }
    throw new Error("kyoto host: could not locate the exchange buffer");
  }
  var peer = { ip: "", port: 0 };
  host.setPeer(peer);

  function Channel(id) {
    this.id = id;
    this.caps = host.caps(id);
  }
  Channel.prototype.setSink = function (sink) { host.setSink(this.id, sink); };
  Channel.prototype.now = function () { return host.now(); };
  Channel.prototype.armTimer = function (ms) { host.armTimer(this.id, ms); };
  Channel.prototype.cancelTimer = function () { host.cancelTimer(this.id); };
  Channel.prototype.wake = function () { host.wake(this.id); };

  // The host names the socket calls its HAL has. The four that move bytes take the caller's
  // buffer through the exchange; the others pass their numbers, strings and booleans as they
  // are, and an object argument (a HalPeer to fill) is filled from the host's answer.
  var calls = host.socketCalls().split(",");
  function viewOf(n) {
    return n === EXCHANGE ? exchange : exchange.subarray(0, n);
  }
  function passThrough(name) {
    return function () {
      var args = [this.id];
      var out = null;
      for (var i = 0; i < arguments.length; i++) {
        var a = arguments[i];
        if (typeof a === "object" && a !== null) {
          out = a;
          args.push(peer);
        } else args.push(a);
      }
      var r = host[name].apply(host, args);
      if (out !== null) {
        out.ip = peer.ip;
        out.port = peer.port;
      }
      return r;
    };
  }
  var bytes = {
    tcpRead: function (h, buf, off, len) {
      ex();
      var total = 0;
      while (len > 0) {
        var n = host.tcpRead(this.id, h, len < EXCHANGE ? len : EXCHANGE);
        if (n <= 0) return total > 0 ? total : n;
        buf.set(viewOf(n), off);
        total += n;
        off += n;
        len -= n;
        if (n < EXCHANGE) break;
      }
      return total;
    },
    tcpWrite: function (h, buf, off, len) {
      ex();
      var total = 0;
      while (len > 0) {
        var chunk = len < EXCHANGE ? len : EXCHANGE;
        exchange.set(buf.subarray(off, off + chunk));
        var n = host.tcpWrite(this.id, h, chunk);
        if (n <= 0) return total > 0 ? total : n;
        total += n;
        off += n;
        len -= n;
        if (n < chunk) break;
      }
      return total;
    },
    udpSend: function (h, buf, off, len, ip, port) {
      ex();
      if (len > EXCHANGE) throw new RangeError("a datagram is at most " + EXCHANGE + " bytes here, got " + len);
      exchange.set(buf.subarray(off, off + len));
      return host.udpSend(this.id, h, len, ip, port);
    },
    udpRecv: function (h, buf, off, len, from) {
      ex();
      var n = host.udpRecv(this.id, h, len < EXCHANGE ? len : EXCHANGE);
      if (n < 0) return n;
      buf.set(viewOf(n), off);
      from.ip = peer.ip;
      from.port = peer.port;
      return n;
    },
  };
  for (var c = 0; c < calls.length; c++) {
    if (calls[c] === "") continue;
    Channel.prototype[calls[c]] = bytes[calls[c]] || passThrough(calls[c]);
  }

  globalThis.kyotoHost = {
    open: function () {
      return new Channel(host.open());
    },
  };
})();
