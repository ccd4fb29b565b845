/**
 * `npm run bench`: login throughput and latency against the cryptographic
 * ceiling, on the machine it runs on. Prints the tables and writes
 * bench-results.json at the repository root (or --out).
 *
 *   --seconds N        length of each timed run (default 6)
 *   --concurrency N    requests in flight per broker process (default 16)
 *   --bits 2048,3072   key sizes for parts 1 and 2
 *   --parts 1,2,3,4,5,6,7  which parts to run (5: the whole OIDC login; 6: the soak; 7: the key rollover under load)
 *   --scale-bits N     key size for part 3 (default 3072)
 *   --whole-bits N     key size for parts 4 and 5 (default 3072)
 *   --whole-logins N   logins in part 4's sequential run (default 100)
 *   --broker-node-options "FLAGS"
 *                      Node flags for the broker processes (default: the Dockerfile's, --max-semi-space-size=16; "" for none)
 *   --soak-minutes N   length of part 6, the soak (default 3)
 *   --soak-rate N      logins per second in the soak (default 20)
 *   --rollover-seconds N  length of part 7 (default 20); --rollover-rate N its logins per second (default 20)
 *   --no-redis         skip the Redis variants and part 3
 *   --smoke            a few logins per run: checks the benchmark, measures nothing
 *   --out FILE         where to write the JSON (default bench-results.json); the one it replaces is kept as FILE.previous.json
 *   --compare          also print the key figures next to the previous run's (and which parts were noisy)
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runBench } from "./lib/bench.js";
import { DEFAULT_OPTIONS, type Part } from "./lib/bench-options.js";
import { renderReport } from "./lib/bench-report.js";
import { renderComparison } from "./lib/compare.js";
import type { BenchResults } from "./lib/bench-results.js";
import type { KeyBits } from "./lib/parties.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string" },
    concurrency: { type: "string" },
    bits: { type: "string" },
    parts: { type: "string" },
    "scale-bits": { type: "string" },
    "whole-bits": { type: "string" },
    "whole-logins": { type: "string" },
    "soak-minutes": { type: "string" },
    "soak-rate": { type: "string" },
    "rollover-seconds": { type: "string" },
    "rollover-rate": { type: "string" },
    "broker-node-options": { type: "string" },
    "no-redis": { type: "boolean", default: false },
    smoke: { type: "boolean", default: false },
    compare: { type: "boolean", default: false },
    out: { type: "string" },
  },
});

function keyBits(value: string): KeyBits {
  if (value !== "2048" && value !== "3072") throw new Error(`key size ${value}: use 2048 or 3072`);
  return Number(value) as KeyBits;
}

function positive(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`${value} is not a positive number`);
  return number;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = values.out ? resolve(values.out) : join(root, "bench-results.json");
const parts = values.parts ? values.parts.split(",").map((p) => Number(p) as Part) : DEFAULT_OPTIONS.parts;
if (parts.some((p) => ![1, 2, 3, 4, 5, 6, 7].includes(p))) throw new Error("--parts takes numbers from 1 to 7");

const results = await runBench({
  seconds: positive(values.seconds, DEFAULT_OPTIONS.seconds),
  concurrency: Math.round(positive(values.concurrency, DEFAULT_OPTIONS.concurrency)),
  bits: values.bits ? values.bits.split(",").map(keyBits) : DEFAULT_OPTIONS.bits,
  parts,
  scaleBits: values["scale-bits"] ? keyBits(values["scale-bits"]) : DEFAULT_OPTIONS.scaleBits,
  wholeBits: values["whole-bits"] ? keyBits(values["whole-bits"]) : DEFAULT_OPTIONS.wholeBits,
  wholeLogins: Math.round(positive(values["whole-logins"], DEFAULT_OPTIONS.wholeLogins)),
  soakMinutes: positive(values["soak-minutes"], DEFAULT_OPTIONS.soakMinutes),
  soakRate: positive(values["soak-rate"], DEFAULT_OPTIONS.soakRate),
  rolloverSeconds: positive(values["rollover-seconds"], DEFAULT_OPTIONS.rolloverSeconds),
  rolloverRate: positive(values["rollover-rate"], DEFAULT_OPTIONS.rolloverRate),
  brokerNodeFlags: values["broker-node-options"] === undefined ? DEFAULT_OPTIONS.brokerNodeFlags : values["broker-node-options"].split(/\s+/).filter(Boolean),
  redis: !values["no-redis"],
  smoke: values.smoke,
  progress: (line) => console.error(`[bench] ${line}`),
});
// The results before this run are kept beside it (<out>.previous.json), so the next change can be compared.
const previousFile = out.replace(/\.json$/, "") + ".previous.json";
const previous = existsSync(out) ? readFileSync(out, "utf8") : undefined;
if (previous !== undefined) writeFileSync(previousFile, previous);
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(renderReport(results));
if (values.compare) {
  if (previous === undefined) console.log(`\nNothing to compare with: ${out} did not exist before this run.`);
  else console.log(`\n${renderComparison(results, JSON.parse(previous) as BenchResults)}`);
}
console.log(`\nResults written to ${out}${previous !== undefined ? ` (the previous ones to ${previousFile})` : ""}`);
