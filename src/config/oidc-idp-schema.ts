/**
 * A municipal IdP that speaks OpenID Connect (Microsoft Entra ID, or another
 * OP): where it is, how the broker authenticates to it, how its claims map
 * to a person and a level, and where privileges come from. The level and
 * privilege policy is the same as a SAML IdP's. See docs/oidc-idp.md.
 */
import { z } from "zod";
import { identityProviderPolicyFields } from "./policy-schema.js";
import { identityProviderPrivilegeFields } from "./attribute-service-schema.js";

const partyId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "ids are lower-case letters, digits and '-'");
const cvr = z.string().regex(/^\d{8}$/, "a CVR number is 8 digits");
const nistLevel = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)], { error: "a NIST level is 1, 2, 3 or 4" });
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]{0,127}$/, "an environment variable name (A-Z, 0-9, _)");
const httpsUrl = z.url().refine((v) => v.startsWith("https://") || /^http:\/\/(localhost|127\.0\.0\.1)[:/]/.test(v), "an https URL (http only on localhost)");

export const OIDC_CLAIM_PROFILES = ["entra", "generic"] as const;

export const oidcIdentityProviderSchema = z
  .object({
    id: partyId,
    displayName: z.string().min(1),
    /** The OP's issuer; its discovery document is read from `<issuer>/.well-known/openid-configuration`. */
    issuer: httpsUrl,
    clientId: z.string().min(1).max(200),
    tokenEndpointAuthMethod: z.enum(["private_key_jwt", "client_secret_post", "client_secret_basic"]).default("private_key_jwt"),
    /** The environment variable holding the client secret (client_secret_*). Never the secret itself. */
    clientSecretEnv: envName.optional(),
    /** The one algorithm the OP's ID tokens may be signed with (Entra ID: RS256). */
    idTokenSigningAlg: z.enum(["RS256", "PS256", "ES256"]).default("RS256"),
    scopes: z.array(z.string().regex(/^[\x21-\x7e]+$/)).min(1).default(["openid", "profile", "email"]),
    /** The CVRs this IdP may speak for; the first is the municipality it serves. */
    cvrs: z.array(cvr).min(1),
    /** Entra ID: the tenant id every ID token's `tid` must equal. */
    tenant: z.string().min(1).optional(),
    /** How the OP's claims map to a person: entra (oid, upn, groups, amr, tid) or generic (sub, email, name). */
    claimProfile: z.enum(OIDC_CLAIM_PROFILES).default("entra"),
    /**
     * The level a login at this OP counts as (Entra ID cannot assert NSIS levels): a NIST level,
     * raised to `mfaNist` when `amr` holds `mfa`; always capped by `maxLevel`.
     */
    level: z.object({ nist: nistLevel.default(2), mfaNist: nistLevel.optional() }).strict().prefault({}),
    /** Send the fagsystem's level as `acr_values` (for OPs that understand the broker's acr values). */
    sendAcrValues: z.boolean().default(false),
    responseMode: z.enum(["form_post", "query"]).default("form_post"),
    /** Groups (or app roles) → job-function roles, for OPs whose privileges are not fetched from an attribute service. */
    groupRoles: z
      .array(z.object({ group: z.string().min(1).max(200), jobFunctionRole: z.url() }).strict())
      .max(5000)
      .default([]),
    ...identityProviderPolicyFields,
    ...identityProviderPrivilegeFields,
  })
  .strict()
  .superRefine((idp, context) => {
    const usesSecret = idp.tokenEndpointAuthMethod !== "private_key_jwt";
    if (usesSecret && !idp.clientSecretEnv) context.addIssue({ code: "custom", path: ["clientSecretEnv"], message: `${idp.tokenEndpointAuthMethod} needs clientSecretEnv` });
    if (!usesSecret && idp.clientSecretEnv) context.addIssue({ code: "custom", path: ["clientSecretEnv"], message: "private_key_jwt uses the broker's signing key; remove clientSecretEnv" });
    if (idp.claimProfile === "entra" && !idp.tenant) context.addIssue({ code: "custom", path: ["tenant"], message: "an Entra ID registration names its tenant (the tid every token must carry)" });
    if (idp.level.mfaNist !== undefined && idp.level.mfaNist < idp.level.nist) context.addIssue({ code: "custom", path: ["level", "mfaNist"], message: "mfaNist is at least nist" });
  });

export type OidcIdentityProviderConfig = z.infer<typeof oidcIdentityProviderSchema>;
