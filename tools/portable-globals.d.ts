// Ambient declarations for the portable profile (tsconfig.portable.json only).
//
// The only Symbol members portable code may use are the two SPEC §3 allows for feature
// detection, plus `species` (guarded, to make an op's `then` build plain promises). Anything else on Symbol is a type error. The call signature exists only so
// that `typeof Symbol === "function"` narrows to this type instead of `never`; its `never`
// parameter makes any actual call (`Symbol("x")`, `Symbol()`) a type error. The AST check
// in tools/check_portable.mjs additionally requires a `typeof Symbol` guard around the
// member access.
interface SymbolConstructor {
  (portableCodeMustNotCallSymbol: never): never;
  readonly asyncIterator: unique symbol;
  readonly dispose: unique symbol;
  readonly species: unique symbol;
}
declare var Symbol: SymbolConstructor;
