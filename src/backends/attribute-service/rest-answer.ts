/**
 * Reads a REST attribute service's JSON answer into decoded privileges, with
 * the project's one OIO-BPP codec: OS2rollekatalog's `{ nameID, oioBPP,
 * roleMap }` is decoded as any IdP's privileges attribute; a role list is
 * built into the typed model, serialized by the codec and read back, so it
 * meets exactly the checks (lengths, characters, limits) an assertion's
 * OIO-BPP meets. Pure functions.
 */
import { z } from "zod";
import { BppError, DEFAULT_BPP_LIMITS, decodePrivilegesAttribute, parsePrivilegeXml, serializePrivileges, type BppLimits, type DecodedPrivileges } from "../../profiles/bpp-codec.js";
import { BPP_NAMESPACES, cvrScope, type PrivilegeGroup } from "../../profiles/bpp.js";
import { AttributeServiceError } from "./types.js";

const os2rollekatalogAnswer = z.object({
  nameID: z.string().max(1024).optional(),
  oioBPP: z.string().min(1),
  roleMap: z.record(z.string(), z.unknown()).optional(),
});

const roleListEntry = z
  .object({
    role: z.string().min(1),
    /** The organisation the role applies to; the login's own when absent. */
    cvr: z.string().regex(/^\d{8}$/).optional(),
    constraints: z.array(z.object({ name: z.string().min(1), values: z.array(z.string()).min(1) }).strict()).default([]),
  })
  .strict();

const roleListAnswer = z.union([z.array(roleListEntry), z.object({ roles: z.array(roleListEntry) }).strict()]);

export type RestFormat = "os2rollekatalog" | "role-list";

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new AttributeServiceError("malformed", "answer is not JSON");
  }
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "unexpected shape";
}

/** The CVR in an X509SubjectName (`C=DK,O=<CVR>,CN=...,Serial=...`), when it names one. */
export function cvrOfSubjectName(subject: string): string | undefined {
  const match = /(?:^|,)\s*O=(\d{8})\s*(?:,|$)/.exec(subject);
  return match?.[1];
}

export function readRestAnswer(body: string, format: RestFormat, loginCvr: string, limits: BppLimits = DEFAULT_BPP_LIMITS): DecodedPrivileges {
  const json = parseJson(body);
  try {
    if (format === "os2rollekatalog") {
      const parsed = os2rollekatalogAnswer.safeParse(json);
      if (!parsed.success) throw new AttributeServiceError("malformed", `answer is not an OS2rollekatalog roles document (${firstIssue(parsed.error)})`);
      const answeredCvr = parsed.data.nameID !== undefined ? cvrOfSubjectName(parsed.data.nameID) : undefined;
      if (answeredCvr !== undefined && answeredCvr !== loginCvr) {
        throw new AttributeServiceError("wrong_subject", `answer is about a user of CVR ${answeredCvr}, not of the login's CVR ${loginCvr}`);
      }
      return decodePrivilegesAttribute(parsed.data.oioBPP, limits);
    }
    const parsed = roleListAnswer.safeParse(json);
    if (!parsed.success) throw new AttributeServiceError("malformed", `answer is not a role list (${firstIssue(parsed.error)})`);
    const entries = Array.isArray(parsed.data) ? parsed.data : parsed.data.roles;
    if (entries.length > limits.maxGroups) throw new AttributeServiceError("malformed", `more than ${limits.maxGroups} roles`);
    const groups: PrivilegeGroup[] = entries.map((entry) => ({
      scope: cvrScope(entry.cvr ?? loginCvr),
      privileges: [entry.role],
      constraints: entry.constraints.map((c) => ({ name: c.name, values: c.values })),
    }));
    return parsePrivilegeXml(serializePrivileges({ namespace: BPP_NAMESPACES.digst, groups }, limits), limits);
  } catch (error) {
    if (error instanceof BppError) throw new AttributeServiceError("malformed", `privileges in the answer are not usable OIO-BPP (${error.reason}): ${error.message}`);
    throw error;
  }
}
