/** The `kyoto run --stats` line: guest heap, then kyoto's pools as live/peak/capacity. */
const kb = (n) => (n / 1024).toFixed(1) + " KiB";
const pool = (name, p) => (p ? `${name} ${p.live}/${p.peak}/${p.capacity}` : null);

/** `s`: `{ memory, limit, kyoto }` (kyoto: the runtime's `stats()`, or null). */
export function statsLine(s, label) {
  const parts = [`heap ${kb(s.memory)}${s.limit ? " of " + kb(s.limit) : ""}`];
  if (s.kyoto) {
    for (const name of ["tasks", "timers", "waiters", "buffers"]) parts.push(pool(name, s.kyoto[name]));
  }
  return `[kyoto stats${label ? " " + label : ""}] ${parts.filter(Boolean).join(" | ")}${s.kyoto ? " (live/peak/capacity)" : ""}`;
}
