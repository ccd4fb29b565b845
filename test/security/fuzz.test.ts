/**
 * The bounded, seeded fuzz run that CI does on every `npm test`: a few
 * thousand mutated IdP Responses and AuthnRequests against the ACS and SSO
 * endpoints (properties in support/fuzz-harness.ts). A longer, randomly
 * seeded run: `npm run fuzz -- --runs 20000`. FUZZ_RUNS and FUZZ_SEED
 * override the numbers here.
 */
import { describe, expect, it } from "vitest";
import { runFuzz } from "./support/fuzz-harness.js";

const RUNS = Number(process.env["FUZZ_RUNS"] ?? 2000);
const SEED = Number(process.env["FUZZ_SEED"] ?? 20261123);

describe("fuzzing the ACS and SSO endpoints", () => {
  it(`holds every property for ${RUNS} seeded cases (seed ${SEED})`, { timeout: 180_000 }, async () => {
    const seen: string[] = [];
    await runFuzz({
      runs: RUNS,
      seed: SEED,
      report: (name, target, growth) => {
        seen.push(name);
        expect(target.stats.serverErrors, `${name}: 5xx answers`).toBe(0);
        // Report what the run exercised, so a run that stops reaching the checks is noticed.
        console.info(`fuzz ${name}: ${JSON.stringify({ ...target.stats, statuses: Object.fromEntries(target.stats.statuses) })}, heap +${Math.round(growth / 1048576)} MiB`);
      },
    });
    expect(seen).toEqual(["acs", "sso"]);
  });
});
