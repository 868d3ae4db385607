// A blinky for Espruino, kyoto style: one task toggles LED1 every 500 ms on an `interval`,
// another reads the temperature sensor every 2 s, and a Semaphore makes sure only one
// reader uses the sensor at a time (on a real board: an I2C bus or an ADC shared by tasks).
//
// Build it, then upload it to the board's Storage (examples/espruino/README.md):
//   npx kyoto build --target espruino examples/espruino/blinky.js -o blinky.espruino.js

import { Semaphore, interval, spawn } from "kyoto";

const sensor = new Semaphore(1);

/** Reads the sensor while holding its permit; the permit goes back even if the read throws. */
async function readTemperature() {
  const permit = await sensor.acquire();
  try {
    return E.getTemperature();
  } finally {
    permit.release();
  }
}

spawn(async () => {
  const every = interval(500);
  let on = false;
  for (;;) {
    await every.tick();
    on = !on;
    digitalWrite(LED1, on);
  }
});

spawn(async () => {
  const every = interval(2000);
  for (;;) {
    await every.tick();
    const celsius = await readTemperature();
    print("temperature: " + celsius.toFixed(1) + " C");
  }
});
