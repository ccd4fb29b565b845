/**
 * Part 6, the soak: whole logins with the demo parties at a steady rate for
 * minutes, sampling the broker's memory after full collections and its
 * event-loop delay as it goes. Shows whether memory levels off once the
 * store's entries have turned over, and where the latency tail comes from.
 */
import { BenchChild } from "./processes.js";
import type { LoadResult, WholeLoginJob } from "./load-jobs.js";
import { createSetup, type KeyBits, type PartyKeys } from "./parties.js";
import { freePort } from "./redis.js";
import { startBrokers } from "./hop.js";
import { summarize, type LatencySummary } from "./stats.js";
import { DEMO_USERS } from "../../src/demo/demo-users.js";
import type { DemoPartiesArgs } from "./demo-parties-process.js";

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
  const [brokerPort, idpPort, spPort] = [await freePort(), await freePort(), await freePort()];
  const idpBase = `http://127.0.0.1:${idpPort}`;
  const spBase = `http://127.0.0.1:${spPort}`;
  const setup = await createSetup({
    bits: options.bits,
    keys: options.keys,
    port: brokerPort,
    logLevel: "warn",
    urls: { brokerBase: `http://127.0.0.1:${brokerPort}`, idpEntityId: `${idpBase}/idp`, idpSsoUrl: `${idpBase}/sso`, spEntityId: `${spBase}/sp`, spAcsUrl: `${spBase}/acs` },
  });
  const brokers = await startBrokers(setup, 1, options.nodeFlags);
  const broker = brokers.children[0]!;
  let parties: BenchChild | undefined;
  try {
    const args: DemoPartiesArgs = {
      brokerBase: setup.urls.brokerBase,
      idpPort,
      spPort,
      idpEntityId: setup.urls.idpEntityId,
      spEntityId: setup.urls.spEntityId,
      keys: { idpSigning: setup.keyFiles.idpSigning, spSigning: setup.keyFiles.spSigning, spEncryption: setup.keyFiles.spEncryption },
    };
    parties = await BenchChild.start("demo parties", "demo-parties-process.ts", [JSON.stringify(args)]);
    const user = DEMO_USERS.find((u) => u.nsis === "Substantial")?.username ?? "hanne";
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
    await Promise.all([...brokers.children.map((child) => child.stop()), parties?.stop()]);
  }
}
