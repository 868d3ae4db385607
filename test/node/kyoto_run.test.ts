/**
 * `kyoto run` end to end (bin/kyoto.js as a child process, and its device host in process):
 * a script using sleep/timeout/select/channels/spawn and relative imports in both engines and
 * on Node, exit codes that follow the script, guest stacks, unhandled rejections (and handled
 * ones that must not count), out-of-memory, a top-level await
 * that can never settle, Ctrl-C (waiting, and spinning in a synchronous loop), usage errors, the socket bridge (through an in-memory HAL),
 * and acquire-then-cancel cycles that leave the guest heap where it started.
 */
import * as assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { Writable } from "node:stream";
import path from "node:path";
import { DeviceHost } from "../../bin/lib/device_host.mjs";
import { LoopbackHal } from "./loopback_hal";
// Type-only: `npm run check` fails with TS7016 if kyoto/quickjs or kyoto/espruino have no types.
import type { QuickJsHost, Semaphore as QuickJsSemaphore } from "kyoto/quickjs";
import type { Semaphore as EspruinoSemaphore } from "kyoto/espruino";

const root = path.resolve(import.meta.dirname, "../..");
const KYOTO = path.join(root, "bin/kyoto.js");
const fixture = (name: string) => path.join(root, "test/node/fixtures/kyoto_run", name);

/**
 * In process there is no `beforeExit` to tell the host it is idle: once the script's
 * evaluation has settled (and its last timers ran), say so ourselves.
 */
async function outcome(host: DeviceHost, started: Promise<number>, limitMs = 50_000): Promise<number | "timeout"> {
  const poll = setInterval(() => {
    if (host.entry && host.entryState() === "fulfilled") host.idle();
  }, 20);
  const limit = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), limitMs).unref());
  try {
    const code = await Promise.race([started, limit]);
    if (code === "timeout") host.interrupt();
    return code;
  } finally {
    clearInterval(poll);
  }
}

function kyoto(args: string[]) {
  const r = spawnSync(process.execPath, [KYOTO, ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const TOUR = ["slept at least 20 ms", "timeout ERR_TIMEOUT", "received 1,2,3", "select picked 2", "relative import ok"];

for (const engine of ["quickjs", "quickjs-ng"]) {
  describe(`kyoto run --engine ${engine}`, function () {
    this.timeout(60_000);

    it("loads the whole bundle under --memory 1m and runs a script using sleep, timeout, select, channels, spawn and a relative import", () => {
      const r = kyoto(["run", "--engine", engine, "--memory", "1m", fixture("tour.mjs")]);
      assert.equal(r.err, "");
      assert.deepEqual(r.out.trim().split("\n"), TOUR);
      assert.equal(r.code, 0);
    });

    it("resolves kyoto/sim inside the guest (an hour of virtual time)", () => {
      const r = kyoto(["run", "--engine", engine, fixture("sim.mjs")]);
      assert.equal(r.out.trim(), "simulated 3600000 ms");
      assert.equal(r.code, 0);
    });

    it("exits 1 with the guest's stack for a thrown error", () => {
      const r = kyoto(["run", "--engine", engine, fixture("throws.mjs")]);
      assert.equal(r.code, 1);
      assert.match(r.err, /^kyoto run: uncaught RangeError: thrown on purpose\n/);
      assert.match(r.err, /at deepest \(.*throws\.mjs:4/);
      assert.match(r.err, /at middle \(.*throws\.mjs:7/);
      assert.doesNotMatch(r.err, /guest_prelude/);
    });

    for (const [kase, message] of [
      ["reject", "rejected on purpose"],
      ["reaction", "thrown in a reaction"],
      ["later", "rejected in a later turn"],
      ["adopted", "adopted rejection"],
      ["passed", "passed along"],
    ]) {
      it(`exits 1 with the guest's stack for an unhandled rejection (${kase})`, () => {
        const r = kyoto(["run", "--engine", engine, fixture("unhandled.mjs"), kase]);
        assert.equal(r.code, 1);
        assert.equal(r.out, "", "the guest stops at the end of the turn that left the rejection unhandled");
        assert.match(r.err, new RegExp(`^kyoto run: unhandled promise rejection: RangeError: ${message}\n`));
        assert.match(r.err, /at failing \(.*unhandled\.mjs:6:/);
        assert.doesNotMatch(r.err, /guest_prelude|at construct \(native\)/);
      });
    }

    it("exits 0 when every rejection is handled: by await, late in the same turn, by a chain, and kyoto's unobserved ops", () => {
      const r = kyoto(["run", "--engine", engine, fixture("handled.mjs")]);
      assert.equal(r.err, "");
      assert.deepEqual(r.out.trim().split("\n"), [
        "await caught awaited",
        "await caught later",
        "late catch late",
        "chained catch reaction",
        "await caught all",
        "then caught async",
        "done",
      ]);
      assert.equal(r.code, 0);
    });

    it("reports an out-of-memory guest under --memory 256k as such", () => {
      const r = kyoto(["run", "--engine", engine, "--memory", "256k", fixture("hog.mjs")]);
      assert.equal(r.code, 1);
      assert.match(r.err, /^kyoto run: out of memory.*--memory allows 262144 bytes/);
    });

    it("exits 1 when the top-level await can never settle", () => {
      const r = kyoto(["run", "--engine", engine, fixture("stuck.mjs")]);
      assert.equal(r.code, 1);
      assert.match(r.err, /never finished: its top-level await is still pending/);
    });

    it("prints guest heap and kyoto's pools with --stats", () => {
      const r = kyoto(["run", "--engine", engine, "--stats", fixture("tour.mjs")]);
      assert.equal(r.code, 0);
      assert.match(r.err, /\[kyoto stats at exit\] heap \d+\.\d KiB \| tasks \d+\/\d+\/\d+ \| timers .* \| waiters .* \| buffers .*\(live\/peak\/capacity\)/);
    });

    for (const [state, script] of [
      ["waits on a timer", "forever.mjs"],
      ["spins in a synchronous loop", "spin.mjs"],
    ]) {
      it(`stops cleanly on Ctrl-C while the guest ${state}`, async () => {
        const child = spawn(process.execPath, [KYOTO, "run", "--engine", engine, fixture(script)], { cwd: root });
        let out = "";
        let err = "";
        child.stderr.on("data", (d) => (err += d));
        const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
        await new Promise<void>((resolve) =>
          child.stdout.on("data", (d) => {
            out += d;
            if (out.includes("ready\n")) resolve();
          }),
        );
        child.kill("SIGINT");
        // A bound for a process test, not the point: an unstoppable guest would hang forever.
        const bound = setTimeout(() => child.kill("SIGKILL"), 20_000);
        const code = await closed;
        clearTimeout(bound);
        assert.equal(code, 130);
        assert.equal(out, "ready\n");
        assert.equal(err, "kyoto run: interrupted\n");
      });
    }

    it("carries TCP and UDP bytes across the host boundary (an in-memory socket HAL)", async () => {
      let out = "";
      let err = "";
      const sink = (f: (s: string) => void) => new Writable({ write: (c, _e, cb) => (f(String(c)), cb()) });
      const host = new DeviceHost({
        engine,
        memory: 1024 * 1024,
        createHal: () => new LoopbackHal(),
        stdout: sink((s) => (out += s)),
        stderr: sink((s) => (err += s)),
      });
      const code = await outcome(host, host.start(fixture("sockets.mjs")));
      assert.equal(err, "");
      assert.equal(out, "tcp 40000 bytes ok\nudp ok\n");
      assert.equal(code, 0);
    });

    it("leaves the guest heap where it started after 100,000 acquire-then-cancel cycles under --memory 1m", async () => {
      const samples: Record<string, number> = {};
      let err = "";
      const host = new DeviceHost({
        engine,
        memory: 1024 * 1024,
        stdout: new Writable({
          write: (chunk, _e, cb) => {
            const m = /^mark (\w+)/.exec(String(chunk));
            // Sample once the guest is asleep (jobs drained; QuickJS frees by reference count).
            if (m) setTimeout(() => (samples[m[1]] = host.memoryUsed()), 5);
            cb();
          },
        }),
        stderr: new Writable({ write: (c, _e, cb) => ((err += String(c)), cb()) }),
      });
      const code = await outcome(host, host.start(fixture("cycles.mjs"), ["100000"]));
      assert.equal(err, "");
      assert.equal(code, 0);
      assert.ok(samples.start > 0 && samples.end > 0, "both marks sampled: " + JSON.stringify(samples));
      const grew = samples.end - samples.start;
      console.log(`      ${engine}: heap ${samples.start} -> ${samples.end} bytes over 100,000 cycles (${grew >= 0 ? "+" : ""}${grew})`);
      assert.ok(grew <= 4096, `the guest heap grew by ${grew} bytes over 100,000 cycles`);
    });
  });
}

describe("kyoto run --engine node", function () {
  this.timeout(60_000);
  it("runs the same script on Node against the Node bundle", () => {
    const r = kyoto(["run", "--engine", "node", fixture("tour.mjs")]);
    assert.deepEqual(r.out.trim().split("\n"), TOUR);
    assert.equal(r.code, 0);
  });
  it("exits non-zero for a thrown error", () => {
    const r = kyoto(["run", "--engine", "node", fixture("throws.mjs")]);
    assert.notEqual(r.code, 0);
    assert.match(r.err, /RangeError: thrown on purpose/);
  });
});

describe("kyoto/quickjs and kyoto/espruino types", function () {
  it("declare kyoto's API (and the QuickJS HAL's contract on kyoto/quickjs)", () => {
    const host: Pick<QuickJsHost, "wake"> = { wake: () => undefined };
    const sems: (QuickJsSemaphore | EspruinoSemaphore)[] = [];
    assert.equal(typeof host.wake, "function");
    assert.equal(sems.length, 0);
  });
});

describe("the kyoto command", function () {
  it("rejects bad usage with exit code 2, naming the problem", () => {
    let r = kyoto(["run", "--engine", "v8", fixture("tour.mjs")]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--engine expects quickjs, quickjs-ng, node, got "v8"/);
    r = kyoto(["run", "--memory", "lots", fixture("tour.mjs")]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--memory expects a size such as 256k or 1m, got "lots"/);
    r = kyoto(["run", "nope.mjs"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /no such script: nope\.mjs/);
    r = kyoto(["launch"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown command "launch"/);
  });
});
