/**
 * Reads the privileges the municipal IdP sent (OIO-BPP, base64, under the
 * OIOSAML 3 or the legacy attribute name) into the typed model. A document
 * that cannot be read fails the login with an error naming the IdP; a single
 * malformed group is dropped and explained. An IdP not registered as sending
 * job-function roles has its privileges ignored (and explained).
 */
import type { LoginStep } from "../pipeline-types.js";
import { LoginError } from "../../model/login-error.js";
import { BppError, DEFAULT_BPP_LIMITS, decodePrivilegesAttribute, emptyPrivilegeList } from "../../profiles/bpp-codec.js";
import { BPP_NAMESPACES } from "../../profiles/bpp.js";
import { incomingRoles } from "../../profiles/role-translation.js";
import { mappedIdentity, municipalUpstream } from "./municipal-upstream.js";

const UNREADABLE = "Dine rettigheder fra kommunens login kunne ikke læses. Kontakt din kommunes it-afdeling. / Your privileges from the municipal login could not be read. Contact your municipality's IT department.";

export const decodePrivileges: LoginStep = (context) => {
  const identity = mappedIdentity(context);
  const { upstream, idp } = municipalUpstream(context);
  if (!upstream.claims.readable) throw new LoginError(upstream.claims.reason, `IdP ${idp.id} sent unusable attributes: ${upstream.claims.detail}`, "authentication_failed");
  const sent = upstream.claims.identity.privileges;
  if (sent.sent === "unreadable") {
    throw new LoginError("privileges_malformed", `IdP ${idp.id} sent malformed privileges: ${sent.detail}`, "authentication_failed", UNREADABLE);
  }
  const encoded = sent.sent === "oio-bpp" ? sent.encoded : undefined;
  if (!idp.policy.sendsJobFunctionRoles) {
    const outcomes =
      encoded === undefined
        ? []
        : [{ outcome: "dropped" as const, position: 0, privilege: undefined, scope: undefined, reason: "idp_sends_no_roles" as const, detail: `IdP ${idp.id} is not registered as sending job-function roles; its privileges are ignored` }];
    return { ...context, identity: { ...identity, privileges: { stage: "received", source: idp.id, roles: [], outcomes } } };
  }
  let decoded;
  try {
    const { privilegeGroups, privilegesPerGroup } = context.broker.config.limits;
    const limits = { ...DEFAULT_BPP_LIMITS, maxGroups: privilegeGroups, maxPrivilegesPerGroup: privilegesPerGroup };
    decoded = encoded === undefined ? { list: emptyPrivilegeList(BPP_NAMESPACES.itst), rejected: [] } : decodePrivilegesAttribute(encoded, limits);
  } catch (error) {
    if (error instanceof BppError) {
      throw new LoginError("privileges_malformed", `IdP ${idp.id} sent malformed privileges (OIO-BPP, ${error.reason}): ${error.message}`, "authentication_failed", UNREADABLE);
    }
    throw error;
  }
  const { roles, dropped } = incomingRoles(decoded);
  if (dropped.length > 0) {
    context.broker.log.warn(
      { correlationId: context.request.correlationId, event: "privilege_group_malformed", idp: idp.id, groups: dropped.map((d) => ({ position: d.position, detail: d.detail })) },
      `IdP ${idp.id} sent privilege groups that could not be read; they are dropped`,
    );
  }
  return { ...context, identity: { ...identity, privileges: { stage: "received", source: idp.id, roles, outcomes: dropped } } };
};
