/** XML namespaces and fixed URIs used by SAML 2.0, XML-DSig and XML-Enc. */
export const NS = {
  samlp: "urn:oasis:names:tc:SAML:2.0:protocol",
  saml: "urn:oasis:names:tc:SAML:2.0:assertion",
  md: "urn:oasis:names:tc:SAML:2.0:metadata",
  ds: "http://www.w3.org/2000/09/xmldsig#",
  xenc: "http://www.w3.org/2001/04/xmlenc#",
  xenc11: "http://www.w3.org/2009/xmlenc11#",
  xsi: "http://www.w3.org/2001/XMLSchema-instance",
  xs: "http://www.w3.org/2001/XMLSchema",
} as const;

export const BINDING = {
  redirect: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
  post: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
  soap: "urn:oasis:names:tc:SAML:2.0:bindings:SOAP",
} as const;

export const STATUS = {
  success: "urn:oasis:names:tc:SAML:2.0:status:Success",
  requester: "urn:oasis:names:tc:SAML:2.0:status:Requester",
  responder: "urn:oasis:names:tc:SAML:2.0:status:Responder",
  versionMismatch: "urn:oasis:names:tc:SAML:2.0:status:VersionMismatch",
  authnFailed: "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed",
  noAuthnContext: "urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext",
  requestDenied: "urn:oasis:names:tc:SAML:2.0:status:RequestDenied",
  noPassive: "urn:oasis:names:tc:SAML:2.0:status:NoPassive",
  requestUnsupported: "urn:oasis:names:tc:SAML:2.0:status:RequestUnsupported",
} as const;

export type TopStatus = typeof STATUS.requester | typeof STATUS.responder;
export type SubStatus =
  | typeof STATUS.authnFailed
  | typeof STATUS.noAuthnContext
  | typeof STATUS.requestDenied
  | typeof STATUS.noPassive
  | typeof STATUS.requestUnsupported;

export const NAMEID_FORMAT = {
  persistent: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
  transient: "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
  x509SubjectName: "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName",
  unspecified: "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
  entity: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity",
} as const;

export const ATTRNAME_FORMAT_URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri";
export const ATTRNAME_FORMAT_BASIC = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic";
export const BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
