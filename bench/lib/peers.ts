/**
 * What the fagsystem and the municipal IdP send in a benchmark: a signed
 * HTTP-Redirect AuthnRequest to the broker, and an OIOSAML 3 Response (signed
 * assertion, encrypted to the broker) for the broker's upstream request.
 */
import { randomBytes } from "node:crypto";
import { inflateRawSync } from "node:zlib";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { buildAuthnRequest } from "../../src/saml/authn-request.js";
import { encodeRedirect } from "../../src/saml/redirect-binding.js";
import { SIGNATURE_ALGORITHM } from "../../src/saml/algorithms.js";
import { samlInstant } from "../../src/saml/saml-time.js";
import { buildAssertion, buildResponse, type OutgoingAttribute } from "../../src/saml/response-builder.js";
import { signEnveloped } from "../../src/saml/sign.js";
import { encryptAssertion, OIOSAML3_ENCRYPTION } from "../../src/saml/encrypt-assertion.js";
import { NAMEID_FORMAT, STATUS } from "../../src/saml/namespaces.js";
import { encodePostMessage } from "../../src/saml/post-binding.js";
import { OIOSAML3, SPEC_VERSION_OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { DEMO_USERS, privilegesBase64 } from "../../src/demo/demo-users.js";
import { nsisClassRef } from "../../src/profiles/levels.js";
import { BENCH_CVR, IDP_ID, type PartyKeys, type PartyUrls } from "./parties.js";

export function samlId(): string {
  return `_${randomBytes(20).toString("hex")}`;
}

/** Path and query of a signed AuthnRequest from the fagsystem, naming the municipality. */
export function spAuthnRequestPath(keys: PartyKeys, urls: PartyUrls): string {
  const sso = `${urls.brokerBase}/saml/sso`;
  const xml = buildAuthnRequest({
    id: samlId(),
    issueInstant: samlInstant(Date.now()),
    issuer: urls.spEntityId,
    destination: sso,
    acsUrl: urls.spAcsUrl,
    forceAuthn: false,
    isPassive: false,
    requesterId: undefined,
    requestedClassRefs: [],
  });
  const url = encodeRedirect(`${sso}?municipality=${IDP_ID}`, "SAMLRequest", xml, "bench-relay-state", {
    privateKey: keys.spSigning.privateKey,
    algorithm: SIGNATURE_ALGORITHM.rsaSha256,
  });
  return url.slice(urls.brokerBase.length);
}

/** The ID of the broker's AuthnRequest to the IdP, read from the redirect Location. */
export function upstreamRequestId(location: string): string {
  const encoded = new URL(location).searchParams.get("SAMLRequest");
  if (!encoded) throw new Error(`no SAMLRequest in the redirect to the IdP: ${location.slice(0, 200)}`);
  const xml = inflateRawSync(Buffer.from(encoded, "base64")).toString("utf8");
  const id = /\bID="([^"]+)"/.exec(xml)?.[1];
  if (!id) throw new Error("the broker's AuthnRequest has no ID");
  return id;
}

const USER = DEMO_USERS[0]!;

function userAttributes(): OutgoingAttribute[] {
  return [
    { name: OIOSAML3.specVersion, values: [SPEC_VERSION_OIOSAML3] },
    { name: OIOSAML3.cvr, values: [BENCH_CVR] },
    { name: OIOSAML3.orgName, values: ["Bench Kommune"] },
    { name: OIOSAML3.uuidPersistent, values: [USER.uuid] },
    { name: OIOSAML3.email, values: [USER.email] },
    { name: OIOSAML3.firstName, values: [USER.firstName] },
    { name: OIOSAML3.lastName, values: [USER.lastName] },
    { name: OIOSAML3.fullName, values: [USER.fullName] },
    { name: OIOSAML3.loa, values: ["Substantial"] },
    { name: OIOSAML3.privilegesIntermediate, values: [privilegesBase64(USER, BENCH_CVR)] },
  ];
}

/** The IdP's answer to `requestId`: assertion signed by the IdP and encrypted to the broker, as the ACS form body. */
export async function idpResponseBody(keys: { idpSigning: KeyMaterial; brokerEncryption: KeyMaterial }, urls: PartyUrls, requestId: string): Promise<string> {
  const now = Date.now();
  const acs = `${urls.brokerBase}/saml/acs`;
  const assertionId = samlId();
  const assertion = buildAssertion({
    id: assertionId,
    issueInstant: samlInstant(now),
    issuer: urls.idpEntityId,
    nameId: `C=DK,O=${BENCH_CVR},CN=${USER.fullName},Serial=${USER.uuid}`,
    nameIdFormat: NAMEID_FORMAT.x509SubjectName,
    audience: urls.brokerEntityId,
    recipient: acs,
    inResponseTo: requestId,
    notBefore: samlInstant(now - 5_000),
    notOnOrAfter: samlInstant(now + 300_000),
    authnInstant: samlInstant(now),
    sessionIndex: samlId(),
    authnContextClassRef: nsisClassRef("Substantial"),
    authenticatingAuthorities: [],
    attributes: userAttributes(),
  });
  const signed = signEnveloped(assertion, assertionId, true, { key: keys.idpSigning });
  const encrypted = await encryptAssertion(signed, keys.brokerEncryption.certificatePem, OIOSAML3_ENCRYPTION);
  const response = buildResponse({
    id: samlId(),
    issueInstant: samlInstant(now),
    issuer: urls.idpEntityId,
    destination: acs,
    inResponseTo: requestId,
    status: STATUS.success,
    assertionXml: encrypted,
  });
  return `SAMLResponse=${encodeURIComponent(encodePostMessage(response))}`;
}

/** True when an auto-POST page carries a successful SAML Response with an encrypted assertion. */
export function isSuccessfulAnswer(html: string): boolean {
  const saml = /name="SAMLResponse" value="([^"]+)"/.exec(html)?.[1];
  if (!saml) return false;
  const xml = Buffer.from(saml, "base64").toString("utf8");
  return xml.includes(`Value="${STATUS.success}"`) && xml.includes("EncryptedAssertion");
}
