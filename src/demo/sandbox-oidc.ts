/**
 * The sandbox's `--oidc-client <yaml>`: registers a vendor's OpenID Connect
 * fagsystem with the demo broker's OIDC frontend. The YAML file holds the
 * client's settings as in oidcClients (docs/oidc.md): clientId, redirectUris,
 * tokenEndpointAuthMethod and its keys (jwks, jwksUri) or clientSecretEnv.
 * What is not given comes from the flags or the sandbox's defaults (as --sp).
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { oidcClientSchema } from "../config/oidc-client-schema.js";
import type { BrokerConfig } from "../config/schema.js";
import type { DemoMunicipality } from "./demo-users-file.js";
import { levelFlag, passThroughMappings, roleFlags, SandboxError, type SandboxSpFlags } from "./sandbox-sp.js";

export type OidcClientConfig = BrokerConfig["oidcClients"][number];

export interface SandboxOidcClient {
  config: OidcClientConfig;
  source: string;
}

export function sandboxOidcClient(source: string, flags: SandboxSpFlags, context: { taken: ReadonlySet<string>; municipalities: DemoMunicipality[] }): SandboxOidcClient {
  let spec: unknown;
  try {
    spec = parseYaml(readFileSync(source, "utf8"));
  } catch (error) {
    throw new SandboxError(`--oidc-client ${source}: ${(error as Error).message}`);
  }
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) throw new SandboxError(`--oidc-client ${source}: the file must hold a mapping (clientId, redirectUris, ...)`);
  const given = spec as Record<string, unknown>;
  const clientId = typeof given["clientId"] === "string" ? given["clientId"] : "";
  const id = typeof given["id"] === "string" ? given["id"] : clientId.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60) || "oidc-fagsystem";
  if (context.taken.has(id)) throw new SandboxError(`--oidc-client ${source}: the id ${id} is already registered (give another id: in the file)`);
  const raw = {
    displayName: clientId,
    requiredLevel: levelFlag(flags.level) ?? { nist: 3 },
    ...(flags.attributeProfile ? { attributeProfile: flags.attributeProfile } : {}),
    roleMappings: roleFlags(flags.roles) ?? passThroughMappings(context.municipalities),
    ...given,
    id,
  };
  const result = oidcClientSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join(".") || "(top level)"}: ${issue.message}`);
    throw new SandboxError(`--oidc-client ${source}: invalid client settings:\n${lines.join("\n")}`);
  }
  return { config: result.data, source };
}
