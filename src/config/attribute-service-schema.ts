/**
 * Configuration of attribute services (where a municipality's privileges come
 * from when its IdP does not send them) and the per-party fields that choose
 * them. Spliced into the one schema in src/config/schema.ts. See
 * docs/attribute-service.md.
 */
import { z } from "zod";

const serviceId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "ids are lower-case letters, digits and '-'");
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]{0,127}$/, "an environment variable name is upper-case letters, digits and '_'");
const headerName = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, "a header name is letters, digits and '-'");
const parameterName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "a query parameter name is letters, digits and _.-");

/** Client certificate, key and the CA that must have issued the service's certificate (files, PEM). */
const mutualTls = z
  .object({
    cert: z.string().min(1),
    key: z.string().min(1),
    /** CA certificate(s) the service's TLS certificate must chain to. */
    ca: z.string().min(1),
  })
  .strict();

const common = {
  id: serviceId,
  /** Shown in errors and logs: "Sky Kommunes rollekatalog". */
  displayName: z.string().min(1),
  /** One attempt may take this long (connect, send, read). */
  timeoutMs: z.number().int().min(100).max(30_000).default(3_000),
  /** Further attempts after a timeout, a network error or a 5xx answer (not after a 4xx or a malformed answer). */
  retries: z.number().int().min(0).max(3).default(1),
  /** How long an answer is reused for the same user, system and claims. 0: never cached. */
  cacheSeconds: z.number().int().min(0).max(3_600).default(60),
  /** Larger answers are refused. */
  maxResponseBytes: z.number().int().min(1_024).max(4 * 1024 * 1024).default(256 * 1024),
  /** What "user unknown" (404, or SAML UnknownPrincipal) means: refuse the login (default), or no privileges. */
  unknownUser: z.enum(["fail", "no-privileges"]).default("fail"),
  /** The service's own id for each fagsystem, by fagsystem id. Fagsystemer not listed are named by their entityID. */
  systems: z.record(z.string(), z.string().min(1).max(512)).default({}),
};

export const restAttributeServiceSchema = z
  .object({
    kind: z.literal("rest"),
    ...common,
    /** e.g. https://rollekatalog.kommune.dk */
    baseUrl: z.url().refine((url) => /^https?:\/\//.test(url), "baseUrl is an http(s) URL"),
    /** Path under baseUrl; {userId} is replaced by the (URL-encoded) user identifier. OS2rollekatalog's by default. */
    path: z
      .string()
      .regex(/^\/[^?#]*$/, "path starts with / and has no query")
      .refine((p) => p.includes("{userId}"), "path must contain {userId}")
      .default("/api/user/{userId}/roles"),
    /** The query parameter naming the fagsystem. */
    systemParameter: parameterName.default("system"),
    /**
     * The answer's shape: `os2rollekatalog` ({ nameID, oioBPP, roleMap }) or
     * `role-list` ([{ role, cvr?, constraints?: [{ name, values }] }]).
     */
    format: z.enum(["os2rollekatalog", "role-list"]).default("os2rollekatalog"),
    /** API key sent in a header; the key itself is read from the environment variable named here, never from YAML. */
    apiKey: z.object({ header: headerName.default("ApiKey"), env: envName }).strict().optional(),
    mutualTls: mutualTls.optional(),
  })
  .strict()
  .refine((s) => s.apiKey !== undefined || s.mutualTls !== undefined, "a REST attribute service needs apiKey or mutualTls")
  .refine((s) => s.mutualTls === undefined || s.baseUrl.startsWith("https://"), "mutualTls needs an https baseUrl");

export const attributeQueryServiceSchema = z
  .object({
    kind: z.literal("attribute-query"),
    ...common,
    /** The service's SAML metadata: an AttributeAuthorityDescriptor with a SOAP AttributeService and its signing certificate. */
    metadata: z.string().min(1),
    /** Accept SHA-1 signatures from this service. */
    allowSha1: z.boolean().default(false),
    /** The attribute asked for and read (privileges, base64 OIO-BPP). */
    privilegesAttribute: z.string().min(1).default("https://data.gov.dk/model/core/eid/privilegesIntermediate"),
    mutualTls: mutualTls.optional(),
  })
  .strict();

export const attributeServiceSchema = z.discriminatedUnion("kind", [restAttributeServiceSchema, attributeQueryServiceSchema]);

export const attributeServicesSchema = z
  .array(attributeServiceSchema)
  .default([])
  .superRefine((services, context) => {
    const seen = new Set<string>();
    services.forEach((service, index) => {
      if (seen.has(service.id)) context.addIssue({ code: "custom", path: [index, "id"], message: `attribute service ${service.id} is registered twice` });
      seen.add(service.id);
    });
  });

/** Which identifier of the user the service is asked about. */
export const userIdentifierSchema = z.union([
  /** The NameID as the IdP sent it. */
  z.literal("nameId"),
  /** The Serial from an X509SubjectName NameID (C=DK,O=...,CN=...,Serial=<this>). */
  z.literal("serial"),
  /** The professional persistent UUID attribute. */
  z.literal("uuid"),
  /** The email attribute. */
  z.literal("email"),
  /** Entra ID / AD FS user principal name claim. */
  z.literal("upn"),
  /** Any single-valued attribute of the IdP's assertion. */
  z.object({ attribute: z.string().min(1) }).strict(),
]);

/** An IdP claim passed along to the attribute service (Entra ID groups or app roles, say). */
const forwardedClaim = z
  .object({
    /** The attribute name in the IdP's assertion. */
    attribute: z.string().min(1),
    /** REST: the query parameter it travels as (repeated per value). AttributeQuery: sent as an Attribute of this name. */
    parameter: parameterName,
  })
  .strict();

/** Per municipality (identity provider): where its privileges come from. */
export const identityProviderPrivilegeFields = {
  privilegeSource: z
    .object({
      /** assertion (default): the IdP's OIO-BPP; attribute-service: only the service; both: merged, duplicates removed. */
      from: z.enum(["assertion", "attribute-service", "both"]).default("assertion"),
      /** The attributeServices entry to ask. */
      attributeService: serviceId.optional(),
      userIdentifier: userIdentifierSchema.default("serial"),
      forwardClaims: z.array(forwardedClaim).max(10).default([]),
    })
    .strict()
    .refine((p) => p.from === "assertion" || p.attributeService !== undefined, "privilegeSource needs attributeService unless from is assertion")
    .prefault({}),
};

/** Per fagsystem. */
export const serviceProviderPrivilegeFields = {
  /**
   * The fagsystem needs privileges (default). When false, an attribute
   * service is not asked for this fagsystem, so its outage does not stop
   * logins that need no privileges.
   */
  needsPrivileges: z.boolean().default(true),
};

export type AttributeServiceConfig = z.infer<typeof attributeServiceSchema>;
export type RestAttributeServiceConfig = z.infer<typeof restAttributeServiceSchema>;
export type AttributeQueryServiceConfig = z.infer<typeof attributeQueryServiceSchema>;
export type UserIdentifierChoice = z.infer<typeof userIdentifierSchema>;
export type PrivilegeSourceConfig = z.infer<(typeof identityProviderPrivilegeFields)["privilegeSource"]>;

interface ReferenceView {
  identityProviders: ReadonlyArray<{ id: string; privilegeSource: { from: string; attributeService?: string | undefined } }>;
  serviceProviders: ReadonlyArray<{ id: string }>;
  attributeServices: ReadonlyArray<{ id: string; systems: Record<string, string> }>;
}

/** Names must resolve: an IdP's attribute service is registered; a service's systems name registered fagsystemer. */
export function checkAttributeServiceReferences(config: ReferenceView, context: z.RefinementCtx): void {
  const services = new Set(config.attributeServices.map((s) => s.id));
  config.identityProviders.forEach((idp, index) => {
    const named = idp.privilegeSource.attributeService;
    if (idp.privilegeSource.from !== "assertion" && named !== undefined && !services.has(named)) {
      context.addIssue({
        code: "custom",
        path: ["identityProviders", index, "privilegeSource", "attributeService"],
        message: `identity provider ${idp.id} names attribute service ${named}, which is not in attributeServices`,
      });
    }
  });
  const sps = new Set(config.serviceProviders.map((sp) => sp.id));
  config.attributeServices.forEach((service, index) => {
    for (const spId of Object.keys(service.systems)) {
      if (!sps.has(spId)) {
        context.addIssue({ code: "custom", path: ["attributeServices", index, "systems", spId], message: `attribute service ${service.id} maps unknown fagsystem ${spId}` });
      }
    }
  });
}
