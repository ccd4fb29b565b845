/**
 * `npm run bench` with a few logins per part, so the benchmark keeps working
 * as the broker changes. It measures nothing; it checks that every part runs
 * end to end (real keys, real processes, Redis) and that the results carry
 * the fields other tools read from bench-results.json.
 */
import { describe, expect, it } from "vitest";
import { runBench } from "../bench/lib/bench.js";
import { renderReport } from "../bench/lib/bench-report.js";

describe("the benchmark (smoke run)", () => {
  it("runs the ceiling, the ACS hop (memory and Redis), scale-out, the whole login, the whole OIDC login, the soak and the key rollover", async () => {
    const results = await runBench({ smoke: true, bits: [2048], scaleBits: 2048, wholeBits: 2048, seconds: 1 });
    expect(results.ceiling.rsa2048).toBeGreaterThan(0);
    for (const hop of [results.hop.rsa2048!, results.hopRedis.rsa2048!]) {
      expect(hop.failed).toBe(0);
      for (const value of [hop.loginsPerSec, hop.ratio, hop.p50Ms, hop.p99Ms, hop.cpuMsPerLogin]) expect(value).toBeGreaterThan(0);
      expect(hop.phasesMs.sign).toBeGreaterThan(0);
      expect(hop.phasesMs.decrypt).toBeGreaterThan(0);
    }
    expect(results.scaleOut?.ratio).toBeGreaterThan(0);
    expect(results.peakRssMb).toBeGreaterThan(0);
    expect(results.wholeLogin?.sequential.completed).toBe(4);
    expect(results.wholeLogin?.sequential.failed).toBe(0);
    expect(results.wholeLogin?.sequential.brokerPhasesMs.verify).toBeGreaterThan(0);
    expect(results.oidcLogin?.sequential.completed).toBe(4);
    expect(results.oidcLogin?.sequential.failed).toBe(0);
    expect(results.oidcLogin?.sequential.stepsMs.token).toBeGreaterThan(0);
    const report = renderReport(results);
    expect(results.soak?.completed).toBeGreaterThan(0);
    expect(results.soak?.failed).toBe(0);
    expect(results.soak?.samples.length).toBeGreaterThanOrEqual(2);
    expect(results.rollover?.completed).toBeGreaterThan(0);
    expect(results.rollover?.failed).toBe(0);
    expect(results.rollover?.signingWithNextKey).toBe(true);
    for (const part of ["### 1.", "### 2.", "### 3.", "### 4.", "### 5.", "### 6.", "### 7."]) expect(report).toContain(part);
  }, 240_000);
});
