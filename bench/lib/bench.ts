/**
 * The benchmark: four parts, each bounded in time and cleaning up its own
 * processes, and one results object (written as bench-results.json by
 * `npm run bench`).
 *
 *   1. ceiling    the private-key operations of one login, per core
 *   2. ACS hop    logins/s, latency, CPU and memory, memory store and Redis
 *   3. scale-out  two broker processes on one Redis against one
 *   4. whole      fagsystem → broker → IdP → broker → fagsystem with the demo parties
 *   5. OIDC       authorize → broker → IdP → broker → code → token, with the demo IdP
 *   6. soak       steady whole logins for minutes: memory after GC, event-loop delay, p50/p99
 *   7. rollover   steady whole logins while the broker's signing key rolls: failed logins (target 0)
 */
import { cpus, loadavg, totalmem } from "node:os";
import { BenchChild } from "./processes.js";
import { partyKeys, type KeyBits } from "./parties.js";
import { measureCeiling } from "./ceiling.js";
import { runHop, type HopResult } from "./hop.js";
import { runWholeLogin } from "./whole-login.js";
import { runOidcWholeLogin } from "./oidc-whole-login.js";
import { runSoak } from "./soak.js";
import { runRollover } from "./rollover.js";
import { MachineLoad } from "./machine-load.js";
import { startBenchRedis, type BenchRedis } from "./redis.js";
import { DEFAULT_OPTIONS, type BenchOptions } from "./bench-options.js";
import { failuresOf, key, summarizeHop, targetChecks, type BenchResults } from "./bench-results.js";

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
    oidcLogin: undefined,
    soak: undefined,
    rollover: undefined,
    machineLoad: [],
    peakRssMb: 0,
    targets: [],
  };
  delete (results.settings as Partial<BenchOptions>).progress;
  const allBits = [
    ...new Set([
      ...(options.parts.includes(1) || options.parts.includes(2) ? options.bits : []),
      ...(options.parts.includes(3) ? [options.scaleBits] : []),
      ...(options.parts.includes(4) || options.parts.includes(5) || options.parts.includes(6) || options.parts.includes(7) ? [options.wholeBits] : []),
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
  const machine = new MachineLoad();
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
      await machine.measure("2. ACS hop", async () => {
        for (const bits of options.bits) {
          const ceiling = ceilingFor(bits);
          results.hop[key(bits)] = summarizeHop(check(await runHop(hopOptions(bits, "memory", 1), progress)), ceiling);
          if (redis) {
            results.hopRedis[key(bits)] = summarizeHop(check(await runHop(hopOptions(bits, redis.url, 1), progress)), ceiling);
          }
        }
      });
    }
    if (options.parts.includes(3) && redis) {
      await machine.measure("3. scale-out", async () => {
        // One and two processes back to back, so both see the same machine.
        const bits = options.scaleBits;
        const one = check(await runHop({ ...hopOptions(bits, redis!.url, 1), halfRate: false, breakdown: false }, progress));
        const two = check(await runHop({ ...hopOptions(bits, redis!.url, 2), breakdown: false }, progress));
        results.scaleOut = {
          ratio: two.saturated.loginsPerSec / one.saturated.loginsPerSec,
          bits,
          oneProcessPerSec: one.saturated.loginsPerSec,
          twoProcessesPerSec: two.saturated.loginsPerSec,
          cpuMsPerLogin: { one: one.saturated.cpuMsPerLogin, two: two.saturated.cpuMsPerLogin },
          brokerCores: { one: one.saturated.brokerCores, two: two.saturated.brokerCores },
        };
      });
    }
    if (options.parts.includes(4)) {
      await machine.measure("4. whole login", async () => {
        const whole = await runWholeLogin(
          { bits: options.wholeBits, keys: keys.get(options.wholeBits)!, logins: options.smoke ? 4 : options.wholeLogins, concurrency: 4, nodeFlags: options.brokerNodeFlags, load: load! },
          progress,
        );
        if (whole.sequential.completed === 0) throw new Error(`no whole login succeeded: ${whole.sequential.failures.join(" | ")}`);
        results.wholeLogin = whole;
        results.peakRssMb = Math.max(results.peakRssMb, whole.peakRssMb);
      });
    }
    if (options.parts.includes(5)) {
      await machine.measure("5. OIDC login", async () => {
        const oidc = await runOidcWholeLogin(
          { bits: options.wholeBits, keys: keys.get(options.wholeBits)!, logins: options.smoke ? 4 : options.wholeLogins, concurrency: 4, nodeFlags: options.brokerNodeFlags, load: load! },
          progress,
        );
        if (oidc.sequential.completed === 0) throw new Error(`no OIDC login succeeded: ${oidc.sequential.failures.join(" | ")}`);
        results.oidcLogin = oidc;
        results.peakRssMb = Math.max(results.peakRssMb, oidc.peakRssMb);
      });
    }
    if (options.parts.includes(6)) {
      await machine.measure("6. soak", async () => {
        const soak = await runSoak(
          {
            bits: options.wholeBits,
            keys: keys.get(options.wholeBits)!,
            minutes: options.smoke ? 0.25 : options.soakMinutes,
            ratePerSec: options.smoke ? 4 : options.soakRate,
            sampleSeconds: options.smoke ? 5 : 15,
            nodeFlags: options.brokerNodeFlags,
            load: load!,
          },
          progress,
        );
        if (soak.completed === 0) throw new Error(`no soak login succeeded: ${soak.failures.join(" | ")}`);
        results.soak = soak;
        results.peakRssMb = Math.max(results.peakRssMb, soak.peakRssMb);
      });
    }
    if (options.parts.includes(7)) {
      await machine.measure("7. key rollover", async () => {
        const rollover = await runRollover(
          {
            bits: options.wholeBits,
            keys: keys.get(options.wholeBits)!,
            seconds: options.smoke ? 4 : options.rolloverSeconds,
            ratePerSec: options.smoke ? 4 : options.rolloverRate,
            nodeFlags: options.brokerNodeFlags,
            load: load!,
          },
          progress,
        );
        results.rollover = rollover;
      });
    }
  } finally {
    await load?.stop();
    await redis?.stop();
  }
  results.machine.loadAverage.end = loadavg().map((l) => Math.round(l * 100) / 100);
  results.durationSeconds = Math.round((Date.now() - started) / 1000);
  results.machineLoad = machine.parts;
  results.targets = targetChecks(results);
  return results;
}
