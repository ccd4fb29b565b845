/** Encodes the outcome of a login as a SAML Response to the fagsystem's ACS (HTTP-POST). */
import { LoginError } from "../../model/login-error.js";
import type { BrokerContext } from "../../broker-context.js";
import type { Identity } from "../../model/identity.js";
import type { SamlReply } from "./saml-reply.js";
import type { Interaction } from "../../model/interaction.js";
import type { FrontendAnswer } from "../../model/session-participant.js";
import { samlParticipant } from "./saml-participant.js";
import type { ServiceProvider } from "../../trust/registry.js";
import { newId } from "../../login/login-state.js";
import { assertionNode, buildResponse } from "../../saml/response-builder.js";
import { signBuiltElement } from "../../saml/sign-built.js";
import { signEnveloped } from "../../saml/sign.js";
import { samlInstant } from "../../saml/saml-time.js";
import { encodePostMessage } from "../../saml/post-binding.js";
import { encryptAssertion, OIOSAML3_ENCRYPTION, type EncryptionChoice } from "../../saml/encrypt-assertion.js";
import { CONTENT_ENCRYPTION, KEY_TRANSPORT, type ContentEncryption, type KeyTransport } from "../../saml/algorithms.js";
import { NAMEID_FORMAT, STATUS, type SubStatus, type TopStatus } from "../../saml/namespaces.js";
import { releaseFor } from "../../profiles/release-profiles.js";
import { levelTableOf } from "../../config/level-table.js";
import { requirementOf } from "../../config/level-requirement.js";
import { UNTIMED, type PhaseTimer } from "../../observability/login-timings.js";
import { EXPIRED_REGISTRATION_MESSAGE, expiredMetadata, METADATA_EXPIRED } from "../../trust/metadata-validity.js";
import { currentEncryptionCertificate } from "../../trust/certificate-dates.js";

function postTo(downstream: SamlReply, responseXml: string): Interaction {
  const fields: Record<string, string> = { SAMLResponse: encodePostMessage(responseXml) };
  if (downstream.relayState !== undefined) fields["RelayState"] = downstream.relayState;
  return { kind: "post", url: downstream.acsUrl, fields };
}

const CONTENT_BY_NAME: Record<string, ContentEncryption> = {
  "aes256-gcm": CONTENT_ENCRYPTION.aes256gcm,
  "aes128-gcm": CONTENT_ENCRYPTION.aes128gcm,
  "aes256-cbc": CONTENT_ENCRYPTION.aes256cbc,
  "aes128-cbc": CONTENT_ENCRYPTION.aes128cbc,
};
const TRANSPORT_BY_NAME: Record<string, KeyTransport> = { "rsa-oaep": KEY_TRANSPORT.rsaOaep, "rsa-oaep-mgf1p": KEY_TRANSPORT.rsaOaepMgf1p };

/**
 * Per SP: config wins, then the EncryptionMethod list in its metadata, then OIOSAML 3's choice. From the
 * metadata, OIOSAML 3's algorithm is taken whenever the SP lists it: lists are not in order of preference
 * (Shibboleth SP lists aes128-gcm first and aes256-gcm after it).
 */
export function encryptionChoiceFor(sp: ServiceProvider): EncryptionChoice {
  const fromMetadata = sp.metadata.encryptionMethods;
  const supported = <T extends string>(known: readonly T[], preferred: T): T | undefined =>
    fromMetadata.includes(preferred) ? preferred : (fromMetadata.find((m) => (known as readonly string[]).includes(m)) as T | undefined);
  const content =
    (sp.policy.encryption?.content && CONTENT_BY_NAME[sp.policy.encryption.content]) ||
    supported(Object.values(CONTENT_ENCRYPTION), OIOSAML3_ENCRYPTION.content) ||
    OIOSAML3_ENCRYPTION.content;
  const keyTransport =
    (sp.policy.encryption?.keyTransport && TRANSPORT_BY_NAME[sp.policy.encryption.keyTransport]) ||
    supported(Object.values(KEY_TRANSPORT), OIOSAML3_ENCRYPTION.keyTransport) ||
    OIOSAML3_ENCRYPTION.keyTransport;
  return { content, keyTransport };
}

function nameIdFor(identity: Identity, sp: ServiceProvider): { value: string; format: string } {
  // The IdP's X509SubjectName passes through unchanged when the fagsystem's config or its metadata asks for it.
  if (sp.policy.nameIdFormat === "x509SubjectName" || sp.metadata.nameIdFormats[0] === NAMEID_FORMAT.x509SubjectName) {
    if (identity.person.nameIdFormat === NAMEID_FORMAT.x509SubjectName) return { value: identity.person.nameId, format: NAMEID_FORMAT.x509SubjectName };
    const cn = identity.person.fullName ?? [identity.person.firstName, identity.person.lastName].filter(Boolean).join(" ");
    const serial = identity.person.uuid ?? identity.person.rid ?? identity.person.nameId;
    return { value: `C=DK,O=${identity.organisation.cvr},CN=${cn.replace(/[,=+]/g, " ")},Serial=${serial}`, format: NAMEID_FORMAT.x509SubjectName };
  }
  const persistent = identity.person.uuid ? `https://data.gov.dk/model/core/eid/professional/uuid/${identity.person.uuid}` : identity.person.nameId;
  return { value: persistent, format: NAMEID_FORMAT.persistent };
}

export async function answerWithIdentity(broker: BrokerContext, downstream: SamlReply, identity: Identity, timer: PhaseTimer = UNTIMED): Promise<FrontendAnswer> {
  const sp = broker.registry.serviceProviderByEntityId(downstream.spEntityId);
  if (!sp) throw new Error(`fagsystem ${downstream.spEntityId} is no longer registered`);
  const now = broker.now();
  // No assertion for a fagsystem whose metadata (its keys, its endpoints) has expired since the login began.
  const expired = expiredMetadata("fagsystem", sp, now);
  if (expired) throw new LoginError(METADATA_EXPIRED, expired, "failed", EXPIRED_REGISTRATION_MESSAGE);
  const assertionId = newId();
  const sessionIndex = newId();
  const nameId = nameIdFor(identity, sp);
  const release = releaseFor(identity, {
    attributeProfile: sp.policy.attributeProfile,
    oiosamlProfile: sp.policy.oiosamlProfile,
    requiredLevel: requirementOf(sp.policy),
    levelTable: levelTableOf(broker.config),
  });
  const assertion = timer.time("build", () => assertionNode({
    id: assertionId,
    issueInstant: samlInstant(now),
    issuer: broker.config.entityId,
    nameId: nameId.value,
    nameIdFormat: nameId.format,
    audience: sp.metadata.entityId,
    recipient: downstream.acsUrl,
    inResponseTo: downstream.requestId,
    notBefore: samlInstant(now - 1000 * 5),
    notOnOrAfter: samlInstant(now + broker.config.timing.assertionLifetimeSeconds * 1000),
    authnInstant: identity.authnInstant,
    sessionIndex,
    authnContextClassRef: release.authnContextClassRef,
    authenticatingAuthorities: identity.authenticatingAuthorities,
    attributes: release.attributes,
  }));
  const signedAssertion = timer.time("sign", () => signBuiltElement(assertion, { key: broker.keys.signing, algorithm: broker.signatureAlgorithm }).xml);
  const encryptionCert = currentEncryptionCertificate(sp.metadata.encryptionCertificates, now);
  const embedded =
    sp.policy.encryptAssertions && encryptionCert
      ? await timer.time("encrypt", () => encryptAssertion(signedAssertion, encryptionCert, encryptionChoiceFor(sp)))
      : signedAssertion;
  const responseId = newId();
  const responseXml = timer.time("build", () => buildResponse({
    id: responseId,
    issueInstant: samlInstant(now),
    issuer: broker.config.entityId,
    destination: downstream.acsUrl,
    inResponseTo: downstream.requestId,
    status: STATUS.success,
    writtenAssertion: embedded,
  }));
  const finalXml = sp.policy.signResponse
    ? timer.time("sign", () => signEnveloped(responseXml, responseId, true, { key: broker.keys.signing, algorithm: broker.signatureAlgorithm }))
    : responseXml;
  return { interaction: timer.time("build", () => postTo(downstream, finalXml)), participant: samlParticipant(sp, nameId, sessionIndex) };
}

/** A signed error Response: the fagsystem learns the login failed and why, in SAML terms. */
export function answerWithError(
  broker: BrokerContext,
  downstream: SamlReply,
  status: TopStatus,
  subStatus: SubStatus | undefined,
  message: string,
): Interaction {
  const responseId = newId();
  const xml = buildResponse({
    id: responseId,
    issueInstant: samlInstant(broker.now()),
    issuer: broker.config.entityId,
    destination: downstream.acsUrl,
    inResponseTo: downstream.requestId,
    status,
    subStatus,
    statusMessage: message,
  });
  return postTo(downstream, signEnveloped(xml, responseId, true, { key: broker.keys.signing, algorithm: broker.signatureAlgorithm }));
}
