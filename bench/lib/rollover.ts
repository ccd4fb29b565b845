/**
 * Part 7, the broker's key rollover under load: whole demo logins at a steady
 * rate while, halfway, the broker starts signing with its next key (as
 * SIGUSR2 or `npm run keys -- rollover` does). The demo fagsystem verifies
 * every assertion with the broker's metadata it imported at start, which
 * publishes both signing certificates: the target is 0 failed logins.
 */
import type { BenchChild } from "./processes.js";
import type { LoadResult, WholeLoginJob } from "./load-jobs.js";
import { newKey, type KeyBits, type PartyKeys } from "./parties.js";
import { summarize, type LatencySummary } from "./stats.js";
import { startDemoWorld } from "./demo-world.js";
import { readIdpMetadata } from "../../src/saml/metadata-reader.js";

export interface RolloverOptions {
  bits: KeyBits;
  keys: PartyKeys;
  seconds: number;
  ratePerSec: number;
  nodeFlags: string[];
  load: BenchChild;
}

export interface RolloverResult {
  bits: KeyBits;
  seconds: number;
  ratePerSec: number;
  completed: number;
  failed: number;
  failures: string[];
  /** Seconds into the run when signing moved to the next key. */
  switchedAtSeconds: number;
  /** Whether the broker's metadata names the next key first afterwards (it signs with it). */
  signingWithNextKey: boolean;
  latency: LatencySummary;
}

export async function runRollover(options: RolloverOptions, progress: (line: string) => void = () => {}): Promise<RolloverResult> {
  const nextKeys = { signing: await newKey("broker-next-signing", options.bits), encryption: await newKey("broker-next-encryption", options.bits) };
  const world = await startDemoWorld({ bits: options.bits, keys: options.keys, nodeFlags: options.nodeFlags, logLevel: "warn", nextKeys });
  const broker = world.brokers.children[0]!;
  try {
    const job: WholeLoginJob = {
      kind: "whole",
      spUrl: world.spBase,
      user: world.user,
      count: Math.max(2, Math.round(options.seconds * options.ratePerSec)),
      concurrency: 64,
      ratePerSec: options.ratePerSec,
      timeoutMs: (options.seconds + 60) * 1000,
    };
    progress(`rollover: ${options.seconds}s of logins at ${options.ratePerSec}/s, the broker's signing key rolls halfway, RSA-${options.bits}`);
    const started = Date.now();
    const running = options.load.call<LoadResult>("whole", job, job.timeoutMs + 60_000);
    await new Promise((resolve) => setTimeout(resolve, (options.seconds * 1000) / 2));
    const switched = await broker.call<boolean>("rollover");
    if (!switched) throw new Error("the broker did not roll its signing key (keys.next missing?)");
    const switchedAtSeconds = Math.round((Date.now() - started) / 100) / 10;
    progress(`  signing with the next key from ${switchedAtSeconds}s`);
    const result = await running;
    const published = readIdpMetadata(await (await fetch(`${world.brokerBase}/saml/metadata/idp`)).text()).signingCertificates;
    return {
      bits: options.bits,
      seconds: options.seconds,
      ratePerSec: options.ratePerSec,
      completed: result.completed,
      failed: result.failed,
      failures: result.failures,
      switchedAtSeconds,
      signingWithNextKey: published[0]?.replace(/\s/g, "") === nextKeys.signing.certificatePem.replace(/\s/g, ""),
      latency: summarize(result.latenciesMs),
    };
  } finally {
    await world.stop();
  }
}
