/**
 * RwLock, read-heavy (issue #4).
 *
 * T async tasks share one reader-writer lock and take 200k locks in total, 95% reads and
 * 5% writes (every 20th lock taken is a write, decided by a shared counter so every
 * library sees the same sequence); each holds its lock across `await null`. Reports locks/s
 * and writes observed. Floor: the same tasks with no lock.
 */
import { loadKyoto, now } from "../lib/env.mjs";
import { aheadOfPeers } from "../lib/report.mjs";

const LIBS = ["floor", "kyoto", "@esfx/async-readerwriterlock"];

export const name = "rwlock";
export const order = 7.5;
export const title = "7b. RwLock: read-heavy 95/5 (Node)";
export const description =
  "T tasks take 200k locks in total, every 20th a write, holding each across `await null`. locks/s counts reads and writes.";
export const metrics = [{ key: "opsPerSec", label: "locks/s", unit: "ops/s", better: "higher", ratio: true }];
export const notes = ["kyoto: `RwLock.read()/write()` + `guard.release()`; @esfx: `AsyncReaderWriterLock.read()/write()` + `handle.unlock()`."];
export const paramLabel = (t) => `T=${t}`;

export function cases({ quick }) {
  const out = [];
  for (const t of quick ? [10] : [10, 100]) for (const lib of LIBS) out.push({ lib, param: t });
  return out;
}

async function makeLock(lib) {
  if (lib === "kyoto") {
    const { RwLock } = await loadKyoto();
    const l = new RwLock(0);
    return { read: () => l.read(), write: () => l.write(), unlock: (g) => g.release() };
  }
  if (lib === "@esfx/async-readerwriterlock") {
    const { AsyncReaderWriterLock } = await import("@esfx/async-readerwriterlock");
    const l = new AsyncReaderWriterLock();
    return { read: () => l.read(), write: () => l.write(), unlock: (h) => h.unlock() };
  }
  return null;
}

export async function run(lib, T, { quick }) {
  const total = quick ? 50000 : 200000;
  let taken = 0;
  let writes = 0;
  let writerInside = false;
  const l = await makeLock(lib);
  const task = async () => {
    while (taken < total) {
      const isWrite = taken % 20 === 0;
      taken++;
      if (l === null) {
        if (isWrite) writes++;
        await null;
        continue;
      }
      const h = await (isWrite ? l.write() : l.read());
      if (writerInside) throw new Error("a lock was granted while a writer held it");
      if (isWrite) {
        writerInside = true;
        writes++;
      }
      await null;
      if (isWrite) writerInside = false;
      l.unlock(h);
    }
  };
  const t0 = now();
  await Promise.all(Array.from({ length: T }, task));
  const ms = now() - t0;
  return { opsPerSec: taken / (ms / 1000), note: `${writes} writes` };
}

export function budgets(rows) {
  const out = [];
  for (const row of rows) {
    const ahead = row.kind === "kyoto" ? aheadOfPeers(row, `read-heavy RwLock ahead of the peer (${row.paramLabel})`) : null;
    if (ahead !== null) out.push(ahead);
  }
  return out;
}
