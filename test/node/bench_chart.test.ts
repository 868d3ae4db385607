/**
 * The benchmark chart (bench/lib/chart.mjs): bars scaled within each group, the right metric
 * per group, rows without a number named as such, and the committed latest.svg drawn from the
 * committed latest.json.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildChart } from "../../bench/lib/chart.mjs";
import { assert } from "../assert";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const row = (lib: string, kind: string, paramLabel: string, median: Record<string, unknown>) => ({ lib, kind, paramLabel, median });
const RESULT = {
  runs: 3,
  machine: { cpu: "test cpu", cores: 2, node: "v20", commit: "abc1234" },
  scenarios: [
    {
      title: "1. A scenario",
      metrics: [
        { key: "fairness", label: "fairness", unit: "", better: "lower" },
        { key: "opsPerSec", label: "ops/s", unit: "ops/s", better: "higher", ratio: true },
        { key: "armedB", label: "armed", unit: "B", better: "lower" },
      ],
      rows: [
        row("floor", "floor", "T=2", { opsPerSec: 4e6, fairness: 1 }),
        row("kyoto", "kyoto", "T=2", { opsPerSec: 2e6, fairness: 1 }),
        row("peer-a", "peer", "T=2", { opsPerSec: 1e6, fairness: 2 }),
        row("peer-b", "peer", "T=2", { opsPerSec: "never" }),
        row("kyoto", "kyoto", "armed", { opsPerSec: "", armedB: 100 }),
        row("floor", "floor", "armed", { opsPerSec: "", armedB: 400 }),
      ],
    },
  ],
};

/** [label, bar width] for each bar, in order. */
function bars(svg: string): [string, number][] {
  const out: [string, number][] = [];
  const re = /<rect x="\d+" y="\d+" width="(\d+)" height="\d+" fill="[^"]+"><title>([^:<]+):/g;
  for (let m = re.exec(svg); m !== null; m = re.exec(svg)) out.push([m[2], Number(m[1])]);
  return out;
}

describe("the benchmark chart", () => {
  const svg = buildChart(RESULT);

  it("draws one bar per numeric row, scaled to the largest value of its group", () => {
    assert.deepEqual(bars(svg), [["floor", 470], ["kyoto", 235], ["peer-a", 118], ["kyoto", 118], ["floor", 470]]);
  });

  it("charts a group by the first ratio metric with numbers in it, else the next metric that has them", () => {
    assert.ok(svg.includes("T=2 — ops/s (higher is better)"), "T=2 by throughput");
    assert.ok(svg.includes("armed — armed (lower is better)"), "armed by bytes");
    assert.ok(svg.includes(">never</text>"), "a row without a number says what it has");
  });

  it("is well formed: every element it opens is closed", () => {
    assert.ok(svg.startsWith("<svg ") && svg.trimEnd().endsWith("</svg>"));
    for (const tag of ["svg", "text", "rect", "title", "defs", "pattern", "style"]) {
      const open = (svg.match(new RegExp(`<${tag}[ >]`, "g")) || []).length;
      const closed = (svg.match(new RegExp(`</${tag}>`, "g")) || []).length + (svg.match(new RegExp(`<${tag}[^>]*/>`, "g")) || []).length;
      assert.equal(closed, open, `<${tag}>`);
    }
  });

  it("bench/results/latest.svg is the chart of bench/results/latest.json", () => {
    const result = JSON.parse(readFileSync(path.join(root, "bench/results/latest.json"), "utf8"));
    const committed = readFileSync(path.join(root, "bench/results/latest.svg"), "utf8");
    assert.ok(committed === buildChart(result), "latest.svg is stale: run `node bench/lib/chart.mjs`");
  });
});
