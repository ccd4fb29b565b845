/**
 * Attribute service metrics: calls by service and outcome, retries, and a
 * latency histogram, exported through the process's prom-client registry
 * (/metrics). The same numbers go to the log line of every call (event
 * `attribute_service_call`). Per-process tallies are kept for `count()`.
 */
import { attributeServiceCalls, attributeServiceRetries, attributeServiceSeconds } from "../../observability/metrics.js";

export type CallOutcome = "ok" | "unknown_user" | "cache_hit" | "timeout" | "unreachable" | "http_status" | "malformed" | "untrusted" | "wrong_subject" | "misconfigured";

export class AttributeServiceMetrics {
  private readonly calls = new Map<string, number>();
  private readonly retries = new Map<string, number>();

  recordCall(service: string, outcome: CallOutcome, seconds: number | undefined): void {
    const key = `${service}\u0000${outcome}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
    attributeServiceCalls.inc({ service, outcome });
    if (seconds !== undefined) attributeServiceSeconds.observe({ service }, seconds);
  }

  recordRetry(service: string): void {
    this.retries.set(service, (this.retries.get(service) ?? 0) + 1);
    attributeServiceRetries.inc({ service });
  }

  /** Calls so far for one service and outcome. */
  count(service: string, outcome: CallOutcome): number {
    return this.calls.get(`${service}\u0000${outcome}`) ?? 0;
  }

  retryCount(service: string): number {
    return this.retries.get(service) ?? 0;
  }
}

/** The process's metrics. */
export const attributeServiceMetrics = new AttributeServiceMetrics();
