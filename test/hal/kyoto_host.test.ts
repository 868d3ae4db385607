/**
 * kyoto run's host seen from inside QuickJS: `createQuickJsHal()` finds the global
 * `kyotoHost` (bin/lib/guest_prelude.js + bin/lib/hal_bridge.mjs, which the QuickJS test
 * harness installs as kyoto run does) and gives each runtime a channel of its own onto a Node
 * HAL, and the socket conformance suite through it. Runs inside QuickJS and QuickJS-ng;
 * skipped on Node, which has no kyotoHost.
 */
import { createRuntime, yieldNow } from "../../src/runtime/runtime";
import { sleep } from "../../src/time/sleep";
import { timeout } from "../../src/time/timeout";
import { Semaphore } from "../../src/sync/semaphore";
import { createQuickJsHal } from "../../hal/quickjs/index";
import type { NetHal } from "../../src/io/hal";
import { assert } from "../assert";
import { halConformance } from "./conformance";

declare const kyotoHost: unknown;
const inGuest = typeof kyotoHost === "object" && kyotoHost !== null;

(inGuest ? describe : describe.skip)("kyotoHost (kyoto run's host, inside QuickJS)", function () {
  it("serves two runtimes at once, each on its own channel", async function () {
    const a = createRuntime({ hal: createQuickJsHal() });
    const b = createRuntime({ hal: createQuickJsHal() });
    const start = a.now();
    let yields = 0;
    await Promise.all([
      a.run(() => sleep(20)),
      b.run(async () => {
        for (let i = 0; i < 50; i++) {
          await yieldNow();
          yields++;
        }
      }),
    ]);
    assert.ok(a.now() - start >= 20, "the sleep ended after " + (a.now() - start) + " ms");
    assert.equal(yields, 50);
    a.close();
    b.close();
  });

  it("times out a waiter through the host timer and leaves it armed no longer", async function () {
    const rt = createRuntime({ hal: createQuickJsHal() });
    const sem = new Semaphore(0);
    const code = await rt.run(async () => {
      try {
        await timeout(10, sem.acquire());
        return "acquired";
      } catch (err) {
        return (err as { code?: string }).code;
      }
    });
    assert.equal(code, "ERR_TIMEOUT");
    assert.equal(sem.waiterCount(), 0);
    assert.equal(rt.hostTimerArmed(), false);
    rt.close();
  });
});

// The socket conformance suite through kyoto run's host: every call crosses the bridge
// (exchange buffer, filled peers) to hal/node's real loopback sockets.
if (inGuest) halConformance({ name: "kyoto run's host (inside QuickJS)", create: () => createQuickJsHal() as NetHal });
