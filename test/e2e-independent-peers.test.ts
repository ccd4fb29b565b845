/**
 * The whole hop fagsystem → broker → municipal IdP → broker → fagsystem, with
 * both outer parties played by SAML implementations that share no code with
 * the broker:
 *
 * - the fagsystem is @node-saml/node-saml (it builds the signed HTTP-Redirect
 *   AuthnRequest and validates, decrypts and verifies the broker's Response);
 * - the municipal IdP is samlify (it verifies and parses the broker's
 *   AuthnRequest and issues a signed Response with a signed, encrypted
 *   OIOSAML 3 assertion).
 *
 * Each peer learns about the broker from the broker's published metadata,
 * read over HTTP and parsed by the peer side, not by broker code.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import request from "supertest";
import { DOMParser } from "@xmldom/xmldom";
import * as samlify from "samlify";
import { SAML, SamlStatusError, ValidateInResponseTo, type CacheItem, type CacheProvider, type Profile } from "@node-saml/node-saml";
import {
  BROKER_BASE,
  BROKER_ENTITY_ID,
  IDP_ENTITY_ID,
  IDP_SSO_URL,
  MUNICIPALITY_CVR,
  SP_ACS_URL,
  SP_ENTITY_ID,
  createBrokerFixture,
  logReasons,
  type BrokerFixture,
} from "./support/broker-fixture.js";
import { readSpAnswer, type SpAnswer } from "./support/saml-peers.js";
import type { KeyMaterial } from "../src/keys/key-material.js";

// Written out rather than imported from the broker: the peers only know the standards.
const MD_NS = "urn:oasis:names:tc:SAML:2.0:metadata";
const DS_NS = "http://www.w3.org/2000/09/xmldsig#";
const SAMLP_NS = "urn:oasis:names:tc:SAML:2.0:protocol";
const SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion";
const BINDING_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const NAMEID_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
const NAMEID_X509 = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName";
const ATTRNAME_URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri";
const STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";
const STATUS_RESPONDER = "urn:oasis:names:tc:SAML:2.0:status:Responder";
const STATUS_AUTHN_FAILED = "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed";
const RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const AES256_CBC = "http://www.w3.org/2001/04/xmlenc#aes256-cbc";
const RSA_OAEP_MGF1P = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
const LOA_SUBSTANTIAL_CLASS = "https://data.gov.dk/concept/core/nsis/loa/Substantial";

const ATTR = {
  specVersion: "https://data.gov.dk/model/core/specVersion",
  loa: "https://data.gov.dk/concept/core/nsis/loa",
  cvr: "https://data.gov.dk/model/core/eid/professional/cvr",
  orgName: "https://data.gov.dk/model/core/eid/professional/orgName",
  uuid: "https://data.gov.dk/model/core/eid/professional/uuid/persistent",
  email: "https://data.gov.dk/model/core/eid/email",
  fullName: "https://data.gov.dk/model/core/eid/fullName",
  privileges: "https://data.gov.dk/model/core/eid/privilegesIntermediate",
} as const;

const PERSON_UUID = "3f2b6c1e-8d4a-4c7b-9e0f-5a1d2c3b4e5f";
const PRIVILEGES = Buffer.from('<bpp:PrivilegeList xmlns:bpp="http://itst.dk/oiosaml/basic_privilege_profile"/>').toString("base64");
// The broker translates the IdP's (here: no) job-function roles for the fagsystem and emits the result in the digst.dk namespace.
const TRANSLATED_PRIVILEGES = Buffer.from('<bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile"/>').toString("base64");
const FAGSYSTEM_RELAY_STATE = "/sag/42?fane=oversigt&x=\"1\"";

// samlify refuses to parse anything until a schema validator is registered.
// Its XSD checks are not what this test is about (the broker does its own
// strict validation of everything it receives), so register one that accepts.
samlify.setSchemaValidator({ validate: () => Promise.resolve("schema checks are not part of this test") });

// ---------------------------------------------------------------------------
// Reading the broker's metadata, as a peer would.

interface PublishedParty {
  entityId: string;
  signingCertBase64: string;
  ssoRedirectUrl: string | undefined;
  xml: string;
}

function readPublishedMetadata(xml: string, role: "IDPSSODescriptor" | "SPSSODescriptor"): PublishedParty {
  const document = new DOMParser().parseFromString(xml, "text/xml");
  const root = document.documentElement;
  if (root.namespaceURI !== MD_NS || root.localName !== "EntityDescriptor") throw new Error("not SAML metadata");
  const descriptor = root.getElementsByTagNameNS(MD_NS, role).item(0);
  if (!descriptor) throw new Error(`metadata has no ${role}`);
  let signingCertBase64: string | undefined;
  for (const keyDescriptor of Array.from(descriptor.getElementsByTagNameNS(MD_NS, "KeyDescriptor"))) {
    const use = keyDescriptor.getAttribute("use");
    if (use !== "signing" && use !== null && use !== "") continue;
    const certificate = keyDescriptor.getElementsByTagNameNS(DS_NS, "X509Certificate").item(0);
    if (certificate?.textContent) {
      signingCertBase64 = certificate.textContent.replace(/\s+/g, "");
      break;
    }
  }
  if (!signingCertBase64) throw new Error("metadata has no signing certificate");
  const sso = Array.from(descriptor.getElementsByTagNameNS(MD_NS, "SingleSignOnService")).find((s) => s.getAttribute("Binding") === BINDING_REDIRECT);
  return { entityId: root.getAttribute("entityID") ?? "", signingCertBase64, ssoRedirectUrl: sso?.getAttribute("Location") ?? undefined, xml };
}

// ---------------------------------------------------------------------------
// The fagsystem: node-saml.

/** node-saml's cache contract, kept in a Map so the test can look inside it. */
class RecordingCache implements CacheProvider {
  readonly entries = new Map<string, CacheItem>();
  saveAsync(key: string, value: string): Promise<CacheItem | null> {
    if (this.entries.has(key)) return Promise.resolve(null);
    const item = { value, createdAt: Date.now() };
    this.entries.set(key, item);
    return Promise.resolve(item);
  }
  getAsync(key: string): Promise<string | null> {
    return Promise.resolve(this.entries.get(key)?.value ?? null);
  }
  removeAsync(key: string | null): Promise<string | null> {
    if (key === null) return Promise.resolve(null);
    const item = this.entries.get(key);
    this.entries.delete(key);
    return Promise.resolve(item ? key : null);
  }
}

function fagsystem(fixture: BrokerFixture, brokerIdp: PublishedParty, cache: RecordingCache): SAML {
  if (!brokerIdp.ssoRedirectUrl) throw new Error("the broker publishes no HTTP-Redirect SSO endpoint");
  return new SAML({
    entryPoint: brokerIdp.ssoRedirectUrl,
    idpIssuer: brokerIdp.entityId,
    idpCert: brokerIdp.signingCertBase64,
    issuer: SP_ENTITY_ID,
    callbackUrl: SP_ACS_URL,
    audience: SP_ENTITY_ID,
    privateKey: fixture.keys.spSigning.privateKeyPem,
    signatureAlgorithm: "sha256",
    digestAlgorithm: "sha256",
    decryptionPvk: fixture.keys.spEncryption.privateKeyPem,
    identifierFormat: NAMEID_PERSISTENT,
    authnContext: [LOA_SUBSTANTIAL_CLASS],
    racComparison: "minimum",
    wantAssertionsSigned: true,
    // node-saml 5 insists on a signed Response element by default; the broker
    // only signs it for fagsystemer configured with signResponse: true.
    wantAuthnResponseSigned: true,
    validateInResponseTo: ValidateInResponseTo.always,
    cacheProvider: cache,
    acceptedClockSkewMs: 5_000,
  });
}

// ---------------------------------------------------------------------------
// The municipal IdP: samlify.

/** samlify turns valueTag "cvr" into the template placeholder {attrCvr}. */
const ATTRIBUTE_TAGS = [
  { name: ATTR.specVersion, tag: "specversion" },
  { name: ATTR.loa, tag: "loa" },
  { name: ATTR.cvr, tag: "cvr" },
  { name: ATTR.uuid, tag: "uuid" },
  { name: ATTR.email, tag: "email" },
  { name: ATTR.fullName, tag: "fullname" },
  { name: ATTR.privileges, tag: "privileges" },
] as const;

/** samlify's default template has no AuthnStatement; OIOSAML 3 (and the broker) needs exactly one. */
const OIOSAML3_RESPONSE_TEMPLATE =
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

function municipalIdp(signing: KeyMaterial): samlify.IdentityProviderInstance {
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
      attributes: ATTRIBUTE_TAGS.map(({ name, tag }) => ({ name, nameFormat: ATTRNAME_URI, valueTag: tag, valueXsiType: "xs:string" })),
    },
  };
  return samlify.IdentityProvider(settings as Parameters<typeof samlify.IdentityProvider>[0]);
}

/** The broker as samlify sees it: an SP described by the broker's published SP metadata. */
function brokerAsSp(brokerSpMetadataXml: string): samlify.ServiceProviderInstance {
  // wantMessageSigned: samlify also signs the Response element (OIOSAML 3 IdPs do).
  return samlify.ServiceProvider({ metadata: brokerSpMetadataXml, wantMessageSigned: true });
}

type ParsedRequest = Awaited<ReturnType<samlify.IdentityProviderInstance["parseLoginRequest"]>>;

/** Verifies and parses the broker's HTTP-Redirect AuthnRequest exactly as it arrives at the IdP. */
async function receiveAtIdp(idp: samlify.IdentityProviderInstance, sp: samlify.ServiceProviderInstance, location: string): Promise<ParsedRequest> {
  const url = new URL(location);
  const raw = url.search.slice(1).split("&");
  const pick = (name: string) => raw.find((p) => p.startsWith(`${name}=`));
  // The redirect signature covers the query parameters as sent, in this order.
  const octetString = [pick("SAMLRequest"), pick("RelayState"), pick("SigAlg")].filter((p): p is string => p !== undefined).join("&");
  return idp.parseLoginRequest(sp, "redirect", { query: Object.fromEntries(url.searchParams), octetString });
}

async function answerFromIdp(idp: samlify.IdentityProviderInstance, sp: samlify.ServiceProviderInstance, parsed: ParsedRequest): Promise<string> {
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

// ---------------------------------------------------------------------------

interface PeerLogin {
  fagsystem: SAML;
  cache: RecordingCache;
  fagsystemRequestId: string;
  parsed: ParsedRequest;
  idpResponseXml: string;
  answer: SpAnswer;
  /** What the browser posts to the fagsystem's ACS. */
  posted: { SAMLResponse: string; RelayState: string };
  /** Reasons the broker logged during this login. */
  reasons: string[];
}

/** Drives one login over HTTP: node-saml → broker → samlify → broker → (the auto-POST to) node-saml. */
async function loginThroughPeers(fixture: BrokerFixture, brokerIdp: PublishedParty, brokerSp: PublishedParty, idpSigning: KeyMaterial, relayState: string): Promise<PeerLogin> {
  await logReasons(fixture);
  const logMark = fixture.logs.length;
  const cache = new RecordingCache();
  const sp = fagsystem(fixture, brokerIdp, cache);
  const idp = municipalIdp(idpSigning);
  const broker = brokerAsSp(brokerSp.xml);
  const agent = request.agent(fixture.app);

  // 1. The fagsystem sends the person to the broker (signed HTTP-Redirect);
  //    the municipality hint is an extra query parameter outside the signature.
  const authorizeUrl = await sp.getAuthorizeUrlAsync(relayState, undefined, {});
  expect(authorizeUrl.startsWith(`${BROKER_BASE}/saml/sso?`)).toBe(true);
  expect(new URL(authorizeUrl).searchParams.get("SigAlg")).toBe(RSA_SHA256);
  const pending = [...cache.entries.keys()];
  expect(pending).toHaveLength(1);
  const toBroker = await agent.get(`${authorizeUrl.slice(BROKER_BASE.length)}&municipality=test-kommune`);
  expect(toBroker.status).toBe(303);
  const location = String(toBroker.headers["location"]);
  expect(location.startsWith(`${IDP_SSO_URL}?`)).toBe(true);

  // 2. The municipal IdP verifies the broker's redirect signature and reads the request.
  const parsed = await receiveAtIdp(idp, broker, location);

  // 3. The IdP answers at the broker's ACS; the broker answers the fagsystem with an auto-POST form.
  const samlResponse = await answerFromIdp(idp, broker, parsed);
  const atAcs = await agent.post("/saml/acs").type("form").send({ SAMLResponse: samlResponse });
  expect(atAcs.status).toBe(200);
  const answer = readSpAnswer(atAcs.text);
  await logReasons(fixture);
  const reasons = fixture.logs.slice(logMark).flatMap((l) => (typeof l.reason === "string" ? [l.reason] : []));
  return {
    fagsystem: sp,
    cache,
    fagsystemRequestId: pending[0]!,
    parsed,
    idpResponseXml: Buffer.from(samlResponse, "base64").toString("utf8"),
    answer,
    posted: { SAMLResponse: Buffer.from(answer.xml, "utf8").toString("base64"), RelayState: answer.relayState ?? "" },
    reasons,
  };
}

function childText(xml: string, ns: string, localName: string): string[] {
  const document = new DOMParser().parseFromString(xml, "text/xml");
  return Array.from(document.getElementsByTagNameNS(ns, localName)).map((e) => (e.textContent ?? "").trim());
}

function expectOiosaml3Profile(profile: Profile | null): void {
  if (!profile) throw new Error("node-saml produced no profile");
  expect(profile.issuer).toBe(BROKER_ENTITY_ID);
  expect(profile.nameIDFormat).toBe(NAMEID_PERSISTENT);
  expect(profile.nameID).toBe(`https://data.gov.dk/model/core/eid/professional/uuid/${PERSON_UUID}`);
  expect(profile[ATTR.specVersion]).toBe("OIO-SAML-3.0");
  expect(profile[ATTR.loa]).toBe("Substantial");
  expect(profile[ATTR.cvr]).toBe(MUNICIPALITY_CVR);
  expect(profile[ATTR.orgName]).toBe("Test Kommune");
  expect(profile[ATTR.uuid]).toBe(PERSON_UUID);
  expect(profile[ATTR.email]).toBe("karen.jensen@kommune.test");
  expect(profile[ATTR.fullName]).toBe("Karen Jensen");
  expect(profile[ATTR.privileges]).toBe(TRANSLATED_PRIVILEGES);
}

describe("end to end with independent SAML peers (node-saml as fagsystem, samlify as municipal IdP)", () => {
  let fixture: BrokerFixture;
  let brokerIdp: PublishedParty;
  let brokerSp: PublishedParty;

  beforeAll(async () => {
    fixture = await createBrokerFixture({
      sp: {
        // node-saml 5 (xml-encryption 3) cannot unwrap xmlenc11 rsa-oaep with
        // SHA-256, so this fagsystem gets rsa-oaep-mgf1p key transport. It can
        // do AES-GCM content encryption.
        encryption: { keyTransport: "rsa-oaep-mgf1p", content: "aes256-gcm" },
        // node-saml 5 requires the Response element itself to be signed
        // (wantAuthnResponseSigned defaults to true); OIOSAML 3 only asks for
        // a signed assertion, so the broker signs the Response only on request.
        signResponse: true,
      },
    });
    const http = request(fixture.app);
    brokerIdp = readPublishedMetadata((await http.get("/saml/metadata/idp").expect(200)).text, "IDPSSODescriptor");
    brokerSp = readPublishedMetadata((await http.get("/saml/metadata/sp").expect(200)).text, "SPSSODescriptor");
  });

  it("logs in: node-saml's request goes through samlify's IdP and node-saml accepts the broker's assertion", async () => {
    expect(brokerIdp.entityId).toBe(BROKER_ENTITY_ID);
    expect(brokerIdp.signingCertBase64).toBe(fixture.keys.brokerSigning.certificateBase64);
    expect(brokerSp.entityId).toBe(BROKER_ENTITY_ID);

    const login = await loginThroughPeers(fixture, brokerIdp, brokerSp, fixture.keys.idpSigning, FAGSYSTEM_RELAY_STATE);

    // What samlify saw of the broker's upstream request.
    expect(login.parsed.sigAlg).toBe(RSA_SHA256);
    expect(login.parsed.extract.issuer).toBe(BROKER_ENTITY_ID);
    expect(login.parsed.extract.request?.["assertionConsumerServiceUrl"]).toBe(`${BROKER_BASE}/saml/acs`);
    expect(login.parsed.extract.request?.["id"]).not.toBe(login.fagsystemRequestId);
    // The fagsystem asked for NSIS Substantial; the broker passes that on, and names the fagsystem.
    expect(childText(login.parsed.samlContent, SAML_NS, "AuthnContextClassRef")).toEqual([LOA_SUBSTANTIAL_CLASS]);
    expect(childText(login.parsed.samlContent, SAMLP_NS, "RequesterID")).toEqual([SP_ENTITY_ID]);

    // What samlify sent: a signed Response around an encrypted assertion.
    expect(login.idpResponseXml).toContain("EncryptedAssertion");
    expect(login.idpResponseXml).toContain(AES256_CBC);
    expect(login.idpResponseXml).toContain(RSA_OAEP_MGF1P);
    expect(login.idpResponseXml).not.toContain(ATTR.cvr);

    // What the broker sent the fagsystem.
    expect(login.reasons).toEqual([]);
    expect(login.answer.url).toBe(SP_ACS_URL);
    expect(login.answer.relayState).toBe(FAGSYSTEM_RELAY_STATE);
    expect(login.answer.statusCode).toBe(STATUS_SUCCESS);
    expect(login.answer.xml).toContain("http://www.w3.org/2009/xmlenc11#aes256-gcm");
    expect(login.answer.xml).toContain(RSA_OAEP_MGF1P);
    expect(login.answer.xml).not.toContain(ATTR.cvr);

    // The fagsystem validates it with its own library.
    const { profile, loggedOut } = await login.fagsystem.validatePostResponseAsync(login.posted);
    expect(loggedOut).toBe(false);
    expectOiosaml3Profile(profile);
    expect(profile?.getAssertionXml?.()).toContain(`InResponseTo="${login.fagsystemRequestId}"`);

    // InResponseTo: node-saml consumed its pending request ID, so the same
    // Response is refused when posted again...
    expect(login.cache.entries.size).toBe(0);
    await expect(login.fagsystem.validatePostResponseAsync(login.posted)).rejects.toThrow(/InResponseTo is not valid/);
    // ...and a fagsystem instance that never sent the request does not accept it either.
    const stranger = fagsystem(fixture, brokerIdp, new RecordingCache());
    await expect(stranger.validatePostResponseAsync(login.posted)).rejects.toThrow(/InResponseTo is not valid/);
  });

  it("also serves a fagsystem configured for AES-256-CBC content encryption", async () => {
    const cbc = await createBrokerFixture({ sp: { encryption: { keyTransport: "rsa-oaep-mgf1p", content: "aes256-cbc" }, signResponse: true } });
    const http = request(cbc.app);
    const cbcIdp = readPublishedMetadata((await http.get("/saml/metadata/idp").expect(200)).text, "IDPSSODescriptor");
    const cbcSp = readPublishedMetadata((await http.get("/saml/metadata/sp").expect(200)).text, "SPSSODescriptor");
    const login = await loginThroughPeers(cbc, cbcIdp, cbcSp, cbc.keys.idpSigning, "rs-cbc");
    expect(login.reasons).toEqual([]);
    expect(login.answer.statusCode).toBe(STATUS_SUCCESS);
    expect(login.answer.xml).toContain(AES256_CBC);
    const { profile } = await login.fagsystem.validatePostResponseAsync(login.posted);
    expectOiosaml3Profile(profile);
  });

  it("answers the fagsystem with a Responder error when samlify signs with a key that is not in the IdP's metadata", async () => {
    const login = await loginThroughPeers(fixture, brokerIdp, brokerSp, fixture.keys.attacker, "rs-attack");
    // samlify did sign (with the attacker's key, which it also puts in KeyInfo).
    expect(login.idpResponseXml).toContain("<ds:SignatureValue>");
    expect(login.idpResponseXml).toContain(fixture.keys.attacker.certificateBase64.slice(0, 64));

    expect(login.reasons).toContain("signature_invalid");
    expect(login.answer.url).toBe(SP_ACS_URL);
    expect(login.answer.relayState).toBe("rs-attack");
    expect(login.answer.statusCode).toBe(STATUS_RESPONDER);
    expect(login.answer.subStatusCode).toBe(STATUS_AUTHN_FAILED);
    expect(login.answer.xml).not.toContain("Assertion");

    const outcome = login.fagsystem.validatePostResponseAsync(login.posted);
    await expect(outcome).rejects.toBeInstanceOf(SamlStatusError);
    await expect(outcome).rejects.toThrow(/Responder/);
  });
});
