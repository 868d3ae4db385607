/**
 * The thread `kyoto run` runs a QuickJS guest on (bin/run.mjs starts it): a guest spinning in
 * a synchronous loop holds this thread, not the main one, so Ctrl-C still reaches the main
 * thread, which raises the shared interrupt flag that the runtime's interrupt handler reads
 * (and posts "interrupt" for a guest that is waiting, not running).
 *
 * workerData: { engine, memory, stack, stats, script, scriptArgs, interrupt } where
 * `interrupt` is a SharedArrayBuffer of one Int32. The guest's output is written to file
 * descriptors 1 and 2 synchronously, so stdout and stderr keep their order and nothing is
 * lost when the process exits right after. The thread's exit code is the guest's outcome.
 */
import { writeSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { DeviceHost } from "./device_host.mjs";
import { statsLine } from "./stats_line.mjs";

const pause = new Int32Array(new SharedArrayBuffer(4));

/** A synchronous writer on a file descriptor (retrying while a non-blocking pipe is full). */
function fdWriter(fd) {
  return {
    write(text) {
      const bytes = Buffer.from(String(text));
      let off = 0;
      while (off < bytes.length) {
        try {
          off += writeSync(fd, bytes, off);
        } catch (err) {
          if (err.code !== "EAGAIN") throw err;
          Atomics.wait(pause, 0, 0, 1);
        }
      }
      return true;
    },
  };
}

const o = workerData;
const stderr = fdWriter(2);
const host = new DeviceHost({
  engine: o.engine,
  memory: o.memory,
  stack: o.stack,
  stdout: fdWriter(1),
  stderr,
  interrupt: new Int32Array(o.interrupt),
});
parentPort.on("message", (m) => {
  if (m === "interrupt") host.interrupt();
});
// The port must not keep this thread alive: `beforeExit` is how the host learns it is idle.
parentPort.unref();
process.on("beforeExit", () => host.idle());
let ticker = null;
if (o.stats) {
  ticker = setInterval(() => stderr.write(statsLine(host.stats()) + "\n"), 1000);
  ticker.unref();
}
const code = await host.start(o.script, o.scriptArgs);
if (ticker) clearInterval(ticker);
if (o.stats) stderr.write(statsLine(host.stats(), "at exit") + "\n");
// Sockets or timers the guest left behind must not keep the thread alive after its outcome.
process.exit(code);
