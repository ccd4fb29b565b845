/**
 * Loads configuration: every *.yaml in one folder (sorted by name, merged:
 * objects deep-merged, party lists concatenated), then environment variables
 * on top, validated by the one schema. A bad field stops start-up with its path.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { configSchema, type BrokerConfig } from "./schema.js";
import { EnvironmentValueError, readEnvironmentValue } from "./environment-value.js";

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

type Plain = Record<string, unknown>;

const ENVIRONMENT: Array<[string, string[]]> = [
  ["BROKER_BASE_URL", ["baseUrl"]],
  ["BROKER_ENTITY_ID", ["entityId"]],
  ["BROKER_HOST", ["host"]],
  ["BROKER_PORT", ["port"]],
  ["BROKER_COOKIE_SECRET", ["cookieSecret"]],
  ["BROKER_STORE_URL", ["store", "url"]],
  ["BROKER_STORE_PREFIX", ["store", "prefix"]],
  ["BROKER_STORE_SENTINEL_PASSWORD", ["store", "sentinel", "password"]],
  ["BROKER_ENVIRONMENT", ["environment"]],
  ["BROKER_LOG_LEVEL", ["log", "level"]],
  ["BROKER_METRICS_TOKEN", ["metrics", "token"]],
  ["BROKER_OTLP_ENDPOINT", ["tracing", "otlpEndpoint"]],
  ["BROKER_SIGNING_KEY", ["keys", "signing", "key"]],
  ["BROKER_SIGNING_CERT", ["keys", "signing", "cert"]],
  ["BROKER_ENCRYPTION_KEY", ["keys", "encryption", "key"]],
  ["BROKER_ENCRYPTION_CERT", ["keys", "encryption", "cert"]],
];

export function readConfigFolder(folder: string): Plain {
  let names: string[];
  try {
    names = readdirSync(folder).filter((name) => /\.ya?ml$/.test(name) && statSync(join(folder, name)).isFile()).sort();
  } catch (error) {
    throw new ConfigError(`cannot read configuration folder ${folder}: ${(error as Error).message}`);
  }
  let merged: Plain = {};
  for (const name of names) {
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(join(folder, name), "utf8"));
    } catch (error) {
      throw new ConfigError(`${join(folder, name)} is not valid YAML: ${(error as Error).message}`);
    }
    if (parsed === null || parsed === undefined) continue;
    if (typeof parsed !== "object" || Array.isArray(parsed)) throw new ConfigError(`${join(folder, name)} must hold a mapping at its top level`);
    merged = mergeConfig(merged, parsed as Plain);
  }
  return merged;
}

export function mergeConfig(base: Plain, extra: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const existing = out[key];
    if (Array.isArray(existing) && Array.isArray(value)) out[key] = [...existing, ...value];
    else if (isPlain(existing) && isPlain(value)) out[key] = mergeConfig(existing, value);
    else out[key] = value;
  }
  return out;
}

function isPlain(value: unknown): value is Plain {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Each variable, or `<VARIABLE>_FILE` naming a file that holds its value (mounted secrets). */
export function applyEnvironment(raw: Plain, env: NodeJS.ProcessEnv): Plain {
  let out = raw;
  for (const [variable, path] of ENVIRONMENT) {
    let value: string | undefined;
    try {
      value = readEnvironmentValue(env, variable);
    } catch (error) {
      if (error instanceof EnvironmentValueError) throw new ConfigError(error.message);
      throw error;
    }
    if (value === undefined) continue;
    let patch: unknown = value;
    for (const key of [...path].reverse()) patch = { [key]: patch };
    out = mergeConfig(out, patch as Plain);
  }
  return out;
}

export function validateConfig(raw: unknown): BrokerConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join(".") || "(top level)"}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const config = result.data;
  requireSharedSecrets(config);
  for (const list of [config.identityProviders, config.serviceProviders]) {
    const seen = new Set<string>();
    list.forEach((party, index) => {
      if (seen.has(party.id)) throw new ConfigError(`invalid configuration:\n  parties[${index}].id: duplicate id ${party.id}`);
      seen.add(party.id);
    });
  }
  return config;
}

/** With a shared store every instance must use the same secret: it cannot be generated per process. */
export function requireSharedSecrets(config: BrokerConfig): void {
  if (config.store.url !== "memory" && config.cookieSecret === undefined) {
    throw new ConfigError(
      "invalid configuration:\n  cookieSecret: required with a shared store (store.url is not memory): every instance must seal login state and sign cookies with the same secret; set BROKER_COOKIE_SECRET or BROKER_COOKIE_SECRET_FILE (at least 32 characters)",
    );
  }
}

export function loadConfig(folder: string, env: NodeJS.ProcessEnv = process.env): BrokerConfig {
  return validateConfig(applyEnvironment(readConfigFolder(folder), env));
}
