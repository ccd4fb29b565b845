/**
 * The sandbox's `--sp`: registers a vendor's own SAML fagsystem with the demo
 * broker, from its metadata (a file or an http(s) URL) or from a small YAML
 * file holding the metadata's place and any fagsystem setting
 * (docs/policy.md). What is not given comes from flags or sandbox defaults:
 * NIST 3 (every demo user but the unknown one gets in), the KOMBIT attribute
 * profile, and every job-function role in the users file mapped to a
 * user-system role of the same name with "usersystemrole" for "jobrole".
 */
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { serviceProviderSchema, type ServiceProviderConfig } from "../config/schema.js";
import { readSpMetadata } from "../saml/metadata-reader.js";
import type { DemoMunicipality } from "./demo-users-file.js";
import { KLE_PARAMETRIC } from "./demo-users-file.js";

export class SandboxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SandboxError";
  }
}

/** Flags that apply to every `--sp` given by its metadata alone (a YAML file's own settings win). */
export interface SandboxSpFlags {
  /** low, substantial, high (NSIS); nist2, nist3, nist4; none. */
  level?: string | undefined;
  attributeProfile?: string | undefined;
  /** Sign the Response element too (node-saml, many SP libraries). */
  signResponse?: boolean | undefined;
  /** rsa-oaep-mgf1p key transport, for SP libraries that cannot unwrap xmlenc11 rsa-oaep. */
  legacyKeyTransport?: boolean | undefined;
  /** `<job-function role>=<user-system role>`, instead of the default mappings. */
  roles?: string[] | undefined;
}

/** The `--role` flags as role mappings; undefined when none are given. */
export function roleFlags(roles: string[] | undefined): Array<{ jobFunctionRole: string; userSystemRole: string }> | undefined {
  if (roles === undefined || roles.length === 0) return undefined;
  return roles.map((role) => {
    const at = role.indexOf("=");
    if (at <= 0 || at === role.length - 1) throw new SandboxError(`--role ${role}: give <job-function role>=<user-system role>, e.g. http://demo-kommune.dk/roles/jobrole/leder/1=http://my-system.dk/roles/usersystemrole/admin/1`);
    return { jobFunctionRole: role.slice(0, at), userSystemRole: role.slice(at + 1) };
  });
}

export interface SandboxSp {
  config: ServiceProviderConfig;
  entityId: string;
  /** Where the metadata came from (a file or a URL). */
  source: string;
}

const LEVELS: Record<string, unknown> = {
  low: { nsis: "Low" },
  substantial: { nsis: "Substantial" },
  high: { nsis: "High" },
  nist2: { nist: 2 },
  nist3: { nist: 3 },
  nist4: { nist: 4 },
  none: "none",
};

export function levelFlag(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  const level = LEVELS[value.toLowerCase()];
  if (level === undefined) throw new SandboxError(`--level ${value}: choose one of ${Object.keys(LEVELS).join(", ")}`);
  return level;
}

const isUrl = (value: string): boolean => /^https?:\/\//i.test(value);

/** The user-system role the sandbox maps a job-function role to by default: .../roles/jobrole/x/1 → .../roles/usersystemrole/x/1. */
export function sandboxUserSystemRole(jobFunctionRole: string): string {
  return jobFunctionRole.includes("/jobrole/") ? jobFunctionRole.replace("/jobrole/", "/usersystemrole/") : `${jobFunctionRole.replace(/\/+$/, "")}/usersystemrole`;
}

/** Every job-function role the demo users hold, mapped to its sandbox user-system role (with the KLE values when a user has them). */
export function passThroughMappings(municipalities: DemoMunicipality[]): ServiceProviderConfig["roleMappings"] {
  const roles = new Map<string, boolean>();
  for (const user of municipalities.flatMap((m) => m.users)) {
    for (const p of user.privileges) roles.set(p.privilege, (roles.get(p.privilege) ?? false) || p.constraints.some((c) => c.name === KLE_PARAMETRIC));
  }
  return [...roles].map(([role, kle]) => ({
    jobFunctionRole: role,
    userSystemRole: sandboxUserSystemRole(role),
    restrictions: kle ? [{ type: "http://sts.kombit.dk/constraints/KLE/1", parametric: KLE_PARAMETRIC }] : [],
  }));
}

async function fetchMetadata(url: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new SandboxError(`--sp ${url}: cannot fetch the metadata: ${(error as Error).message}`);
  }
  if (!response.ok) throw new SandboxError(`--sp ${url}: fetching the metadata gave HTTP ${response.status}`);
  return response.text();
}

function readSpec(source: string): Record<string, unknown> {
  if (!/\.ya?ml$/i.test(source) || isUrl(source)) return { metadata: source };
  let spec: unknown;
  try {
    spec = parseYaml(readFileSync(source, "utf8"));
  } catch (error) {
    throw new SandboxError(`--sp ${source}: ${(error as Error).message}`);
  }
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) throw new SandboxError(`--sp ${source}: the file must hold a mapping (metadata, requiredLevel, roleMappings, ...)`);
  const metadata = (spec as Record<string, unknown>)["metadata"];
  if (typeof metadata !== "string") throw new SandboxError(`--sp ${source}: metadata: the SP's metadata file or URL is required`);
  // A relative metadata file is relative to the YAML file.
  return { ...spec, metadata: isUrl(metadata) || isAbsolute(metadata) ? metadata : join(dirname(source), metadata) };
}

function idFor(entityId: string, taken: ReadonlySet<string>): string {
  const base =
    entityId
      .replace(/^[a-z]+:\/\//i, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 50) || "fagsystem";
  let id = /^[a-z0-9]/.test(base) ? base : `sp-${base}`;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

/**
 * Reads one `--sp` (metadata file, metadata URL or YAML file) into a
 * fagsystem registration. `metadataDir`: where a URL's metadata is kept as
 * the backing file; `taken`: ids already registered.
 */
export async function sandboxServiceProvider(
  source: string,
  flags: SandboxSpFlags,
  context: { metadataDir: string; taken: ReadonlySet<string>; municipalities: DemoMunicipality[] },
): Promise<SandboxSp> {
  const spec = readSpec(source);
  const where = spec["metadata"] as string;
  const xml = isUrl(where) ? await fetchMetadata(where) : readFile(source, where);
  let entityId: string;
  try {
    entityId = readSpMetadata(xml).entityId;
  } catch (error) {
    throw new SandboxError(`--sp ${source}: not usable SAML SP metadata: ${(error as Error).message}`);
  }
  const id = typeof spec["id"] === "string" ? spec["id"] : idFor(entityId, context.taken);
  if (context.taken.has(id)) throw new SandboxError(`--sp ${source}: the id ${id} is already registered`);
  const location = isUrl(where) ? { metadataUrl: where, metadata: join(context.metadataDir, `${id}.xml`) } : { metadata: resolve(where) };
  if (isUrl(where)) mkdirSync(context.metadataDir, { recursive: true });
  const level = levelFlag(flags.level);
  const raw = {
    displayName: entityId,
    requiredLevel: level ?? { nist: 3 },
    ...(flags.attributeProfile ? { attributeProfile: flags.attributeProfile } : {}),
    ...(flags.signResponse ? { signResponse: true } : {}),
    ...(flags.legacyKeyTransport ? { encryption: { keyTransport: "rsa-oaep-mgf1p" } } : {}),
    roleMappings: roleFlags(flags.roles) ?? passThroughMappings(context.municipalities),
    ...spec,
    ...location,
    id,
  };
  const result = serviceProviderSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join(".") || "(top level)"}: ${issue.message}`);
    throw new SandboxError(`--sp ${source}: invalid fagsystem settings:\n${lines.join("\n")}`);
  }
  return { config: result.data, entityId, source: where };
}

function readFile(source: string, file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new SandboxError(`--sp ${source}: cannot read the metadata: ${(error as Error).message}`);
  }
}
