/**
 * Parts 2 and 3, the ACS hop: N logins are started at the broker (the
 * fagsystem's AuthnRequests accepted, the state stored) and N matching IdP
 * Responses are signed and encrypted before timing starts. The load process
 * then posts them to the ACS endpoint(s), closed-loop at a fixed concurrency
 * for the maximum rate, and open-loop at half that rate for the latency a
 * broker shows when it is not saturated.
 */
import { createWriteStream, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { BenchChild } from "./processes.js";
import { compiledBrokerProcess } from "./compiled-broker.js";
import type { BrokerReady, BrokerStats } from "./broker-stats.js";
import type { AcsJob, LoadResult } from "./load-jobs.js";
import { HttpClient } from "./http-client.js";
import { createSetup, type BenchSetup, type KeyBits, type PartyKeys } from "./parties.js";
import { idpResponseBody, spAuthnRequestPath, upstreamRequestId } from "./peers.js";
import { summarize, type LatencySummary } from "./stats.js";
import { LOGIN_PHASES, type LoginTimings } from "../../src/observability/login-timings.js";

export interface Brokers {
  children: BenchChild<BrokerReady>[];
  urls: string[];
}

export async function startBrokers(setup: BenchSetup, count: number, nodeFlags: string[] = []): Promise<Brokers> {
  const children: BenchChild<BrokerReady>[] = [];
  const entry = process.env["BENCH_BROKER"] === "compiled" ? compiledBrokerProcess() : "broker-process.ts";
  try {
    for (let i = 0; i < count; i++) children.push(await BenchChild.start<BrokerReady>(`broker ${i + 1}`, entry, [setup.configDir], nodeFlags));
  } catch (error) {
    await Promise.all(children.map((child) => child.stop()));
    throw error;
  }
  return { children, urls: children.map((child) => child.ready.url) };
}

export function brokerStats(brokers: Brokers, reset: boolean): Promise<BrokerStats[]> {
  return Promise.all(brokers.children.map((child) => child.call<BrokerStats>("stats", { reset })));
}

/**
 * Starts `count` logins at the brokers and writes one IdP Response per login
 * (as an ACS form body) to `file`. Login i is started at broker (i + 1) mod k
 * and answered at broker i mod k, so with two processes every ACS request
 * needs the state the other process stored.
 */
export async function prepareLogins(setup: BenchSetup, brokerUrls: string[], count: number, file: string, concurrency = 8): Promise<void> {
  const out = createWriteStream(file, { flags: "a" });
  const client = new HttpClient(concurrency);
  const bodies: string[] = new Array<string>(count);
  let written = 0;
  let next = 0;
  const flush = async () => {
    // Lines go out in order; the write and the index move together, so concurrent flushes never repeat one.
    while (written < count && bodies[written] !== undefined) {
      const line = bodies[written]!;
      bodies[written] = "";
      written += 1;
      if (!out.write(`${line}\n`)) await once(out, "drain");
    }
  };
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const broker = brokerUrls[(index + 1) % brokerUrls.length]!;
      const answer = await client.send(`${broker}${spAuthnRequestPath(setup.keys, setup.urls)}`, "GET");
      if (answer.status !== 303 || !answer.location) throw new Error(`the broker did not accept the AuthnRequest (${answer.status}): ${answer.body.slice(0, 300)}`);
      bodies[index] = await idpResponseBody(setup.keys, setup.urls, upstreamRequestId(answer.location));
      await flush();
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
    await flush();
  } finally {
    client.close();
    out.end();
    await once(out, "close");
  }
}

export interface HopOptions {
  bits: KeyBits;
  keys: PartyKeys;
  storeUrl: string;
  storePrefix?: string;
  processes: number;
  concurrency: number;
  /** Target length of the timed runs. */
  seconds: number;
  /** Fixed login counts instead of ones derived from the measured rate (smoke runs). */
  fixedLogins?: number;
  halfRate: boolean;
  /** Also post logins one at a time, for the step breakdown. */
  breakdown: boolean;
  /** Node flags for the broker processes. */
  nodeFlags: string[];
  load: BenchChild;
}

export interface HopRun {
  loginsPerSec: number;
  completed: number;
  failed: number;
  failures: string[];
  seconds: number;
  latency: LatencySummary;
  /** Broker CPU time per login (all broker processes, all threads). */
  cpuMsPerLogin: number;
  /** Cores the broker processes kept busy on average. */
  brokerCores: number;
  /** The longest garbage-collection pause in any broker process during the run. */
  maxGcPauseMs: number;
}

export interface HopResult {
  bits: KeyBits;
  store: string;
  processes: number;
  concurrency: number;
  saturated: HopRun;
  halfRate: (HopRun & { ratePerSec: number }) | undefined;
  /** One login at a time (when asked for). */
  sequential: HopRun | undefined;
  /** Mean per login of the broker's own step timings: one login at a time, or at the maximum rate without a breakdown run. */
  phasesMs: LoginTimings;
  peakRssMb: number;
}

function sumStats(before: BrokerStats[], after: BrokerStats[]): { cpuMs: number; logins: number; phaseSumsMs: LoginTimings } {
  let cpuMs = 0;
  let logins = 0;
  const phaseSumsMs = Object.fromEntries([...LOGIN_PHASES, "total"].map((phase) => [phase, 0])) as LoginTimings;
  after.forEach((stats, i) => {
    cpuMs += stats.cpuMs - before[i]!.cpuMs;
    logins += stats.logins;
    for (const phase of [...LOGIN_PHASES, "total"] as const) phaseSumsMs[phase] += stats.phaseSumsMs[phase];
  });
  return { cpuMs, logins, phaseSumsMs };
}

async function timedRun(brokers: Brokers, load: BenchChild, job: AcsJob): Promise<{ run: HopRun; phaseSumsMs: LoginTimings; logins: number }> {
  const before = await brokerStats(brokers, true);
  const result = await load.call<LoadResult>("acs", job, job.timeoutMs + 60_000);
  const after = await brokerStats(brokers, true);
  const used = sumStats(before, after);
  const seconds = result.elapsedMs / 1000;
  return {
    run: {
      loginsPerSec: result.completed / seconds,
      completed: result.completed,
      failed: result.failed,
      failures: result.failures,
      seconds,
      latency: summarize(result.latenciesMs),
      cpuMsPerLogin: used.cpuMs / Math.max(1, result.completed),
      brokerCores: used.cpuMs / result.elapsedMs,
      maxGcPauseMs: Math.max(...after.map((stats) => stats.gc.maxMs)),
    },
    phaseSumsMs: used.phaseSumsMs,
    logins: used.logins,
  };
}

export async function runHop(options: HopOptions, progress: (line: string) => void = () => {}): Promise<HopResult> {
  const setup = await createSetup({ bits: options.bits, keys: options.keys, storeUrl: options.storeUrl, storePrefix: options.storePrefix });
  const work = mkdtempSync(join(tmpdir(), "broker-bench-bodies-"));
  const brokers = await startBrokers(setup, options.processes, options.nodeFlags);
  const label = `RSA-${options.bits}, ${options.storeUrl === "memory" ? "memory" : "Redis"}, ${options.processes} process${options.processes > 1 ? "es" : ""}`;
  try {
    let file = 0;
    let peakRssMb = 0;
    const timeoutMs = Math.max(60_000, options.seconds * 6_000);
    const job = async (count: number, extra: Partial<AcsJob>): Promise<AcsJob> => {
      const bodiesFile = join(work, `bodies-${file++}.txt`);
      await prepareLogins(setup, brokers.urls, count, bodiesFile);
      return { kind: "acs", targets: brokers.urls, bodiesFile, from: 0, count, concurrency: options.concurrency, timeoutMs, ...extra };
    };
    // Warm-up: JIT, connection pools, and a first estimate of the rate.
    const warmupCount = options.fixedLogins ?? Math.max(100, options.concurrency * 10);
    progress(`${label}: warm-up (${warmupCount} logins)`);
    const warmup = await timedRun(brokers, options.load, await job(warmupCount, {}));
    if (warmup.run.completed === 0) throw new Error(`${label}: no login succeeded in the warm-up: ${warmup.run.failures.join(" | ")}`);
    const count = options.fixedLogins ?? Math.max(200, Math.ceil(warmup.run.loginsPerSec * 1.3 * options.seconds));
    progress(`${label}: preparing ${count} logins, then posting them at concurrency ${options.concurrency}`);
    const saturated = await timedRun(brokers, options.load, await job(count, {}));
    let halfRate: HopResult["halfRate"];
    if (options.halfRate) {
      const ratePerSec = Math.max(1, saturated.run.loginsPerSec / 2);
      const halfCount = options.fixedLogins ?? Math.max(100, Math.ceil(ratePerSec * options.seconds));
      progress(`${label}: ${halfCount} logins at half the maximum rate (${ratePerSec.toFixed(0)}/s)`);
      const half = await timedRun(brokers, options.load, await job(halfCount, { ratePerSec, concurrency: Math.max(64, options.concurrency * 4) }));
      halfRate = { ...half.run, ratePerSec };
    }
    // One login at a time, so a step that waits (store round trip, a callback) is not charged for other logins' work.
    let sequential: Awaited<ReturnType<typeof timedRun>> | undefined;
    if (options.breakdown) {
      const alone = options.fixedLogins ?? Math.min(400, Math.max(50, Math.ceil(saturated.run.loginsPerSec * 1.5)));
      progress(`${label}: ${alone} logins one at a time, for the step breakdown`);
      sequential = await timedRun(brokers, options.load, await job(alone, { concurrency: 1 }));
    }
    const measured = sequential ?? saturated;
    const phasesMs = Object.fromEntries(
      [...LOGIN_PHASES, "total"].map((phase) => [phase, measured.phaseSumsMs[phase as keyof LoginTimings] / Math.max(1, measured.logins)]),
    ) as LoginTimings;
    for (const stats of await brokerStats(brokers, false)) peakRssMb = Math.max(peakRssMb, stats.maxRssMb);
    return {
      bits: options.bits,
      store: options.storeUrl === "memory" ? "memory" : "redis",
      processes: options.processes,
      concurrency: options.concurrency,
      saturated: saturated.run,
      halfRate,
      sequential: sequential?.run,
      phasesMs,
      peakRssMb,
    };
  } finally {
    await Promise.all(brokers.children.map((child) => child.stop()));
  }
}
