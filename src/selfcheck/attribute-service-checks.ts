/**
 * What the municipality's attribute service answered for the test person,
 * per fagsystem (see attribute-service-probe.ts): the roles and their scopes
 * and what they become there, that it does not know the person, or its error.
 */
import { incomingRoles } from "../profiles/role-translation.js";
import { describeScope } from "../profiles/bpp.js";
import type { CheckResult } from "./report-types.js";
import type { ServiceAnswer } from "./attribute-service-probe.js";
import { bi, check, type SelfCheckInput } from "./check-kit.js";
import { translationOf } from "./privilege-checks.js";

export function attributeServiceChecks(input: SelfCheckInput): CheckResult[] {
  const probe = input.attributeService;
  if (!probe) return [];
  if (probe.kind === "not-registered") {
    return [check("privileges.attribute-service", "privileges", bi("Attributtjeneste", "Attribute service"), "fail", bi(`Registreringen nævner attributtjenesten ${probe.serviceId}, som ikke er registreret.`, `The registration names attribute service ${probe.serviceId}, which is not registered.`), bi("Bed drift registrere tjenesten eller rette navnet.", "Ask the operators to register the service or correct its name."))];
  }
  const title = bi(`Attributtjeneste: ${probe.displayName}`, `Attribute service: ${probe.displayName}`);
  if (probe.kind === "no-user-id") {
    return [check("privileges.attribute-service", "privileges", title, "fail", bi(`Tjenesten spørges med ${probe.identifier}, som svaret ikke har præcis én gang; et login ville blive afvist.`, `The service is asked by ${probe.identifier}, which the answer does not carry exactly once; a login would be refused.`), bi(`Send ${probe.identifier} i svaret, eller bed drift om en anden brugeridentifikation til tjenesten.`, `Send ${probe.identifier} in the answer, or ask the operators for another user identifier for the service.`))];
  }
  return probe.answers.map((answer) => answerCheck(input, probe.displayName, probe.userId, answer));
}

function answerCheck(input: SelfCheckInput, service: string, userId: string, answer: ServiceAnswer): CheckResult {
  const id = `privileges.attribute-service.${answer.fagsystem}`;
  const title = bi(`${service} for ${answer.fagsystem}`, `${service} for ${answer.fagsystem}`);
  const asked = bi(`Spurgt om ${userId} til system ${answer.systemId}`, `Asked for ${userId} for system ${answer.systemId}`);
  const outcome = answer.outcome;
  if (outcome.kind === "error") {
    return check(id, "privileges", title, "fail", bi(`${asked.da}: tjenesten fejlede (${outcome.failure}): ${outcome.message}.`, `${asked.en}: the service failed (${outcome.failure}): ${outcome.message}.`), bi("Kontrollér at tjenesten kører og kan nås fra brokeren, dens nøgle eller certifikat, og formatet af dens svar. Et login stopper, når den fejler.", "Check that the service runs and is reachable from the broker, its key or certificate, and the format of its answer. A login stops when it fails."));
  }
  if (outcome.kind === "unknown-user") {
    const fix = bi("Opret testbrugeren i tjenesten (rollekataloget) med sine roller.", "Create the test user in the service (the role catalogue) with their roles.");
    return outcome.unknownUser === "fail"
      ? check(id, "privileges", title, "fail", bi(`${asked.da}: tjenesten kender ikke brugeren (eller systemet); et login ville blive afvist.`, `${asked.en}: the service does not know the user (or this system); a login would be refused.`), fix)
      : check(id, "privileges", title, "warn", bi(`${asked.da}: tjenesten kender ikke brugeren (eller systemet); et login fortsætter uden rettigheder.`, `${asked.en}: the service does not know the user (or this system); a login goes on without privileges.`), fix);
  }
  const { roles, dropped } = incomingRoles(outcome.decoded);
  const listing = roles.map((r) => `${r.privilege} (${describeScope(r.scope)})`).join("; ") || "-";
  if (dropped.length > 0) {
    return check(id, "privileges", title, "fail", bi(`${asked.da}: ${dropped.length} gruppe(r) er ugyldige: ${dropped.map((d) => d.detail).join("; ")}.`, `${asked.en}: ${dropped.length} group(s) are malformed: ${dropped.map((d) => d.detail).join("; ")}.`), bi("Ret rettighedsdokumentet, tjenesten sender.", "Correct the privilege document the service sends."));
  }
  const foreign = roles.filter((r) => r.scope.kind === "cvr" && !input.idp.cvrs.includes(r.scope.cvr));
  if (foreign.length > 0) {
    const scopes = [...new Set(foreign.map((r) => describeScope(r.scope)))].join(", ");
    return check(id, "privileges", title, "fail", bi(`${asked.da}: roller er scopet til en anden organisation: ${scopes}.`, `${asked.en}: roles are scoped to another organisation: ${scopes}.`), bi(`Scope rollerne til kommunens CVR (${input.idp.cvrs[0] ?? ""}) i tjenesten.`, `Scope the roles to the municipality's CVR (${input.idp.cvrs[0] ?? ""}) in the service.`));
  }
  const system = input.fagsystems.find((s) => s.id === answer.fagsystem);
  const translation = system && translationOf(input, system, roles);
  const found = bi(`${asked.da}: ${roles.length} rolle(r): ${listing}.`, `${asked.en}: ${roles.length} role(s): ${listing}.`);
  return check(id, "privileges", title, "pass", translation ? bi(`${found.da} ${translation.da}`, `${found.en} ${translation.en}`) : found);
}
