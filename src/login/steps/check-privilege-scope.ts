/**
 * Scope: a privilege group must be scoped to the asserted organisation, or to
 * the organisation that owns the role and delegated it to the asserted one
 * (the job-function role register). Anything else is dropped and logged.
 */
import type { LoginStep } from "../pipeline-types.js";
import { LoginError } from "../../model/login-error.js";
import { checkScopes } from "../../profiles/role-translation.js";
import { jobFunctionRoleRegister } from "../../trust/role-policy.js";
import { mappedIdentity } from "./municipal-upstream.js";

export const checkPrivilegeScope: LoginStep = (context) => {
  const identity = mappedIdentity(context);
  const privileges = identity.privileges;
  if (privileges.stage !== "received") throw new LoginError("pipeline_order", `privilege scope checked at stage ${privileges.stage}`);
  const { kept, dropped } = checkScopes(privileges.roles, identity.organisation.cvr, jobFunctionRoleRegister(context.broker.config));
  if (dropped.length > 0) {
    context.broker.log.warn(
      {
        correlationId: context.request.correlationId,
        event: "privilege_scope_dropped",
        idp: privileges.source,
        cvr: identity.organisation.cvr,
        dropped: dropped.map((d) => ({ privilege: d.privilege, scope: d.scope, reason: d.reason })),
      },
      "privilege groups outside the asserted organisation were dropped",
    );
  }
  return {
    ...context,
    identity: { ...identity, privileges: { stage: "scoped", source: privileges.source, roles: kept, outcomes: [...privileges.outcomes, ...dropped] } },
  };
};
