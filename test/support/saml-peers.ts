/**
 * Test peers built from real signing and encryption: a fagsystem that sends
 * AuthnRequests and an IdP whose responses can be bent in every way the
 * rejection tests need.
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { Agent } from "supertest";
import request from "supertest";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { buildAuthnRequest } from "../../src/saml/authn-request.js";
import { encodeRedirect } from "../../src/saml/redirect-binding.js";
import { SIGNATURE_ALGORITHM, type SignatureAlgorithm } from "../../src/saml/algorithms.js";
import { samlInstant } from "../../src/saml/saml-time.js";
import { buildAssertion, buildResponse, type OutgoingAttribute } from "../../src/saml/response-builder.js";
import { signEnveloped } from "../../src/saml/sign.js";
import { encryptAssertion, OIOSAML3_ENCRYPTION } from "../../src/saml/encrypt-assertion.js";
import { NAMEID_FORMAT, NS, STATUS } from "../../src/saml/namespaces.js";
import { parseXml, childElements, optionalChild, attr } from "../../src/xml/xml-parser.js";
import { OIOSAML3, SPEC_VERSION_OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { encodePostMessage } from "../../src/saml/post-binding.js";
import { decryptAssertion } from "../../src/saml/decrypt-assertion.js";
import { verifyEnvelopedSignature } from "../../src/saml/verify-signature.js";
import {
  BROKER_BASE,
  BROKER_ENTITY_ID,
  IDP_ENTITY_ID,
  MUNICIPALITY_CVR,
  SP_ACS_URL,
  SP_ENTITY_ID,
  type BrokerFixture,
  type FixtureKeys,
} from "./broker-fixture.js";

let counter = 0;
export function testId(prefix = "_t"): string {
  counter += 1;
  return `${prefix}${Date.now().toString(16)}${counter.toString(16).padStart(6, "0")}${Math.random().toString(16).slice(2, 10)}`;
}

export interface SpRequestOptions {
  id?: string;
  issuer?: string;
  acsUrl?: string | undefined;
  destination?: string;
  issueInstant?: string;
  forceAuthn?: boolean;
  requestedClassRefs?: string[];
  relayState?: string | undefined;
  signWith?: KeyMaterial | null;
}

/** A signed HTTP-Redirect AuthnRequest URL (path + query) for the broker's SSO endpoint. */
/** The test fagsystem's AuthnRequest XML (unsigned), with every part adjustable. */
export function spAuthnRequestXml(id: string, options: SpRequestOptions = {}): string {
  return buildAuthnRequest({
    id,
    issueInstant: options.issueInstant ?? samlInstant(Date.now()),
    issuer: options.issuer ?? SP_ENTITY_ID,
    destination: options.destination ?? `${BROKER_BASE}/saml/sso`,
    acsUrl: "acsUrl" in options ? options.acsUrl : SP_ACS_URL,
    forceAuthn: options.forceAuthn ?? false,
    isPassive: false,
    requesterId: undefined,
    requestedClassRefs: options.requestedClassRefs ?? [],
  });
}

export function spRedirectRequest(keys: FixtureKeys, options: SpRequestOptions = {}, query = "municipality=test-kommune"): { path: string; id: string } {
  const id = options.id ?? testId();
  const xml = spAuthnRequestXml(id, options);
  const relayState = "relayState" in options ? options.relayState : "rs-123";
  if (options.signWith === null) {
    const parts = [`SAMLRequest=${encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString("base64"))}`];
    if (relayState !== undefined) parts.push(`RelayState=${encodeURIComponent(relayState)}`);
    return { path: `/saml/sso?${query ? `${query}&` : ""}${parts.join("&")}`, id };
  }
  const url = encodeRedirect(`${BROKER_BASE}/saml/sso${query ? `?${query}` : ""}`, "SAMLRequest", xml, relayState, {
    privateKey: (options.signWith ?? keys.spSigning).privateKey,
    algorithm: SIGNATURE_ALGORITHM.rsaSha256,
  });
  return { path: url.slice(BROKER_BASE.length), id };
}

/** Reads the broker's upstream AuthnRequest from a redirect Location. */
export function upstreamRequestFrom(location: string): { id: string; xml: string; document: Document } {
  const url = new URL(location);
  const encoded = url.searchParams.get("SAMLRequest");
  if (!encoded) throw new Error(`no SAMLRequest in ${location}`);
  const xml = inflateRawSync(Buffer.from(encoded, "base64")).toString("utf8");
  const document = parseXml(xml);
  return { id: document.documentElement.getAttribute("ID") ?? "", xml, document };
}

export interface StartedLogin {
  agent: Agent;
  spRequestId: string;
  upstreamRequestId: string;
  upstreamXml: string;
}

/** Starts a login at the broker (SP → broker → redirect to IdP) and returns the ids involved. */
export async function startLogin(fixture: BrokerFixture, options: SpRequestOptions = {}, query?: string): Promise<StartedLogin> {
  const agent = request.agent(fixture.app);
  const { path, id } = spRedirectRequest(fixture.keys, options, query);
  const response = await agent.get(path);
  if (response.status !== 303) throw new Error(`expected a redirect to the IdP, got ${response.status}: ${response.text.slice(0, 400)}`);
  const upstream = upstreamRequestFrom(response.headers["location"] as string);
  return { agent, spRequestId: id, upstreamRequestId: upstream.id, upstreamXml: upstream.xml };
}

export function defaultAttributes(overrides: Partial<Record<string, string>> = {}): OutgoingAttribute[] {
  const base: Record<string, string> = {
    [OIOSAML3.specVersion]: SPEC_VERSION_OIOSAML3,
    [OIOSAML3.loa]: "Substantial",
    [OIOSAML3.cvr]: MUNICIPALITY_CVR,
    [OIOSAML3.uuidPersistent]: "urn:uuid:8C1D7E5E-3F0A-4B8E-9C51-0D2A7E4B6F11",
    [OIOSAML3.email]: "anna@kommune.test",
    [OIOSAML3.fullName]: "Anna Andersen",
    [OIOSAML3.privilegesIntermediate]: Buffer.from("<bpp:PrivilegeList xmlns:bpp=\"http://itst.dk/oiosaml/basic_privilege_profile\"/>").toString("base64"),
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[name];
    else base[name] = value;
  }
  return Object.entries(base).map(([name, value]) => ({ name, values: [value] }));
}

export interface IdpResponseOptions {
  requestId: string;
  now?: number;
  assertionId?: string;
  issuer?: string;
  responseIssuer?: string | null;
  destination?: string;
  recipient?: string;
  audience?: string;
  inResponseTo?: string | null;
  scdInResponseTo?: string;
  notBefore?: number;
  notOnOrAfter?: number;
  scdNotOnOrAfter?: number;
  authnContextClassRef?: string;
  nameId?: string;
  /** NameID Format (default X509SubjectName, as municipal IdPs send). */
  nameIdFormat?: string;
  attributes?: OutgoingAttribute[];
  status?: string;
  subStatus?: string;
  signAssertionWith?: KeyMaterial | null;
  signResponseWith?: KeyMaterial | null;
  /** Signature algorithm for the assertion signature (default RSA-SHA256). */
  signatureAlgorithm?: SignatureAlgorithm;
  encryptFor?: KeyMaterial | null;
  /** Change the assertion XML before it is signed. */
  editAssertion?: (xml: string) => string;
  /** Change the signed assertion XML (after signing, before encryption). */
  editSignedAssertion?: (xml: string) => string;
  /** Change the final Response XML. */
  editResponse?: (xml: string) => string;
}

/** An IdP Response as OIOSAML 3 prescribes (signed assertion, encrypted to the broker), with every part adjustable. */
export async function idpResponse(keys: FixtureKeys, options: IdpResponseOptions): Promise<string> {
  const now = options.now ?? Date.now();
  const assertionId = options.assertionId ?? testId("_a");
  let assertion = buildAssertion({
    id: assertionId,
    issueInstant: samlInstant(now),
    issuer: options.issuer ?? IDP_ENTITY_ID,
    nameId: options.nameId ?? `C=DK,O=${MUNICIPALITY_CVR},CN=Anna Andersen,Serial=12345`,
    nameIdFormat: options.nameIdFormat ?? NAMEID_FORMAT.x509SubjectName,
    audience: options.audience ?? BROKER_ENTITY_ID,
    recipient: options.recipient ?? `${BROKER_BASE}/saml/acs`,
    inResponseTo: options.scdInResponseTo ?? options.requestId,
    notBefore: samlInstant(options.notBefore ?? now - 5_000),
    notOnOrAfter: samlInstant(options.notOnOrAfter ?? now + 300_000),
    authnInstant: samlInstant(now),
    sessionIndex: testId("_s"),
    authnContextClassRef: options.authnContextClassRef ?? "https://data.gov.dk/concept/core/nsis/loa/Substantial",
    authenticatingAuthorities: [],
    attributes: options.attributes ?? defaultAttributes(),
  });
  if (options.scdNotOnOrAfter !== undefined) {
    assertion = assertion.replace(/(<saml:SubjectConfirmationData[^>]*NotOnOrAfter=")[^"]*/, `$1${samlInstant(options.scdNotOnOrAfter)}`);
  }
  if (options.editAssertion) assertion = options.editAssertion(assertion);
  const signer = options.signAssertionWith === undefined ? keys.idpSigning : options.signAssertionWith;
  let signed = signer ? signEnveloped(assertion, assertionId, true, { key: signer, algorithm: options.signatureAlgorithm ?? SIGNATURE_ALGORITHM.rsaSha256 }) : assertion;
  if (options.editSignedAssertion) signed = options.editSignedAssertion(signed);
  const encryptFor = options.encryptFor === undefined ? keys.brokerEncryption : options.encryptFor;
  const embedded = encryptFor ? await encryptAssertion(signed, encryptFor.certificatePem, OIOSAML3_ENCRYPTION) : signed;
  const responseId = testId("_r");
  let response = buildResponse({
    id: responseId,
    issueInstant: samlInstant(now),
    issuer: options.responseIssuer ?? IDP_ENTITY_ID,
    destination: options.destination ?? `${BROKER_BASE}/saml/acs`,
    inResponseTo: options.inResponseTo === null ? "" : (options.inResponseTo ?? options.requestId),
    status: (options.status ?? STATUS.success) as typeof STATUS.success,
    subStatus: options.subStatus as undefined,
    assertionXml: options.status && options.status !== STATUS.success ? undefined : embedded,
  });
  if (options.inResponseTo === null) response = response.replace(' InResponseTo=""', "");
  if (options.responseIssuer === null) response = response.replace(/<saml:Issuer>[^<]*<\/saml:Issuer>/, "");
  if (options.signResponseWith) response = signEnveloped(response, responseId, true, { key: options.signResponseWith });
  if (options.editResponse) response = options.editResponse(response);
  return response;
}

export async function postToAcs(agent: Agent, responseXml: string, relayState?: string): Promise<request.Response> {
  const form: Record<string, string> = { SAMLResponse: encodePostMessage(responseXml) };
  if (relayState !== undefined) form["RelayState"] = relayState;
  return agent.post("/saml/acs").type("form").send(form);
}

export interface SpAnswer {
  url: string;
  relayState: string | undefined;
  xml: string;
  document: Document;
  statusCode: string;
  subStatusCode: string | undefined;
  statusMessage: string | undefined;
}

/** Reads the auto-POST form the broker sends to the fagsystem. */
export function readSpAnswer(html: string): SpAnswer {
  const url = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const saml = /name="SAMLResponse" value="([^"]+)"/.exec(html)?.[1];
  const relay = /name="RelayState" value="([^"]*)"/.exec(html)?.[1];
  if (!url || !saml) throw new Error(`not an auto-POST page: ${html.slice(0, 300)}`);
  const xml = Buffer.from(saml, "base64").toString("utf8");
  const document = parseXml(xml);
  const status = childElements(document.documentElement, NS.samlp, "Status")[0]!;
  const code = childElements(status, NS.samlp, "StatusCode")[0]!;
  const sub = optionalChild(code, NS.samlp, "StatusCode");
  const message = optionalChild(status, NS.samlp, "StatusMessage");
  return {
    url: url.replace(/&amp;/g, "&"),
    relayState: relay?.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&#39;/g, "'"),
    xml,
    document,
    statusCode: attr(code, "Value") ?? "",
    subStatusCode: sub ? (attr(sub, "Value") ?? undefined) : undefined,
    statusMessage: message?.textContent ?? undefined,
  };
}

/** Decrypts and verifies the broker's assertion as the fagsystem would, using the broker's certificate. */
export async function openBrokerAssertion(answer: SpAnswer, keys: FixtureKeys): Promise<Element> {
  const root = answer.document.documentElement;
  const encrypted = childElements(root, NS.saml, "EncryptedAssertion")[0];
  const assertion = encrypted ? await decryptAssertion(encrypted, [keys.spEncryption.privateKeyPem]) : childElements(root, NS.saml, "Assertion")[0]!;
  return verifyEnvelopedSignature(assertion, { trustedCertificates: [keys.brokerSigning.certificatePem], allowSha1: false });
}
