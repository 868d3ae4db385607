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
 * Socket calls cross the boundary as numbers: a buffer is passed as the address of its bytes
 * in WebAssembly memory (found once per ArrayBuffer, see kyotoHost below), so the host copies
 * bytes straight into and out of the caller's buffer, with no allocation per call.
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
  // Socket bytes are copied once each way: the host reads and writes the caller's buffer in
  // WebAssembly memory directly. quickjs-emscripten has no call that gives the address of a
  // guest ArrayBuffer's bytes (QTS_GetArrayBuffer returns a copy), so the host finds it once
  // per ArrayBuffer: the guest writes a marker (transformed: the marker string itself lives in
  // the heap too) over the buffer's first bytes, the host searches memory for it, and the
  // guest puts its bytes back. QuickJS never moves an ArrayBuffer's bytes while it lives,
  // except a resizable one; such buffers, and those shorter than a marker, go through one
  // exchange buffer instead (a copy more).
  var MARKER = 16;
  /** ArrayBuffer -> the address of its bytes in WebAssembly memory, or -1: not addressable. */
  var addresses = new WeakMap();
  function locate(ab) {
    if (ab.resizable || ab.growable || ab.byteLength < MARKER) return -1;
    var head = new Uint8Array(ab, 0, MARKER);
    var saved = head.slice();
    try {
      for (var attempt = 0; attempt < 4; attempt++) {
        var marker = host.marker(MARKER);
        for (var i = 0; i < MARKER; i++) head[i] = marker.charCodeAt(i) ^ 0xa5;
        var at = host.locate();
        if (at >= 0) return at;
      }
      return -1;
    } finally {
      head.set(saved);
    }
  }
  /** The address of `view[off]` for `len` bytes from there, or -1 (the exchange is the way). */
  function addressOf(view, off, len) {
    if (!(off >= 0 && len >= 0 && off + len <= view.length)) {
      throw new RangeError("kyoto host: bytes " + off + ".." + (off + len) + " are outside a buffer of " + view.length);
    }
    var ab = view.buffer;
    var at = addresses.get(ab);
    if (at === undefined) {
      at = locate(ab);
      addresses.set(ab, at);
    }
    return at < 0 ? -1 : at + view.byteOffset + off;
  }
  var EXCHANGE = 16384;
  var exchange = null;
  var exchangeAt = -1;
  function useExchange() {
    if (exchange !== null) return;
    var bytes = new Uint8Array(EXCHANGE);
    var at = addressOf(bytes, 0, EXCHANGE);
    if (at < 0) throw new Error("kyoto host: could not locate the exchange buffer");
    exchange = bytes;
    exchangeAt = at;
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

  // The host names the socket calls its HAL has. The four that move bytes pass the address of
  // the caller's bytes; the others pass their numbers, strings and booleans as they are, and
  // an object argument (a HalPeer to fill) is filled from the host's answer.
  var calls = host.socketCalls().split(",");
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
      var at = addressOf(buf, off, len);
      if (at >= 0) return host.tcpRead(this.id, h, at, len);
      useExchange();
      var total = 0;
      while (len > 0) {
        var n = host.tcpRead(this.id, h, exchangeAt, len < EXCHANGE ? len : EXCHANGE);
        if (n <= 0) return total > 0 ? total : n;
        buf.set(exchange.subarray(0, n), off);
        total += n;
        off += n;
        len -= n;
        if (n < EXCHANGE) break;
      }
      return total;
    },
    tcpWrite: function (h, buf, off, len) {
      var at = addressOf(buf, off, len);
      if (at >= 0) return host.tcpWrite(this.id, h, at, len);
      useExchange();
      var total = 0;
      while (len > 0) {
        var chunk = len < EXCHANGE ? len : EXCHANGE;
        exchange.set(buf.subarray(off, off + chunk));
        var n = host.tcpWrite(this.id, h, exchangeAt, chunk);
        if (n <= 0) return total > 0 ? total : n;
        total += n;
        off += n;
        len -= n;
        if (n < chunk) break;
      }
      return total;
    },
    udpSend: function (h, buf, off, len, ip, port) {
      var at = addressOf(buf, off, len);
      if (at >= 0) return host.udpSend(this.id, h, at, len, ip, port);
      useExchange();
      if (len > EXCHANGE) throw new RangeError("a datagram from a resizable buffer is at most " + EXCHANGE + " bytes here, got " + len);
      exchange.set(buf.subarray(off, off + len));
      return host.udpSend(this.id, h, exchangeAt, len, ip, port);
    },
    udpRecv: function (h, buf, off, len, from) {
      var at = addressOf(buf, off, len);
      var n;
      if (at >= 0) n = host.udpRecv(this.id, h, at, len);
      else {
        useExchange();
        n = host.udpRecv(this.id, h, exchangeAt, len < EXCHANGE ? len : EXCHANGE);
        if (n > 0) buf.set(exchange.subarray(0, n), off);
      }
      if (n >= 0) {
        from.ip = peer.ip;
        from.port = peer.port;
      }
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
