/**
 * The contended hand-off loop shared by the semaphore (scenario 2) and mutex scenarios: T
 * tasks take a one-holder lock in turn, hold it across `await null`, and stop after `total`
 * grants. Reports grants/s and fairness (max ÷ min grants per task; 1 = round-robin).
 */
import { now } from "./env.mjs";

/**
 * `lockLike` is `{ acquire(): thenable<token>, release(token) }`, `{ run(fn): Promise }`, or
 * `null` for the floor (the same tasks with no lock).
 */
export async function handOff(lockLike, T, total) {
  const counts = new Array(T).fill(0);
  let granted = 0;
  // The loop bodies are written out per shape (not shared through a helper) so that each
  // measured iteration is exactly `acquire; one await; release`.
  let task;
  if (lockLike === null) {
    task = async (i) => {
      while (granted < total) {
        granted++;
        counts[i]++;
        await null;
      }
    };
  } else if (lockLike.run) {
    task = async (i) => {
      const fn = async () => {
        if (granted >= total) return;
        granted++;
        counts[i]++;
        await null;
      };
      while (granted < total) await lockLike.run(fn);
    };
  } else {
    task = async (i) => {
      while (granted < total) {
        const token = await lockLike.acquire();
        if (granted < total) {
          granted++;
          counts[i]++;
          await null;
        }
        lockLike.release(token);
      }
    };
  }
  const t0 = now();
  await Promise.all(counts.map((_, i) => task(i)));
  return handOffResult(granted, now() - t0, counts);
}

/** grants/s and fairness from a finished run. */
export function handOffResult(grants, ms, counts) {
  const max = Math.max(...counts);
  const min = Math.min(...counts);
  return { opsPerSec: grants / (ms / 1000), fairness: min === 0 ? "starved" : max / min };
}
