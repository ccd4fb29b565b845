/**
 * The OIDC frontend as the login core sees it (the Frontend port): the
 * identity becomes the claims this client may receive and a finished
 * oidc-provider interaction (which issues the code, then the tokens); a
 * refusal becomes the OAuth error for its reason. The error code for each
 * neutral refusal lives here and nowhere else.
 */
import type { BrokerContext } from "../../broker-context.js";
import type { Frontend } from "../../login/ports.js";
import type { Refusal } from "../../model/login-error.js";
import type { Identity } from "../../model/identity.js";
import type { OidcClient } from "../../trust/registry.js";
import { releaseFor } from "../../profiles/release-profiles.js";
import { oidcClaimsFor } from "../../profiles/oidc-claims.js";
import { levelTableOf } from "../../config/level-table.js";
import { requirementOf } from "../../config/level-requirement.js";
import { accountIdFor, type OidcAccounts } from "./oidc-accounts.js";
import { finishPath, type InteractionOutcomes } from "./interaction-outcome.js";
import { oidcReplyOf } from "./oidc-reply.js";

export const OIDC_ERROR_FOR: Readonly<Record<Refusal, string>> = {
  authentication_failed: "access_denied",
  level_not_met: "unmet_authentication_requirements",
  denied: "access_denied",
  interaction_required: "login_required",
  unsupported: "invalid_request",
  bad_request: "invalid_request",
  failed: "server_error",
};

/** How long what a client was given stays readable: as long as its longest-lived token or the session. */
export function accountTtlSeconds(client: OidcClient, broker: BrokerContext): number {
  const lifetimes = client.policy.lifetimes;
  return Math.max(lifetimes.idTokenSeconds, lifetimes.accessTokenSeconds, client.policy.refreshTokens.enabled ? lifetimes.refreshTokenSeconds : 0, broker.config.timing.ssoMaxAgeSeconds, 600);
}

export function oidcFrontend(broker: BrokerContext, accounts: OidcAccounts, outcomes: InteractionOutcomes): Frontend {
  const clientOf = (clientId: string): OidcClient => {
    const client = broker.registry.oidcClientByClientId(clientId);
    if (!client) throw new Error(`OIDC client ${clientId} is no longer registered`);
    return client;
  };
  return {
    async answer(request, identity: Identity, timer) {
      const reply = oidcReplyOf(request.downstream);
      const client = clientOf(reply.clientId);
      const release = timer.time("build", () =>
        releaseFor(identity, {
          attributeProfile: client.policy.attributeProfile,
          oiosamlProfile: client.policy.oiosamlProfile,
          requiredLevel: requirementOf(client.policy),
          levelTable: levelTableOf(broker.config),
        }),
      );
      const privileges = identity.privileges.stage === "translated" ? identity.privileges.list : undefined;
      const accountId = accountIdFor(identity);
      const authTime = Math.floor(Date.parse(identity.authnInstant) / 1000) || Math.floor(broker.now() / 1000);
      await accounts.save(
        accountId,
        { clientId: client.systemId, claims: oidcClaimsFor(release, privileges), acr: release.authnContextClassRef, level: identity.level, authTime },
        accountTtlSeconds(client, broker),
      );
      await outcomes.putSuccess(reply.uid, { accountId, acr: release.authnContextClassRef, authTime });
      // A page of the broker's own posts on to the finish URL: the IdP's auto-POST page, whose form-action
      // the broker does not control, must not be the one whose navigation ends at the client.
      // The client joins the SSO session when oidc-provider has issued its session (sid): see oidc-logout.ts.
      return { interaction: { kind: "post", url: `${broker.urls.base}${finishPath(reply.uid)}`, fields: { continue: "1" } }, participant: undefined };
    },
    refuse(request, error) {
      const reply = oidcReplyOf(request.downstream);
      const fields = outcomes.errorFields(reply.uid, { error: OIDC_ERROR_FOR[error.refusal], error_description: error.message.slice(0, 300) });
      return { kind: "post", url: `${broker.urls.base}${finishPath(reply.uid)}`, fields };
    },
  };
}
