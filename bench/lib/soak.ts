/**
 * Part 6, the soak: whole logins with the demo parties at a steady rate for
 * minutes, sampling the broker's memory after full collections and its
 * event-loop delay as it goes. Shows whether memory levels off once the
 * store's entries have turned over, and where the latency tail comes from.
 */
import { BenchChild } from "./processes.js";
import type { LoadResult, WholeLoginJob } from "./load-jobs.js";
import { type KeyBits, type PartyKeys } from "./parties.js";
import { summarize, type LatencySummary } from "./stats.js";
import { startDemoWorld } from "./demo-world.js";

export interface SoakOptions {
  bits: KeyBits;
  keys: PartyKeys;
  minutes: number;
  ratePerSec: number;
  sampleSeconds: number;
  nodeFlags: string[];
  load: BenchChild;
}

export interface SoakSample {
  atSeconds: number;
  heapAfterGcMb: number;
  rssMb: number;
  /** The broker process's peak resident set size so far. */
  maxRssMb: number;
  loopDelayMs: { p50: number; p99: number; max: number };
}

export interface SoakResult {
  bits: KeyBits;
  minutes: number;
  ratePerSec: number;
  achievedPerSec: number;
  completed: number;
  failed: number;
  failures: string[];
  latency: LatencySummary;
  samples: SoakSample[];
  peakRssMb: number;
  /** Heap after GC: the last sample against the first sample after the first minute (growth once warm). */
  heapGrowthAfterWarmupMb: number;
}

export async function runSoak(options: SoakOptions, progress: (line: string) => void = () => {}): Promise<SoakResult> {
  const world = await startDemoWorld({ ...options, logLevel: "warn" });
  const { spBase, user } = world;
  const broker = world.brokers.children[0]!;
  try {
    const seconds = options.minutes * 60;
    const job: WholeLoginJob = { kind: "whole", spUrl: spBase, user, count: Math.round(seconds * options.ratePerSec), concurrency: 64, ratePerSec: options.ratePerSec, timeoutMs: (seconds + 60) * 1000 };
    progress(`soak: ${options.minutes} min at ${options.ratePerSec} logins/s, RSA-${options.bits}`);
    const started = Date.now();
    const samples: SoakSample[] = [];
    const take = async () => samples.push({ atSeconds: Math.round((Date.now() - started) / 1000), ...(await broker.call<Omit<SoakSample, "atSeconds">>("sample")) });
    await take();
    let done = false;
    const running = options.load.call<LoadResult>("whole", job, job.timeoutMs + 60_000).finally(() => {
      done = true;
    });
    while (!done) {
      await Promise.race([running.then(() => undefined, () => undefined), new Promise((resolve) => setTimeout(resolve, options.sampleSeconds * 1000))]);
      if (!done) {
        await take();
        const last = samples.at(-1)!;
        progress(`  ${last.atSeconds}s: heap ${last.heapAfterGcMb.toFixed(1)} MB after GC, RSS ${last.rssMb.toFixed(0)} MB`);
      }
    }
    const result = await running;
    await take();
    const warm = samples.find((s) => s.atSeconds >= 60) ?? samples[0]!;
    const last = samples.at(-1)!;
    return {
      bits: options.bits,
      minutes: options.minutes,
      ratePerSec: options.ratePerSec,
      achievedPerSec: result.completed / (result.elapsedMs / 1000),
      completed: result.completed,
      failed: result.failed,
      failures: result.failures,
      latency: summarize(result.latenciesMs),
      samples,
      peakRssMb: Math.max(...samples.map((s) => s.maxRssMb)),
      heapGrowthAfterWarmupMb: last.heapAfterGcMb - warm.heapAfterGcMb,
    };
  } finally {
    await world.stop();
  }
}
