/**
 * Longer fuzz runs than CI's: `npm run fuzz -- --runs 20000 [--seed N]`.
 * Without --seed a random seed is used and printed, so a failure can be
 * replayed with the same seed (and then added to test/security as a case).
 */
import { parseArgs } from "node:util";
import { runFuzz } from "../test/security/support/fuzz-harness.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "10000" }, seed: { type: "string" } } });
const runs = Number(values.runs);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
  console.error("usage: npm run fuzz -- --runs N [--seed S]");
  process.exit(2);
}
console.log(`fuzzing ACS and SSO: ${runs} cases, seed ${seed}`);
const started = Date.now();
try {
  await runFuzz({
    runs,
    seed,
    report: (name, target, growth) =>
      console.log(`${name}: ${JSON.stringify({ ...target.stats, statuses: Object.fromEntries(target.stats.statuses) })}, heap +${Math.round(growth / 1048576)} MiB`),
  });
  console.log(`all properties held (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  process.exit(0);
} catch (error) {
  console.error(String(error instanceof Error ? error.message : error));
  if (error instanceof Error && error.cause !== undefined) console.error("cause:", error.cause);
  console.error(`replay with: npm run fuzz -- --runs ${runs} --seed ${seed}`);
  process.exit(1);
}
