/**
 * One privilege lookup at an attribute service, the way every login does it:
 * the cache first, then the service with a deadline per attempt and a bounded
 * number of further attempts after transient failures, then the cache
 * filled. Every lookup is counted and logged (event `attribute_service_call`).
 */
import type { BrokerContext } from "../../broker-context.js";
import { cacheKey, cachedPrivileges, cachePrivileges } from "./attribute-cache.js";
import { attributeServiceMetrics, type CallOutcome } from "./attribute-metrics.js";
import type { RegisteredAttributeService } from "./attribute-services.js";
import { AttributeServiceError, type PrivilegeAnswer, type PrivilegeQuery } from "./types.js";
import { inSpan } from "../../observability/tracing.js";

export interface LookupResult {
  answer: PrivilegeAnswer;
  cached: boolean;
  attempts: number;
}

const BACKOFF_MS = 100;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function lookupPrivileges(broker: BrokerContext, service: RegisteredAttributeService, query: PrivilegeQuery): Promise<LookupResult> {
  const { config, resolver } = service;
  const log = broker.log.child({ correlationId: query.correlationId, attributeService: config.id });
  if (resolver instanceof AttributeServiceError) {
    attributeServiceMetrics.recordCall(config.id, "misconfigured", undefined);
    throw resolver;
  }
  const key = cacheKey(config.id, query);
  if (config.cacheSeconds > 0) {
    let hit: PrivilegeAnswer | undefined;
    try {
      hit = await cachedPrivileges(broker.store, key);
    } catch (error) {
      log.warn({ event: "attribute_cache_unavailable", detail: (error as Error).message }, "attribute cache could not be read; asking the service");
    }
    if (hit) {
      attributeServiceMetrics.recordCall(config.id, "cache_hit", undefined);
      log.info({ event: "attribute_service_call", outcome: "cache_hit", system: query.systemId }, "privileges from the attribute cache");
      return { answer: hit, cached: true, attempts: 0 };
    }
  }
  const started = performance.now();
  let attempt = 0;
  for (;;) {
    attempt += 1;
    try {
      const answer = await inSpan("attribute_service.call", { correlationId: query.correlationId, "attribute_service.id": config.id, "attribute_service.attempt": attempt }, () => resolver.resolve(query));
      const seconds = (performance.now() - started) / 1000;
      const outcome: CallOutcome = answer.kind === "unknown-user" ? "unknown_user" : "ok";
      attributeServiceMetrics.recordCall(config.id, outcome, seconds);
      log.info(
        {
          event: "attribute_service_call",
          outcome,
          system: query.systemId,
          attempts: attempt,
          ms: Math.round(seconds * 1000),
          groups: answer.kind === "privileges" ? answer.decoded.list.groups.length : 0,
          rejectedGroups: answer.kind === "privileges" ? answer.decoded.rejected.length : 0,
        },
        "attribute service answered",
      );
      try {
        await cachePrivileges(broker.store, key, answer, config.cacheSeconds);
      } catch (error) {
        log.warn({ event: "attribute_cache_unavailable", detail: (error as Error).message }, "attribute cache could not be written");
      }
      return { answer, cached: false, attempts: attempt };
    } catch (error) {
      if (!(error instanceof AttributeServiceError)) throw error;
      if (error.retryable && attempt <= config.retries) {
        attributeServiceMetrics.recordRetry(config.id);
        log.warn({ event: "attribute_service_retry", failure: error.failure, detail: error.message, attempt }, "attribute service failed; trying again");
        await sleep(BACKOFF_MS * attempt);
        continue;
      }
      const seconds = (performance.now() - started) / 1000;
      attributeServiceMetrics.recordCall(config.id, error.failure, seconds);
      log.warn(
        { event: "attribute_service_call", outcome: error.failure, system: query.systemId, attempts: attempt, ms: Math.round(seconds * 1000), detail: error.message },
        "attribute service failed",
      );
      throw error;
    }
  }
}
