/** What a benchmark broker process reports about itself. */
import type { LoginTimings } from "../../src/observability/login-timings.js";

export interface BrokerReady {
  url: string;
  pid: number;
}

export interface BrokerStats {
  /** CPU time (user + system, all threads) since the process started. */
  cpuMs: number;
  rssMb: number;
  /** Peak resident set size since the process started. */
  maxRssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  /** Memory outside the JavaScript heap: buffers and array buffers. */
  externalMb: number;
  /** Successful logins since the last reset, and the sum of their step timings. */
  logins: number;
  phaseSumsMs: LoginTimings;
  /** Garbage-collection pauses since the last reset. */
  gc: { pauses: number; totalMs: number; maxMs: number };
}
