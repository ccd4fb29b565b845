/** The benchmark's results object (bench-results.json), built from the parts' raw results, and the targets it is checked against. */
import type { KeyBits } from "./parties.js";
import type { CeilingResult } from "./ceiling.js";
import type { HopResult } from "./hop.js";
import type { WholeLoginResult } from "./whole-login.js";
import type { OidcLoginResult } from "./oidc-whole-login.js";
import type { SoakResult } from "./soak.js";
import type { RolloverResult } from "./rollover.js";
import type { PartLoad } from "./machine-load.js";
import { formatNumber, percent } from "./report.js";
import type { LoginTimings } from "../../src/observability/login-timings.js";
import type { BenchOptions } from "./bench-options.js";

export interface HopSummary {
  store: string;
  processes: number;
  /** Maximum rate, closed loop at `concurrency`. */
  loginsPerSec: number;
  /** Logins per CPU-second of the broker: throughput per core. */
  loginsPerSecPerCore: number;
  /** loginsPerSecPerCore / ceiling. */
  ratio: number;
  /** Latency at half the maximum rate (open loop). */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  cpuMsPerLogin: number;
  brokerCores: number;
  concurrency: number;
  saturated: { p50Ms: number; p95Ms: number; p99Ms: number };
  halfRate: { ratePerSec: number; achievedPerSec: number; maxGcPauseMs: number } | undefined;
  /** One login at a time: latency without queueing. */
  aloneP50Ms: number;
  /** The broker's step timings, mean ms per login, one login at a time. */
  phasesMs: LoginTimings;
  peakRssMb: number;
  failed: number;
}

export interface TargetCheck {
  target: string;
  value: string;
  met: boolean;
}

export interface BenchResults {
  measuredAt: string;
  durationSeconds: number;
  command: string;
  machine: { cpu: string; cores: number; memoryGb: number; node: string; openssl: string; loadAverage: { start: number[]; end: number[] } };
  settings: Omit<BenchOptions, "progress">;
  ceiling: Partial<Record<`rsa${KeyBits}`, number>>;
  ceilingDetail: Partial<Record<`rsa${KeyBits}`, CeilingResult>>;
  hop: Partial<Record<`rsa${KeyBits}`, HopSummary>>;
  hopRedis: Partial<Record<`rsa${KeyBits}`, HopSummary>>;
  scaleOut:
    | {
        ratio: number;
        bits: KeyBits;
        oneProcessPerSec: number;
        twoProcessesPerSec: number;
        cpuMsPerLogin: { one: number; two: number };
        /** Cores the broker processes kept busy: two processes can only double the rate with two free cores. */
        brokerCores: { one: number; two: number };
      }
    | undefined;
  wholeLogin: WholeLoginResult | undefined;
  /** Part 5: the whole OIDC login (authorize → IdP → broker → code → token). */
  oidcLogin: OidcLoginResult | undefined;
  /** Part 6: steady whole logins for minutes; memory and latency over time. */
  soak: SoakResult | undefined;
  rollover: RolloverResult | undefined;
  /** How busy the machine was during each part, and whether other processes made it noisy. */
  machineLoad: PartLoad[];
  /** Highest resident set size of any broker process in the run. */
  peakRssMb: number;
  targets: TargetCheck[];
}

export const key = (bits: KeyBits) => `rsa${bits}` as const;

export function summarizeHop(result: HopResult, ceiling: number): HopSummary {
  const perCore = 1000 / result.saturated.cpuMsPerLogin;
  const latency = result.halfRate?.latency ?? result.saturated.latency;
  return {
    store: result.store,
    processes: result.processes,
    loginsPerSec: result.saturated.loginsPerSec,
    loginsPerSecPerCore: perCore,
    ratio: perCore / ceiling,
    p50Ms: latency.p50Ms,
    p95Ms: latency.p95Ms,
    p99Ms: latency.p99Ms,
    cpuMsPerLogin: result.saturated.cpuMsPerLogin,
    brokerCores: result.saturated.brokerCores,
    concurrency: result.concurrency,
    saturated: { p50Ms: result.saturated.latency.p50Ms, p95Ms: result.saturated.latency.p95Ms, p99Ms: result.saturated.latency.p99Ms },
    halfRate: result.halfRate
      ? { ratePerSec: result.halfRate.ratePerSec, achievedPerSec: result.halfRate.loginsPerSec, maxGcPauseMs: result.halfRate.maxGcPauseMs }
      : undefined,
    aloneP50Ms: result.sequential?.latency.p50Ms ?? Number.NaN,
    phasesMs: result.phasesMs,
    peakRssMb: result.peakRssMb,
    failed: result.saturated.failed + (result.halfRate?.failed ?? 0) + (result.sequential?.failed ?? 0),
  };
}

export function failuresOf(result: HopResult): string[] {
  return [...result.saturated.failures, ...(result.halfRate?.failures ?? []), ...(result.sequential?.failures ?? [])];
}

export function targetChecks(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const ratioTarget = { rsa3072: 0.75, rsa2048: 0.5 } as const;
  for (const name of ["rsa3072", "rsa2048"] as const) {
    const hop = results.hop[name];
    if (hop) checks.push({ target: `ACS hop ≥ ${percent(ratioTarget[name])} of the ceiling (${name.toUpperCase()})`, value: percent(hop.ratio), met: hop.ratio >= ratioTarget[name] });
  }
  for (const [label, group] of [["memory", results.hop], ["Redis", results.hopRedis]] as const) {
    for (const name of ["rsa3072", "rsa2048"] as const) {
      const hop = group[name];
      if (hop?.halfRate) checks.push({ target: `p99 < 20 ms at half the maximum rate (${name.toUpperCase()}, ${label})`, value: `${formatNumber(hop.p99Ms)} ms`, met: hop.p99Ms < 20 });
    }
  }
  if (results.peakRssMb > 0) checks.push({ target: "peak memory < 200 MB per broker process", value: `${formatNumber(results.peakRssMb)} MB`, met: results.peakRssMb < 200 });
  if (results.scaleOut) checks.push({ target: "two processes ≥ 1.8× one", value: `${results.scaleOut.ratio.toFixed(2)}×`, met: results.scaleOut.ratio >= 1.8 });
  if (results.rollover) checks.push({ target: "0 failed logins while the broker's signing key rolls", value: `${results.rollover.failed} of ${results.rollover.completed + results.rollover.failed}`, met: results.rollover.failed === 0 && results.rollover.signingWithNextKey });
  return checks;
}
