/**
 * Readiness: may this instance take logins now? The state store answers, the
 * broker's keys are loaded, and trust holds at least one municipality and one
 * fagsystem. Liveness (the process runs) is separate and never checks Redis,
 * so an outage makes instances unready, not restarted. An instance that is
 * stopping (SIGTERM) is not ready, whatever else holds.
 */
import type { BrokerContext } from "../broker-context.js";

export interface ReadinessReport {
  ready: boolean;
  status: "ready" | "not ready" | "stopping";
  store: "ok" | "unreachable";
  keys: "ok" | "missing";
  trust: "ok" | "no parties registered";
}

export async function checkReadiness(broker: BrokerContext, stopping = false): Promise<ReadinessReport> {
  const store = await broker.store.ping().then(
    () => "ok" as const,
    () => "unreachable" as const,
  );
  const keys = broker.keys.signing?.privateKey && broker.keys.encryption?.privateKey ? ("ok" as const) : ("missing" as const);
  const trust = broker.registry.identityProviders().length > 0 && broker.registry.serviceProviders().length > 0 ? ("ok" as const) : ("no parties registered" as const);
  const ready = !stopping && store === "ok" && keys === "ok" && trust === "ok";
  return { ready, status: stopping ? "stopping" : ready ? "ready" : "not ready", store, keys, trust };
}
