/**
 * What an op's Promise face costs on V8 (issue 8): the same `await` of an already-resolved
 * promise, built five ways, against `await` of an async function. It separates the two costs
 * of `Op<T> extends Promise<T>` from kyoto's own machinery: constructing a Promise subclass
 * (a derived constructor calling the Promise constructor with a new.target other than
 * Promise), and the PromiseResolveThenableJob V8 runs for every `await` of a promise whose
 * `constructor` is not `Promise`. kyoto's ops avoid the second: their `constructor` is a
 * getter that observes the op and answers `Promise` (src/core/op.ts, `givePromiseFace`).
 */
import { loadKyoto, now } from "../lib/env.mjs";

export const name = "promise_face";
export const order = 1.5;
export const title = "1b. What the Promise face costs: awaiting subclassed vs plain promises (Node)";
export const description =
  "`await p` ×1e6 after a 10k warm-up, p already resolved: floor `await f()` (async fn); plain `new Promise(executor)` with three own fields; a `class P extends Promise` instance (constructor still P: the thenable job runs); the same subclass with `constructor` set back to Promise (no thenable job); kyoto `await sem.acquire()` + release (an op's `constructor` getter answers Promise, so no thenable job).";
export const metrics = [{ key: "opsPerSec", label: "ops/s", unit: "ops/s", better: "higher", ratio: true }];
export const notes = [
  "Read across the rows: plain → subclass:ctor=Promise is the subclass construction cost; subclass:ctor=Promise → subclass is the thenable job.",
];

const LIBS = ["floor", "plain-promise", "subclass:ctor=Promise", "subclass", "kyoto"];

export function cases() {
  return LIBS.map((lib) => ({ lib, param: "await resolved" }));
}

let capturedResolve = null;
function capture(resolve) {
  capturedResolve = resolve;
}
class Sub extends Promise {
  constructor() {
    super(capture);
    this.r = capturedResolve;
    this.flags = 0;
    this.result = undefined;
  }
}
Object.defineProperty(Sub, Symbol.species, { value: Promise });
class SubAsPromise extends Sub {}
Object.defineProperty(SubAsPromise.prototype, "constructor", { value: Promise });

function plain() {
  const p = new Promise(capture);
  p.r = capturedResolve;
  p.flags = 0;
  p.result = undefined;
  return p;
}

async function time(loop, n) {
  await loop(10000);
  const t0 = now();
  await loop(n);
  return n / ((now() - t0) / 1000);
}

export async function run(lib, _param, { quick }) {
  const n = quick ? 300000 : 1000000;
  switch (lib) {
    case "floor": {
      const f = async () => {};
      return { opsPerSec: await time(async (k) => { for (let i = 0; i < k; i++) await f(); }, n) };
    }
    case "plain-promise":
      return { opsPerSec: await time(async (k) => { for (let i = 0; i < k; i++) { const p = plain(); p.r(1); await p; } }, n) };
    case "subclass:ctor=Promise":
      return { opsPerSec: await time(async (k) => { for (let i = 0; i < k; i++) { const p = new SubAsPromise(); p.r(1); await p; } }, n) };
    case "subclass":
      return { opsPerSec: await time(async (k) => { for (let i = 0; i < k; i++) { const p = new Sub(); p.r(1); await p; } }, n) };
    default: {
      const { Semaphore } = await loadKyoto();
      const s = new Semaphore(1);
      return { opsPerSec: await time(async (k) => { for (let i = 0; i < k; i++) (await s.acquire()).release(); }, n) };
    }
  }
}
