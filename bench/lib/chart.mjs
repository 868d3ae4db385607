/**
 * The benchmark chart (bench/results/latest.svg): kyoto against its peers, one panel per
 * scenario, drawn from latest.json by this script as plain SVG (no dependencies).
 *
 * Each panel shows one bar group per parameter (e.g. T=10). A group charts the first of the
 * scenario's metrics that has at least two numbers in that group, preferring the metrics the
 * tables compare as ratios (throughput, time). Bars are scaled to the group's largest value
 * and labelled with the value itself; the metric says whether higher or lower is better.
 * kyoto's rows are drawn in colour, peers in grey, floors (a bare Promise or loop) hatched.
 * Rows without a number for that metric ("never", an error) are listed as such.
 *
 * `node bench/lib/chart.mjs` redraws the chart from the saved latest.json; `npm run bench`
 * redraws it with every save.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { formatValue } from "./report.mjs";

const WIDTH = 860;
const LABEL = 230; // library names
const BAR = 470; // longest bar
const ROW = 16;
const PAD = 12;

const escape = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The metric a group of rows is charted by, or null when no metric has two numbers in it. */
export function groupMetric(scenario, rows) {
  const metrics = scenario.metrics.filter((m) => m.ratio).concat(scenario.metrics.filter((m) => !m.ratio));
  for (const m of metrics) {
    if (rows.filter((r) => typeof r.median[m.key] === "number" && Number.isFinite(r.median[m.key])).length >= 2) return m;
  }
  return null;
}

/** The rows of a scenario grouped by parameter label, in first-seen order. */
function groups(scenario) {
  const out = [];
  for (const row of scenario.rows) {
    let g = out.find((x) => x.param === row.paramLabel);
    if (!g) out.push((g = { param: row.paramLabel, rows: [] }));
    g.rows.push(row);
  }
  return out;
}

function fillOf(row) {
  if (row.kind === "kyoto" || row.lib.startsWith("kyoto")) return "#c2185b";
  if (row.kind === "floor" || row.lib.startsWith("floor")) return "url(#floor)";
  return "#9e9e9e";
}

/** The whole chart for a saved result (the object in latest.json) as SVG text. */
export function buildChart(result) {
  const body = [];
  let y = PAD;
  const text = (x, yy, s, attrs = "") => body.push(`<text x="${x}" y="${yy}"${attrs}>${escape(s)}</text>`);
  text(PAD, y + 14, `kyoto and its peers: medians of ${result.runs} runs, ${result.machine.cpu}, ${result.machine.cores} cores, Node ${result.machine.node}, commit ${result.machine.commit}`, ' class="t"');
  y += 30;
  for (const scenario of result.scenarios) {
    text(PAD, y + 14, scenario.title, ' class="s"');
    y += 24;
    for (const group of groups(scenario)) {
      const metric = groupMetric(scenario, group.rows);
      if (metric === null) continue;
      const values = group.rows.map((r) => r.median[metric.key]).filter((v) => typeof v === "number" && Number.isFinite(v));
      const max = Math.max(...values.map(Math.abs));
      text(PAD + 8, y + 12, `${group.param} — ${metric.label} (${metric.better} is better)`, ' class="g"');
      y += ROW + 2;
      for (const row of group.rows) {
        const v = row.median[metric.key];
        text(PAD + LABEL - 6, y + 12, row.lib, ' text-anchor="end"');
        if (typeof v === "number" && Number.isFinite(v)) {
          const w = max > 0 ? Math.max(1, Math.round((Math.abs(v) / max) * BAR)) : 1;
          body.push(`<rect x="${PAD + LABEL}" y="${y + 2}" width="${w}" height="${ROW - 4}" fill="${fillOf(row)}"><title>${escape(`${row.lib}: ${formatValue(v, metric.unit)} ${metric.unit}`)}</title></rect>`);
          text(PAD + LABEL + w + 6, y + 12, `${formatValue(v, metric.unit)} ${metric.unit}`);
        } else {
          text(PAD + LABEL, y + 12, `${v === undefined || v === "" ? "no result" : v}`, ' class="n"');
        }
        y += ROW;
      }
      y += 6;
    }
    y += 10;
  }
  const height = y + PAD;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<defs><pattern id="floor" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#e0e0e0"/><line x1="0" y1="0" x2="0" y2="6" stroke="#757575" stroke-width="2"/></pattern>`,
    `<style>.t{font-size:13px;font-weight:bold}.s{font-size:12px;font-weight:bold}.g{fill:#424242;font-style:italic}.n{fill:#757575}</style></defs>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...body,
    "</svg>",
    "",
  ].join("\n");
}

/** Writes latest.svg next to latest.json in `resultsDir`. */
export function writeChart(resultsDir) {
  const result = JSON.parse(readFileSync(path.join(resultsDir, "latest.json"), "utf8"));
  writeFileSync(path.join(resultsDir, "latest.svg"), buildChart(result));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../results");
  writeChart(dir);
  console.log("wrote " + path.join(dir, "latest.svg"));
}
