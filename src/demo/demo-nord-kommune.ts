/**
 * Starts the demo's Entra ID municipality over OpenID Connect when the demo
 * configuration registers it (config/demo/nord-kommune.yaml): its OpenID
 * Provider on its own port, the registration rewritten to that port, the
 * client secret put in its environment variable when unset.
 */
import { randomBytes } from "node:crypto";
import type { BrokerConfig } from "../config/schema.js";
import { closeServer, listenOn } from "./demo-servers.js";
import { createDemoEntraOp, type EntraUser } from "./demo-entra-op.js";

export const NORD_IDP_ID = "nord-kommune";

export const NORD_USERS: readonly EntraUser[] = [
  { username: "nina", oid: "3f6a2b1c-9d8e-4f7a-8b6c-5d4e3f2a1b0c", upn: "nina@nord-kommune.dk", name: "Nina Nordahl", givenName: "Nina", familyName: "Nordahl", groups: ["sg-ledere"], mfa: true },
  { username: "niels", oid: "8e7d6c5b-4a3f-4e2d-9c1b-0a9f8e7d6c5b", upn: "niels@nord-kommune.dk", name: "Niels Nielsen", givenName: "Niels", familyName: "Nielsen", groups: ["sg-sagsbehandlere"], mfa: false },
];

export interface RunningNordKommune {
  config: BrokerConfig;
  url: string;
  stop(): Promise<void>;
}

export async function startNordKommune(config: BrokerConfig, port: number | undefined): Promise<RunningNordKommune | undefined> {
  const registered = config.oidcIdentityProviders.find((idp) => idp.id === NORD_IDP_ID);
  if (!registered) return undefined;
  const envName = registered.clientSecretEnv;
  const secret = (envName ? process.env[envName] : undefined) || randomBytes(32).toString("base64url");
  if (envName && !process.env[envName]) process.env[envName] = secret;
  const { server, url } = await listenOn(port ?? 0);
  server.on(
    "request",
    createDemoEntraOp({
      issuer: url,
      tenant: registered.tenant ?? "demo-tenant",
      clientId: registered.clientId,
      clientSecret: secret,
      redirectUri: `${config.baseUrl.replace(/\/+$/, "")}/oidc-rp/callback`,
      users: NORD_USERS,
      cookieSecret: randomBytes(32).toString("base64url"),
    }),
  );
  return {
    config: { ...config, oidcIdentityProviders: config.oidcIdentityProviders.map((idp) => (idp.id === registered.id ? { ...registered, issuer: url } : idp)) },
    url,
    stop: () => closeServer(server),
  };
}
