/**
 * The runtime as the public API offers it: `Runtime`, `createRuntime`, `currentRuntime` and
 * `spawn`, with tasks. The `Runtime` class itself (base.ts) creates its task table on the first
 * `spawn` through the factory installed here, so the layers that only need the current
 * runtime's clock and timers (sleep, timeout, interval) import base.ts and an app that never
 * reaches a runtime through this module carries no task code.
 *
 * This module is the one place the factory is installed: every way user code can hold a
 * `Runtime` (`createRuntime`, `new Runtime`, `currentRuntime`, `spawn`) goes through it, so the
 * factory is installed before any of them can be called. It re-exports what it imports (not
 * `export … from`), so a bundler that keeps one of these names keeps this module's code too
 * (test/node/kyoto_build.test.ts builds an app for each way).
 *
 * @example
 * const rt = createRuntime({ budget: 64 });
 * const total = await rt.run(async () => {
 *   const a = spawn(() => 1);
 *   const b = spawn(async () => 2);
 *   return (await a) + (await b);
 * });
 */

import { Runtime, RuntimeOptions, currentRuntime, now, setTaskTableFactory, yieldNow } from "./base";
import { JoinHandle, TaskFn, TaskTable } from "./task";

export type { IoAttachment, RuntimeOptions, RuntimeStats } from "./base";
export { Runtime, currentRuntime, now, yieldNow };

setTaskTableFactory(function (runtime, scheduler, maxTasks) {
  return new TaskTable(runtime, scheduler, maxTasks);
});

/**
 * Creates a runtime. Allocates: the runtime and its tables.
 *
 * @example
 * ```ts
 * const rt = createRuntime({ maxTasks: 1024, maxTimers: 4096 });
 * await rt.run(async () => {
 *   await sleep(10); // sleep, spawn, now … use the running runtime
 * });
 * rt.close();
 * ```
 */
export function createRuntime(options?: RuntimeOptions): Runtime {
  return new Runtime(options);
}

/**
 * Spawns a task on the current runtime (see `Runtime.spawn`).
 *
 * @example
 * ```ts
 * const task = spawn(async ({ signal }) => {
 *   while (!signal.aborted) await sleep(10);
 *   return "stopped";
 * });
 * task.abort();
 * try {
 *   await task;
 * } catch (err) {
 *   console.log((err as KyotoError).code); // "ERR_CANCELLED"
 * }
 * ```
 */
export function spawn<T>(fn: TaskFn<T>): JoinHandle<T> {
  return currentRuntime().spawn(fn);
}
