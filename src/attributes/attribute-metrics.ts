/**
 * Attribute service metrics, kept in the process: calls by service and
 * outcome, and a latency histogram per service. Small on purpose; the same
 * numbers go to the log line of every call (event `attribute_service_call`).
 * `prometheusText()` renders them in the Prometheus text format.
 */

export type CallOutcome = "ok" | "unknown_user" | "cache_hit" | "timeout" | "unreachable" | "http_status" | "malformed" | "untrusted" | "wrong_subject" | "misconfigured";

/** Upper bounds of the latency buckets, in seconds. */
export const LATENCY_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

interface Histogram {
  buckets: number[];
  count: number;
  sum: number;
}

export class AttributeServiceMetrics {
  private readonly calls = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private readonly retries = new Map<string, number>();

  recordCall(service: string, outcome: CallOutcome, seconds: number | undefined): void {
    const key = `${service}\u0000${outcome}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
    if (seconds === undefined) return;
    const histogram = this.latency.get(service) ?? { buckets: LATENCY_BUCKETS.map(() => 0), count: 0, sum: 0 };
    LATENCY_BUCKETS.forEach((bound, index) => {
      if (seconds <= bound) histogram.buckets[index] = (histogram.buckets[index] ?? 0) + 1;
    });
    histogram.count += 1;
    histogram.sum += seconds;
    this.latency.set(service, histogram);
  }

  recordRetry(service: string): void {
    this.retries.set(service, (this.retries.get(service) ?? 0) + 1);
  }

  /** Calls so far for one service and outcome. */
  count(service: string, outcome: CallOutcome): number {
    return this.calls.get(`${service}\u0000${outcome}`) ?? 0;
  }

  retryCount(service: string): number {
    return this.retries.get(service) ?? 0;
  }

  prometheusText(): string {
    const lines: string[] = [];
    const label = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
    lines.push("# HELP broker_attribute_service_calls_total Attribute service lookups by outcome.", "# TYPE broker_attribute_service_calls_total counter");
    for (const [key, value] of this.calls) {
      const [service = "", outcome = ""] = key.split("\u0000");
      lines.push(`broker_attribute_service_calls_total{service="${label(service)}",outcome="${outcome}"} ${value}`);
    }
    lines.push("# HELP broker_attribute_service_retries_total Repeated attempts after a transient failure.", "# TYPE broker_attribute_service_retries_total counter");
    for (const [service, value] of this.retries) lines.push(`broker_attribute_service_retries_total{service="${label(service)}"} ${value}`);
    lines.push("# HELP broker_attribute_service_seconds Time to an answer (cache hits excluded).", "# TYPE broker_attribute_service_seconds histogram");
    for (const [service, histogram] of this.latency) {
      LATENCY_BUCKETS.forEach((bound, index) => lines.push(`broker_attribute_service_seconds_bucket{service="${label(service)}",le="${bound}"} ${histogram.buckets[index] ?? 0}`));
      lines.push(`broker_attribute_service_seconds_bucket{service="${label(service)}",le="+Inf"} ${histogram.count}`);
      lines.push(`broker_attribute_service_seconds_sum{service="${label(service)}"} ${histogram.sum}`);
      lines.push(`broker_attribute_service_seconds_count{service="${label(service)}"} ${histogram.count}`);
    }
    return `${lines.join("\n")}\n`;
  }
}

/** The process's metrics. */
export const attributeServiceMetrics = new AttributeServiceMetrics();
