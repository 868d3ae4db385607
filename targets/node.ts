/**
 * Composition root for `kyoto` on Node (dist/node/kyoto.{mjs,cjs}): the portable API from
 * src/ with the Node HAL installed as the default host. Targets are the only files that
 * import both src/ and hal/.
 */
import { setDebug } from "../src/core/errors";
import { setDefaultHalFactory } from "../src/runtime/host";
import { createNodeHal, debugRequested } from "../hal/node/index";

setDefaultHalFactory(createNodeHal);
setDebug(debugRequested());

export * from "../src/index";
