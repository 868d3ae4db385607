/**
 * Composition root for Espruino (dist/espruino/kyoto.js, global `kyoto`): the portable API
 * with the Espruino HAL as the default host. The HAL is the time-only one while this API has
 * no socket classes; with them, it becomes `createEspruinoNetHal` (hal/espruino/sockets.ts).
 * (`kyoto build` composes its own root per app and picks the HAL from the app's imports.)
 */
import { setDefaultHalFactory } from "../src/runtime/host";
import { createEspruinoHal } from "../hal/espruino/index";

setDefaultHalFactory(function () {
  return createEspruinoHal();
});

export * from "../src/index";
