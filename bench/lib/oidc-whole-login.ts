/**
 * Part 5, the whole OIDC login: a client sends the browser to the broker's
 * authorization endpoint, the broker to the demo IdP, the IdP back to the
 * broker's ACS, the broker finishes the authorization and the client
 * redeems the code at the token endpoint. Three processes: the broker, the
 * demo parties, the load generator (browser and client).
 */
import { BenchChild } from "./processes.js";
import { OIDC_LOGIN_STEPS, type LoadResult, type OidcLoginJob, type OidcLoginStep } from "./load-jobs.js";
import { IDP_ID, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI, type KeyBits, type PartyKeys } from "./parties.js";
import { brokerStats } from "./hop.js";
import { summarize, type LatencySummary } from "./stats.js";
import { startDemoWorld } from "./demo-world.js";

export interface OidcLoginOptions {
  bits: KeyBits;
  keys: PartyKeys;
  logins: number;
  concurrency: number;
  nodeFlags: string[];
  load: BenchChild;
}

export interface OidcLoginRun {
  concurrency: number;
  loginsPerSec: number;
  completed: number;
  failed: number;
  failures: string[];
  latency: LatencySummary;
  /** Mean milliseconds per step, as the browser and the client saw them. */
  stepsMs: Record<OidcLoginStep, number>;
  brokerCpuMsPerLogin: number;
}

export interface OidcLoginResult {
  bits: KeyBits;
  sequential: OidcLoginRun;
  concurrent: OidcLoginRun;
  peakRssMb: number;
}

export async function runOidcWholeLogin(options: OidcLoginOptions, progress: (line: string) => void = () => {}): Promise<OidcLoginResult> {
  const world = await startDemoWorld(options);
  const { brokers, brokerBase, user } = world;
  try {
    const run = async (count: number, concurrency: number): Promise<OidcLoginRun> => {
      const job: OidcLoginJob = {
        kind: "oidc",
        issuer: `${brokerBase}/oidc`,
        clientId: OIDC_CLIENT_ID,
        clientSecret: OIDC_CLIENT_SECRET,
        redirectUri: OIDC_REDIRECT_URI,
        municipality: IDP_ID,
        user,
        count,
        concurrency,
        timeoutMs: 120_000,
      };
      const before = (await brokerStats(brokers, true))[0]!;
      const result = await options.load.call<LoadResult>("oidc", job, job.timeoutMs + 60_000);
      const after = (await brokerStats(brokers, true))[0]!;
      const mean = (values: number[] | undefined) => (values && values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN);
      return {
        concurrency,
        loginsPerSec: result.completed / (result.elapsedMs / 1000),
        completed: result.completed,
        failed: result.failed,
        failures: result.failures,
        latency: summarize(result.latenciesMs),
        stepsMs: Object.fromEntries(OIDC_LOGIN_STEPS.map((step) => [step, mean(result.stepsMs?.[step])])) as Record<OidcLoginStep, number>,
        brokerCpuMsPerLogin: (after.cpuMs - before.cpuMs) / Math.max(1, result.completed),
      };
    };
    progress(`OIDC login, RSA-${options.bits}: warm-up`);
    await run(Math.min(20, options.logins), 2);
    progress(`OIDC login, RSA-${options.bits}: ${options.logins} logins one at a time`);
    const sequential = await run(options.logins, 1);
    progress(`OIDC login, RSA-${options.bits}: ${options.logins * 2} logins, ${options.concurrency} browsers`);
    const concurrent = await run(options.logins * 2, options.concurrency);
    const peakRssMb = (await brokerStats(brokers, false))[0]!.maxRssMb;
    return { bits: options.bits, sequential, concurrent, peakRssMb };
  } finally {
    await world.stop();
  }
}
