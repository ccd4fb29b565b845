/**
 * Role translation, as the real Context Handler does it: the IdP sends the
 * person's job-function roles (the municipality's bundles); for the target
 * fagsystem the broker turns them into that system's user-system roles with
 * data restrictions, using the system's role mappings. Pure functions.
 *
 * Every incoming role ends with one outcome: translated (to which roles),
 * passed through (it already was a user-system role of this system), or
 * dropped with a reason. The outcomes are the login's explanation.
 */
import {
  describeScope,
  hasControlCharacter,
  formatScope,
  mergeConstraints,
  splitConstraintValues,
  type BppNamespace,
  type PrivilegeConstraint,
  type PrivilegeGroup,
  type PrivilegeList,
  type PrivilegeScope,
} from "./bpp.js";
import type { DecodedPrivileges } from "./bpp-codec.js";

/** A job-function role in the register: who owns it, whom it is delegated to. */
export interface JobFunctionRoleRegistration {
  id: string;
  owner: string;
  delegatedTo: readonly string[];
}

export type RestrictionRule =
  | { kind: "static"; type: string; values: readonly string[] }
  | { kind: "parametric"; type: string; from: string };

export interface RoleMappingRule {
  jobFunctionRole: string;
  userSystemRole: string;
  restrictions: readonly RestrictionRule[];
}

/** The target fagsystem's side of translation. */
export interface SystemRolePolicy {
  systemId: string;
  namespace: BppNamespace;
  /** User-system roles that belong to this system (explicit list plus every mapping target). */
  userSystemRoles: ReadonlySet<string>;
  mappings: readonly RoleMappingRule[];
}

/** One privilege URI the IdP sent, with its group's scope and constraints. */
export interface IncomingRole {
  /** 1-based position of its PrivilegeGroup in the IdP's document. */
  position: number;
  scope: PrivilegeScope;
  privilege: string;
  constraints: readonly PrivilegeConstraint[];
}

export type DropReason = "malformed" | "idp_sends_no_roles" | "unsupported_scope" | "foreign_scope" | "no_mapping" | "parametric_missing";

export interface GrantedRole {
  userSystemRole: string;
  scope: PrivilegeScope;
  constraints: PrivilegeConstraint[];
}

export type RoleOutcome =
  | {
      outcome: "translated";
      position: number;
      privilege: string;
      scope: string;
      delegated: boolean;
      became: GrantedRole[];
      /** Mappings of this role that could not be applied (a parametric value missing). */
      withheld: Array<{ userSystemRole: string; reason: DropReason; detail: string }>;
    }
  | { outcome: "passed-through"; position: number; privilege: string; scope: string; delegated: boolean; became: GrantedRole[] }
  | { outcome: "dropped"; position: number; privilege: string | undefined; scope: string | undefined; reason: DropReason; detail: string };

export type DroppedOutcome = Extract<RoleOutcome, { outcome: "dropped" }>;

/** Flattens decoded groups into roles (one per Privilege) and turns rejected groups into "malformed" outcomes. */
export function incomingRoles(decoded: DecodedPrivileges): { roles: IncomingRole[]; dropped: DroppedOutcome[] } {
  const roles: IncomingRole[] = [];
  const rejectedAt = new Map(decoded.rejected.map((r) => [r.position, r]));
  const dropped: DroppedOutcome[] = [];
  const total = decoded.list.groups.length + decoded.rejected.length;
  let groupIndex = 0;
  for (let position = 1; position <= total; position += 1) {
    const rejected = rejectedAt.get(position);
    if (rejected) {
      const names = rejected.privileges.length > 0 ? rejected.privileges : [undefined];
      for (const privilege of names) dropped.push({ outcome: "dropped", position, privilege, scope: undefined, reason: "malformed", detail: rejected.reason });
      continue;
    }
    const group = decoded.list.groups[groupIndex];
    groupIndex += 1;
    if (!group) continue;
    for (const privilege of group.privileges) roles.push({ position, scope: group.scope, privilege, constraints: group.constraints });
  }
  return { roles, dropped };
}

export type ScopeDecision = { ok: true; delegated: boolean } | { ok: false; reason: DropReason; detail: string };

/**
 * Whose role is this, and may this login carry it? A role must be scoped to
 * a CVR: the asserted organisation's own, or (for a role in the register)
 * its owner's when the owner delegated it to the asserted organisation.
 */
export function decideScope(role: IncomingRole, assertedCvr: string, register: ReadonlyMap<string, JobFunctionRoleRegistration>): ScopeDecision {
  if (role.scope.kind !== "cvr") {
    return { ok: false, reason: "unsupported_scope", detail: `scoped to ${describeScope(role.scope)}; only CVR scopes are translated` };
  }
  const scopeCvr = role.scope.cvr;
  const registered = register.get(role.privilege);
  if (registered) {
    if (scopeCvr !== registered.owner) {
      return { ok: false, reason: "foreign_scope", detail: `scoped to CVR ${scopeCvr}, but the role is owned by CVR ${registered.owner}` };
    }
    if (registered.owner === assertedCvr) return { ok: true, delegated: false };
    if (registered.delegatedTo.includes(assertedCvr)) return { ok: true, delegated: true };
    return { ok: false, reason: "foreign_scope", detail: `owned by CVR ${registered.owner}, which has not delegated it to CVR ${assertedCvr}` };
  }
  if (scopeCvr === assertedCvr) return { ok: true, delegated: false };
  return { ok: false, reason: "foreign_scope", detail: `scoped to CVR ${scopeCvr}, which is neither the asserted CVR ${assertedCvr} nor a CVR that delegated this role` };
}

/** Splits roles by the scope rule: kept roles (with whether they are delegated) and dropped outcomes. */
export function checkScopes(
  roles: readonly IncomingRole[],
  assertedCvr: string,
  register: ReadonlyMap<string, JobFunctionRoleRegistration>,
): { kept: Array<IncomingRole & { delegated: boolean }>; dropped: DroppedOutcome[] } {
  const kept: Array<IncomingRole & { delegated: boolean }> = [];
  const dropped: DroppedOutcome[] = [];
  for (const role of roles) {
    const decision = decideScope(role, assertedCvr, register);
    if (decision.ok) kept.push({ ...role, delegated: decision.delegated });
    else dropped.push({ outcome: "dropped", position: role.position, privilege: role.privilege, scope: describeScope(role.scope), reason: decision.reason, detail: decision.detail });
  }
  return { kept, dropped };
}

/** Parametric values sent as attributes (OS2faktor style: `http://<domain>/<name>/1/parametric`), by name. */
export type ParametricAttributes = ReadonlyMap<string, readonly string[]>;

/** A value that can be emitted as one Constraint: single-line, no comma, not too long. */
function usableValue(value: string): boolean {
  return value !== "" && value.length <= 2048 && !value.includes(",") && !hasControlCharacter(value);
}

function parametricValues(from: string, role: IncomingRole, attributes: ParametricAttributes): string[] {
  const inGroup = role.constraints.filter((c) => c.name === from).flatMap((c) => c.values);
  const source = inGroup.length > 0 ? inGroup : (attributes.get(from) ?? []).flatMap(splitConstraintValues);
  return [...new Set(source.filter(usableValue))];
}

function grantFor(mapping: RoleMappingRule, role: IncomingRole, attributes: ParametricAttributes): GrantedRole | { missing: string } {
  const constraints: PrivilegeConstraint[] = [];
  for (const restriction of mapping.restrictions) {
    if (restriction.kind === "static") {
      constraints.push({ name: restriction.type, values: [...restriction.values] });
      continue;
    }
    const values = parametricValues(restriction.from, role, attributes);
    if (values.length === 0) return { missing: restriction.from };
    constraints.push({ name: restriction.type, values });
  }
  return { userSystemRole: mapping.userSystemRole, scope: role.scope, constraints: mergeConstraints(constraints) };
}

export interface Translation {
  list: PrivilegeList;
  outcomes: RoleOutcome[];
}

/** Translates scope-checked roles for one fagsystem. Groups are emitted one Privilege each, scoped to the role's CVR. */
export function translateRoles(
  roles: ReadonlyArray<IncomingRole & { delegated: boolean }>,
  policy: SystemRolePolicy,
  attributes: ParametricAttributes = new Map(),
): Translation {
  const outcomes: RoleOutcome[] = [];
  for (const role of roles) {
    const scope = describeScope(role.scope);
    if (policy.userSystemRoles.has(role.privilege)) {
      const granted: GrantedRole = { userSystemRole: role.privilege, scope: role.scope, constraints: mergeConstraints(role.constraints) };
      outcomes.push({ outcome: "passed-through", position: role.position, privilege: role.privilege, scope, delegated: role.delegated, became: [granted] });
      continue;
    }
    const mappings = policy.mappings.filter((m) => m.jobFunctionRole === role.privilege);
    if (mappings.length === 0) {
      outcomes.push({ outcome: "dropped", position: role.position, privilege: role.privilege, scope, reason: "no_mapping", detail: `no role mapping for fagsystem ${policy.systemId}` });
      continue;
    }
    const became: GrantedRole[] = [];
    const withheld: Array<{ userSystemRole: string; reason: DropReason; detail: string }> = [];
    for (const mapping of mappings) {
      const grant = grantFor(mapping, role, attributes);
      if ("missing" in grant) withheld.push({ userSystemRole: mapping.userSystemRole, reason: "parametric_missing", detail: `the IdP sent no value for parametric restriction ${grant.missing}` });
      else became.push(grant);
    }
    if (became.length === 0) {
      outcomes.push({
        outcome: "dropped",
        position: role.position,
        privilege: role.privilege,
        scope,
        reason: "parametric_missing",
        detail: withheld.map((w) => `${w.userSystemRole}: ${w.detail}`).join("; "),
      });
      continue;
    }
    outcomes.push({ outcome: "translated", position: role.position, privilege: role.privilege, scope, delegated: role.delegated, became, withheld });
  }
  return { list: { namespace: policy.namespace, groups: grantedGroups(outcomes) }, outcomes };
}

/** The emitted groups: one Privilege per group, duplicates (same scope, role and restrictions) once. */
export function grantedGroups(outcomes: readonly RoleOutcome[]): PrivilegeGroup[] {
  const seen = new Set<string>();
  const groups: PrivilegeGroup[] = [];
  for (const outcome of outcomes) {
    if (outcome.outcome === "dropped") continue;
    for (const granted of outcome.became) {
      const key = JSON.stringify([formatScope(granted.scope), granted.userSystemRole, granted.constraints]);
      if (seen.has(key)) continue;
      seen.add(key);
      groups.push({ scope: granted.scope, privileges: [granted.userSystemRole], constraints: granted.constraints });
    }
  }
  return groups;
}

/** Orders outcomes as the IdP sent the roles. */
export function byPosition(outcomes: readonly RoleOutcome[]): RoleOutcome[] {
  return [...outcomes].sort((a, b) => a.position - b.position);
}

/** One line per outcome, for an operator. */
export function describeOutcome(outcome: RoleOutcome): string {
  const role = outcome.privilege ?? "(unreadable role)";
  const where = outcome.scope ? ` [${outcome.scope}]` : "";
  const describeGranted = (g: GrantedRole) =>
    `${g.userSystemRole}${g.constraints.length > 0 ? ` (${g.constraints.map((c) => `${c.name}=${c.values.join("|")}`).join("; ")})` : ""}`;
  switch (outcome.outcome) {
    case "translated": {
      const held = outcome.withheld.map((w) => `; withheld ${w.userSystemRole}: ${w.detail}`).join("");
      return `#${outcome.position} ${role}${where}${outcome.delegated ? " (delegated)" : ""} → ${outcome.became.map(describeGranted).join(", ")}${held}`;
    }
    case "passed-through":
      return `#${outcome.position} ${role}${where}${outcome.delegated ? " (delegated)" : ""} → passed through as this system's user-system role`;
    case "dropped":
      return `#${outcome.position} ${role}${where} → dropped (${outcome.reason}): ${outcome.detail}`;
  }
}
