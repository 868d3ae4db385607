/**
 * Composition root for the quickjs bundle: the portable API from src/ plus the quickjs HAL.
 * Note: hal/quickjs/index.ts has not landed yet; once it does, import it here and install it
 * as the default HAL. Targets are the only files that import both src/ and hal/.
 */
export * from "../src/index";
