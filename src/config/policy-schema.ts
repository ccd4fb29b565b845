/**
 * The policy part of the configuration schema: what the real Context
 * Handler's provisioning model holds per identity provider and per fagsystem
 * (levels, OIOSAML profiles, role mappings, robots), the register of
 * job-function roles and the level conversion table. Spliced into the one
 * schema in schema.ts. See docs/policy.md.
 */
import { isIP } from "node:net";
import { z } from "zod";
import { NSIS_LEVELS, KOMBIT_NSIS_FOR_NIST, isMonotoneNsisForNist } from "../profiles/levels.js";
import { IDP_OIOSAML_PROFILES } from "../profiles/idp-profiles.js";
import { hasControlCharacter } from "../profiles/bpp.js";
import { STEP_UP_BINDINGS } from "./nemlogin-schema.js";

const cvr = z.string().regex(/^\d{8}$/, "a CVR number is 8 digits");
const nistLevel = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)], { error: "a NIST level is 1, 2, 3 or 4" });
const nsisLevel = z.enum(NSIS_LEVELS, { error: "an NSIS level is Low, Substantial or High" });
const nsisOrNever = z.enum([...NSIS_LEVELS, "never"], { error: "an NSIS level (Low, Substantial, High) or never" });

/** A privilege or restriction-type URI: single-line text without white space. */
const uri = z
  .string()
  .min(1)
  .max(2048)
  .refine((v) => !/[\s,]/.test(v) && !hasControlCharacter(v), "a role or restriction URI has no spaces, commas or control characters");

/** A static restriction value: one value (KLE values may end in `*`), no commas (each value is its own Constraint). */
const restrictionValue = z
  .string()
  .min(1)
  .max(2048)
  .refine((v) => !v.includes(",") && !hasControlCharacter(v), "a restriction value has no commas or control characters (list values separately)")
  .refine((v) => v === v.trim(), "a restriction value has no surrounding spaces");

const cidr = z.string().refine((value) => {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(value);
  if (!match) return false;
  const family = isIP(match[1]!);
  const prefix = Number(match[2]);
  return (family === 4 && prefix <= 32) || (family === 6 && prefix <= 128);
}, "an IP range is written as CIDR, e.g. 10.20.0.0/16 or 2001:db8::/32");

const regexSource = z
  .string()
  .min(1)
  .max(500)
  .refine((source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  }, "not a valid regular expression");

/** How a robot (system user) shows in this IdP's assertions. Either form, or both (either matches). */
export const robotRecognitionSchema = z
  .object({
    /** An attribute with this value marks a robot, e.g. { name: "https://.../eid/professional/robot", value: "true" }. */
    attribute: z.object({ name: z.string().min(1), value: z.string().min(1) }).strict().optional(),
    /** A regular expression the NameID of a robot matches, e.g. "^C=DK,O=\\d{8},CN=RPA ". */
    nameIdPattern: regexSource.optional(),
  })
  .strict()
  .refine((robot) => robot.attribute !== undefined || robot.nameIdPattern !== undefined, "robot needs an attribute or a nameIdPattern");

/** Fields of an identity provider that carry policy (the real Context Handler's IdentityProvider record). */
export const identityProviderPolicyFields = {
  /** How a required level is sent to this IdP (RequestedAuthnContext), and how its answer is read. */
  oiosamlProfile: z.enum(IDP_OIOSAML_PROFILES).default("OIOSAML3"),
  /** The highest levels this IdP can deliver. A higher level it asserts is capped to these. */
  maxLevel: z
    .object({
      nist: nistLevel.default(4),
      /** "none" for an IdP that cannot issue NSIS levels. Ignored (taken as none) for the OIOSAML2 profiles. */
      nsis: z.union([nsisLevel, z.literal("none")]).default("High"),
    })
    .strict()
    .prefault({}),
  /** The IdP sends job-function roles in the privileges attribute ("KenderRoller"). When false, privileges it sends are ignored. */
  sendsJobFunctionRoles: z.boolean().default(true),
  /**
   * The IdP can be stepped up through NemLog-in ("SupportsStepUp"): when the
   * level it proved is below what a fagsystem requires, the person continues
   * to MitID Erhverv (needs `nemlogin` configured). See docs/step-up.md.
   */
  stepUp: z.boolean().default(false),
  /**
   * What binds the NemLog-in identity to the person this IdP authenticated:
   * the professional persistent UUID (default), the RID, or the CPR number
   * (only where the IdP sends it).
   */
  stepUpBinding: z.enum(STEP_UP_BINDINGS).default("uuid"),
  /** Offered on mobile devices ("Mobilvenlig"). Recorded for the chooser. */
  mobileFriendly: z.boolean().default(true),
  /** Client IP ranges (CIDR) that select this IdP without the chooser, when it is the only IdP matching. */
  clientIpRanges: z.array(cidr).default([]),
  /** How a robot (RPA system user) shows in this IdP's assertions. */
  robot: robotRecognitionSchema.optional(),
};

const restrictionSchema = z
  .object({
    /** Restriction type (the Constraint Name emitted), e.g. http://sts.kombit.dk/constraints/KLE/1 */
    type: uri,
    /** Static values. */
    values: z.array(restrictionValue).min(1).max(500).optional(),
    /** Parametric: the values come from the IdP's Constraint (or attribute) of this name, e.g. http://sts.kombit.dk/constraints/KLE/1/parametric */
    parametric: uri.optional(),
  })
  .strict()
  .refine((r) => (r.values === undefined) !== (r.parametric === undefined), "a restriction has either values (static) or parametric (filled from the IdP), not both");

export const roleMappingSchema = z
  .object({
    /** The municipality's job-function role, e.g. http://kommune.dk/roles/jobrole/sagsbehandler/1 */
    jobFunctionRole: uri,
    /** The fagsystem's user-system role it becomes, e.g. http://fagsystem.dk/roles/usersystemrole/se_sag/1 */
    userSystemRole: uri,
    restrictions: z.array(restrictionSchema).max(50).default([]),
  })
  .strict();

/** Fields of a fagsystem that carry policy (the real Context Handler's BrugervendtSystem record). */
export const serviceProviderPolicyFields = {
  /** KOMBIT (default), KOMBIT_WITHOUT_PERSONAL_DATA (no email or names), SEB (the health sector's broker: OIOSAML 2 style attributes with the CPR number; docs in README, "Connecting SEB"). */
  attributeProfile: z.enum(["KOMBIT", "KOMBIT_WITHOUT_PERSONAL_DATA", "SEB"]).default("KOMBIT"),
  /** OIOSAML3 (default) or OIOSAML2 (legacy dk:gov:saml:attribute:* names; needs a NIST requiredLevel). */
  oiosamlProfile: z.enum(["OIOSAML3", "OIOSAML2"]).default("OIOSAML3"),
  /** The CVR of the organisation that owns the fagsystem. */
  cvr: cvr.optional(),
  /** Namespace of the OIO-BPP privileges emitted to this fagsystem. */
  privilegeNamespace: z.enum(["digst.dk", "itst.dk"]).default("digst.dk"),
  /** User-system roles this fagsystem defines besides those named in roleMappings; an IdP may send them directly. */
  userSystemRoles: z.array(uri).max(5000).default([]),
  /** Job-function role → user-system role, with data restrictions. */
  roleMappings: z.array(roleMappingSchema).max(5000).default([]),
};

interface SpPolicyView {
  attributeProfile: string;
  oiosamlProfile: string;
  requiredLevel: "none" | { nsis: string } | { nist: number };
}

/** Rules between fields of one fagsystem. */
export function checkServiceProviderPolicy(sp: SpPolicyView, context: z.RefinementCtx): void {
  if (sp.oiosamlProfile === "OIOSAML2" && (sp.requiredLevel === "none" || !("nist" in sp.requiredLevel))) {
    context.addIssue({ code: "custom", path: ["requiredLevel"], message: "an OIOSAML2 fagsystem needs a NIST level: requiredLevel: { nist: 1-4 }" });
  }
}

export const jobFunctionRolesSchema = z
  .array(
    z
      .object({
        id: uri,
        /** The CVR that owns the role. */
        owner: cvr,
        /** CVRs the owner has delegated the role to ("DelegeretTil"). */
        delegatedTo: z.array(cvr).default([]),
      })
      .strict(),
  )
  .default([])
  .superRefine((roles, context) => {
    const seen = new Set<string>();
    roles.forEach((role, index) => {
      if (seen.has(role.id)) context.addIssue({ code: "custom", path: [index, "id"], message: `job-function role ${role.id} is registered twice` });
      seen.add(role.id);
    });
  });

export const levelsSchema = z
  .object({
    /**
     * The NSIS level a login must have reached to satisfy each NIST
     * requirement, or "never" (KOMBIT's conversion by default: 1 and 2 →
     * Low, 3 → Substantial, 4 → High; the OIOSAML reference library's has
     * 4 → never). Must not decrease as the NIST level rises.
     */
    nsisForNist: z
      .object({ 1: nsisOrNever, 2: nsisOrNever, 3: nsisOrNever, 4: nsisOrNever })
      .strict()
      .default({ ...KOMBIT_NSIS_FOR_NIST })
      .refine(isMonotoneNsisForNist, "levels.nsisForNist must not decrease as the NIST level rises"),
  })
  .strict()
  .prefault({});

export const auditSchema = z
  .object({
    /** Append the audit records here, one JSON line each (read them with `explain <correlationId>`). */
    file: z.string().min(1).optional(),
    /** Rotate the file before it grows past this many bytes, and when the UTC day changes. */
    rotateBytes: z.number().int().min(1024).max(1024 ** 4).default(64 * 1024 * 1024),
    rotateDaily: z.boolean().default(true),
    /** Delete rotated files this many days after they were closed (NemLog-in asks for 180 days). */
    retentionDays: z.number().int().min(1).max(3650).default(180),
    /**
     * NemLog-in's request and response messages, kept as sent and received (NemLog-in requires 180 days):
     * `file` defaults to nemlogin-messages.jsonl next to `file`; rotated like it, pruned after `retentionDays` (≥ 180).
     */
    nemloginMessages: z
      .object({
        file: z.string().min(1).optional(),
        retentionDays: z.number().int().min(180, "NemLog-in's messages must be kept for at least 180 days").max(3650).default(180),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});
