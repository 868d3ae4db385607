// Small helpers shared by the tools that read JavaScript bundles with acorn.
import * as acorn from "acorn";

/**
 * Parses a script or module with locations; `ecmaVersion` restricts the accepted syntax.
 * @param {string} code
 * @param {{ module?: boolean, ecmaVersion?: import("acorn").ecmaVersion }} [options]
 */
export function parse(code, { module = false, ecmaVersion = "latest" } = {}) {
  return acorn.parse(code, {
    ecmaVersion,
    sourceType: module ? "module" : "script",
    locations: true,
    allowReturnOutsideFunction: false,
  });
}

/** Calls `visit(child, parent, key)` for every direct child node of `node`. */
export function forEachChild(node, visit) {
  for (const key of Object.keys(node)) {
    if (key === "loc" || key === "start" || key === "end" || key === "type") continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const item of value) if (item && typeof item.type === "string") visit(item, node, key);
    } else if (value && typeof value.type === "string") {
      visit(value, node, key);
    }
  }
}

export function isFunction(node) {
  return (
    node.type === "FunctionDeclaration" ||
    node.type === "FunctionExpression" ||
    node.type === "ArrowFunctionExpression"
  );
}

/**
 * The statement lists in which function declarations live: the program, every function
 * body and every block. Calls `visit(list, owner)` for each.
 */
export function forEachBody(root, visit) {
  const walk = (node) => {
    if (node.type === "Program" || node.type === "BlockStatement" || node.type === "StaticBlock") {
      visit(node.body, node);
    }
    forEachChild(node, walk);
  };
  walk(root);
}

export function isDirective(stmt) {
  return stmt.type === "ExpressionStatement" && typeof stmt.directive === "string";
}
