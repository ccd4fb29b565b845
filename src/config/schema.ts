/** The one configuration schema. Everything the broker reads from config/*.yaml and the environment. */
import { z } from "zod";
import { NSIS_LEVELS } from "../profiles/levels.js";
import {
  auditSchema,
  checkServiceProviderPolicy,
  identityProviderPolicyFields,
  jobFunctionRolesSchema,
  levelsSchema,
  serviceProviderPolicyFields,
} from "./policy-schema.js";
import { nemLogInSchema } from "./nemlogin-schema.js";
import { BROKER_ENVIRONMENTS } from "./environments.js";
import { oidcClientSchema } from "./oidc-client-schema.js";
import { oidcIdentityProviderSchema } from "./oidc-idp-schema.js";
import {
  attributeServicesSchema,
  checkAttributeServiceReferences,
  identityProviderPrivilegeFields,
  serviceProviderPrivilegeFields,
} from "./attribute-service-schema.js";
import { userStoreSchema } from "./user-store-schema.js";
import { checkProductionStrictness, trustSchema } from "./trust-schema.js";

const cvr = z.string().regex(/^\d{8}$/, "a CVR number is 8 digits");
const partyId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "ids are lower-case letters, digits and '-'");

const keyPair = z.object({ key: z.string().min(1), cert: z.string().min(1) }).strict();

const levelRequirement = z.union([
  z.object({ nsis: z.enum(NSIS_LEVELS) }).strict(),
  z.object({ nist: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]) }).strict(),
  z.literal("none"),
]);

export const identityProviderSchema = z
  .object({
    id: partyId,
    displayName: z.string().min(1),
    metadata: z.string().min(1),
    /** CVRs this IdP may issue tokens for; the first is the municipality it serves. */
    cvrs: z.array(cvr).min(1),
    /**
     * Send Scoping/RequesterID naming the fagsystem. Off by default, as the
     * real Context Handler's SupportsScope (AD FS rejects Scoping); switch it
     * on for IdPs that pick a per-system policy from it.
     */
    sendScoping: z.boolean().default(false),
    allowSha1: z.boolean().default(false),
    /** Require the assertion itself to be signed (OIOSAML 3). When false, a signed Response is enough. */
    requireSignedAssertion: z.boolean().default(true),
    /** Require the assertion to arrive encrypted (OIOSAML 3). */
    requireEncryptedAssertion: z.boolean().default(false),
    /** PEM certificate that must have signed the metadata file (fail closed when it is unsigned or the signature does not verify). */
    metadataSigningCert: z.string().min(1).optional(),
    /** Keep signing certificates outside their validity dates (test parties only; refused in production). */
    allowExpiredCertificate: z.boolean().default(false),
    /** Do not check this party's signing certificates against trust.chain (roots, revocation): test parties only; refused in production. */
    skipCertificateChain: z.boolean().default(false),
    /** The entityID to take when `metadata` is a signed aggregate (md:EntitiesDescriptor); with a single EntityDescriptor, it must match. */
    entityId: z.string().min(1).optional(),
    /** Where the party publishes its metadata: fetched at start and refreshed on a schedule; `metadata` is then the backing file, kept as the last good copy. */
    metadataUrl: z.url({ protocol: /^https?$/, error: "metadataUrl is an http or https URL" }).optional(),
    /** Levels, OIOSAML profile, roles, robots: see policy-schema.ts and docs/policy.md. */
    ...identityProviderPolicyFields,
    /** Where this municipality's privileges come from (assertion, attribute service, both): docs/attribute-service.md. */
    ...identityProviderPrivilegeFields,
  })
  .strict();

export const serviceProviderSchema = z
  .object({
    id: partyId,
    displayName: z.string().min(1).optional(),
    metadata: z.string().min(1),
    requiredLevel: levelRequirement.default("none"),
    nameIdFormat: z.enum(["persistent", "x509SubjectName"]).default("persistent"),
    /** Reject AuthnRequests that are not signed. */
    requireSignedRequests: z.boolean().default(true),
    /** Encrypt assertions when the metadata has an encryption certificate. */
    encryptAssertions: z.boolean().default(true),
    /** Also sign the Response element (many SP libraries require it; OIOSAML 3 does not). */
    signResponse: z.boolean().default(false),
    /** PEM certificate that must have signed the metadata file (fail closed when it is unsigned or the signature does not verify). */
    metadataSigningCert: z.string().min(1).optional(),
    /** Keep signing certificates outside their validity dates (test parties only; refused in production). */
    allowExpiredCertificate: z.boolean().default(false),
    /** Do not check this party's signing certificates against trust.chain (roots, revocation): test parties only; refused in production. */
    skipCertificateChain: z.boolean().default(false),
    /** The entityID to take when `metadata` is a signed aggregate (md:EntitiesDescriptor); with a single EntityDescriptor, it must match. */
    entityId: z.string().min(1).optional(),
    /** Where the party publishes its metadata: fetched at start and refreshed on a schedule; `metadata` is then the backing file, kept as the last good copy. */
    metadataUrl: z.url({ protocol: /^https?$/, error: "metadataUrl is an http or https URL" }).optional(),
    allowSha1: z.boolean().default(false),
    encryption: z
      .object({
        content: z.enum(["aes256-gcm", "aes128-gcm", "aes256-cbc", "aes128-cbc"]).optional(),
        keyTransport: z.enum(["rsa-oaep", "rsa-oaep-mgf1p"]).optional(),
      })
      .strict()
      .optional(),
    /** Attribute profile, OIOSAML profile, owner, privilege namespace, role mappings: see policy-schema.ts and docs/policy.md. */
    ...serviceProviderPolicyFields,
    /** needsPrivileges: docs/attribute-service.md. */
    ...serviceProviderPrivilegeFields,
  })
  .strict()
  .superRefine(checkServiceProviderPolicy);

const redisNode = z.object({ host: z.string().min(1), port: z.coerce.number().int().min(1).max(65535) }).strict();

/**
 * Where login state, replay caches and SSO sessions live. "memory" (default)
 * for one process; redis:// or rediss:// for several instances. With
 * `sentinel` the URL gives credentials, database and TLS for the data nodes
 * and the master is found through the sentinels; with `cluster` the URL is
 * the first seed node and also gives the credentials for every node.
 */
export const storeSchema = z
  .object({
    url: z
      .string()
      .default("memory")
      .refine((url) => url === "memory" || /^rediss?:\/\/[^\s]*$/.test(url), "store.url is \"memory\" or a redis:// or rediss:// URL"),
    /** Prepended to every key, so deployments can share one Redis. */
    prefix: z.string().regex(/^[A-Za-z0-9:_.-]{1,64}$/, "prefix is 1-64 letters, digits or :_.-").default("broker:"),
    /**
     * The memory store's budget (one process): expired entries go first, then the oldest SSO sessions;
     * replay marks and logins in flight are never evicted. About 3 KB per SSO session, 1 KB per login in flight.
     */
    memoryMaxMegabytes: z.number().int().min(8).max(16_384).default(128),
    /**
     * Redis must not evict the broker's keys (a replay mark evicted is a replay accepted): at start the
     * broker reads `maxmemory-policy` and refuses to start (refuse, default) or logs an error (warn)
     * unless it is noeviction.
     */
    evictionPolicyCheck: z.enum(["refuse", "warn"]).default("refuse"),
    /** A command that gets no answer within this time fails (the login gets a 503 page). */
    commandTimeoutMs: z.number().int().min(50).max(60_000).default(2_000),
    connectTimeoutMs: z.number().int().min(100).max(60_000).default(5_000),
    sentinel: z
      .object({
        /** The master group name the sentinels monitor. */
        name: z.string().min(1),
        nodes: z.array(redisNode).min(1),
        /** Credentials for the sentinels themselves, when they require them. */
        username: z.string().min(1).optional(),
        password: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    cluster: z
      .object({
        /** More seed nodes besides the one in `url`. */
        nodes: z.array(redisNode).default([]),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((store) => !(store.sentinel && store.cluster), "store: choose sentinel or cluster, not both")
  .refine((store) => store.url !== "memory" || (!store.sentinel && !store.cluster), "store: sentinel and cluster need a redis:// url")
  .prefault({});

export const configSchema = z
  .object({
    /**
     * Which trust set this deployment serves. A production broker refuses
     * known test parties and a non-production one refuses production
     * NemLog-in (src/trust/environment-guard.ts); shown in pages, logs and metrics.
     */
    environment: z.enum(BROKER_ENVIRONMENTS).default("production"),
    baseUrl: z.url().default("http://localhost:8080"),
    entityId: z.string().min(1).default("https://saml.broker.localhost"),
    host: z.string().default("127.0.0.1"),
    port: z.coerce.number().int().min(0).max(65535).default(8080),
    /** Secure flag on cookies: "auto" sets it when baseUrl is https. */
    secureCookies: z.enum(["auto", "always", "never"]).default("auto"),
    /**
     * Bind a login at the upstream IdP (municipal IdP, NemLog-in) to the browser sent there: its answer counts only with
     * the cookie set then (login CSRF). "auto": when baseUrl is https (the cookie must be SameSite=None; Secure).
     */
    upstreamBrowserBinding: z.enum(["auto", "always", "off"]).default("auto"),
    /**
     * Secret for signing the browser cookies and sealing login state. Set BROKER_COOKIE_SECRET or
     * BROKER_COOKIE_SECRET_FILE. Required with Redis (the same on every instance); generated per process with the memory store.
     */
    cookieSecret: z.string().min(32, "cookieSecret must be at least 32 characters (BROKER_COOKIE_SECRET or BROKER_COOKIE_SECRET_FILE)").optional(),
    keys: z
      .object({
        signing: keyPair.default({ key: "var/keys/broker-signing.key.pem", cert: "var/keys/broker-signing.cert.pem" }),
        encryption: keyPair.default({ key: "var/keys/broker-encryption.key.pem", cert: "var/keys/broker-encryption.cert.pem" }),
        /**
         * A key rollover: the next signing and encryption keys, published beside the current ones (and the next
         * encryption key decrypts) from start. Signing moves to the next key at `signingSwitchAt`, or on
         * `npm run keys -- rollover` / SIGUSR2. Retire the old keys by making these the current ones.
         */
        next: z
          .object({
            signing: keyPair,
            encryption: keyPair,
            signingSwitchAt: z.iso.datetime({ offset: true }).optional(),
          })
          .strict()
          .optional(),
        /** Create self-signed keys on start when the files are missing (demo, test). */
        generateIfMissing: z.boolean().default(false),
        bits: z.union([z.literal(2048), z.literal(3072), z.literal(4096)]).default(3072),
      })
      .strict()
      .prefault({}),
    signatureAlgorithm: z.enum(["rsa-sha256", "rsa-pss-sha256"]).default("rsa-sha256"),
    timing: z
      .object({
        clockSkewSeconds: z.number().int().min(0).max(600).default(300),
        loginTtlSeconds: z.number().int().min(30).max(3600).default(600),
        assertionLifetimeSeconds: z.number().int().min(30).max(3600).default(300),
        requestMaxAgeSeconds: z.number().int().min(30).max(3600).default(300),
        municipalityCookieDays: z.number().int().min(0).max(400).default(90),
        /** How long a browser's broker session can answer another fagsystem without the IdP (SSO). 0 disables SSO. */
        ssoMaxAgeSeconds: z.number().int().min(0).max(86_400).default(8 * 3600),
        /** Single Logout: how long the broker waits for a party called on the back channel (SOAP, OIDC back-channel logout). */
        logoutBackChannelSeconds: z.number().int().min(1).max(60).default(5),
        /** Single Logout: how long the logout page waits for the fagsystemer reached through the browser (frames). */
        logoutFrontChannelSeconds: z.number().int().min(2).max(120).default(10),
      })
      .strict()
      .prefault({}),
    /** Limits on everything from outside, enforced before it is parsed (README, "Limits"). Each has a ceiling, so a typo cannot switch one off. */
    limits: z
      .object({
        bodyBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(256 * 1024),
        inflatedBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(256 * 1024),
        xmlDepth: z.number().int().min(8).max(256).default(32),
        xmlElements: z.number().int().min(50).max(200_000).default(4000),
        relayStateBytes: z.number().int().min(80).max(8192).default(1024),
        attributes: z.number().int().min(1).max(10_000).default(200),
        attributeValues: z.number().int().min(1).max(100_000).default(1000),
        /** OIO-BPP privilege groups in one IdP's privileges attribute, and privileges in one group. */
        privilegeGroups: z.number().int().min(1).max(10_000).default(500),
        privilegesPerGroup: z.number().int().min(1).max(1000).default(50),
        /** Whole request, and its headers, must arrive within these (slow clients are cut off). */
        requestTimeoutSeconds: z.number().int().min(1).max(300).default(30),
        headersTimeoutSeconds: z.number().int().min(1).max(120).default(15),
      })
      .strict()
      .prefault({}),
    store: storeSchema,
    /** How parties' certificates are checked (README, "Certificate checks"). */
    trust: trustSchema,
    /** OpenTelemetry spans over OTLP/HTTP (JSON) to this URL (e.g. http://collector:4318/v1/traces); absent: no tracing. */
    tracing: z
      .object({ otlpEndpoint: z.url().optional(), serviceName: z.string().min(1).default("context-broker") })
      .strict()
      .prefault({}),
    /** On SIGTERM: readiness turns 503 at once; the listener stays open drainDelaySeconds (for load balancers to notice), then requests in flight get graceSeconds to finish. */
    shutdown: z
      .object({
        drainDelaySeconds: z.number().int().min(0).max(120).default(0),
        graceSeconds: z.number().int().min(1).max(300).default(10),
      })
      .strict()
      .prefault({}),
    log: z
      .object({ level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info") })
      .strict()
      .prefault({}),
    /** Prometheus metrics at /metrics; with a token, scrapers must send `Authorization: Bearer <token>`. */
    metrics: z
      .object({ enabled: z.boolean().default(true), token: z.string().min(16, "metrics.token must be at least 16 characters").optional() })
      .strict()
      .prefault({}),
    /** The IdP self-check at /selfcheck (a test login that ends in a report, for municipalities' IT staff): off unless this environment's config enables it. */
    selfCheck: z.object({ enabled: z.boolean().default(false) }).strict().prefault({}),
    organisations: z.array(z.object({ cvr, name: z.string().min(1) }).strict()).default([]),
    /** The register of job-function roles: owner and delegations (used by the privilege scope rule). */
    jobFunctionRoles: jobFunctionRolesSchema,
    /** The NIST ⇄ NSIS conversion. */
    levels: levelsSchema,
    audit: auditSchema,
    identityProviders: z.array(identityProviderSchema).default([]),
    /** Municipal IdPs that speak OpenID Connect (Entra ID). See docs/oidc-idp.md. */
    oidcIdentityProviders: z.array(oidcIdentityProviderSchema).default([]),
    serviceProviders: z.array(serviceProviderSchema).default([]),
    /** OpenID Connect fagsystemer (relying parties of the broker's OIDC frontend). See docs/oidc.md. */
    oidcClients: z.array(oidcClientSchema).default([]),
    /** NemLog-in for step-up (MitID Erhverv); absent: no step-up. See docs/step-up.md. */
    nemlogin: nemLogInSchema.optional(),
    /** Services that answer which privileges a user holds (REST role catalogues, SAML AttributeQuery). */
    attributeServices: attributeServicesSchema,
    /** The user store municipalities provision over mutual TLS (CPR numbers for the SEB profile); absent: none. */
    userStore: userStoreSchema.optional(),
  })
  .strict()
  .superRefine((config, context) => {
    checkAttributeServiceReferences(
      { ...config, identityProviders: [...config.identityProviders, ...config.oidcIdentityProviders], serviceProviders: [...config.serviceProviders, ...config.oidcClients] },
      context,
    );
    const idpIds = new Set(config.identityProviders.map((idp) => idp.id));
    config.oidcIdentityProviders.forEach((idp, index) => {
      if (idpIds.has(idp.id)) context.addIssue({ code: "custom", path: ["oidcIdentityProviders", index, "id"], message: `id ${idp.id} is already used by another IdP` });
      idpIds.add(idp.id);
    });
    checkDownstreamIds(config, context);
    checkProductionStrictness(config, context);
  });

/** A SAML fagsystem and an OIDC fagsystem cannot share an id; two OIDC clients cannot share a client_id. */
function checkDownstreamIds(config: { serviceProviders: ReadonlyArray<{ id: string }>; oidcClients: ReadonlyArray<{ id: string; clientId: string }> }, context: z.RefinementCtx): void {
  const ids = new Set(config.serviceProviders.map((sp) => sp.id));
  const clientIds = new Set<string>();
  config.oidcClients.forEach((client, index) => {
    if (ids.has(client.id)) context.addIssue({ code: "custom", path: ["oidcClients", index, "id"], message: `id ${client.id} is already used by another fagsystem` });
    ids.add(client.id);
    if (clientIds.has(client.clientId)) context.addIssue({ code: "custom", path: ["oidcClients", index, "clientId"], message: `client_id ${client.clientId} is registered twice` });
    clientIds.add(client.clientId);
  });
}

export type BrokerConfig = z.infer<typeof configSchema>;
export type StoreConfig = z.infer<typeof storeSchema>;
export type IdentityProviderConfig = z.infer<typeof identityProviderSchema>;
export type ServiceProviderConfig = z.infer<typeof serviceProviderSchema>;
export type { OidcClientConfig } from "./oidc-client-schema.js";
export type { OidcIdentityProviderConfig } from "./oidc-idp-schema.js";

/** What the login core reads of any downstream party's registration, SAML or OIDC. */
export type DownstreamPolicy = Pick<
  ServiceProviderConfig,
  "id" | "requiredLevel" | "attributeProfile" | "oiosamlProfile" | "cvr" | "privilegeNamespace" | "userSystemRoles" | "roleMappings" | "needsPrivileges"
>;
