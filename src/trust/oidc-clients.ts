/** OIDC fagsystemer from configuration, with their client secrets (client-secret.ts). */
import type { OidcClientConfig } from "../config/schema.js";
import type { OidcClient } from "./downstream-party.js";
import { readClientSecret } from "./client-secret.js";

export function loadOidcClients(configs: readonly OidcClientConfig[], env: NodeJS.ProcessEnv): OidcClient[] {
  return configs.map((policy, index): OidcClient => {
    const clientSecret = readClientSecret(`oidcClients[${index}] (${policy.id})`, policy.clientSecretEnv, env);
    return { id: policy.id, displayName: policy.displayName ?? policy.id, systemId: policy.clientId, policy, clientSecret };
  });
}
