/** An OIDC client secret (the broker's at an OP, or a fagsystem's at the broker), read from the environment or a mounted file (`<NAME>_FILE`), never from configuration files. */
import { ConfigError } from "../config/load-config.js";
import { EnvironmentValueError, readEnvironmentValue } from "../config/environment-value.js";

/** Shorter secrets are refused: a client secret is a key, not a password. */
export const MIN_CLIENT_SECRET_LENGTH = 32;

/** The secret in `envName`, or undefined when the registration names none; `where` names the party in errors. */
export function readClientSecret(where: string, envName: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (!envName) return undefined;
  let secret: string | undefined;
  try {
    secret = readEnvironmentValue(env, envName);
  } catch (error) {
    if (error instanceof EnvironmentValueError) throw new ConfigError(`${where}: the client secret: ${error.message}`);
    throw error;
  }
  if (secret === undefined) throw new ConfigError(`${where}: the environment variable ${envName} holding the client secret is not set (nor ${envName}_FILE)`);
  if (secret.length < MIN_CLIENT_SECRET_LENGTH) throw new ConfigError(`${where}: the client secret in ${envName} is shorter than ${MIN_CLIENT_SECRET_LENGTH} characters`);
  return secret;
}
