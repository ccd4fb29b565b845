/**
 * The benchmark: four parts, each bounded in time and cleaning up its own
 * processes, and one results object (written as bench-results.json by
 * `npm run bench`).
 *
 *   1. ceiling    the private-key operations of one login, per core
 *   2. ACS hop    logins/s, latency, CPU and memory, memory store and Redis
 *   3. scale-out  two broker processes on one Redis against one
 *   4. whole      fagsystem → broker → IdP → broker → fagsystem with the demo parties
 */
import { cpus, loadavg, totalmem } from "node:os";
import { BenchChild } from "./processes.js";
import { partyKeys, type KeyBits } from "./parties.js";
import { measureCeiling, type CeilingResult } from "./ceiling.js";
import { runHop, type HopResult } from "./hop.js";
import { runWholeLogin, type WholeLoginResult } from "./whole-login.js";
import { startBenchRedis, type BenchRedis } from "./redis.js";
import { formatNumber, percent, table } from "./report.js";
import { LOGIN_PHASES, type LoginTimings } from "../../src/observability/login-timings.js";
import { WHOLE_LOGIN_STEPS } from "./load-jobs.js";

export type Part = 1 | 2 | 3 | 4;

/**
 * The broker runs with these Node flags in production (Dockerfile,
 * NODE_OPTIONS), so the benchmark runs it the same way. A young generation of
 * at most 2 × 16 MB instead of V8's 2 × 64 MB keeps the peak resident memory
 * about 100 MB lower under load, with no CPU cost we could measure.
 */
export const BROKER_NODE_FLAGS = ["--max-semi-space-size=16"];

export interface BenchOptions {
  bits: KeyBits[];
  parts: Part[];
  /** Run the Redis variants of part 2 and part 3. */
  redis: boolean;
  /** Length of each timed run. */
  seconds: number;
  /** Requests in flight per broker process in the closed-loop runs. */
  concurrency: number;
  /** Key size for parts 3 and 4. */
  scaleBits: KeyBits;
  wholeBits: KeyBits;
  /** Logins in the sequential whole-login run (twice as many run concurrently). */
  wholeLogins: number;
  /** Node flags for every broker process. */
  brokerNodeFlags: string[];
  /** A few logins per run only: proves the benchmark works, measures nothing. */
  smoke: boolean;
  progress: (line: string) => void;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  bits: [2048, 3072],
  parts: [1, 2, 3, 4],
  redis: true,
  seconds: 6,
  concurrency: 16,
  scaleBits: 3072,
  wholeBits: 3072,
  wholeLogins: 100,
  brokerNodeFlags: BROKER_NODE_FLAGS,
  smoke: false,
  progress: () => {},
};

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
  /** Highest resident set size of any broker process in the run. */
  peakRssMb: number;
  targets: TargetCheck[];
}

const key = (bits: KeyBits) => `rsa${bits}` as const;

function summarizeHop(result: HopResult, ceiling: number): HopSummary {
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

function failuresOf(result: HopResult): string[] {
  return [...result.saturated.failures, ...(result.halfRate?.failures ?? []), ...(result.sequential?.failures ?? [])];
}

export async function runBench(partial: Partial<BenchOptions> = {}): Promise<BenchResults> {
  const options: BenchOptions = { ...DEFAULT_OPTIONS, ...partial };
  const progress = options.progress;
  const started = Date.now();
  const results: BenchResults = {
    measuredAt: new Date(started).toISOString(),
    durationSeconds: 0,
    command: "npm run bench",
    machine: {
      cpu: cpus()[0]?.model.trim() ?? "unknown",
      cores: cpus().length,
      memoryGb: Math.round(totalmem() / 1073741824),
      node: process.version,
      openssl: process.versions.openssl ?? "unknown",
      loadAverage: { start: loadavg().map((l) => Math.round(l * 100) / 100), end: [] },
    },
    settings: { ...options, progress: undefined } as Omit<BenchOptions, "progress">,
    ceiling: {},
    ceilingDetail: {},
    hop: {},
    hopRedis: {},
    scaleOut: undefined,
    wholeLogin: undefined,
    peakRssMb: 0,
    targets: [],
  };
  delete (results.settings as Partial<BenchOptions>).progress;
  const allBits = [
    ...new Set([
      ...(options.parts.includes(1) || options.parts.includes(2) ? options.bits : []),
      ...(options.parts.includes(3) ? [options.scaleBits] : []),
      ...(options.parts.includes(4) ? [options.wholeBits] : []),
    ]),
  ];
  progress(`generating keys (RSA ${allBits.join(", ")})`);
  const keys = new Map(await Promise.all(allBits.map(async (bits) => [bits, await partyKeys(bits)] as const)));
  const ceilingFor = (bits: KeyBits) => {
    let value = results.ceiling[key(bits)];
    if (value === undefined) {
      progress(`ceiling: RSA-${bits}`);
      const measured = measureCeiling(keys.get(bits)!, options.smoke ? 200 : 3_000);
      results.ceilingDetail[key(bits)] = measured;
      value = results.ceiling[key(bits)] = measured.loginsPerSecPerCore;
    }
    return value;
  };

  const needRedis = options.redis && (options.parts.includes(2) || options.parts.includes(3));
  let redis: BenchRedis | undefined;
  let load: BenchChild | undefined;
  try {
    if (options.parts.includes(1)) for (const bits of options.bits) ceilingFor(bits);
    if (needRedis) {
      redis = await startBenchRedis();
      progress(`Redis at ${redis.url}`);
    }
    load = await BenchChild.start("load generator", "load-process.ts", []);
    const hopOptions = (bits: KeyBits, storeUrl: string, processes: number) => ({
      bits,
      keys: keys.get(bits)!,
      storeUrl,
      storePrefix: redis?.prefix,
      processes,
      concurrency: options.smoke ? 2 * processes : options.concurrency * processes,
      seconds: options.seconds,
      fixedLogins: options.smoke ? 12 : undefined,
      halfRate: processes === 1,
      breakdown: true,
      nodeFlags: options.brokerNodeFlags,
      load: load!,
    });
    const check = (result: HopResult) => {
      if (result.saturated.completed === 0) throw new Error(`no login succeeded: ${failuresOf(result).join(" | ")}`);
      if (failuresOf(result).length > 0) progress(`  failures: ${failuresOf(result).join(" | ")}`);
      results.peakRssMb = Math.max(results.peakRssMb, result.peakRssMb);
      return result;
    };
    if (options.parts.includes(2)) {
      for (const bits of options.bits) {
        const ceiling = ceilingFor(bits);
        results.hop[key(bits)] = summarizeHop(check(await runHop(hopOptions(bits, "memory", 1), progress)), ceiling);
        if (redis) {
          results.hopRedis[key(bits)] = summarizeHop(check(await runHop(hopOptions(bits, redis.url, 1), progress)), ceiling);
        }
      }
    }
    if (options.parts.includes(3) && redis) {
      // One and two processes back to back, so both see the same machine.
      const bits = options.scaleBits;
      const one = check(await runHop({ ...hopOptions(bits, redis.url, 1), halfRate: false, breakdown: false }, progress));
      const two = check(await runHop({ ...hopOptions(bits, redis.url, 2), breakdown: false }, progress));
      results.scaleOut = {
        ratio: two.saturated.loginsPerSec / one.saturated.loginsPerSec,
        bits,
        oneProcessPerSec: one.saturated.loginsPerSec,
        twoProcessesPerSec: two.saturated.loginsPerSec,
        cpuMsPerLogin: { one: one.saturated.cpuMsPerLogin, two: two.saturated.cpuMsPerLogin },
        brokerCores: { one: one.saturated.brokerCores, two: two.saturated.brokerCores },
      };
    }
    if (options.parts.includes(4)) {
      const whole = await runWholeLogin(
        { bits: options.wholeBits, keys: keys.get(options.wholeBits)!, logins: options.smoke ? 4 : options.wholeLogins, concurrency: 4, nodeFlags: options.brokerNodeFlags, load },
        progress,
      );
      if (whole.sequential.completed === 0) throw new Error(`no whole login succeeded: ${whole.sequential.failures.join(" | ")}`);
      results.wholeLogin = whole;
      results.peakRssMb = Math.max(results.peakRssMb, whole.peakRssMb);
    }
  } finally {
    await load?.stop();
    await redis?.stop();
  }
  results.machine.loadAverage.end = loadavg().map((l) => Math.round(l * 100) / 100);
  results.durationSeconds = Math.round((Date.now() - started) / 1000);
  results.targets = targetChecks(results);
  return results;
}

function targetChecks(results: BenchResults): TargetCheck[] {
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
  return checks;
}

const PHASE_LABELS: Record<(typeof LOGIN_PHASES)[number] | "total", string> = {
  parse: "parse (base64, XML)",
  store: "store (state, replay, SSO session)",
  decrypt: "decrypt (RSA-OAEP, AES-GCM, parse)",
  verify: "verify (c14n, digest, RSA verify)",
  map: "map (pipeline)",
  build: "build (assertion, Response, base64)",
  sign: "sign (c14n, digest, RSA sign)",
  encrypt: "encrypt (AES-GCM, RSA-OAEP)",
  total: "total inside the broker",
};

const STEP_LABELS: Record<(typeof WHOLE_LOGIN_STEPS)[number], string> = {
  spLogin: "fagsystem: AuthnRequest (sign)",
  brokerSso: "broker: SSO (verify, store, sign)",
  idpSso: "IdP: login page (verify)",
  idpLogin: "IdP: Response (sign, encrypt)",
  brokerAcs: "broker: ACS hop",
  spAcs: "fagsystem: ACS (decrypt, verify)",
};

/** The results as Markdown tables (printed by `npm run bench`, pasted into docs/performance.md). */
export function renderReport(results: BenchResults): string {
  const out: string[] = [];
  const m = results.machine;
  out.push(`Measured ${results.measuredAt} on ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}, OpenSSL ${m.openssl}.`);
  out.push(`Load average at start ${m.loadAverage.start.join(" / ")}, at end ${m.loadAverage.end.join(" / ")}. Run took ${results.durationSeconds} s.`);
  out.push(`Broker processes run with ${results.settings.brokerNodeFlags.length ? results.settings.brokerNodeFlags.join(" ") : "Node's default flags"}.`);
  const bitsList = Object.keys(results.ceilingDetail) as Array<`rsa${KeyBits}`>;
  if (bitsList.length > 0) {
    out.push("", "### 1. Cryptographic ceiling (private-key operations per login, one core)", "");
    out.push(
      table(
        ["key", "RSA-OAEP decrypt (ms)", "RSA-SHA256 sign (ms)", "logins/s/core"],
        bitsList.map((name) => {
          const c = results.ceilingDetail[name]!;
          return [name.toUpperCase(), c.decryptMs, c.signMs, c.loginsPerSecPerCore];
        }),
      ),
    );
  }
  const hopRows: Array<Array<string | number>> = [];
  for (const [group, label] of [[results.hop, "memory"], [results.hopRedis, "Redis"]] as const) {
    for (const name of Object.keys(group) as Array<`rsa${KeyBits}`>) {
      const h = group[name]!;
      hopRows.push([
        name.toUpperCase(),
        label,
        h.loginsPerSec,
        h.cpuMsPerLogin,
        h.loginsPerSecPerCore,
        percent(h.ratio),
        h.saturated.p99Ms,
        h.halfRate?.ratePerSec ?? Number.NaN,
        h.p50Ms,
        h.p95Ms,
        h.p99Ms,
        h.halfRate?.maxGcPauseMs ?? Number.NaN,
        h.peakRssMb,
      ]);
    }
  }
  if (hopRows.length > 0) {
    const concurrency = Object.values(results.hop)[0]?.concurrency ?? Object.values(results.hopRedis)[0]?.concurrency;
    out.push("", `### 2. ACS hop (one broker process; maximum rate closed-loop at concurrency ${concurrency}, latency open-loop at half that rate)`, "");
    out.push(
      table(
        ["key", "store", "logins/s", "CPU ms/login", "logins/s/core", "of ceiling", "p99 at max (ms)", "half rate (/s)", "p50 (ms)", "p95 (ms)", "p99 (ms)", "longest GC pause (ms)", "peak RSS (MB)"],
        hopRows,
        2,
      ),
    );
    const phaseSource = [...Object.entries(results.hop), ...Object.entries(results.hopRedis).map(([k, v]) => [`${k} Redis`, v] as const)];
    out.push("", "Where the broker's time goes in the ACS hop (mean ms per login, measured inside the broker, one login at a time):", "");
    out.push(
      table(
        ["step", ...phaseSource.map(([name]) => name.toUpperCase().replace(" REDIS", " Redis"))],
        [
          ...[...LOGIN_PHASES, "total" as const].map((phase) => [PHASE_LABELS[phase], ...phaseSource.map(([, h]) => h!.phasesMs[phase])]),
          ["HTTP round trip, one login alone (p50)", ...phaseSource.map(([, h]) => h!.aloneP50Ms)],
        ],
      ),
    );
  }
  if (results.scaleOut) {
    const s = results.scaleOut;
    out.push("", `### 3. Scale-out (RSA-${s.bits}, Redis, round-robin over the processes)`, "");
    out.push(
      table(
        ["broker processes", "logins/s", "CPU ms/login", "cores busy", "relative"],
        [
          ["1", s.oneProcessPerSec, s.cpuMsPerLogin.one, s.brokerCores.one, "1.00×"],
          ["2", s.twoProcessesPerSec, s.cpuMsPerLogin.two, s.brokerCores.two, `${s.ratio.toFixed(2)}×`],
        ],
      ),
    );
  }
  if (results.wholeLogin) {
    const w = results.wholeLogin;
    out.push("", `### 4. Whole login with the demo parties (RSA-${w.bits}; fagsystem → broker → IdP → broker → fagsystem over loopback HTTP)`, "");
    out.push(
      table(
        ["browsers", "logins/s", "p50 (ms)", "p99 (ms)", "broker CPU ms/login", "IdP + fagsystem CPU ms/login"],
        [w.sequential, w.concurrent].map((r) => [String(r.concurrency), r.loginsPerSec, r.latency.p50Ms, r.latency.p99Ms, r.brokerCpuMsPerLogin, r.partiesCpuMsPerLogin]),
      ),
    );
    out.push("", "One login at a time, mean ms per step as the browser saw it, and the broker's ACS step from the inside:", "");
    out.push(table(["step", "ms"], WHOLE_LOGIN_STEPS.map((step) => [STEP_LABELS[step], w.sequential.stepsMs[step]])));
    out.push("");
    out.push(table(["inside the broker's ACS step", "ms"], [...LOGIN_PHASES, "total" as const].map((phase) => [PHASE_LABELS[phase], w.sequential.brokerPhasesMs[phase]])));
  }
  if (results.targets.length > 0) {
    out.push("", "### Targets", "");
    out.push(table(["target", "measured", "met"], results.targets.map((t) => [t.target, t.value, t.met ? "yes" : "no"]), 1));
  }
  return out.join("\n");
}
