/**
 * NemLog-in (MitID Erhverv) as the step-up upstream: registered like any
 * upstream, by its metadata, with its own verification policy. Spliced into
 * the one schema in schema.ts. See docs/step-up.md.
 */
import { z } from "zod";


export { STEP_UP_BINDINGS, type StepUpBinding } from "../profiles/nemlogin-profile.js";

export const nemLogInSchema = z
  .object({
    /** NemLog-in's IdP metadata (OIOSAML 3). */
    metadata: z.string().min(1),
    /**
     * The entityID the metadata must carry, e.g. https://saml.nemlog-in.dk
     * (production) or https://saml.test-nemlog-in.dk/ (test). Start-up fails
     * when the metadata names another entity.
     */
    entityId: z.string().min(1),
    displayName: z.string().min(1).default("NemLog-in"),
    /** PEM certificate that must have signed the metadata file (fail closed when it is unsigned or the signature does not verify). */
    metadataSigningCert: z.string().min(1).optional(),
    /** Keep signing certificates outside their validity dates (test parties only; refused in production). */
    allowExpiredCertificate: z.boolean().default(false),
    /** Do not check NemLog-in's signing certificates against trust.chain (roots, revocation): test only; refused in production. */
    skipCertificateChain: z.boolean().default(false),
    /** Where the party publishes its metadata: fetched at start and refreshed on a schedule; `metadata` is then the backing file, kept as the last good copy. */
    metadataUrl: z.url({ protocol: /^https?$/, error: "metadataUrl is an http or https URL" }).optional(),
    allowSha1: z.boolean().default(false),
    /** OIOSAML 3: the assertion itself is signed ... */
    requireSignedAssertion: z.boolean().default(true),
    /** ... and arrives encrypted. */
    requireEncryptedAssertion: z.boolean().default(true),
    /** Also ask for a professional identity (class https://data.gov.dk/eid/Professional) next to the NSIS level. */
    requestProfessionalIdentity: z.boolean().default(true),
    /**
     * How long a step-up counts in the broker's SSO session, from NemLog-in's
     * authentication instant. Later fagsystemer in the same session that need
     * the level are answered without MitID until then; after it, only the
     * step-up is repeated (not the municipal login). 0: never reused.
     */
    stepUpMaxAgeSeconds: z.number().int().min(0).max(86_400).default(3600),
  })
  .strict();

export type NemLogInConfig = z.infer<typeof nemLogInSchema>;
