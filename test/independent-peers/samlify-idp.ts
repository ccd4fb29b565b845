/** The municipal IdP: samlify, answering the broker's AuthnRequest with a signed, encrypted OIOSAML 3 assertion. */
import { randomUUID } from "node:crypto";
import * as samlify from "samlify";
import { IDP_ENTITY_ID, IDP_SSO_URL, MUNICIPALITY_CVR } from "../support/broker-fixture.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { AES256_CBC, ATTR, ATTRNAME_URI, BINDING_REDIRECT, LOA_SUBSTANTIAL_CLASS, NAMEID_X509, PERSON_UUID, PRIVILEGES, RSA_OAEP_MGF1P, RSA_SHA256, SAML_NS, SAMLP_NS, STATUS_SUCCESS } from "./standard-uris.js";

// samlify refuses to parse anything until a schema validator is registered.
// Its XSD checks are not what this test is about (the broker does its own
// strict validation of everything it receives), so register one that accepts.
samlify.setSchemaValidator({ validate: () => Promise.resolve("schema checks are not part of this test") });

/** samlify turns valueTag "cvr" into the template placeholder {attrCvr}. */
export const ATTRIBUTE_TAGS = [
  { name: ATTR.specVersion, tag: "specversion" },
  { name: ATTR.loa, tag: "loa" },
  { name: ATTR.cvr, tag: "cvr" },
  { name: ATTR.uuid, tag: "uuid" },
  { name: ATTR.email, tag: "email" },
  { name: ATTR.fullName, tag: "fullname" },
  { name: ATTR.privileges, tag: "privileges" },
] as const;

/** samlify's default template has no AuthnStatement; OIOSAML 3 (and the broker) needs exactly one. */
export const OIOSAML3_RESPONSE_TEMPLATE =
  `<samlp:Response xmlns:samlp="${SAMLP_NS}" xmlns:saml="${SAML_NS}" ID="{ID}" Version="2.0" IssueInstant="{IssueInstant}" Destination="{Destination}" InResponseTo="{InResponseTo}">` +
  `<saml:Issuer>{Issuer}</saml:Issuer>` +
  `<samlp:Status><samlp:StatusCode Value="{StatusCode}"/></samlp:Status>` +
  `<saml:Assertion xmlns:saml="${SAML_NS}" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="{AssertionID}" Version="2.0" IssueInstant="{IssueInstant}">` +
  `<saml:Issuer>{Issuer}</saml:Issuer>` +
  `<saml:Subject><saml:NameID Format="{NameIDFormat}">{NameID}</saml:NameID>` +
  `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{SubjectConfirmationDataNotOnOrAfter}" Recipient="{SubjectRecipient}" InResponseTo="{InResponseTo}"/></saml:SubjectConfirmation></saml:Subject>` +
  `<saml:Conditions NotBefore="{ConditionsNotBefore}" NotOnOrAfter="{ConditionsNotOnOrAfter}"><saml:AudienceRestriction><saml:Audience>{Audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
  `<saml:AuthnStatement AuthnInstant="{AuthnInstant}" SessionIndex="{SessionIndex}"><saml:AuthnContext><saml:AuthnContextClassRef>{AuthnContextClassRef}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
  `{AttributeStatement}` +
  `</saml:Assertion></samlp:Response>`;

/** What the IdP may send besides the usual attributes: the user's CPR number (OIOSAML 3 name), as IdPs do for SEB. */
export interface MunicipalIdpOptions {
  cpr?: string;
}

const CPR_TAG = { name: "https://data.gov.dk/model/core/eid/cprNumber", tag: "cpr" } as const;

export function municipalIdp(signing: KeyMaterial, options: MunicipalIdpOptions = {}): samlify.IdentityProviderInstance {
  const tags = options.cpr === undefined ? [...ATTRIBUTE_TAGS] : [...ATTRIBUTE_TAGS, CPR_TAG];
  const settings = {
    entityID: IDP_ENTITY_ID,
    privateKey: signing.privateKeyPem,
    signingCert: signing.certificatePem,
    singleSignOnService: [{ Binding: BINDING_REDIRECT, Location: IDP_SSO_URL }],
    singleLogoutService: [{ Binding: BINDING_REDIRECT, Location: "https://idp.kommune.test/slo" }],
    nameIDFormat: [NAMEID_X509],
    wantAuthnRequestsSigned: true,
    // The broker accepts only SHA-256 and stronger (samlify's default happens to be RSA-SHA256 too).
    requestSignatureAlgorithm: RSA_SHA256,
    isAssertionEncrypted: true,
    // samlify's xml-encryption fork has no xmlenc11 rsa-oaep (SHA-256); these are in the broker's allow-list.
    dataEncryptionAlgorithm: AES256_CBC,
    keyEncryptionAlgorithm: RSA_OAEP_MGF1P,
    loginResponseTemplate: {
      context: OIOSAML3_RESPONSE_TEMPLATE,
      attributes: tags.map(({ name, tag }) => ({ name, nameFormat: ATTRNAME_URI, valueTag: tag, valueXsiType: "xs:string" })),
    },
  };
  return samlify.IdentityProvider(settings as Parameters<typeof samlify.IdentityProvider>[0]);
}

/** The broker as samlify sees it: an SP described by the broker's published SP metadata. */
export function brokerAsSp(brokerSpMetadataXml: string): samlify.ServiceProviderInstance {
  // wantMessageSigned: samlify also signs the Response element (OIOSAML 3 IdPs do).
  return samlify.ServiceProvider({ metadata: brokerSpMetadataXml, wantMessageSigned: true });
}

export type ParsedRequest = Awaited<ReturnType<samlify.IdentityProviderInstance["parseLoginRequest"]>>;

/** Verifies and parses the broker's HTTP-Redirect AuthnRequest exactly as it arrives at the IdP. */
export async function receiveAtIdp(idp: samlify.IdentityProviderInstance, sp: samlify.ServiceProviderInstance, location: string): Promise<ParsedRequest> {
  const url = new URL(location);
  const raw = url.search.slice(1).split("&");
  const pick = (name: string) => raw.find((p) => p.startsWith(`${name}=`));
  // The redirect signature covers the query parameters as sent, in this order.
  const octetString = [pick("SAMLRequest"), pick("RelayState"), pick("SigAlg")].filter((p): p is string => p !== undefined).join("&");
  return idp.parseLoginRequest(sp, "redirect", { query: Object.fromEntries(url.searchParams), octetString });
}

export async function answerFromIdp(idp: samlify.IdentityProviderInstance, sp: samlify.ServiceProviderInstance, parsed: ParsedRequest, options: MunicipalIdpOptions = {}): Promise<string> {
  const requestId = parsed.extract.request?.["id"];
  if (typeof requestId !== "string") throw new Error("samlify found no request ID");
  const now = new Date();
  const later = new Date(now.getTime() + 5 * 60_000).toISOString();
  const acs = sp.entityMeta.getAssertionConsumerService("post");
  if (typeof acs !== "string") throw new Error("the broker's SP metadata has no single HTTP-POST ACS");
  const values: Record<string, string> = {
    ID: `_${randomUUID()}`,
    AssertionID: `_${randomUUID()}`,
    IssueInstant: now.toISOString(),
    Destination: acs,
    InResponseTo: requestId,
    Issuer: IDP_ENTITY_ID,
    StatusCode: STATUS_SUCCESS,
    NameIDFormat: NAMEID_X509,
    NameID: `C=DK,O=${MUNICIPALITY_CVR},CN=Karen Jensen,Serial=${PERSON_UUID}`,
    SubjectConfirmationDataNotOnOrAfter: later,
    SubjectRecipient: acs,
    ConditionsNotBefore: new Date(now.getTime() - 5_000).toISOString(),
    ConditionsNotOnOrAfter: later,
    Audience: sp.entityMeta.getEntityID(),
    AuthnInstant: now.toISOString(),
    SessionIndex: `_${randomUUID()}`,
    AuthnContextClassRef: LOA_SUBSTANTIAL_CLASS,
    attrSpecversion: "OIO-SAML-3.0",
    attrLoa: "Substantial",
    attrCvr: MUNICIPALITY_CVR,
    attrUuid: `urn:uuid:${PERSON_UUID.toUpperCase()}`,
    attrEmail: "karen.jensen@kommune.test",
    attrFullname: "Karen Jensen",
    attrPrivileges: PRIVILEGES,
    ...(options.cpr === undefined ? {} : { attrCpr: options.cpr }),
  };
  const created = await idp.createLoginResponse(
    sp,
    { extract: parsed.extract },
    "post",
    {},
    {
      customTagReplacement: (template) => ({ id: values["ID"]!, context: samlify.SamlLib.replaceTagsByValue(template, values) }),
      // Sign the assertion, encrypt it, then sign the Response over the
      // encrypted form. samlify's default order signs the Response before
      // encrypting, which leaves a Response signature over content that is
      // no longer there.
      encryptThenSign: true,
    },
  );
  return created.context;
}
