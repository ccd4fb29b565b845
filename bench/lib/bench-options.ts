/** What a benchmark run measures and how long: the options of `npm run bench` and their defaults. */
import type { KeyBits } from "./parties.js";

export type Part = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/**
 * The broker runs with these Node flags in production (Dockerfile,
 * NODE_OPTIONS), so the benchmark runs it the same way. A young generation of
 * at most 2 × 16 MB instead of V8's 2 × 64 MB keeps the peak resident memory
 * about 100 MB lower under load, with no CPU cost we could measure.
 */
export const BROKER_NODE_FLAGS = ["--max-semi-space-size=16"];

export interface BenchOptions {
  bits: KeyBits[];
  parts: Part[];
  /** Run the Redis variants of part 2 and part 3. */
  redis: boolean;
  /** Length of each timed run. */
  seconds: number;
  /** Requests in flight per broker process in the closed-loop runs. */
  concurrency: number;
  /** Key size for parts 3, 4 and 5. */
  scaleBits: KeyBits;
  wholeBits: KeyBits;
  /** Logins in the sequential whole-login run (twice as many run concurrently). */
  wholeLogins: number;
  /** Part 6: minutes of steady whole logins, and the rate. */
  soakMinutes: number;
  soakRate: number;
  /** Part 7: seconds of steady whole logins while the broker's signing key rolls halfway, and the rate. */
  rolloverSeconds: number;
  rolloverRate: number;
  /** Node flags for every broker process. */
  brokerNodeFlags: string[];
  /** A few logins per run only: proves the benchmark works, measures nothing. */
  smoke: boolean;
  progress: (line: string) => void;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  bits: [2048, 3072],
  parts: [1, 2, 3, 4, 5, 6, 7],
  redis: true,
  seconds: 6,
  concurrency: 16,
  scaleBits: 3072,
  wholeBits: 3072,
  wholeLogins: 100,
  soakMinutes: 3,
  soakRate: 20,
  rolloverSeconds: 20,
  rolloverRate: 20,
  brokerNodeFlags: BROKER_NODE_FLAGS,
  smoke: false,
  progress: () => {},
};
