/**
 * Decodes an authorization that needs a login (oidc-provider's interaction)
 * into the neutral LoginRequest: which client, the level (acr_values joined
 * with the client's registration), and whether a fresh upstream login is
 * needed (prompt=login, max_age). oidc-provider has already checked the
 * client, redirect_uri, response type and PKCE.
 */
import type { BrokerContext } from "../../broker-context.js";
import type { LoginRequest } from "../../model/login-request.js";
import { levelTableOf } from "../../config/level-table.js";
import { requirementOf } from "../../config/level-requirement.js";
import { requirementForAuthorization } from "./oidc-levels.js";
import { oidcDownstream } from "./oidc-reply.js";

/** The parts of oidc-provider's interaction details this frontend reads. */
export interface AuthorizationInteraction {
  uid: string;
  params: Record<string, unknown>;
  prompt: { name: string; reasons: string[] };
}

export type ReceivedAuthorization = { ok: true; request: LoginRequest } | { ok: false; error: string; description: string };

const stringParam = (params: Record<string, unknown>, name: string): string | undefined => {
  const value = params[name];
  return typeof value === "string" && value !== "" ? value : undefined;
};

export function receiveAuthorization(broker: BrokerContext, interaction: AuthorizationInteraction, correlationId: string): ReceivedAuthorization {
  const clientId = stringParam(interaction.params, "client_id") ?? "";
  const client = broker.registry.oidcClientByClientId(clientId);
  if (!client) return { ok: false, error: "invalid_client", description: "the client is not registered" };
  const level = requirementForAuthorization(stringParam(interaction.params, "acr_values"), requirementOf(client.policy), levelTableOf(broker.config));
  if (!level.ok) return { ok: false, error: "unmet_authentication_requirements", description: level.reason };
  const prompts = (stringParam(interaction.params, "prompt") ?? "").split(" ");
  const forceAuthn = prompts.includes("login") || interaction.params["max_age"] !== undefined;
  return {
    ok: true,
    request: {
      correlationId,
      downstream: oidcDownstream({ partyId: client.id, clientId: client.systemId, uid: interaction.uid }),
      requiredLevel: level.requirement,
      forceAuthn,
      isPassive: false,
      municipalityHint: stringParam(interaction.params, "municipality"),
      createdAt: broker.now(),
    },
  };
}
