/** Municipal IdPs over OpenID Connect from configuration, with their client secrets read from the environment or a mounted file (`<NAME>_FILE`). */
import type { OidcIdentityProviderConfig } from "../config/schema.js";
import { ConfigError } from "../config/load-config.js";
import { EnvironmentValueError, readEnvironmentValue } from "../config/environment-value.js";
import type { OidcIdentityProvider } from "./identity-provider.js";
import { MIN_CLIENT_SECRET_LENGTH } from "./oidc-clients.js";

export function loadOidcIdentityProviders(configs: readonly OidcIdentityProviderConfig[], env: NodeJS.ProcessEnv): OidcIdentityProvider[] {
  return configs.map((policy, index): OidcIdentityProvider => {
    const where = `oidcIdentityProviders[${index}] (${policy.id})`;
    let clientSecret: string | undefined;
    if (policy.clientSecretEnv) {
      try {
        clientSecret = readEnvironmentValue(env, policy.clientSecretEnv);
      } catch (error) {
        if (error instanceof EnvironmentValueError) throw new ConfigError(`${where}: the client secret: ${error.message}`);
        throw error;
      }
      if (clientSecret === undefined) throw new ConfigError(`${where}: the environment variable ${policy.clientSecretEnv} holding the client secret is not set (nor ${policy.clientSecretEnv}_FILE)`);
      if (clientSecret.length < MIN_CLIENT_SECRET_LENGTH) throw new ConfigError(`${where}: the client secret in ${policy.clientSecretEnv} is shorter than ${MIN_CLIENT_SECRET_LENGTH} characters`);
    }
    return { protocol: "oidc", id: policy.id, displayName: policy.displayName, cvr: policy.cvrs[0]!, policy, clientSecret };
  });
}
