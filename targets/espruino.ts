/**
 * Composition root for the espruino bundle: the portable API from src/ plus the espruino HAL.
 * Note: hal/espruino/index.ts has not landed yet; once it does, import it here and install it
 * as the default HAL. Targets are the only files that import both src/ and hal/.
 */
export * from "../src/index";
