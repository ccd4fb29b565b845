/**
 * The load generator, in its own process so it never shares the broker's
 * event loop. Runs one job at a time (see load-jobs.ts) and reports every
 * latency; the orchestrator does the statistics.
 */
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { HttpClient, formBody, readAutoPost } from "./http-client.js";
import { isSuccessfulAnswer } from "./peers.js";
import { serveChild } from "./processes.js";
import { WHOLE_LOGIN_STEPS, type AcsJob, type LoadResult, type OidcLoginJob, type WholeLoginJob, type WholeLoginStep } from "./load-jobs.js";
import { runOidcLogins } from "./oidc-load.js";

const bodyFiles = new Map<string, string[]>();

function bodies(file: string): string[] {
  let lines = bodyFiles.get(file);
  if (!lines) {
    lines = readFileSync(file, "utf8").split("\n").filter((line) => line !== "");
    bodyFiles.set(file, lines);
  }
  return lines;
}

class Tally {
  completed = 0;
  failed = 0;
  readonly failures: string[] = [];
  readonly latenciesMs: number[] = [];

  fail(reason: string): void {
    this.failed += 1;
    if (this.failures.length < 5) this.failures.push(reason.slice(0, 300));
  }
}

async function runAcs(job: AcsJob): Promise<LoadResult> {
  const all = bodies(job.bodiesFile);
  if (job.from + job.count > all.length) throw new Error(`only ${all.length} prepared responses, job needs ${job.from + job.count}`);
  const client = new HttpClient(Math.max(1, Math.ceil(job.concurrency / job.targets.length)));
  const tally = new Tally();
  const started = performance.now();
  const deadline = started + job.timeoutMs;
  const post = async (index: number, plannedStart: number) => {
    const url = `${job.targets[index % job.targets.length]}/saml/acs`;
    try {
      const answer = await client.send(url, "POST", all[job.from + index]!);
      if (answer.status === 200 && isSuccessfulAnswer(answer.body)) {
        tally.completed += 1;
        tally.latenciesMs.push(performance.now() - plannedStart);
      } else {
        tally.fail(`HTTP ${answer.status}: ${answer.body.replace(/\s+/g, " ").slice(0, 200)}`);
      }
    } catch (error) {
      tally.fail((error as Error).message);
    }
  };
  if (job.ratePerSec === undefined) {
    let next = 0;
    const worker = async () => {
      while (next < job.count && performance.now() < deadline) {
        const index = next++;
        await post(index, performance.now());
      }
    };
    await Promise.all(Array.from({ length: job.concurrency }, worker));
  } else {
    const interval = 1000 / job.ratePerSec;
    const inFlight = new Set<Promise<void>>();
    for (let index = 0; index < job.count && performance.now() < deadline; index++) {
      const planned = started + index * interval;
      const wait = planned - performance.now();
      if (wait > 0.5) await sleep(wait);
      if (inFlight.size >= job.concurrency) await Promise.race(inFlight);
      const request = post(index, planned).finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
    await Promise.all(inFlight);
  }
  const elapsedMs = performance.now() - started;
  client.close();
  return { completed: tally.completed, failed: tally.failed, failures: tally.failures, elapsedMs, latenciesMs: tally.latenciesMs };
}

async function runWholeLogins(job: WholeLoginJob): Promise<LoadResult> {
  const client = new HttpClient(job.concurrency * 2);
  const tally = new Tally();
  const steps = Object.fromEntries(WHOLE_LOGIN_STEPS.map((step) => [step, [] as number[]])) as Record<WholeLoginStep, number[]>;
  const started = performance.now();
  const deadline = started + job.timeoutMs;
  const login = async () => {
    const times: Partial<Record<WholeLoginStep, number>> = {};
    const step = async <T>(name: WholeLoginStep, work: () => Promise<T>): Promise<T> => {
      const start = performance.now();
      const result = await work();
      times[name] = performance.now() - start;
      return result;
    };
    const expect = (ok: boolean, what: string, body: string) => {
      if (!ok) throw new Error(`${what}: ${body.replace(/\s+/g, " ").slice(0, 200)}`);
    };
    const begin = performance.now();
    const toBroker = await step("spLogin", () => client.send(`${job.spUrl}/login`, "GET"));
    expect(toBroker.status === 303 && !!toBroker.location, `fagsystem /login answered ${toBroker.status}`, toBroker.body);
    const toIdp = await step("brokerSso", () => client.send(toBroker.location!, "GET"));
    expect(toIdp.status === 303 && !!toIdp.location, `broker SSO answered ${toIdp.status}`, toIdp.body);
    const idpPage = await step("idpSso", () => client.send(toIdp.location!, "GET"));
    const requestKey = /name="request" value="([^"]+)"/.exec(idpPage.body)?.[1];
    expect(idpPage.status === 200 && !!requestKey, `IdP SSO answered ${idpPage.status}`, idpPage.body);
    const idpLoginUrl = new URL("/login", toIdp.location!).href;
    const idpAnswer = await step("idpLogin", () => client.send(idpLoginUrl, "POST", formBody({ request: requestKey!, user: job.user })));
    expect(idpAnswer.status === 200, `IdP login answered ${idpAnswer.status}`, idpAnswer.body);
    const toAcs = readAutoPost(idpAnswer.body);
    const brokerAnswer = await step("brokerAcs", () => client.send(toAcs.action, "POST", formBody(toAcs.fields)));
    expect(brokerAnswer.status === 200 && isSuccessfulAnswer(brokerAnswer.body), `broker ACS answered ${brokerAnswer.status}`, brokerAnswer.body);
    const toSp = readAutoPost(brokerAnswer.body);
    const spPage = await step("spAcs", () => client.send(toSp.action, "POST", formBody(toSp.fields)));
    expect(spPage.status === 200 && spPage.body.includes("Logget ind"), `fagsystem ACS answered ${spPage.status}`, spPage.body);
    tally.completed += 1;
    tally.latenciesMs.push(performance.now() - begin);
    for (const name of WHOLE_LOGIN_STEPS) steps[name].push(times[name]!);
  };
  const attempt = async () => {
    try {
      await login();
    } catch (error) {
      tally.fail((error as Error).message);
    }
  };
  if (job.ratePerSec === undefined) {
    let next = 0;
    const worker = async () => {
      while (next < job.count && performance.now() < deadline) {
        next += 1;
        await attempt();
      }
    };
    await Promise.all(Array.from({ length: job.concurrency }, worker));
  } else {
    // Open loop at a steady rate, as people arrive; at most `concurrency` in flight.
    const interval = 1000 / job.ratePerSec;
    const inFlight = new Set<Promise<void>>();
    for (let index = 0; index < job.count && performance.now() < deadline; index++) {
      const wait = started + index * interval - performance.now();
      if (wait > 0.5) await sleep(wait);
      if (inFlight.size >= job.concurrency) await Promise.race(inFlight);
      const running = attempt().finally(() => inFlight.delete(running));
      inFlight.add(running);
    }
    await Promise.all(inFlight);
  }
  const elapsedMs = performance.now() - started;
  client.close();
  return { completed: tally.completed, failed: tally.failed, failures: tally.failures, elapsedMs, latenciesMs: tally.latenciesMs, stepsMs: steps };
}

serveChild(async () => ({
  ready: { pid: process.pid },
  handlers: {
    acs: (job: AcsJob) => runAcs(job),
    whole: (job: WholeLoginJob) => runWholeLogins(job),
    oidc: async (job: OidcLoginJob): Promise<LoadResult> => {
      const client = new HttpClient(job.concurrency * 2);
      const started = performance.now();
      const result = await runOidcLogins(job, client);
      client.close();
      return { ...result, elapsedMs: performance.now() - started };
    },
  },
  stop: async () => {},
}));
