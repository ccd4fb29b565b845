/**
 * For an IdP whose registration takes privileges from an attribute service:
 * the self-check really asks that service for the test person, per
 * fagsystem (those the service's registration names in `systems`, else every
 * fagsystem that needs privileges, at most MAX_SYSTEMS), with the client a login uses (its resolver, deadline, retries,
 * metrics and log lines), bypassing the privilege cache so the answer is the
 * service's own. Nothing is issued to anyone; the answers only feed the report.
 */
import type { BrokerContext } from "../broker-context.js";
import type { IdentityProvider } from "../trust/registry.js";
import type { UpstreamResult } from "../model/upstream-result.js";
import type { DecodedPrivileges } from "../profiles/bpp-codec.js";
import { attributeService } from "../backends/attribute-service/attribute-services.js";
import { lookupPrivileges } from "../backends/attribute-service/lookup-privileges.js";
import { describeIdentifier, userIdentifier } from "../backends/attribute-service/user-identifier.js";
import { AttributeServiceError } from "../backends/attribute-service/types.js";

const MAX_CLAIM_VALUES = 100;
/** At most this many fagsystems are asked for in one self-check. */
export const MAX_SYSTEMS = 10;

export type ServiceOutcome =
  | { kind: "privileges"; decoded: DecodedPrivileges }
  | { kind: "unknown-user"; unknownUser: "fail" | "no-privileges" }
  | { kind: "error"; failure: string; message: string };

/** What the attribute service answered for one fagsystem. */
export interface ServiceAnswer {
  fagsystem: string;
  /** The service's id for the fagsystem (as it was asked). */
  systemId: string;
  outcome: ServiceOutcome;
}

export type ServiceProbe =
  | { kind: "asked"; serviceId: string; displayName: string; userId: string; identifier: string; answers: ServiceAnswer[] }
  | { kind: "no-user-id"; serviceId: string; displayName: string; identifier: string }
  | { kind: "not-registered"; serviceId: string };

/** Undefined where the registration takes privileges from the assertion only, or the answer's claims could not be read. */
export async function probeAttributeService(broker: BrokerContext, idp: IdentityProvider, result: UpstreamResult, correlationId: string): Promise<ServiceProbe | undefined> {
  const source = idp.policy.privilegeSource;
  if (source.from === "assertion" || !result.claims.readable) return undefined;
  const serviceId = source.attributeService ?? "";
  const registered = attributeService(broker, serviceId, source.userIdentifier);
  if (!registered) return { kind: "not-registered", serviceId };
  const { displayName } = registered.config;
  const identifier = describeIdentifier(source.userIdentifier);
  const identity = result.claims.identity;
  const userId = userIdentifier(source.userIdentifier, identity.person, result.attributes);
  if (userId === undefined) return { kind: "no-user-id", serviceId, displayName, identifier };
  const claims = source.forwardClaims.map((claim) => ({
    attribute: claim.attribute,
    parameter: claim.parameter,
    values: [...new Set(result.attributes.filter((a) => a.name === claim.attribute).flatMap((a) => a.values))].slice(0, MAX_CLAIM_VALUES),
  }));
  // The service itself, not an answer a login left in the cache.
  const uncached = { ...registered, config: { ...registered.config, cacheSeconds: 0 } };
  // The fagsystems the service's registration names, else every one that needs privileges (bounded).
  const needing = [...broker.registry.serviceProviders(), ...broker.registry.oidcClients()].filter((p) => p.policy.needsPrivileges !== false);
  const named = needing.filter((p) => registered.config.systems[p.id] !== undefined);
  const parties = (named.length > 0 ? named : needing).slice(0, MAX_SYSTEMS);
  const answers: ServiceAnswer[] = [];
  for (const party of parties) {
    const systemId = registered.config.systems[party.id] ?? party.systemId;
    const query = { userId, nameId: identity.person.nameId, nameIdFormat: identity.person.nameIdFormat, cvr: identity.cvr ?? idp.cvr, systemId, claims, correlationId };
    try {
      const { answer } = await lookupPrivileges(broker, uncached, query);
      answers.push({ fagsystem: party.id, systemId, outcome: answer.kind === "privileges" ? answer : { kind: "unknown-user", unknownUser: registered.config.unknownUser } });
    } catch (error) {
      if (!(error instanceof AttributeServiceError)) throw error;
      answers.push({ fagsystem: party.id, systemId, outcome: { kind: "error", failure: error.failure, message: error.message } });
    }
  }
  return { kind: "asked", serviceId, displayName, userId, identifier, answers };
}
