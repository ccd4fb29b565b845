/** OIOSAML 3 attribute names (and the legacy names municipal IdPs still send). Pure data. */
export const OIOSAML3 = {
  specVersion: "https://data.gov.dk/model/core/specVersion",
  kombitSpecVer: "https://data.gov.dk/model/core/kombitSpecVer",
  loa: "https://data.gov.dk/concept/core/nsis/loa",
  ial: "https://data.gov.dk/concept/core/nsis/ial",
  aal: "https://data.gov.dk/concept/core/nsis/aal",
  cvr: "https://data.gov.dk/model/core/eid/professional/cvr",
  orgName: "https://data.gov.dk/model/core/eid/professional/orgName",
  uuidPersistent: "https://data.gov.dk/model/core/eid/professional/uuid/persistent",
  rid: "https://data.gov.dk/model/core/eid/professional/rid",
  firstName: "https://data.gov.dk/model/core/eid/firstName",
  lastName: "https://data.gov.dk/model/core/eid/lastName",
  fullName: "https://data.gov.dk/model/core/eid/fullName",
  email: "https://data.gov.dk/model/core/eid/email",
  cprNumber: "https://data.gov.dk/model/core/eid/cprNumber",
  privilegesIntermediate: "https://data.gov.dk/model/core/eid/privilegesIntermediate",
} as const;

export const LEGACY = {
  specVer: "dk:gov:saml:attribute:SpecVer",
  kombitSpecVer: "dk:gov:saml:attribute:KombitSpecVer",
  assuranceLevel: "dk:gov:saml:attribute:AssuranceLevel",
  cvr: "dk:gov:saml:attribute:CvrNumberIdentifier",
  cpr: "dk:gov:saml:attribute:CprNumberIdentifier",
  rid: "dk:gov:saml:attribute:RidNumberIdentifier",
  privilegesIntermediate: "dk:gov:saml:attribute:Privileges_intermediate",
} as const;

export const SPEC_VERSION_OIOSAML3 = "OIO-SAML-3.0";
export const KOMBIT_SPEC_VERSION = "2.0";

/** What the broker asks municipal IdPs for in its SP metadata (the CVR is required). */
export const OIOSAML3_REQUESTED_ATTRIBUTES: ReadonlyArray<{ name: string; required: boolean }> = [
  OIOSAML3.specVersion,
  OIOSAML3.loa,
  OIOSAML3.cvr,
  OIOSAML3.uuidPersistent,
  OIOSAML3.privilegesIntermediate,
  OIOSAML3.email,
].map((name) => ({ name, required: name === OIOSAML3.cvr }));
