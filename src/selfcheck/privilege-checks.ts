/** Privileges: the OIO-BPP sent, and what each role becomes per fagsystem. */
import { OIOSAML3, LEGACY } from "../profiles/oiosaml3-attributes.js";
import { decodePrivilegesAttribute } from "../profiles/bpp-codec.js";
import { byPosition, checkScopes, describeOutcome, incomingRoles, translateRoles, type IncomingRole } from "../profiles/role-translation.js";
import { describeScope } from "../profiles/bpp.js";
import type { Bilingual, CheckResult } from "./report-types.js";
import { bi, check, valueOf, type SelfCheckInput } from "./check-kit.js";

export function privilegeChecks(input: SelfCheckInput): CheckResult[] {
  const title = bi("Rettigheder (OIO-BPP)", "Privileges (OIO-BPP)");
  const encoded = valueOf(input.result, OIOSAML3.privilegesIntermediate, LEGACY.privilegesIntermediate);
  if (encoded === undefined && input.idp.privilegesFrom !== "assertion") {
    return [check("privileges.bpp", "privileges", title, "pass", bi("Ingen OIO-BPP i svaret; rettighederne hentes fra kommunens attributtjeneste ved hvert login (se dens svar nedenfor).", "No OIO-BPP in the answer; the privileges come from the municipality's attribute service at every login (see its answers below)."))];
  }
  if (encoded === undefined) {
    return [check("privileges.bpp", "privileges", title, "warn", bi("IdP'en sendte ingen rettigheder.", "The IdP sent no privileges."), bi("Send jobfunktionsroller i privilegesIntermediate, eller få dem fra en attributtjeneste.", "Send job-function roles in privilegesIntermediate, or have them come from an attribute service."))];
  }
  let decoded;
  try {
    decoded = decodePrivilegesAttribute(encoded);
  } catch (error) {
    return [check("privileges.bpp", "privileges", title, "fail", bi(`OIO-BPP kunne ikke læses: ${(error as Error).message}.`, `The OIO-BPP could not be read: ${(error as Error).message}.`), bi("Send et gyldigt, base64-kodet PrivilegeList-dokument.", "Send a valid, base64-encoded PrivilegeList document."))];
  }
  const { roles, dropped } = incomingRoles(decoded);
  const foreign = roles.filter((r) => r.scope.kind === "cvr" && !input.idp.cvrs.includes(r.scope.cvr));
  const listing = roles.map((r) => `${r.privilege} (${describeScope(r.scope)})`).join("; ") || "-";
  if (dropped.length > 0) {
    return [check("privileges.bpp", "privileges", title, "fail", bi(`${dropped.length} gruppe(r) er ugyldige: ${dropped.map((d) => d.detail).join("; ")}.`, `${dropped.length} group(s) are malformed: ${dropped.map((d) => d.detail).join("; ")}.`), bi("Ret rettighedsdokumentet (Scope og Privilege i hver gruppe).", "Correct the privilege document (Scope and Privilege in every group)."))];
  }
  if (foreign.length > 0) {
    const scopes = [...new Set(foreign.map((r) => describeScope(r.scope)))].join(", ");
    return [check("privileges.bpp", "privileges", title, "fail", bi(`Roller er scopet til en anden organisation: ${scopes}. De bliver afvist.`, `Roles are scoped to another organisation: ${scopes}. They will be refused.`), bi(`Scope rollerne til kommunens CVR (${input.idp.cvrs[0] ?? ""}).`, `Scope the roles to the municipality's CVR (${input.idp.cvrs[0] ?? ""}).`))];
  }
  return [check("privileges.bpp", "privileges", title, "pass", bi(`${roles.length} rolle(r): ${listing}.`, `${roles.length} role(s): ${listing}.`)), ...translationChecks(input, roles)];
}

/** What the roles become in one fagsystem with role mappings (the same scope rule and translation a login runs; the explanation's wording); undefined without mappings. */
export function translationOf(input: SelfCheckInput, system: SelfCheckInput["fagsystems"][number], roles: readonly IncomingRole[]): Bilingual | undefined {
  if (!system.roles || system.roles.mappings.length === 0) return undefined;
  const cvr = input.idp.cvrs[0] ?? "";
  const { kept, dropped } = checkScopes(roles, cvr, input.roleRegister ?? new Map());
  const attributes = new Map(input.result.attributes.map((a) => [a.name, a.values]));
  const outcomes = byPosition([...dropped, ...translateRoles(kept, system.roles, attributes).outcomes]);
  const granted = outcomes.some((o) => o.outcome !== "dropped" && o.became.length > 0);
  const lines = outcomes.map(describeOutcome).join("; ");
  return granted ? bi(`Rollerne bliver: ${lines}.`, `The roles become: ${lines}.`) : bi(`Ingen rolle giver adgang her: ${lines}.`, `No role gives access here: ${lines}.`);
}

/** What each role becomes in each fagsystem with role mappings. */
function translationChecks(input: SelfCheckInput, roles: readonly IncomingRole[]): CheckResult[] {
  return input.fagsystems.flatMap((system) => {
    const translation = translationOf(input, system, roles);
    return translation ? [check(`privileges.fagsystem.${system.id}`, "privileges", bi(`Roller i ${system.id}`, `Roles in ${system.id}`), "pass", translation)] : [];
  });
}
