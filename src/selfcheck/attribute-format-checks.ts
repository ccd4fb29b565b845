/**
 * How the OIOSAML 3 attributes were sent: each with NameFormat uri (read
 * while the answer was verified, UpstreamResult.diagnostics), and KOMBIT's
 * own version attribute (kombitSpecVer, or its legacy name KombitSpecVer).
 */
import { KOMBIT_SPEC_VERSION, LEGACY, OIOSAML3 } from "../profiles/oiosaml3-attributes.js";
import type { CheckResult } from "./report-types.js";
import { bi, check, valueOf, type SelfCheckInput } from "./check-kit.js";

export const ATTRNAME_FORMAT_URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri";
const OIOSAML3_NAMES: ReadonlySet<string> = new Set(Object.values(OIOSAML3));

export function nameFormatChecks(input: SelfCheckInput): CheckResult[] {
  const formats = input.result.diagnostics?.attributeNameFormats;
  if (input.idp.protocol === "oidc" || formats === undefined) return [];
  const title = bi("NameFormat (OIOSAML 3)", "NameFormat (OIOSAML 3)");
  const oiosaml3 = formats.filter((f) => OIOSAML3_NAMES.has(f.name));
  if (oiosaml3.length === 0) return [check("identity.name-format", "identity", title, "pass", bi("Ingen OIOSAML 3-attributter at tjekke.", "No OIOSAML 3 attributes to check."))];
  const wrong = oiosaml3.filter((f) => f.nameFormat !== ATTRNAME_FORMAT_URI);
  if (wrong.length === 0) {
    return [check("identity.name-format", "identity", title, "pass", bi(`Alle ${oiosaml3.length} OIOSAML 3-attributter har NameFormat uri.`, `All ${oiosaml3.length} OIOSAML 3 attributes have NameFormat uri.`))];
  }
  const listing = wrong.map((f) => `${f.name} (${f.nameFormat ?? "-"})`).join("; ");
  return [
    check(
      "identity.name-format",
      "identity",
      title,
      "warn",
      bi(`${wrong.length} af ${oiosaml3.length} OIOSAML 3-attributter har ikke NameFormat uri: ${listing}.`, `${wrong.length} of ${oiosaml3.length} OIOSAML 3 attributes do not have NameFormat uri: ${listing}.`),
      bi(`Send hver attribut med NameFormat="${ATTRNAME_FORMAT_URI}".`, `Send every attribute with NameFormat="${ATTRNAME_FORMAT_URI}".`),
    ),
  ];
}

export function kombitSpecVersionChecks(input: SelfCheckInput): CheckResult[] {
  if (input.idp.protocol === "oidc") return [];
  const title = bi("KombitSpecVer", "KombitSpecVer");
  const current = valueOf(input.result, OIOSAML3.kombitSpecVer);
  const legacy = valueOf(input.result, LEGACY.kombitSpecVer);
  const value = current ?? legacy;
  const name = current !== undefined ? OIOSAML3.kombitSpecVer : LEGACY.kombitSpecVer;
  const fix = bi(`Send ${OIOSAML3.kombitSpecVer} = ${KOMBIT_SPEC_VERSION}.`, `Send ${OIOSAML3.kombitSpecVer} = ${KOMBIT_SPEC_VERSION}.`);
  if (value === undefined) return [check("identity.kombit-spec-version", "identity", title, "warn", bi("KombitSpecVer blev ikke sendt.", "KombitSpecVer was not sent."), fix)];
  if (value !== KOMBIT_SPEC_VERSION) return [check("identity.kombit-spec-version", "identity", title, "warn", bi(`${name} er ${value}, ikke ${KOMBIT_SPEC_VERSION}.`, `${name} is ${value}, not ${KOMBIT_SPEC_VERSION}.`), fix)];
  return [check("identity.kombit-spec-version", "identity", title, "pass", bi(`${name} er ${value}.`, `${name} is ${value}.`))];
}
