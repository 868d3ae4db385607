/**
 * Turns raw case results into medians, ratios and budget verdicts, and renders markdown.
 *
 * A row's `kind` is "kyoto", "floor" or "peer". For every metric marked `ratio: true` the
 * table gets "÷ best peer" (row value / the best peer's value in the same param group,
 * "best" following the metric's `better`) and, when the scenario has floor rows, "÷ floor".
 */

/** Median of numeric values; for non-numeric results ("n/a", "never") the most common one. */
export function median(values) {
  const nums = values.filter((v) => typeof v === "number" && Number.isFinite(v)).sort((a, b) => a - b);
  const others = values.filter((v) => !(typeof v === "number" && Number.isFinite(v)) && v !== undefined && v !== null);
  if (nums.length === 0 || others.length > nums.length) {
    if (others.length === 0) return null;
    const counts = new Map();
    for (const v of others) counts.set(String(v), (counts.get(String(v)) || 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
  }
  const m = nums.length >> 1;
  return nums.length % 2 ? nums[m] : (nums[m - 1] + nums[m]) / 2;
}

const isNum = (v) => typeof v === "number" && Number.isFinite(v);

export function summarize(scenario, rows) {
  const metrics = scenario.metrics;
  const out = rows.map((row) => {
    const ok = row.runs.filter((r) => !r.error);
    const errors = row.runs.filter((r) => r.error).map((r) => r.error);
    const med = {};
    for (const m of metrics) med[m.key] = ok.length ? median(ok.map((r) => r[m.key])) : null;
    const notes = [...new Set(ok.map((r) => r.note).filter(Boolean))];
    return { ...row, median: med, notes, errors: [...new Set(errors)] };
  });
  // Ratios within each param group.
  for (const row of out) {
    row.ratios = {};
    const group = out.filter((r) => r.paramLabel === row.paramLabel);
    for (const m of metrics) {
      if (!m.ratio) continue;
      const peers = group.filter((r) => r.kind === "peer" && isNum(r.median[m.key]));
      const floors = group.filter((r) => r.kind === "floor" && isNum(r.median[m.key]));
      const pick = (list) =>
        list.length === 0 ? null : list.reduce((b, r) => (m.better === "lower" ? (r.median[m.key] < b.median[m.key] ? r : b) : r.median[m.key] > b.median[m.key] ? r : b));
      const best = pick(peers);
      const floor = pick(floors);
      const v = row.median[m.key];
      row.ratios[m.key] = {
        peer: best && isNum(v) && best.median[m.key] !== 0 ? v / best.median[m.key] : null,
        bestPeer: best ? best.lib : null,
        floor: floor && isNum(v) && floor.median[m.key] !== 0 ? v / floor.median[m.key] : null,
      };
    }
  }
  let budgets = [];
  if (typeof scenario.budgets === "function") {
    try {
      budgets = scenario.budgets(out) || [];
    } catch (e) {
      budgets = [{ name: "budget check crashed", met: false, detail: String(e && e.message) }];
    }
  }
  return {
    name: scenario.name,
    title: scenario.title,
    description: scenario.description || "",
    metrics,
    notes: scenario.notes || [],
    hasFloor: out.some((r) => r.kind === "floor"),
    rows: out,
    budgets,
  };
}

export function formatValue(v, unit) {
  if (v === null || v === undefined) return "–";
  if (typeof v !== "number") return String(v);
  if (!Number.isFinite(v)) return String(v);
  const fixed = (x, d) => x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
  switch (unit) {
    case "ops/s":
      if (Math.abs(v) >= 1e6) return fixed(v / 1e6, 2) + " M";
      if (Math.abs(v) >= 1e3) return fixed(v / 1e3, 1) + " k";
      return fixed(v, 0);
    case "ms":
      return Math.abs(v) < 10 ? fixed(v, 2) : Math.abs(v) < 1000 ? fixed(v, 1) : fixed(v, 0);
    case "B":
      return Math.abs(v) < 100 ? fixed(v, 1) : fixed(v, 0);
    case "x":
      return fixed(v, 3);
    default:
      return Number.isInteger(v) ? fixed(v, 0) : fixed(v, Math.abs(v) < 10 ? 3 : 1);
  }
}

const fmtRatio = (r) => (r === null || r === undefined ? "–" : r.toFixed(r >= 100 ? 0 : r >= 10 ? 1 : 2) + "×");

export function renderScenario(entry) {
  const lines = [];
  lines.push(`### ${entry.title}`, "");
  if (entry.description) lines.push(entry.description, "");
  const hasBudget = entry.budgets.some((b) => b.lib);
  const header = ["param", "lib"];
  for (const m of entry.metrics) {
    header.push(m.unit && m.unit !== "x" && m.unit !== m.label ? `${m.label} (${m.unit})` : m.label);
    if (m.ratio) {
      header.push(`÷ best peer`);
      if (entry.hasFloor) header.push(`÷ floor`);
    }
  }
  if (hasBudget) header.push("budget");
  lines.push("| " + header.join(" | ") + " |", "|" + header.map((_, i) => (i < 2 ? "---" : "---:")).join("|") + "|");
  const footnotes = [];
  for (const row of entry.rows) {
    const cells = [row.paramLabel || "", row.kind === "kyoto" ? `**${row.lib}**` : row.lib];
    for (const m of entry.metrics) {
      cells.push(row.errors.length && row.median[m.key] === null ? "error" : formatValue(row.median[m.key], m.unit));
      if (m.ratio) {
        cells.push(fmtRatio(row.ratios[m.key].peer));
        if (entry.hasFloor) cells.push(fmtRatio(row.ratios[m.key].floor));
      }
    }
    if (hasBudget) {
      const mine = entry.budgets.filter((b) => b.lib === row.lib && (b.param === undefined || b.param === row.paramLabel));
      cells.push(mine.length === 0 ? "" : mine.every((b) => b.met) ? "met" : "**missed**");
    }
    const notes = [...row.notes, ...row.errors.map((e) => "error: " + e)];
    if (notes.length) {
      footnotes.push(`${row.lib}${row.paramLabel ? ` (${row.paramLabel})` : ""}: ${notes.join("; ")}`);
      cells[1] += ` [${footnotes.length}]`;
    }
    lines.push("| " + cells.join(" | ") + " |");
  }
  lines.push("");
  if (footnotes.length) {
    footnotes.forEach((f, i) => lines.push(`[${i + 1}] ${f}  `));
    lines.push("");
  }
  for (const n of entry.notes) lines.push(`- ${n}`);
  if (entry.notes.length) lines.push("");
  if (entry.budgets.length) {
    lines.push("Budgets (SPEC §9):", "");
    for (const b of entry.budgets) lines.push(`- ${b.met ? "met" : "**missed**"}: ${b.name}${b.detail ? ` — ${b.detail}` : ""}`);
    lines.push("");
  }
  return lines.join("\n");
}

export function buildMarkdown(result) {
  const m = result.machine;
  const lines = [
    "# kyoto benchmark results",
    "",
    `Generated by \`npm run bench\` (bench/run.mjs) on ${m.date}. Medians of ${result.runs} run(s) per case, each in a fresh \`node --expose-gc\` process${result.quick ? " (--quick)" : ""}.`,
    "",
    `- node ${m.node} (V8 ${m.v8}), ${m.platform}`,
    `- cpu: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM`,
    `- kyoto: ${m.kyoto}, commit ${m.commit}`,
    `- total time: ${result.seconds} s`,
    "",
    "Ratios: \"÷ best peer\" is the row's value divided by the best non-kyoto library's value in the same param group (for ops/s above 1 is faster; for ms below 1 is faster); \"÷ floor\" divides by the floor (bare Promise / bare counter).",
    "",
  ];
  const budgets = [];
  for (const e of result.scenarios) {
    lines.push(renderScenario(e));
    for (const b of e.budgets) budgets.push({ scenario: e.title, ...b });
  }
  if (budgets.length) {
    lines.push("## Budget summary (SPEC §9)", "", "| scenario | budget | verdict | detail |", "|---|---|---|---|");
    for (const b of budgets) lines.push(`| ${b.scenario} | ${b.name} | ${b.met ? "met" : "**missed**"} | ${b.detail || ""} |`);
    lines.push("");
  }
  return lines.join("\n");
}

/**
 * The "kyoto ahead of every peer" budget for a kyoto row's ops/s, or null when the row has no
 * peer to compare with. `name` names the budget (its param included).
 */
export function aheadOfPeers(row, name) {
  const r = row.ratios.opsPerSec;
  if (r.peer === null) return null;
  return { lib: row.lib, param: row.paramLabel, name, met: r.peer > 1, detail: `${r.peer.toFixed(2)}× the best peer (${r.bestPeer})` };
}
