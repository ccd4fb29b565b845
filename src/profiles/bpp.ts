/**
 * The typed model of OIO-BPP privileges (OIO Basic Privilege Profile): a list
 * of privilege groups, each with a scope (whose organisation or person the
 * privileges apply to), one or more privilege URIs and data constraints.
 * Pure data and helpers; the XML codec is in bpp-codec.ts.
 */

export const BPP_NAMESPACES = {
  /** 1.0.1, what municipal IdPs send to KOMBIT. */
  itst: "http://itst.dk/oiosaml/basic_privilege_profile",
  /** 1.0.2 / 1.2, NemLog-in and the Context Handler's output. */
  digst: "http://digst.dk/oiosaml/basic_privilege_profile",
} as const;

export type BppNamespace = (typeof BPP_NAMESPACES)[keyof typeof BPP_NAMESPACES];

export function isBppNamespace(value: string | null | undefined): value is BppNamespace {
  return value === BPP_NAMESPACES.itst || value === BPP_NAMESPACES.digst;
}

/** Whose privileges a group holds. The four scope forms of OIO-BPP. */
export type PrivilegeScope =
  | { kind: "cvr"; cvr: string }
  | { kind: "productionUnit"; pNumber: string }
  | { kind: "seNumber"; seNumber: string }
  | { kind: "cpr"; cpr: string };

const SCOPE_FORMS = [
  { kind: "cvr", prefix: "urn:dk:gov:saml:cvrNumberIdentifier:", pattern: /^\d{8}$/ },
  { kind: "productionUnit", prefix: "urn:dk:gov:saml:productionUnitIdentifier:", pattern: /^\d{10}$/ },
  { kind: "seNumber", prefix: "urn:dk:gov:saml:seNumberIdentifier:", pattern: /^\d{8}$/ },
  { kind: "cpr", prefix: "urn:dk:gov:saml:cprNumberIdentifier:", pattern: /^\d{10}$/ },
] as const;

/** Reads a Scope attribute; undefined when it is none of the four forms. */
export function parseScope(value: string): PrivilegeScope | undefined {
  for (const form of SCOPE_FORMS) {
    if (!value.startsWith(form.prefix)) continue;
    const id = value.slice(form.prefix.length);
    if (!form.pattern.test(id)) return undefined;
    switch (form.kind) {
      case "cvr":
        return { kind: "cvr", cvr: id };
      case "productionUnit":
        return { kind: "productionUnit", pNumber: id };
      case "seNumber":
        return { kind: "seNumber", seNumber: id };
      case "cpr":
        return { kind: "cpr", cpr: id };
    }
  }
  return undefined;
}

export function formatScope(scope: PrivilegeScope): string {
  switch (scope.kind) {
    case "cvr":
      return `urn:dk:gov:saml:cvrNumberIdentifier:${scope.cvr}`;
    case "productionUnit":
      return `urn:dk:gov:saml:productionUnitIdentifier:${scope.pNumber}`;
    case "seNumber":
      return `urn:dk:gov:saml:seNumberIdentifier:${scope.seNumber}`;
    case "cpr":
      return `urn:dk:gov:saml:cprNumberIdentifier:${scope.cpr}`;
  }
}

/** A scope for logs and explanations; a CPR scope never shows the number. */
export function describeScope(scope: PrivilegeScope): string {
  switch (scope.kind) {
    case "cvr":
      return `CVR ${scope.cvr}`;
    case "productionUnit":
      return `P-number ${scope.pNumber}`;
    case "seNumber":
      return `SE number ${scope.seNumber}`;
    case "cpr":
      return "a CPR scope";
  }
}

export function cvrScope(cvr: string): PrivilegeScope {
  return { kind: "cvr", cvr };
}

/** A data constraint: one name, one or more values (KLE values may end in `*`). */
export interface PrivilegeConstraint {
  name: string;
  values: string[];
}

export interface PrivilegeGroup {
  scope: PrivilegeScope;
  privileges: string[];
  constraints: PrivilegeConstraint[];
}

export interface PrivilegeList {
  namespace: BppNamespace;
  groups: PrivilegeGroup[];
}

/** A job-function role URI as municipalities name them: `.../roles/jobrole/<name>/1`. */
export function looksLikeJobFunctionRole(uri: string): boolean {
  return /\/roles\/jobrole\//i.test(uri);
}

/** A user-system role URI as fagsystemer name them: `.../roles/usersystemrole/<name>/1`. */
export function looksLikeUserSystemRole(uri: string): boolean {
  return /\/roles\/usersystemrole\//i.test(uri);
}

/** Merges constraints by name, keeping the first order seen and dropping repeated values. */
export function mergeConstraints(constraints: readonly PrivilegeConstraint[]): PrivilegeConstraint[] {
  const byName = new Map<string, string[]>();
  for (const constraint of constraints) {
    const values = byName.get(constraint.name) ?? [];
    for (const value of constraint.values) if (!values.includes(value)) values.push(value);
    byName.set(constraint.name, values);
  }
  return [...byName.entries()].map(([name, values]) => ({ name, values }));
}

/** Splits one Constraint text into its values: comma-separated, trimmed, empty parts dropped. */
export function splitConstraintValues(text: string): string[] {
  return text
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

/**
 * True when the text holds a control character (C0, DEL, C1) or a line or
 * paragraph separator: privilege URIs, names and values are single-line
 * text, and XML readers normalise line breaks differently.
 */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029) return true;
  }
  return false;
}
