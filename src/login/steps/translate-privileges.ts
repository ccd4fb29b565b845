/**
 * Translation: the IdP's job-function roles become the target fagsystem's
 * user-system roles through its role mappings (parametric restrictions filled
 * from the IdP's values); user-system roles of this system the IdP sent
 * itself pass through; everything else is dropped with a reason.
 */
import type { LoginStep } from "../pipeline-types.js";
import { LoginError } from "../../model/login-error.js";
import { byPosition, translateRoles } from "../../profiles/role-translation.js";
import { systemRolePolicy } from "../../trust/role-policy.js";
import { mappedIdentity, municipalUpstream } from "./municipal-upstream.js";
import { downstreamParty } from "./downstream-party.js";

export const translatePrivileges: LoginStep = (context) => {
  const identity = mappedIdentity(context);
  const privileges = identity.privileges;
  if (privileges.stage !== "scoped") throw new LoginError("pipeline_order", `privileges translated at stage ${privileges.stage}`);
  const sp = downstreamParty(context);
  const { upstream } = municipalUpstream(context);
  const attributes = new Map(upstream.attributes.map((a) => [a.name, a.values]));
  const translation = translateRoles(privileges.roles, systemRolePolicy(sp.policy), attributes);
  return {
    ...context,
    identity: {
      ...identity,
      privileges: { stage: "translated", source: privileges.source, list: translation.list, outcomes: byPosition([...privileges.outcomes, ...translation.outcomes]) },
    },
  };
};
