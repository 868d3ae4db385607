/**
 * Composition root for Espruino (dist/espruino/kyoto.js, global `kyoto`): the portable API
 * with the Espruino HAL, sockets included (hal/espruino/sockets.ts), as the default host.
 * (`kyoto build` composes its own root per app and takes the time-only HAL when the app
 * imports no socket class.)
 */
import { setDefaultHalFactory } from "../src/runtime/host";
import { createEspruinoNetHal } from "../hal/espruino/sockets";

setDefaultHalFactory(function () {
  return createEspruinoNetHal();
});

export * from "../src/index";
