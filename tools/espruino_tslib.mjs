/**
 * tslib for Espruino bundles: tslib's helpers, with a shorter `__extends`. tslib's version
 * feature-tests three ways to set a constructor's prototype (`Object.setPrototypeOf`,
 * `__proto__`, copying) and checks its argument; TypeScript's ES5 class lowering only ever
 * passes it a class, and Espruino 2v29 has `Object.setPrototypeOf` (its inventory,
 * tools/engines/espruino-2v29.json), so the one path that runs there is all a device needs.
 * About 300 bytes less in every Espruino bundle that has a subclass.
 */
export * from "tslib/tslib.es6.mjs";

/** `class Derived extends Base` lowered to ES5: statics and instances inherit from `Base`. */
export function __extends(Derived, Base) {
  Object.setPrototypeOf(Derived, Base);
  function Prototype() {
    this.constructor = Derived;
  }
  Prototype.prototype = Base.prototype;
  Derived.prototype = new Prototype();
}
