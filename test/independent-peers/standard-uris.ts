/**
 * What the independent peers know: URIs written out from the standards and
 * OIOSAML 3 rather than imported from the broker, and the person the samlify
 * IdP logs in.
 */

// Written out rather than imported from the broker: the peers only know the standards.
export const MD_NS = "urn:oasis:names:tc:SAML:2.0:metadata";
export const DS_NS = "http://www.w3.org/2000/09/xmldsig#";
export const SAMLP_NS = "urn:oasis:names:tc:SAML:2.0:protocol";
export const SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion";
export const BINDING_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
export const NAMEID_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
export const NAMEID_X509 = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName";
export const ATTRNAME_URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri";
export const STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";
export const STATUS_RESPONDER = "urn:oasis:names:tc:SAML:2.0:status:Responder";
export const STATUS_AUTHN_FAILED = "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed";
export const RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
export const AES256_CBC = "http://www.w3.org/2001/04/xmlenc#aes256-cbc";
export const RSA_OAEP_MGF1P = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
export const LOA_SUBSTANTIAL_CLASS = "https://data.gov.dk/concept/core/nsis/loa/Substantial";

export const ATTR = {
  specVersion: "https://data.gov.dk/model/core/specVersion",
  loa: "https://data.gov.dk/concept/core/nsis/loa",
  cvr: "https://data.gov.dk/model/core/eid/professional/cvr",
  orgName: "https://data.gov.dk/model/core/eid/professional/orgName",
  uuid: "https://data.gov.dk/model/core/eid/professional/uuid/persistent",
  email: "https://data.gov.dk/model/core/eid/email",
  fullName: "https://data.gov.dk/model/core/eid/fullName",
  privileges: "https://data.gov.dk/model/core/eid/privilegesIntermediate",
} as const;

export const PERSON_UUID = "3f2b6c1e-8d4a-4c7b-9e0f-5a1d2c3b4e5f";
export const PRIVILEGES = Buffer.from('<bpp:PrivilegeList xmlns:bpp="http://itst.dk/oiosaml/basic_privilege_profile"/>').toString("base64");
// The broker translates the IdP's (here: no) job-function roles for the fagsystem and emits the result in the digst.dk namespace.
export const TRANSLATED_PRIVILEGES = Buffer.from('<bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile"/>').toString("base64");
export const FAGSYSTEM_RELAY_STATE = "/sag/42?fane=oversigt&x=\"1\"";
