/**
 * Marks each lowered class as pure. TypeScript's ES5 output defines a class with a call,
 * `var C = (function (_super) { __extends(C, _super); function C() {…} … return C; }(Base));`,
 * and a bundler must keep a call it cannot prove free of side effects, so a subclass nothing
 * uses (the `ShutdownOp` of an app that never shuts a socket down) stayed in a device bundle
 * with everything it referenced. The call only builds `C`, so it gets a `#__PURE__`
 * annotation, which rollup and terser honour: an unused class is dropped. No line is added
 * or removed, so a source map of the input stays right line for line.
 */
import MagicString from "magic-string";
import { forEachChild, parse } from "./ast.mjs";
import { loweredClass } from "./proto_alias.mjs";

/** Returns `code` with the call defining each lowered class annotated `#__PURE__`. */
export function markLoweredClassesPure(code, { module = true } = {}) {
  if (code.indexOf("return") < 0) return code;
  const ast = parse(code, { module });
  const s = new MagicString(code);
  let changed = false;
  const visit = (node) => {
    if (node.type === "CallExpression" && loweredClass(node.callee) !== null) {
      s.appendLeft(node.start, "/*#__PURE__*/ ");
      changed = true;
    }
    forEachChild(node, visit);
  };
  visit(ast);
  return changed ? s.toString() : code;
}
