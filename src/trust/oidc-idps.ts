/** Municipal IdPs over OpenID Connect from configuration, with the broker's client secrets at them (client-secret.ts). */
import type { OidcIdentityProviderConfig } from "../config/schema.js";
import type { OidcIdentityProvider } from "./identity-provider.js";
import { readClientSecret } from "./client-secret.js";

export function loadOidcIdentityProviders(configs: readonly OidcIdentityProviderConfig[], env: NodeJS.ProcessEnv): OidcIdentityProvider[] {
  return configs.map((policy, index): OidcIdentityProvider => {
    const clientSecret = readClientSecret(`oidcIdentityProviders[${index}] (${policy.id})`, policy.clientSecretEnv, env);
    return { protocol: "oidc", id: policy.id, displayName: policy.displayName, cvr: policy.cvrs[0]!, policy, clientSecret };
  });
}
