/** Municipal IdPs over OpenID Connect from configuration, with their client secrets read from the environment. */
import type { OidcIdentityProviderConfig } from "../config/schema.js";
import { ConfigError } from "../config/load-config.js";
import type { OidcIdentityProvider } from "./identity-provider.js";
import { MIN_CLIENT_SECRET_LENGTH } from "./oidc-clients.js";

export function loadOidcIdentityProviders(configs: readonly OidcIdentityProviderConfig[], env: NodeJS.ProcessEnv): OidcIdentityProvider[] {
  return configs.map((policy, index): OidcIdentityProvider => {
    const where = `oidcIdentityProviders[${index}] (${policy.id})`;
    let clientSecret: string | undefined;
    if (policy.clientSecretEnv) {
      clientSecret = env[policy.clientSecretEnv];
      if (clientSecret === undefined || clientSecret === "") throw new ConfigError(`${where}: the environment variable ${policy.clientSecretEnv} holding the client secret is not set`);
      if (clientSecret.length < MIN_CLIENT_SECRET_LENGTH) throw new ConfigError(`${where}: the client secret in ${policy.clientSecretEnv} is shorter than ${MIN_CLIENT_SECRET_LENGTH} characters`);
    }
    return { protocol: "oidc", id: policy.id, displayName: policy.displayName, cvr: policy.cvrs[0]!, policy, clientSecret };
  });
}
