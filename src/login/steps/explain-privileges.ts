/**
 * Explain: every login records, per incoming role, what it became or why it
 * was dropped, in the audit log (and the audit file when configured), so an
 * operator can see it for one login by correlation id (`explain <id>`).
 */
import type { LoginStep } from "../pipeline-types.js";
import { LoginError } from "../../model/login-error.js";
import { auditTrail } from "../../observability/audit.js";
import { mappedIdentity } from "./municipal-upstream.js";

export const explainPrivileges: LoginStep = async (context) => {
  const identity = mappedIdentity(context);
  const privileges = identity.privileges;
  if (privileges.stage !== "translated") throw new LoginError("pipeline_order", `privileges explained at stage ${privileges.stage}`);
  await auditTrail(context.broker).recordExplanation({
    correlationId: context.request.correlationId,
    sp: context.request.downstream.partyId,
    idp: privileges.source,
    cvr: identity.organisation.cvr,
    subject: identity.subject,
    loginLevel: identity.level,
    outcomes: privileges.outcomes,
    released: privileges.list.groups.length,
  });
  return context;
};
