/**
 * `npm run bench -- --compare`: the run's key figures next to the previous
 * run's (the results file kept as <out>.previous.json), with the change, and
 * which of the two was noisy. CPU per login is the figure to trust most when
 * either run was noisy.
 */
import type { BenchResults } from "./bench-results.js";
import { table } from "./report.js";

interface Figure {
  name: string;
  unit: string;
  /** Whether a lower value is better. */
  lowerIsBetter: boolean;
  read: (results: BenchResults) => number | undefined;
}

const FIGURES: Figure[] = [
  ...(["rsa2048", "rsa3072"] as const).flatMap((bits): Figure[] => [
    { name: `ACS hop logins/s (${bits}, memory)`, unit: "/s", lowerIsBetter: false, read: (r) => r.hop[bits]?.loginsPerSec },
    { name: `ACS hop CPU per login (${bits}, memory)`, unit: "ms", lowerIsBetter: true, read: (r) => r.hop[bits]?.cpuMsPerLogin },
    { name: `ACS hop p99 at half rate (${bits}, memory)`, unit: "ms", lowerIsBetter: true, read: (r) => r.hop[bits]?.p99Ms },
  ]),
  { name: "two processes / one", unit: "×", lowerIsBetter: false, read: (r) => r.scaleOut?.ratio },
  { name: "whole login p50", unit: "ms", lowerIsBetter: true, read: (r) => r.wholeLogin?.sequential.latency.p50Ms },
  { name: "soak heap growth after warm-up", unit: "MB", lowerIsBetter: true, read: (r) => r.soak?.heapGrowthAfterWarmupMb },
  { name: "failed logins during key rollover", unit: "", lowerIsBetter: true, read: (r) => r.rollover?.failed },
  { name: "peak RSS", unit: "MB", lowerIsBetter: true, read: (r) => (r.peakRssMb > 0 ? r.peakRssMb : undefined) },
];

function noisyParts(results: BenchResults): string {
  const noisy = (results.machineLoad ?? []).filter((p) => p.noisy).map((p) => p.part);
  return noisy.length === 0 ? "none" : noisy.join(", ");
}

export function renderComparison(current: BenchResults, previous: BenchResults): string {
  const rows = FIGURES.flatMap((figure) => {
    const now = figure.read(current);
    const before = figure.read(previous);
    if (now === undefined || before === undefined) return [];
    const change = before === 0 ? (now === 0 ? 0 : Infinity) : ((now - before) / before) * 100;
    const better = now === before ? "same" : now < before === figure.lowerIsBetter ? "better" : "worse";
    return [[figure.name, `${before.toFixed(2)} ${figure.unit}`.trim(), `${now.toFixed(2)} ${figure.unit}`.trim(), `${change >= 0 ? "+" : ""}${change.toFixed(1)} %`, better]];
  });
  return [
    `### Compared with the previous run (${previous.measuredAt})`,
    "",
    table(["figure", "before", "now", "change", ""], rows, 1),
    "",
    `Noisy parts before: ${noisyParts(previous)}; now: ${noisyParts(current)}.`,
  ].join("\n");
}
