/**
 * Which identifier of the user an attribute service is asked about: the
 * NameID, the Serial of an X509SubjectName NameID, the professional UUID,
 * the email, the UPN, or any single-valued attribute. Pure functions.
 */
import type { Person } from "../../model/identity.js";
import type { RawAttribute } from "../../model/upstream-result.js";
import { hasControlCharacter } from "../../profiles/bpp.js";
import { ENTRA_SAML_CLAIMS } from "../../profiles/oidc-idp-claims.js";
import type { UserIdentifierChoice } from "../../config/attribute-service-schema.js";

/** The UPN claim as Entra ID and AD FS send it (and as the OIDC profile offers Entra's `upn`). */
export const UPN_CLAIM = ENTRA_SAML_CLAIMS.upn;

const MAX_IDENTIFIER = 512;

/** The Serial of `C=DK,O=<CVR>,CN=<name>,Serial=<id>` (the last component named Serial). */
export function serialOfSubjectName(nameId: string): string | undefined {
  const match = /(?:^|,)\s*Serial=([^,]+?)\s*$/i.exec(nameId);
  return match?.[1];
}

function singleAttribute(attributes: readonly RawAttribute[], name: string): string | undefined {
  const values = [...new Set(attributes.filter((a) => a.name === name).flatMap((a) => a.values.map((v) => v.trim())).filter((v) => v !== ""))];
  return values.length === 1 ? values[0] : undefined;
}

export function describeIdentifier(choice: UserIdentifierChoice): string {
  return typeof choice === "string" ? choice : `attribute ${choice.attribute}`;
}

/** The identifier, or undefined when the login does not carry it (exactly once, usable as text). */
export function userIdentifier(choice: UserIdentifierChoice, person: Person, attributes: readonly RawAttribute[]): string | undefined {
  let value: string | undefined;
  if (choice === "nameId") value = person.nameId;
  else if (choice === "serial") value = serialOfSubjectName(person.nameId);
  else if (choice === "uuid") value = person.uuid;
  else if (choice === "email") value = person.email;
  else if (choice === "upn") value = singleAttribute(attributes, UPN_CLAIM);
  else value = singleAttribute(attributes, choice.attribute);
  value = value?.trim();
  if (value === undefined || value === "" || value.length > MAX_IDENTIFIER || hasControlCharacter(value)) return undefined;
  return value;
}
