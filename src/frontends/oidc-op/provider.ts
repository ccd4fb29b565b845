/**
 * The OpenID Provider (node-oidc-provider) configured for the broker: code
 * flow with PKCE S256 only, registered clients only, the broker's signing
 * key, claims from what the login core released to each client, state on the
 * broker's store. Every authorization that needs a login goes to the
 * interaction URL, where the one login core runs (oidc-routes.ts).
 */
import Provider, { errors, interactionPolicy, type ClientMetadata, type Configuration, type KoaContextWithOIDC } from "oidc-provider";
import { createHash, type JsonWebKey } from "node:crypto";
import type { BrokerContext } from "../../broker-context.js";
import type { OidcClient } from "../../trust/registry.js";
import { OIDC_CLAIM_NAMES } from "../../profiles/oidc-claims.js";
import { satisfies } from "../../profiles/levels.js";
import { levelTableOf } from "../../config/level-table.js";
import { requirementOf } from "../../config/level-requirement.js";
import { storeAdapterFactory } from "./store-adapter.js";
import { pairwiseSubject, type OidcAccounts } from "./oidc-accounts.js";
import { requirementForAuthorization, SUPPORTED_ACR_VALUES } from "./oidc-levels.js";
import { oidcPages } from "./oidc-pages.js";
import { watchProviderEvents } from "./provider-events.js";

export const OIDC_PATH = "/oidc";

/** The scope a client asks for an API's access token with (together with `resource`). */
export const API_SCOPE = "api";

export function interactionPath(uid: string): string {
  return `${OIDC_PATH}/interaction/${encodeURIComponent(uid)}`;
}

function clientMetadata(client: OidcClient): ClientMetadata {
  const policy = client.policy;
  const metadata: ClientMetadata = {
    client_id: policy.clientId,
    client_name: client.displayName,
    redirect_uris: policy.redirectUris,
    response_types: ["code"],
    grant_types: policy.refreshTokens.enabled ? ["authorization_code", "refresh_token"] : ["authorization_code"],
    token_endpoint_auth_method: policy.tokenEndpointAuthMethod,
    subject_type: "pairwise",
    id_token_signed_response_alg: policy.idTokenSigningAlg,
    post_logout_redirect_uris: policy.postLogoutRedirectUris,
  };
  if (client.clientSecret !== undefined) metadata.client_secret = client.clientSecret;
  if (policy.jwks) metadata.jwks = policy.jwks as unknown as ClientMetadata["jwks"];
  if (policy.jwksUri) metadata.jwks_uri = policy.jwksUri;
  if (policy.backchannelLogoutUri) {
    metadata.backchannel_logout_uri = policy.backchannelLogoutUri;
    metadata.backchannel_logout_session_required = true;
  }
  if (policy.idTokenEncryption) {
    metadata.id_token_encrypted_response_alg = policy.idTokenEncryption.alg;
    metadata.id_token_encrypted_response_enc = policy.idTokenEncryption.enc;
  }
  return metadata;
}

/**
 * The broker's signing keys as private JWKs (kid: the certificate's SHA-256 thumbprint; the certificate goes
 * along, x5c). The key in use first: oidc-provider signs with it. During a key rollover the next key is
 * published too, so clients know it before tokens are signed with it (from the next start after the switch).
 */
function signingJwks(broker: BrokerContext): { keys: JsonWebKey[] } {
  return {
    keys: broker.keys.publishedSigning.map((key) => {
      const certificate = key.certificateBase64;
      const kid = createHash("sha256").update(Buffer.from(certificate, "base64")).digest("base64url");
      return { ...key.privateKey.export({ format: "jwk" }), kid, use: "sig", x5c: [certificate] };
    }),
  };
}

/** Every authorization logs in through the broker for its own client, at the level it needs. */
function brokerLoginCheck(broker: BrokerContext, accounts: OidcAccounts): interactionPolicy.Check {
  return new interactionPolicy.Check("broker_login_for_client", "End-User authentication for this client is required", "login_required", async (ctx: KoaContextWithOIDC) => {
    const accountId = ctx.oidc.session?.accountId;
    const clientId = ctx.oidc.client?.clientId;
    if (!accountId || !clientId) return interactionPolicy.Check.REQUEST_PROMPT;
    const client = broker.registry.oidcClientByClientId(clientId);
    const record = client && (await accounts.load(clientId, accountId));
    if (!client || !record) return interactionPolicy.Check.REQUEST_PROMPT;
    const table = levelTableOf(broker.config);
    const needed = requirementForAuthorization(ctx.oidc.params?.["acr_values"] as string | undefined, requirementOf(client.policy), table);
    if (!needed.ok || !satisfies(record.level, needed.requirement, table)) return interactionPolicy.Check.REQUEST_PROMPT;
    return interactionPolicy.Check.NO_NEED_TO_PROMPT;
  });
}

export function createOidcProvider(broker: BrokerContext, accounts: OidcAccounts): Provider {
  const clientOf = (ctx: KoaContextWithOIDC): OidcClient | undefined => {
    const clientId = ctx.oidc.client?.clientId;
    return clientId === undefined ? undefined : broker.registry.oidcClientByClientId(clientId);
  };
  const lifetime = (pick: (client: OidcClient) => number, fallback: number) => (ctx: KoaContextWithOIDC) => {
    const client = clientOf(ctx);
    return client ? pick(client) : fallback;
  };
  // oidc-provider refuses outgoing requests to loopback and private addresses (SSRF protection). The
  // operator's own registrations (jwksUri, backchannelLogoutUri) are trusted configuration, not input:
  // exactly those URLs may be on an internal network; everything else keeps the protection.
  const registeredUrls = new Set(broker.registry.oidcClients().flatMap((c) => [c.policy.jwksUri, c.policy.backchannelLogoutUri].filter((u): u is string => u !== undefined)));
  const fetchForProvider = (url: URL | string, options: RequestInit & { dispatcher?: unknown }) => {
    if (registeredUrls.has(String(url))) delete options.dispatcher;
    return globalThis.fetch(url, options);
  };
  const policy = interactionPolicy.base();
  policy.get("login")?.checks.add(brokerLoginCheck(broker, accounts));
  const pages = oidcPages(broker.config.environment);

  const configuration: Configuration = {
    adapter: storeAdapterFactory(broker.store),
    clients: broker.registry.oidcClients().map(clientMetadata),
    jwks: signingJwks(broker) as Configuration["jwks"],
    async findAccount(ctx, accountId) {
      const clientId = ctx.oidc.client?.clientId;
      if (clientId === undefined) return { accountId, claims: () => ({ sub: accountId }) };
      const record = await accounts.load(clientId, accountId);
      if (!record) return undefined;
      return { accountId, claims: () => ({ sub: accountId, ...record.claims }) };
    },
    // acr and auth_time go into every ID token: a fagsystem always learns the level proved and when.
    claims: { acr: null, auth_time: null, sid: null, openid: ["sub", "acr", "auth_time", ...OIDC_CLAIM_NAMES] },
    conformIdTokenClaims: false,
    acrValues: [...SUPPORTED_ACR_VALUES],
    responseTypes: ["code"],
    pkce: { required: () => true },
    clientAuthMethods: ["private_key_jwt", "client_secret_post", "client_secret_basic", "none"],
    subjectTypes: ["pairwise"],
    pairwiseIdentifier: (_ctx, accountId, client) => pairwiseSubject(client.clientId, accountId),
    scopes: ["openid", API_SCOPE],
    extraParams: ["municipality"],
    allowOmittingSingleRegisteredRedirectUri: false,
    enabledJWA: {
      clientAuthSigningAlgValues: ["RS256", "PS256", "RS384", "PS384", "RS512", "PS512", "ES256", "ES384", "EdDSA"],
      idTokenSigningAlgValues: ["PS256", "RS256", "PS384", "PS512"],
      idTokenEncryptionAlgValues: ["RSA-OAEP-256", "RSA-OAEP-384", "RSA-OAEP-512"],
      idTokenEncryptionEncValues: ["A256GCM", "A128GCM", "A256CBC-HS512", "A128CBC-HS256"],
      requestObjectSigningAlgValues: ["PS256", "RS256"],
    },
    cookies: {
      // The broker's own names, so they never collide with another OpenID Provider's on the same host.
      names: { session: "broker_oidc_session", interaction: "broker_oidc_interaction", resume: "broker_oidc_resume" },
      keys: [broker.cookieSecret],
      long: { signed: true, httpOnly: true, sameSite: "lax" },
      short: { signed: true, httpOnly: true, sameSite: "lax" },
    },
    interactions: {
      policy,
      url: (_ctx, interaction) => `${broker.urls.base}${interactionPath(interaction.uid)}`,
    },
    ttl: {
      AccessToken: lifetime((c) => c.policy.lifetimes.accessTokenSeconds, 300),
      IdToken: lifetime((c) => c.policy.lifetimes.idTokenSeconds, 300),
      RefreshToken: lifetime((c) => c.policy.lifetimes.refreshTokenSeconds, 3600),
      AuthorizationCode: 60,
      Interaction: broker.config.timing.loginTtlSeconds,
      Session: Math.max(broker.config.timing.ssoMaxAgeSeconds, 600),
      Grant: Math.max(broker.config.timing.ssoMaxAgeSeconds, 600),
    },
    issueRefreshToken: (ctx, client) => broker.registry.oidcClientByClientId(client.clientId)?.policy.refreshTokens.enabled === true && client.grantTypeAllowed("refresh_token"),
    rotateRefreshToken: (ctx) => clientOf(ctx)?.policy.refreshTokens.rotate ?? true,
    renderError: (ctx, out) => pages.renderError(ctx, out),
    fetch: fetchForProvider as Configuration["fetch"],
    features: {
      devInteractions: { enabled: false },
      dPoP: { enabled: false },
      encryption: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      introspection: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resourceIndicator, client) => {
          const registered = broker.registry.oidcClientByClientId(client.clientId);
          if (!registered?.policy.resourceServers.includes(resourceIndicator)) throw new errors.InvalidTarget(`${resourceIndicator.slice(0, 200)} is not an API registered for this client`);
          return {
            scope: API_SCOPE,
            audience: resourceIndicator,
            accessTokenTTL: registered.policy.lifetimes.accessTokenSeconds,
            accessTokenFormat: "jwt",
            jwt: { sign: { alg: "PS256" } },
          };
        },
      },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource: pages.logoutSource, postLogoutSuccessSource: pages.postLogoutSuccessSource },
    },
  };
  const provider = new Provider(`${broker.urls.base}${OIDC_PATH}`, configuration);
  watchProviderEvents(provider, broker.log);
  return provider;
}
