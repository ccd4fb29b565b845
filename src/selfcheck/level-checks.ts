/** Levels: the level asserted against the registration, and each fagsystem's requirement. */
import { describeLevel, describeRequirement, nsisRank, satisfies } from "../profiles/levels.js";
import type { CheckResult } from "./report-types.js";
import { bi, check, type SelfCheckInput } from "./check-kit.js";

export function levelChecks(input: SelfCheckInput): CheckResult[] {
  const { level } = input.result;
  const title = bi("Sikringsniveau (NSIS/NIST)", "Assurance level (NSIS/NIST)");
  const checks: CheckResult[] = [];
  if (level.nsis === undefined && input.idp.maxNsis === "none") {
    checks.push(check("levels.asserted", "levels", title, "pass", bi(`${describeLevel(level)}; IdP'en er registreret uden NSIS-niveauer.`, `${describeLevel(level)}; the IdP is registered as issuing no NSIS levels.`)));
  } else if (level.nsis === undefined) {
    checks.push(check("levels.asserted", "levels", title, "warn", bi(`Intet NSIS-niveau sendt (${describeLevel(level)}).`, `No NSIS level sent (${describeLevel(level)}).`), bi("Send loa-attributten (NSIS Low/Substantial/High).", "Send the loa attribute (NSIS Low/Substantial/High).")));
  } else if (input.idp.maxNsis === "none" || nsisRank(level.nsis) > nsisRank(input.idp.maxNsis)) {
    checks.push(check("levels.asserted", "levels", title, "warn", bi(`NSIS ${level.nsis} er over registreringens ${input.idp.maxNsis} og bliver nedsat.`, `NSIS ${level.nsis} is above the registration's ${input.idp.maxNsis} and will be capped.`), bi("Bed drift opdatere IdP'ens registrerede maksimale niveau.", "Ask the operators to update the IdP's registered maximum level.")));
  } else {
    checks.push(check("levels.asserted", "levels", title, "pass", bi(`Niveau: ${describeLevel(level)}.`, `Level: ${describeLevel(level)}.`)));
  }
  for (const system of input.fagsystems) {
    const met = satisfies(level, system.required);
    checks.push(
      check(`levels.fagsystem.${system.id}`, "levels", bi(`Niveau for ${system.id}`, `Level for ${system.id}`), met ? "pass" : "warn", met ? bi(`Kravet (${describeRequirement(system.required)}) er opfyldt.`, `The requirement (${describeRequirement(system.required)}) is met.`) : bi(`Kravet (${describeRequirement(system.required)}) er ikke opfyldt: step-up er nødvendig.`, `The requirement (${describeRequirement(system.required)}) is not met: a step-up is needed.`), bi("Log ind med et stærkere middel, eller lad IdP'en udstede det krævede niveau.", "Log in with a stronger means, or have the IdP issue the required level.")),
    );
  }
  return checks;
}
