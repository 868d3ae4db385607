/**
 * Kyoto and its peers measured in ONE QuickJS VM (issue 8): the lock loops of scenarios 1, 2
 * and 7 written as guest source, every library loaded into the same runtime, measured in
 * interleaved rounds so that a machine busy with other work slows every library alike.
 *
 * `GUEST_LOCKS[lib]`: `make` builds the primitive `s` (from the global `kyoto`, or from
 * `peer`, which stands for that peer's bundle, `peers["<package>"]` in the guest); an
 * acquire-style lib gives `acquire` (an expression) and `release` (a statement on the token
 * `t`), a run-style lib gives `run` (an expression calling the async function `fn`). Every
 * library's calls are spelled out in the loop itself (no adapter object in between), so an
 * iteration costs the library's own acquire/release (or run) plus the loop.
 *
 * A scenario case using `sameVm` measures all its libs in one process and returns
 * `{ rows: { lib: result } }`; bench/run.mjs turns that into one row per lib.
 */
import { ENGINES, newGuest } from "./quickjs.mjs";
import { median } from "./report.mjs";

export const GUEST_LOCKS = {
  kyoto: { make: "new kyoto.Semaphore(1)", acquire: "s.acquire()", release: "t.release();" },
  "kyoto:Mutex": { make: "new kyoto.Mutex(0)", acquire: "s.lock()", release: "t.release();" },
  "kyoto:runExclusive": { make: "new kyoto.Mutex(0)", run: "s.runExclusive(fn)" },
  "async-mutex": { peer: "async-mutex", make: "new peer.Semaphore(1)", acquire: "s.acquire()", release: "t[1]();" },
  "async-mutex:Mutex": { peer: "async-mutex", make: "new peer.Mutex()", acquire: "s.acquire()", release: "t();" },
  "async-mutex:runExclusive": { peer: "async-mutex", make: "new peer.Mutex()", run: "s.runExclusive(fn)" },
  "async-sema": { peer: "async-sema", make: "new peer.Sema(1)", acquire: "s.acquire()", release: "s.release();" },
  "async-sema:tryAcquire": { peer: "async-sema", make: "new peer.Sema(1)" },
  "@esfx/async-semaphore": { peer: "@esfx/async-semaphore", make: "new peer.AsyncSemaphore(1)", acquire: "s.wait()", release: "s.release();" },
  "@esfx/async-mutex": { peer: "@esfx/async-mutex", make: "new peer.AsyncMutex()", acquire: "s.lock()", release: "t.unlock();" },
  "p-limit": { peer: "p-limit", make: "peer.pLimit(1)", run: "s(fn)" },
  "p-queue": { peer: "p-queue", make: "new peer.PQueue({ concurrency: 1 })", run: "s.add(fn)" },
};

/** `var s = …;` for `lib` in the guest (nothing for a floor). */
function makeSource(lib) {
  const l = GUEST_LOCKS[lib];
  if (!l) return "";
  return `var s = ${l.make.replace("peer.", `peers[${JSON.stringify(l.peer)}].`)};`;
}

/** How each lib is driven, for the tables' footnotes. */
export function driven(lib) {
  const l = GUEST_LOCKS[lib];
  if (!l || !(l.run || l.acquire)) return null;
  return l.run ? `\`await ${l.run}\`` : `\`t = await ${l.acquire}; ${l.release}\``;
}

/**
 * The body of a guest function returning `{ loop(n) }`: n awaited acquire+release (run-style:
 * n awaited runs of a no-op async function) in one async function; `floor` awaits an async
 * function instead.
 */
export function awaitedLoopSource(lib) {
  const l = GUEST_LOCKS[lib];
  if (lib === "floor") return "var f = async function () {}; return { loop: async function (n) { for (var i = 0; i < n; i++) await f(); } };";
  if (l.run) return `${makeSource(lib)} var fn = async function () {}; return { loop: async function (n) { for (var i = 0; i < n; i++) await ${l.run}; } };`;
  return `${makeSource(lib)} return { loop: async function (n) { for (var i = 0; i < n; i++) { var t = await ${l.acquire}; ${l.release} } } };`;
}

/**
 * The body of a guest function returning `{ loop(T, total) }`: T tasks take the 1-holder lock
 * in turn, hold it across `await null`, and stop after `total` grants in all (the loop of
 * bench/lib/handoff.mjs); the promise resolves to `{ grants, max, min }` (grants per task).
 */
export function handOffSource(lib) {
  const l = GUEST_LOCKS[lib];
  let task;
  if (lib === "floor") {
    task = "async function (i) { while (granted < total) { granted++; counts[i]++; await null; } }";
  } else if (l.run) {
    task = `async function (i) {
      var fn = async function () { if (granted >= total) return; granted++; counts[i]++; await null; };
      while (granted < total) await ${l.run};
    }`;
  } else {
    task = `async function (i) {
      while (granted < total) {
        var t = await ${l.acquire};
        if (granted < total) { granted++; counts[i]++; await null; }
        ${l.release}
      }
    }`;
  }
  return `${makeSource(lib)}
    var granted = 0, total = 0, counts = [];
    var task = ${task};
    return { loop: function (T, n) {
      granted = 0; total = n; counts = [];
      var all = [];
      for (var i = 0; i < T; i++) counts.push(0);
      for (var i = 0; i < T; i++) all.push(task(i));
      return Promise.all(all).then(function () {
        return { grants: granted, max: Math.max.apply(null, counts), min: Math.min.apply(null, counts) };
      });
    } };`;
}

/**
 * Loads every lib of `libs` into one guest (`source(lib)` is the body of a function returning
 * the lib's `{ loop }`), calls `loop(...args(warm))` once per lib, then `rounds` rounds of
 * `loop(...args(n))` for every lib, the order rotating each round. Returns each lib's samples,
 * `{ value, ms }` with `value` what `loop` returned (awaited when it is a promise).
 */
export async function sameVm(engine, libs, { source, args, warm, n, rounds = 3 }) {
  const peers = [...new Set(libs.map((l) => GUEST_LOCKS[l] && GUEST_LOCKS[l].peer).filter(Boolean))];
  const g = await newGuest(engine, { peers });
  const q = JSON.stringify;
  const call = (lib, k) =>
    `Promise.resolve(libs[${q(lib)}].loop(${args(k).join(", ")})).then(function (v) { globalThis.__result = v === undefined ? 1 : v; }, function (e) { globalThis.__result = { error: ${q(lib + ": ")} + String(e) }; });`;
  try {
    g.run("globalThis.libs = {};\n" + libs.map((l) => `libs[${q(l)}] = (function () { ${source(l)} })();`).join("\n") + "\nglobalThis.__result = 1;");
    for (const l of libs) g.run(call(l, warm));
    const samples = Object.fromEntries(libs.map((l) => [l, []]));
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < libs.length; i++) {
        const l = libs[(i + r) % libs.length];
        samples[l].push(g.run(call(l, n)));
      }
    }
    return samples;
  } finally {
    g.dispose();
  }
}

/** Per lib: median ops/s over its rounds, `count(sample)` operations per round. */
export function opsPerSec(samples, count) {
  const rows = {};
  for (const [lib, list] of Object.entries(samples)) {
    rows[lib] = { opsPerSec: median(list.map((s) => count(s) / (s.ms / 1000))) };
    const how = driven(lib);
    if (how && !lib.startsWith("kyoto")) rows[lib].note = how;
  }
  return rows;
}

/** The hand-off of scenarios 2 and 7 for `libs` in one guest: grants/s and max/min per lib. */
export async function sameVmHandOff(engine, libs, T, total) {
  const samples = await sameVm(engine, libs, { source: handOffSource, args: (k) => [T, k], warm: Math.max(T * 10, Math.floor(total / 10)), n: total });
  const rows = opsPerSec(samples, (s) => s.value.grants);
  for (const [lib, list] of Object.entries(samples)) {
    const worst = Math.max(...list.map((s) => (s.value.min === 0 ? Infinity : s.value.max / s.value.min)));
    rows[lib].fairness = worst === Infinity ? "starved" : worst;
  }
  return { rows };
}

/**
 * What a same-VM hand-off scenario (Q2, Q7) exports besides its texts and budgets: the
 * metrics, the cases (one per engine and T, all `libs` in one guest) and `run`.
 */
export function handOffScenario(libs) {
  return {
    metrics: [
      { key: "opsPerSec", label: "grants/s", unit: "ops/s", better: "higher", ratio: true },
      { key: "fairness", label: "max/min", unit: "x", better: "lower" },
    ],
    cases({ quick }) {
      const out = [];
      for (const e of quick ? ["quickjs"] : ENGINES) for (const t of quick ? [10] : [2, 10, 100]) out.push({ lib: "same-vm", libs, param: `${e} T=${t}` });
      return out;
    },
    run(_lib, param, { quick }) {
      const [engine, t] = param.split(" ");
      return sameVmHandOff(engine, libs, Number(t.slice(2)), quick ? 5000 : 10000);
    },
  };
}
