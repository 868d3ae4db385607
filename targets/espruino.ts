/**
 * Composition root for Espruino (dist/espruino/kyoto.js, global `kyoto`): the portable API
 * with the Espruino HAL (getTime, setTimeout/clearTimeout) as the default host.
 */
import { setDefaultHalFactory } from "../src/runtime/host";
import { createEspruinoHal } from "../hal/espruino/index";

setDefaultHalFactory(createEspruinoHal);

export * from "../src/index";
