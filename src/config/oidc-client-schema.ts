/**
 * An OpenID Connect fagsystem (a relying party of the broker's OIDC
 * frontend): how it authenticates, where answers go, how its ID tokens are
 * protected, and the same level and privilege policy a SAML fagsystem has.
 * Spliced into the one schema in schema.ts. See docs/oidc.md.
 */
import { z } from "zod";
import { NSIS_LEVELS } from "../profiles/levels.js";
import { serviceProviderPolicyFields } from "./policy-schema.js";
import { serviceProviderPrivilegeFields } from "./attribute-service-schema.js";

const partyId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "ids are lower-case letters, digits and '-'");

/** Exactly one level: a minimum NSIS level or a NIST level (an OIDC fagsystem always names one). */
const oidcLevelRequirement = z.union([
  z.object({ nsis: z.enum(NSIS_LEVELS) }).strict(),
  z.object({ nist: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]) }).strict(),
]);

/** An absolute https URL, or http on a loopback host (development). No fragment. */
const redirectUrl = z.url().refine((value) => {
  const url = new URL(value);
  if (url.hash !== "") return false;
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
}, "an https URL without fragment (http only on localhost / 127.0.0.1)");

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]{0,127}$/, "an environment variable name (A-Z, 0-9, _)");

export const TOKEN_ENDPOINT_AUTH_METHODS = ["private_key_jwt", "client_secret_post", "client_secret_basic", "none"] as const;
export const ID_TOKEN_SIGNING_ALGS = ["PS256", "RS256", "PS384", "PS512"] as const;

const jwk = z.record(z.string(), z.unknown()).refine((key) => typeof key["kty"] === "string", "a JWK has a kty");

export const oidcClientSchema = z
  .object({
    /** The party's id in this configuration (logs, attribute services' `systems`). */
    id: partyId,
    clientId: z.string().regex(/^[\x21-\x7e]{1,200}$/, "client_id is 1-200 printable ASCII characters without spaces"),
    displayName: z.string().min(1).optional(),
    requiredLevel: oidcLevelRequirement,
    redirectUris: z.array(redirectUrl).min(1).max(20),
    tokenEndpointAuthMethod: z.enum(TOKEN_ENDPOINT_AUTH_METHODS).default("private_key_jwt"),
    /** The environment variable holding the client secret (client_secret_post / client_secret_basic). Never the secret itself. */
    clientSecretEnv: envName.optional(),
    /** The client's public keys: private_key_jwt client assertions, and ID token encryption. */
    jwks: z.object({ keys: z.array(jwk).min(1).max(10) }).strict().optional(),
    jwksUri: z.url().refine((v) => v.startsWith("https://") || /^http:\/\/(localhost|127\.0\.0\.1)[:/]/.test(v), "jwksUri must be https (http only on localhost)").optional(),
    postLogoutRedirectUris: z.array(redirectUrl).max(20).default([]),
    frontchannelLogoutUri: redirectUrl.optional(),
    backchannelLogoutUri: redirectUrl.optional(),
    idTokenSigningAlg: z.enum(ID_TOKEN_SIGNING_ALGS).default("PS256"),
    /** Encrypt ID tokens to a key in the client's JWKS (use "enc"). */
    idTokenEncryption: z
      .object({
        alg: z.enum(["RSA-OAEP-256", "RSA-OAEP-384", "RSA-OAEP-512"]).default("RSA-OAEP-256"),
        enc: z.enum(["A256GCM", "A128GCM", "A256CBC-HS512", "A128CBC-HS256"]).default("A256GCM"),
      })
      .strict()
      .optional(),
    /**
     * APIs (resource indicators, RFC 8707) this client may ask access tokens for, with `resource` and
     * scope `api`: those access tokens are JWTs signed by the broker with the API as audience.
     * Without `resource`, access tokens are opaque and serve userinfo.
     */
    resourceServers: z.array(z.url()).max(10).default([]),
    refreshTokens: z
      .object({ enabled: z.boolean().default(false), rotate: z.boolean().default(true) })
      .strict()
      .prefault({}),
    lifetimes: z
      .object({
        accessTokenSeconds: z.number().int().min(30).max(3600).default(300),
        idTokenSeconds: z.number().int().min(30).max(3600).default(300),
        refreshTokenSeconds: z.number().int().min(60).max(30 * 86_400).default(8 * 3600),
      })
      .strict()
      .prefault({}),
    attributeProfile: z.enum(["KOMBIT", "KOMBIT_WITHOUT_PERSONAL_DATA"]).default("KOMBIT"),
    /** OIDC claims carry the OIOSAML 3 names. */
    oiosamlProfile: z.literal("OIOSAML3").default("OIOSAML3"),
    cvr: serviceProviderPolicyFields.cvr,
    privilegeNamespace: serviceProviderPolicyFields.privilegeNamespace,
    userSystemRoles: serviceProviderPolicyFields.userSystemRoles,
    roleMappings: serviceProviderPolicyFields.roleMappings,
    ...serviceProviderPrivilegeFields,
  })
  .strict()
  .superRefine((client, context) => {
    const method = client.tokenEndpointAuthMethod;
    const usesSecret = method === "client_secret_post" || method === "client_secret_basic";
    if (usesSecret && !client.clientSecretEnv) {
      context.addIssue({ code: "custom", path: ["clientSecretEnv"], message: `${method} needs clientSecretEnv: the environment variable holding the secret` });
    }
    if (!usesSecret && client.clientSecretEnv) {
      context.addIssue({ code: "custom", path: ["clientSecretEnv"], message: `a ${method} client has no secret; remove clientSecretEnv` });
    }
    if (method === "private_key_jwt" && !client.jwks && !client.jwksUri) {
      context.addIssue({ code: "custom", path: ["jwks"], message: "private_key_jwt needs the client's public keys: jwks or jwksUri" });
    }
    if (client.jwks && client.jwksUri) {
      context.addIssue({ code: "custom", path: ["jwksUri"], message: "give jwks or jwksUri, not both" });
    }
    if (client.idTokenEncryption && !client.jwks && !client.jwksUri) {
      context.addIssue({ code: "custom", path: ["idTokenEncryption"], message: "encrypted ID tokens need the client's encryption key: jwks or jwksUri" });
    }
    if (method === "none" && client.refreshTokens.enabled && !client.refreshTokens.rotate) {
      context.addIssue({ code: "custom", path: ["refreshTokens", "rotate"], message: "a public client's refresh tokens must rotate" });
    }
  });

export type OidcClientConfig = z.infer<typeof oidcClientSchema>;
