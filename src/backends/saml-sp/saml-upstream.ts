/**
 * The broker as SAML SP toward a municipal IdP: send a signed AuthnRequest,
 * receive and verify the Response, and return an UpstreamResult.
 */
import type { BrokerContext } from "../../broker-context.js";
import { isSamlIdp, type IdentityProvider } from "../../trust/registry.js";
import type { LoginRequest } from "../../model/login-request.js";
import type { RawAttribute, UpstreamKind, UpstreamResult } from "../../model/upstream-result.js";
import type { KeptMessage, MessageArchive } from "../../observability/message-archive.js";
import { AuditUnavailableError } from "../../observability/audit.js";
import { newId, type AwaitingUpstream, type LoginStateRepository } from "../../login/login-state.js";
import { UpstreamFailure, type MunicipalUpstream, type ReceivedAnswer, type StartedUpstream } from "../../login/ports.js";
import type { Refusal } from "../../model/login-error.js";
import { withBinding } from "../../model/interaction.js";
import { LoginError, PageError } from "../../model/login-error.js";
import { XmlError } from "../../xml/xml-error.js";
import { StoreUnavailableError } from "../../store/state-store.js";
import { readClaims } from "./read-claims.js";
import { buildAuthnRequest } from "../../saml/authn-request.js";
import { BINDING, STATUS } from "../../saml/namespaces.js";
import { encodeRedirect } from "../../saml/redirect-binding.js";
import { encodePostMessage, decodePostMessage } from "../../saml/post-binding.js";
import { signEnveloped } from "../../saml/sign.js";
import { samlInstant } from "../../saml/saml-time.js";
import { readResponseEnvelope, validateResponse, type ResponseEnvelope } from "../../saml/response-validator.js";
import { SamlError } from "../../saml/saml-error.js";
import { awaitedParty, municipalTarget, type SamlUpstreamTarget } from "./upstream-party.js";
import { readDeliveredLevel } from "../../profiles/delivered-level.js";
import { ProfileError } from "../../profiles/oiosaml3-profile.js";
import type { ReachedLevel } from "../../profiles/levels.js";
import type { IdpOiosamlProfile } from "../../profiles/idp-profiles.js";
import { UNTIMED, type PhaseTimer } from "../../observability/login-timings.js";
import { EXPIRED_REGISTRATION_MESSAGE, expiredMetadata, METADATA_EXPIRED } from "../../trust/metadata-validity.js";

export type { StartedUpstream } from "../../login/ports.js";

const UNUSABLE_ANSWER = "Svaret fra kommunens login kunne ikke bruges. / The answer from the municipal login could not be used.";

/** The neutral refusal for a SAML status the upstream sent or a check that failed. */
function refusalOf(error: SamlError): Refusal {
  switch (error.subStatus) {
    case STATUS.noAuthnContext:
      return "level_not_met";
    case STATUS.requestDenied:
      return "denied";
    case STATUS.noPassive:
      return "interaction_required";
    default:
      return "authentication_failed";
  }
}

export class SamlUpstream implements MunicipalUpstream {
  constructor(
    private readonly broker: BrokerContext,
    private readonly states: LoginStateRepository,
    /** Upstreams whose messages must be kept as sent and received (NemLog-in), by kind. */
    private readonly archives: Partial<Record<UpstreamKind, MessageArchive>> = {},
  ) {}

  /** Builds the AuthnRequest for the municipal `idp`, stores the login under its ID, and says where to send the browser. */
  async start(idp: IdentityProvider, request: LoginRequest, completed: UpstreamResult[] = []): Promise<StartedUpstream> {
    if (!isSamlIdp(idp)) throw new Error(`IdP ${idp.id} is not registered over SAML`);
    return this.startAt(municipalTarget(idp, request, this.broker.registry), request, completed);
  }

  /** The same for any SAML upstream step (the municipal IdP, or NemLog-in for step-up after it). */
  async startAt(target: SamlUpstreamTarget, request: LoginRequest, completed: UpstreamResult[]): Promise<StartedUpstream> {
    const id = newId();
    const redirect = target.metadata.singleSignOnServices.find((s) => s.binding === BINDING.redirect);
    const post = target.metadata.singleSignOnServices.find((s) => s.binding === BINDING.post);
    const endpoint = redirect ?? post;
    if (!endpoint) throw new SamlError("idp_no_endpoint", `upstream ${target.id} has no usable SingleSignOnService`);
    const expired = expiredMetadata(target.kind, target, this.broker.now());
    if (expired) throw new LoginError(METADATA_EXPIRED, expired, "failed", EXPIRED_REGISTRATION_MESSAGE);
    const xml = buildAuthnRequest({
      id,
      issueInstant: samlInstant(this.broker.now()),
      issuer: this.broker.config.entityId,
      destination: endpoint.location,
      acsUrl: this.broker.urls.acs,
      forceAuthn: request.forceAuthn,
      isPassive: request.isPassive,
      requesterId: target.requesterId,
      requestedClassRefs: target.requestedClassRefs,
    });
    const state: AwaitingUpstream = { request, upstreamId: target.id, upstreamKind: target.kind, upstreamRequestId: id, completed };
    const bind = await this.states.saveAwaiting(state);
    const signing = { privateKey: this.broker.keys.signing.privateKey, algorithm: this.broker.signatureAlgorithm };
    const archive = this.archives[target.kind];
    const keep = (message: Omit<KeptMessage, "correlationId" | "direction" | "messageId">) =>
      archive ? keepOrRefuse(archive, { ...message, correlationId: request.correlationId, direction: "request", messageId: id }) : Promise.resolve();
    if (endpoint === redirect) {
      const url = encodeRedirect(endpoint.location, "SAMLRequest", xml, undefined, signing);
      await keep({ binding: "redirect", xml, url });
      return { upstreamRequestId: id, interaction: withBinding({ kind: "redirect", url }, bind, this.broker.urls.acs) };
    }
    const signed = signEnveloped(xml, id, true, { key: this.broker.keys.signing, algorithm: this.broker.signatureAlgorithm });
    await keep({ binding: "post", xml: signed });
    return { upstreamRequestId: id, interaction: withBinding({ kind: "post", url: endpoint.location, fields: { SAMLRequest: encodePostMessage(signed) } }, bind, this.broker.urls.acs) };
  }

  /**
   * Verifies a posted Response. Returns the login it belongs to (taken from
   * the store once) and what the IdP proved. Throws SamlError with the login
   * state attached when the state was found, so the caller can answer the
   * fagsystem.
   */
  async receive(body: Record<string, unknown>, timer: PhaseTimer = UNTIMED): Promise<ReceivedAnswer> {
    let found: { state: AwaitingUpstream; envelope: ResponseEnvelope; xml: string };
    try {
      found = await this.findLogin(body, timer);
    } catch (error) {
      // No login can be told: the person gets a page (logged once, by the HTTP edge).
      if (error instanceof XmlError) throw new PageError(error.reason === "message_too_large" ? 413 : 400, error.reason, error.message, UNUSABLE_ANSWER);
      throw error;
    }
    const archive = this.archives[found.state.upstreamKind ?? "municipal-idp"];
    if (archive) {
      // Kept as received, before any check: a Response that fails them is evidence too.
      const message = { correlationId: found.state.request.correlationId, direction: "response", binding: "post", messageId: found.state.upstreamRequestId, xml: found.xml } as const;
      try {
        await archive.keep(message);
      } catch (error) {
        if (error instanceof AuditUnavailableError) throw new UpstreamFailure(found.state, "audit_unavailable", error.message, "failed");
        throw error;
      }
    }
    try {
      return await this.verify(found.state, found.envelope, timer);
    } catch (error) {
      if (error instanceof SamlError) throw new UpstreamFailure(found.state, error.reason, error.message, refusalOf(error), undefined, error.reason === "upstream_status" ? error.subStatus : undefined);
      if (error instanceof XmlError) throw new UpstreamFailure(found.state, error.reason, error.message);
      const unexpected = error as Error;
      const reason = unexpected instanceof StoreUnavailableError ? "store_unavailable" : "internal_error";
      throw new UpstreamFailure(found.state, reason, unexpected.message, "failed", unexpected);
    }
  }

  private async findLogin(body: Record<string, unknown>, timer: PhaseTimer): Promise<{ state: AwaitingUpstream; envelope: ResponseEnvelope; xml: string }> {
    const { limits } = this.broker.config;
    const xml = decodePostMessage(body["SAMLResponse"], limits.bodyBytes);
    const envelope = timer.time("parse", () => readResponseEnvelope(xml, this.broker.xmlLimits));
    const inResponseTo = envelope.inResponseTo;
    if (!inResponseTo) throw new SamlError("unsolicited_response", "unsolicited responses (no InResponseTo) are not accepted");
    // Read, not taken: a forged or broken Response must not be able to end someone else's login.
    // The state is taken (once, atomically) only after the Response has passed every check.
    const state = await timer.time("store", () => this.states.peekAwaiting(inResponseTo));
    if (!state) throw new SamlError("unknown_login", "no login is waiting for this response (expired, finished, or never started here)");
    return { state, envelope, xml };
  }

  private async verify(state: AwaitingUpstream, envelope: ResponseEnvelope, timer: PhaseTimer): Promise<ReceivedAnswer> {
    const { limits } = this.broker.config;
    const inResponseTo = state.upstreamRequestId;
    // The party the login awaits (a municipal IdP or NemLog-in): its keys and rules verify the answer.
    const idp = awaitedParty(this.broker.registry, state);
    if (!idp) throw new SamlError("idp_gone", `upstream ${state.upstreamId} is no longer registered`);
    const now = this.broker.now();
    // A login started while the party's metadata was valid is not finished with it once it has expired.
    const expired = expiredMetadata(idp.kind, idp, now);
    if (expired) throw new SamlError(METADATA_EXPIRED, expired);
    {
      const assertion = await validateResponse(envelope, {
        idpEntityId: idp.metadata.entityId,
        trustedCertificates: idp.metadata.signingCertificates,
        allowSha1: idp.policy.allowSha1,
        requireSignedAssertion: idp.policy.requireSignedAssertion,
        requireEncryptedAssertion: idp.policy.requireEncryptedAssertion,
        acsUrl: this.broker.urls.acs,
        audience: this.broker.config.entityId,
        requestId: state.upstreamRequestId,
        clockSkewMs: this.broker.config.timing.clockSkewSeconds * 1000,
        now,
        // The parsed key first; the PEM for the one OAEP variant xml-encryption only takes as PEM.
        // During a key rollover the IdP may have encrypted to the current or the next key: both are tried.
        decryptionKeys: this.broker.keys.decryption.flatMap((key) => [key.privateKey, key.privateKeyPem]),
        limits: this.broker.xmlLimits,
        maxAttributes: limits.attributes,
        maxAttributeValues: limits.attributeValues,
      }, timer);
      const ttl = Math.max(60, Math.ceil((assertion.expiresAt - now) / 1000) + this.broker.config.timing.clockSkewSeconds);
      if (await timer.time("store", () => this.broker.store.seenBefore(`assertion:${idp.metadata.entityId}:${assertion.assertionId}`, ttl))) {
        throw new SamlError("assertion_replayed", `assertion ${assertion.assertionId} has been used before`);
      }
      if (!(await timer.time("store", () => this.states.takeAwaiting(inResponseTo)))) {
        throw new SamlError("login_already_completed", "this login was completed by another response");
      }
      const level = deliveredLevel(assertion.attributes, assertion.authnContextClassRef, idp.policy.oiosamlProfile);
      const result: UpstreamResult = {
        kind: idp.kind,
        upstreamId: idp.id,
        issuer: assertion.issuer,
        nameId: assertion.nameId,
        nameIdFormat: assertion.nameIdFormat,
        claims: readClaims({ kind: idp.kind, nameId: assertion.nameId, nameIdFormat: assertion.nameIdFormat, attributes: assertion.attributes, level, robot: idp.robot }),
        attributes: assertion.attributes,
        level,
        authnInstant: assertion.authnInstant,
        sessionIndex: assertion.sessionIndex,
        assertionId: assertion.assertionId,
        diagnostics: {
          issueInstant: assertion.responseIssueInstant,
          signatureAlgorithms: assertion.algorithms.signature,
          digestAlgorithms: assertion.algorithms.digest,
          dataEncryption: assertion.algorithms.dataEncryption,
          keyTransport: assertion.algorithms.keyTransport,
          attributeNameFormats: assertion.attributeNameFormats,
        },
      };
      return { state, result };
    }
  }
}

/** The level the upstream asserted; an unreadable or contradictory level is a refusal of the answer with its own reason. */
function deliveredLevel(attributes: RawAttribute[], classRef: string | undefined, profile: IdpOiosamlProfile): ReachedLevel {
  try {
    return readDeliveredLevel(attributes, classRef, profile);
  } catch (error) {
    if (error instanceof ProfileError) throw new SamlError(error.reason, error.message, STATUS.responder, STATUS.authnFailed);
    throw error;
  }
}

const NOT_RECORDED = "Loginet kunne ikke registreres, så det blev ikke gennemført. Prøv igen senere. / The login could not be recorded, so it was not completed. Please try again later.";

/** The message is kept before it is sent; when it cannot be, the login does not go on (fail closed). */
async function keepOrRefuse(archive: MessageArchive, message: KeptMessage): Promise<void> {
  try {
    await archive.keep(message);
  } catch (error) {
    if (error instanceof AuditUnavailableError) throw new LoginError("audit_unavailable", error.message, "failed", NOT_RECORDED);
    throw error;
  }
}
