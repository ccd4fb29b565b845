/**
 * Part 4, the whole login with the demo parties: the demo fagsystem sends
 * the browser to the broker, the broker to the demo IdP, the IdP back to the
 * broker and the broker to the fagsystem, all over HTTP on loopback, each
 * step followed by the load process as a browser would. Three processes:
 * the broker, the demo parties (IdP and fagsystem), the browser(s).
 */
import { BenchChild } from "./processes.js";
import { WHOLE_LOGIN_STEPS, type LoadResult, type WholeLoginJob, type WholeLoginStep } from "./load-jobs.js";
import { type KeyBits, type PartyKeys } from "./parties.js";
import { brokerStats } from "./hop.js";
import { summarize, type LatencySummary } from "./stats.js";
import { LOGIN_PHASES, type LoginTimings } from "../../src/observability/login-timings.js";
import { startDemoWorld } from "./demo-world.js";

export interface WholeLoginOptions {
  bits: KeyBits;
  keys: PartyKeys;
  logins: number;
  concurrency: number;
  nodeFlags: string[];
  load: BenchChild;
}

export interface WholeLoginRun {
  concurrency: number;
  loginsPerSec: number;
  completed: number;
  failed: number;
  failures: string[];
  latency: LatencySummary;
  /** Mean milliseconds per step, as the browser saw them. */
  stepsMs: Record<WholeLoginStep, number>;
  /** The broker's own timings inside its ACS step, mean per login. */
  brokerPhasesMs: LoginTimings;
  brokerCpuMsPerLogin: number;
  partiesCpuMsPerLogin: number;
}

export interface WholeLoginResult {
  bits: KeyBits;
  /** One login at a time: the breakdown without queueing. */
  sequential: WholeLoginRun;
  /** Several browsers at once: logins per second end to end. */
  concurrent: WholeLoginRun;
  /** Peak memory of the broker process. */
  peakRssMb: number;
}

interface PartyStats {
  cpuMs: number;
  maxRssMb: number;
}

export async function runWholeLogin(options: WholeLoginOptions, progress: (line: string) => void = () => {}): Promise<WholeLoginResult> {
  const world = await startDemoWorld(options);
  const { brokers, parties: demoParties, spBase, user } = world;
  try {
    const run = async (count: number, concurrency: number): Promise<WholeLoginRun> => {
      const job: WholeLoginJob = { kind: "whole", spUrl: spBase, user, count, concurrency, timeoutMs: 120_000 };
      const brokerBefore = await brokerStats(brokers, true);
      const partiesBefore = await demoParties.call<PartyStats>("stats");
      const result = await options.load.call<LoadResult>("whole", job, job.timeoutMs + 60_000);
      const brokerAfter = (await brokerStats(brokers, true))[0]!;
      const partiesAfter = await demoParties.call<PartyStats>("stats");
      const completed = Math.max(1, result.completed);
      const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN);
      return {
        concurrency,
        loginsPerSec: result.completed / (result.elapsedMs / 1000),
        completed: result.completed,
        failed: result.failed,
        failures: result.failures,
        latency: summarize(result.latenciesMs),
        stepsMs: Object.fromEntries(WHOLE_LOGIN_STEPS.map((step) => [step, mean(result.stepsMs?.[step] ?? [])])) as Record<WholeLoginStep, number>,
        brokerPhasesMs: Object.fromEntries(
          [...LOGIN_PHASES, "total"].map((phase) => [phase, brokerAfter.phaseSumsMs[phase as keyof LoginTimings] / Math.max(1, brokerAfter.logins)]),
        ) as LoginTimings,
        brokerCpuMsPerLogin: (brokerAfter.cpuMs - brokerBefore[0]!.cpuMs) / completed,
        partiesCpuMsPerLogin: (partiesAfter.cpuMs - partiesBefore.cpuMs) / completed,
      };
    };
    progress(`whole login, RSA-${options.bits}: warm-up`);
    await run(Math.min(20, options.logins), 2);
    progress(`whole login, RSA-${options.bits}: ${options.logins} logins one at a time`);
    const sequential = await run(options.logins, 1);
    progress(`whole login, RSA-${options.bits}: ${options.logins * 2} logins, 4 browsers`);
    const concurrent = await run(options.logins * 2, 4);
    const peakRssMb = (await brokerStats(brokers, false))[0]!.maxRssMb;
    return { bits: options.bits, sequential, concurrent, peakRssMb };
  } finally {
    await world.stop();
  }
}

