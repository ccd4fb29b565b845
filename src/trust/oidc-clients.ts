/** OIDC fagsystemer from configuration, with their client secrets read from the environment or a mounted file (`<NAME>_FILE`) (never from files in the repository). */
import type { OidcClientConfig } from "../config/schema.js";
import { ConfigError } from "../config/load-config.js";
import { EnvironmentValueError, readEnvironmentValue } from "../config/environment-value.js";
import type { OidcClient } from "./downstream-party.js";

/** Shorter secrets are refused: a client secret is a key, not a password. */
export const MIN_CLIENT_SECRET_LENGTH = 32;

export function loadOidcClients(configs: readonly OidcClientConfig[], env: NodeJS.ProcessEnv): OidcClient[] {
  return configs.map((policy, index): OidcClient => {
    const where = `oidcClients[${index}] (${policy.id})`;
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
    return { id: policy.id, displayName: policy.displayName ?? policy.id, systemId: policy.clientId, policy, clientSecret };
  });
}
