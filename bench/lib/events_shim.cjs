/**
 * The few EventEmitter methods async-sema needs, for bundles that run inside QuickJS (which has
 * no Node `events` module). `bench/lib/quickjs_peers.mjs` resolves `require("events")` here.
 * Bench code only: listeners run in registration order; a throwing listener propagates to the
 * emitter's caller, as in Node.
 */
"use strict";

class EventEmitter {
  constructor() {
    this._listeners = Object.create(null);
  }
  on(name, fn) {
    (this._listeners[name] || (this._listeners[name] = [])).push(fn);
    return this;
  }
  off(name, fn) {
    const list = this._listeners[name];
    if (list) {
      const i = list.lastIndexOf(fn);
      if (i >= 0) list.splice(i, 1);
    }
    return this;
  }
  once(name, fn) {
    const wrapper = (...args) => {
      this.off(name, wrapper);
      fn.apply(this, args);
    };
    return this.on(name, wrapper);
  }
  emit(name, ...args) {
    const list = this._listeners[name];
    if (!list || list.length === 0) return false;
    if (list.length === 1) list[0].apply(this, args);
    else for (const fn of list.slice()) fn.apply(this, args);
    return true;
  }
  listenerCount(name) {
    const list = this._listeners[name];
    return list ? list.length : 0;
  }
  removeAllListeners(name) {
    if (name === undefined) this._listeners = Object.create(null);
    else delete this._listeners[name];
    return this;
  }
}
EventEmitter.prototype.addListener = EventEmitter.prototype.on;
EventEmitter.prototype.removeListener = EventEmitter.prototype.off;

module.exports = EventEmitter;
module.exports.EventEmitter = EventEmitter;
