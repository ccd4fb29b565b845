/**
 * OIOSAML 2 (DK-SAML-2.0) attribute names: what older IdPs send and what
 * legacy fagsystemer (registered as OIOSAML2) receive. Pure data.
 */
import { LEGACY } from "./oiosaml3-attributes.js";

export const OIOSAML2 = {
  ...LEGACY,
  /** Organisation name. */
  organizationName: "urn:oid:2.5.4.10",
  commonName: "urn:oid:2.5.4.3",
  surname: "urn:oid:2.5.4.4",
  givenName: "urn:oid:2.5.4.42",
  mail: "urn:oid:0.9.2342.19200300.100.1.3",
  uid: "urn:oid:0.9.2342.19200300.100.1.1",
} as const;

export const SPEC_VERSION_OIOSAML2 = "DK-SAML-2.0";
