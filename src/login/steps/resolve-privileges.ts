/**
 * Privileges from an attribute service, for municipalities whose IdP does not
 * send them (or not all of them): per IdP, `privilegeSource.from` is
 * `assertion` (this step does nothing), `attribute-service` (the service's
 * privileges replace the assertion's) or `both` (merged, duplicates removed).
 * Runs after decoding and before the scope rule and translation, so the
 * service's privileges meet exactly the filters and serializer the IdP's do.
 *
 * Fails closed: a service that is down, slow, misconfigured or answers
 * nonsense stops the login with an error naming it, unless the fagsystem is
 * registered as needing no privileges (then the service is not asked).
 */
import type { LoginStep } from "../pipeline-types.js";
import { LoginError } from "../../model/login-error.js";
import { formatScope } from "../../profiles/bpp.js";
import { incomingRoles, type IncomingRole, type RoleOutcome } from "../../profiles/role-translation.js";
import { PrivilegeSourceError, type ForwardedClaim } from "../ports.js";
import { mappedIdentity, municipalUpstream } from "./municipal-upstream.js";
import { downstreamParty } from "./downstream-party.js";

const MAX_CLAIM_VALUES = 100;

function userMessage(serviceName: string): string {
  return `Dine rettigheder kunne ikke hentes fra ${serviceName}. Prøv igen om lidt, eller kontakt din kommunes it-afdeling. / Your privileges could not be fetched from ${serviceName}. Try again shortly, or contact your municipality's IT department.`;
}

function roleKey(role: IncomingRole): string {
  return JSON.stringify([role.privilege, formatScope(role.scope), role.constraints.map((c) => [c.name, [...c.values].sort()]).sort()]);
}

export const resolvePrivileges: LoginStep = async (context) => {
  const identity = mappedIdentity(context);
  const { upstream, idp } = municipalUpstream(context);
  const source = idp.policy.privilegeSource;
  if (!source || source.from === "assertion") return context;
  const privileges = identity.privileges;
  if (privileges.stage !== "received") throw new LoginError("pipeline_order", `privileges resolved at stage ${privileges.stage}`);
  const sp = downstreamParty(context);
  const serviceId = source.attributeService ?? "";
  const correlationId = context.request.correlationId;

  // The assertion's roles: kept when merging, otherwise explained as ignored.
  const fromAssertion = source.from === "both" ? privileges.roles : [];
  const ignored: RoleOutcome[] =
    source.from === "both"
      ? []
      : privileges.roles.map((role) => ({
          outcome: "dropped" as const,
          position: role.position,
          privilege: role.privilege,
          scope: formatScope(role.scope),
          reason: "idp_sends_no_roles" as const,
          detail: `IdP ${idp.id} takes its privileges from attribute service ${serviceId} only; the assertion's are ignored`,
        }));
  const withRoles = (roles: IncomingRole[], outcomes: RoleOutcome[]) => ({
    ...context,
    identity: { ...identity, privileges: { stage: "received" as const, source: privileges.source, roles, outcomes: [...privileges.outcomes, ...ignored, ...outcomes] } },
  });

  if (sp.policy.needsPrivileges === false) {
    context.broker.log.info({ correlationId, event: "attribute_service_skipped", idp: idp.id, sp: sp.id, attributeService: serviceId }, "fagsystem needs no privileges; attribute service not asked");
    return withRoles(fromAssertion, []);
  }

  const service = context.ports.privileges.service(serviceId, source.userIdentifier);
  if (!service) throw new LoginError("attribute_service_unknown", `IdP ${idp.id} names attribute service ${serviceId}, which is not registered`, "authentication_failed", userMessage(serviceId));
  const name = service.displayName;
  const userId = service.userIdFor(identity.person, upstream.attributes);
  if (userId === undefined) {
    throw new LoginError(
      "attribute_service_no_user_id",
      `attribute service ${serviceId} (${name}) of IdP ${idp.id} is asked by ${service.describeUserId()}, which the login does not carry exactly once`,
      "authentication_failed",
      userMessage(name),
    );
  }
  const claims: ForwardedClaim[] = source.forwardClaims.map((claim) => ({
    attribute: claim.attribute,
    parameter: claim.parameter,
    values: [...new Set(upstream.attributes.filter((a) => a.name === claim.attribute).flatMap((a) => a.values))].slice(0, MAX_CLAIM_VALUES),
  }));

  let answer;
  try {
    answer = await service.lookup({
      userId,
      nameId: identity.person.nameId,
      nameIdFormat: identity.person.nameIdFormat,
      cvr: identity.organisation.cvr,
      systemId: service.systemIdFor(sp),
      claims,
      correlationId,
    });
  } catch (error) {
    if (error instanceof PrivilegeSourceError) {
      throw new LoginError(
        `attribute_service_${error.failure}`,
        `attribute service ${serviceId} (${name}) of IdP ${idp.id} failed (${error.failure}): ${error.message}`,
        "authentication_failed",
        userMessage(name),
      );
    }
    throw error;
  }

  if (answer.kind === "unknown-user") {
    if (service.unknownUser === "fail") {
      throw new LoginError(
        "attribute_service_unknown_user",
        `attribute service ${serviceId} (${name}) of IdP ${idp.id} does not know the user`,
        "authentication_failed",
        `${name} kender dig ikke, så dine rettigheder kunne ikke hentes. Kontakt din kommunes it-afdeling. / ${name} does not know you, so your privileges could not be fetched. Contact your municipality's IT department.`,
      );
    }
    return withRoles(fromAssertion, []);
  }

  // The service's groups follow the assertion's in the explanation's numbering.
  const offset = Math.max(0, ...privileges.roles.map((r) => r.position), ...privileges.outcomes.map((o) => o.position));
  const { roles, dropped } = incomingRoles(answer.decoded);
  const serviceRoles = roles.map((role) => ({ ...role, position: role.position + offset }));
  const serviceDropped = dropped.map((d) => ({ ...d, position: d.position + offset, detail: `from attribute service ${serviceId}: ${d.detail}` }));
  if (serviceDropped.length > 0) {
    context.broker.log.warn(
      { correlationId, event: "privilege_group_malformed", attributeService: serviceId, groups: serviceDropped.map((d) => ({ position: d.position, detail: d.detail })) },
      `attribute service ${serviceId} sent privilege groups that could not be read; they are dropped`,
    );
  }
  const seen = new Set(fromAssertion.map(roleKey));
  const merged = [...fromAssertion];
  for (const role of serviceRoles) {
    const key = roleKey(role);
    if (seen.has(key)) continue;
    seen.add(key);
    merged.push(role);
  }
  return withRoles(merged, serviceDropped);
};
