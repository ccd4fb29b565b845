/**
 * The demo broker with test OIDC clients registered beside the demo's own:
 * an NSIS client and a NIST client (private_key_jwt), a client_secret_basic
 * client (secret from the environment) and a public client (PKCE, no
 * secret), all redirecting to one real callback server.
 */
import { startDemoInstance, type DemoInstance, type DemoInstanceOptions } from "./demo-instance.js";
import { newClientKeys, registration, startCallbackServer, TestRelyingParty, type CallbackServer, type ClientKeys } from "./oidc-test-client.js";
import * as oidc from "openid-client";
import type { BrokerConfig } from "../../src/config/schema.js";

export const SECRET_ENV = "TEST_OIDC_CLIENT_SECRET";
/** The API test-nsis may ask JWT access tokens for. */
export const API_AUDIENCE = "https://api.test-nsis.example/";
export const CLIENT_SECRET = "s3cr3t-for-tests-only-0123456789abcdef";

export interface OidcDemo {
  instance: DemoInstance;
  issuer: string;
  callback: CallbackServer;
  redirectUri: string;
  keys: ClientKeys;
  /** Relying parties by client id: test-nsis, test-nist, test-secret, test-public. */
  rp(clientId: "test-nsis" | "test-nist" | "test-secret" | "test-public"): TestRelyingParty;
  stop(): Promise<void>;
}

export interface OidcDemoOptions {
  /** Further changes to the configuration (a shared store, say), after the test clients are registered. */
  configure?: (config: BrokerConfig) => BrokerConfig;
  /** The broker's log lines go here (debug level). */
  logDestination?: DemoInstanceOptions["logDestination"];
}

export async function startOidcDemo(options: OidcDemoOptions = {}): Promise<OidcDemo> {
  process.env[SECRET_ENV] = CLIENT_SECRET;
  const callback = await startCallbackServer();
  const redirectUri = `${callback.url}/cb`;
  const keys = await newClientKeys();
  const common = { redirectUris: [redirectUri], postLogoutRedirectUris: [`${callback.url}/logged-out`], cvr: "29189846", roleMappings: [] };
  const clients = [
    registration({
      id: "test-nsis",
      clientId: "test-nsis",
      requiredLevel: { nsis: "Substantial" },
      jwks: { keys: [keys.publicJwk] },
      refreshTokens: { enabled: true },
      resourceServers: [API_AUDIENCE],
      backchannelLogoutUri: `${callback.url}/backchannel`,
      ...common,
    }),
    registration({ id: "test-nist", clientId: "test-nist", requiredLevel: { nist: 3 }, jwks: { keys: [keys.publicJwk] }, needsPrivileges: false, ...common }),
    registration({ id: "test-secret", clientId: "test-secret", requiredLevel: { nsis: "Substantial" }, tokenEndpointAuthMethod: "client_secret_basic", clientSecretEnv: SECRET_ENV, needsPrivileges: false, ...common }),
    registration({ id: "test-public", clientId: "test-public", requiredLevel: { nsis: "Substantial" }, tokenEndpointAuthMethod: "none", needsPrivileges: false, ...common }),
  ];
  const instance = await startDemoInstance({
    logDestination: options.logDestination,
    configure: (config) => {
      // test-nsis translates roles as the demo fagsystem does, and Sky Kommune's role catalogue answers for it as for the demo fagsystem.
      const demoMappings = config.serviceProviders.find((sp) => sp.id === "demo-fagsystem")?.roleMappings ?? [];
      const withMappings = clients.map((c) => (c.id === "test-nsis" ? { ...c, roleMappings: demoMappings } : c));
      const registered: BrokerConfig = {
        ...config,
        oidcClients: [...config.oidcClients, ...withMappings],
        attributeServices: config.attributeServices.map((s) => ({ ...s, systems: { ...s.systems, "test-nsis": "demo-fagsystem" } })),
      };
      return options.configure ? options.configure(registered) : registered;
    },
  });
  const issuer = `${instance.brokerUrl}/oidc`;
  const parties = {
    "test-nsis": TestRelyingParty.withKey(issuer, "test-nsis", redirectUri, keys),
    "test-nist": TestRelyingParty.withKey(issuer, "test-nist", redirectUri, keys),
    "test-secret": new TestRelyingParty(issuer, "test-secret", redirectUri, oidc.ClientSecretBasic(CLIENT_SECRET)),
    "test-public": new TestRelyingParty(issuer, "test-public", redirectUri, oidc.None()),
  };
  return {
    instance,
    issuer,
    callback,
    redirectUri,
    keys,
    rp: (clientId) => parties[clientId],
    async stop() {
      await instance.stop();
      await callback.close();
    },
  };
}
