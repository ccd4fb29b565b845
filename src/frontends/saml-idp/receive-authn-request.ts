/**
 * Decodes and validates a fagsystem's AuthnRequest (HTTP-Redirect or
 * HTTP-POST) into a protocol-neutral LoginRequest.
 *
 * Until the SP is known, its ACS URL taken from its metadata, and the request
 * authenticated, failures throw RequestRejected (the person gets a page). After
 * that, failures throw AnswerableRejection so the SP gets a SAML error status.
 */
import type { BrokerContext } from "../../broker-context.js";
import type { ServiceProvider } from "../../trust/registry.js";
import type { LoginRequest } from "../../model/login-request.js";
import { samlDownstream, type SamlReply } from "./saml-reply.js";
import { readAuthnRequest, type ReceivedAuthnRequest } from "../../saml/authn-request.js";
import { BINDING, STATUS } from "../../saml/namespaces.js";
import { decodeRedirect, verifyRedirectSignature } from "../../saml/redirect-binding.js";
import { decodePostMessage } from "../../saml/post-binding.js";
import { parseXml } from "../../xml/xml-parser.js";
import { findEnvelopedSignature, verifyEnvelopedSignature } from "../../saml/verify-signature.js";
import { asSamlError, SamlError } from "../../saml/saml-error.js";
import { XmlError } from "../../xml/xml-error.js";
import { parseInstant } from "../../saml/saml-time.js";
import { describeRequirement, requestedRequirement, stricterRequirement, type LevelRequirement, type NistFromNsisTable } from "../../profiles/levels.js";
import type { ServiceProviderConfig } from "../../config/schema.js";
import { levelTableOf } from "../../config/level-table.js";
import { requirementOf } from "../../config/level-requirement.js";
import { StoreUnavailableError } from "../../store/state-store.js";
import { LoginUnavailable } from "../../login/login-unavailable.js";
import { expiredMetadata, METADATA_EXPIRED } from "../../trust/metadata-validity.js";

export interface IncomingHttp {
  method: "GET" | "POST";
  rawQuery: string;
  body: Record<string, unknown>;
}

/** The request cannot be answered to any ACS: show the person a page. */
export class RequestRejected extends Error {
  constructor(readonly error: SamlError) {
    super(error.message);
    this.name = "RequestRejected";
  }
}

/** The request is from a known SP and has a trusted ACS: answer it with a SAML error. */
export class AnswerableRejection extends Error {
  constructor(
    readonly downstream: SamlReply,
    readonly error: SamlError,
  ) {
    super(error.message);
    this.name = "AnswerableRejection";
  }
}

export async function receiveAuthnRequest(broker: BrokerContext, http: IncomingHttp, correlationId: string): Promise<LoginRequest> {
  const { limits } = broker.config;
  let sp: ServiceProvider;
  let request: ReceivedAuthnRequest;
  let relayState: string | undefined;
  try {
    let root: Element;
    let signatureCheck: (sp: ServiceProvider) => Element | null;
    if (http.method === "GET") {
      const message = decodeRedirect(http.rawQuery, {
        maxEncodedBytes: limits.bodyBytes,
        maxInflatedBytes: limits.inflatedBytes,
        maxRelayStateBytes: limits.relayStateBytes,
      });
      if (message.kind !== "SAMLRequest") throw new SamlError("binding_invalid", "expected SAMLRequest");
      relayState = message.relayState;
      root = parseXml(message.xml, broker.xmlLimits).documentElement;
      signatureCheck = (sp) => {
        if (!message.signature) return null;
        verifyRedirectSignature(message, sp.metadata.signingCertificates, { allowSha1: sp.policy.allowSha1 });
        return root;
      };
    } else {
      const xml = decodePostMessage(http.body["SAMLRequest"], limits.inflatedBytes);
      const rawRelay = http.body["RelayState"];
      if (rawRelay !== undefined && typeof rawRelay !== "string") throw new SamlError("binding_invalid", "RelayState must be text");
      if (rawRelay !== undefined && Buffer.byteLength(rawRelay) > limits.relayStateBytes) {
        throw new SamlError("relay_state_too_long", `RelayState is longer than ${limits.relayStateBytes} bytes`);
      }
      relayState = rawRelay;
      root = parseXml(xml, broker.xmlLimits).documentElement;
      signatureCheck = (sp) => {
        if (!findEnvelopedSignature(root)) return null;
        return verifyEnvelopedSignature(root, { trustedCertificates: sp.metadata.signingCertificates, allowSha1: sp.policy.allowSha1, limits: broker.xmlLimits });
      };
    }
    const unverified = readAuthnRequest(root);
    const found = broker.registry.serviceProviderByEntityId(unverified.issuer);
    if (!found) throw new SamlError("unknown_sp", `no fagsystem is registered with entityID ${unverified.issuer.slice(0, 200)}`);
    sp = found;
    const expired = expiredMetadata("fagsystem", sp, broker.now());
    if (expired) throw new SamlError(METADATA_EXPIRED, expired);
    const verified = signatureCheck(sp);
    if (!verified && (sp.policy.requireSignedRequests || sp.metadata.authnRequestsSigned)) {
      throw new SamlError("signature_missing", `AuthnRequests from ${sp.id} must be signed`);
    }
    request = verified ? readAuthnRequest(verified) : unverified;
    if (request.issuer !== sp.metadata.entityId) throw new SamlError("issuer_mismatch", "signed Issuer differs");
  } catch (error) {
    if (error instanceof XmlError) throw new RequestRejected(asSamlError(error));
    throw error;
  }

  const acsUrl = resolveAcs(sp, request);
  const downstream: SamlReply = { spId: sp.id, spEntityId: sp.metadata.entityId, requestId: request.id, acsUrl, relayState };
  try {
    if (request.destination !== undefined && request.destination !== broker.urls.sso) {
      throw new SamlError("destination_mismatch", "AuthnRequest Destination is not this broker's SSO URL");
    }
    const now = broker.now();
    const skew = broker.config.timing.clockSkewSeconds * 1000;
    const issued = parseInstant(request.issueInstant, "IssueInstant");
    if (issued > now + skew) throw new SamlError("request_from_future", "AuthnRequest IssueInstant is in the future");
    if (issued < now - skew - broker.config.timing.requestMaxAgeSeconds * 1000) throw new SamlError("request_too_old", "AuthnRequest IssueInstant is too old");
    const replayTtl = broker.config.timing.requestMaxAgeSeconds + 2 * broker.config.timing.clockSkewSeconds;
    if (await broker.store.seenBefore(`authnrequest:${sp.metadata.entityId}:${request.id}`, replayTtl)) {
      throw new SamlError("request_replayed", `AuthnRequest ${request.id} has been received before`);
    }
    const requiredLevel = combineRequirement(sp.policy, request, levelTableOf(broker.config));
    return {
      correlationId,
      downstream: samlDownstream(downstream),
      requiredLevel,
      forceAuthn: request.forceAuthn,
      isPassive: request.isPassive,
      municipalityHint: undefined,
      createdAt: now,
    };
  } catch (error) {
    if (error instanceof XmlError) throw new AnswerableRejection(downstream, asSamlError(error));
    if (error instanceof StoreUnavailableError) throw new LoginUnavailable(samlDownstream(downstream), error);
    throw error;
  }
}

/** The ACS URL comes from the SP's metadata, never from the request alone. */
function resolveAcs(sp: ServiceProvider, request: ReceivedAuthnRequest): string {
  const postServices = sp.metadata.assertionConsumerServices.filter((s) => s.binding === BINDING.post);
  if (request.protocolBinding !== undefined && request.protocolBinding !== BINDING.post) {
    throw new RequestRejected(new SamlError("binding_unsupported", "only the HTTP-POST binding is supported for responses"));
  }
  if (request.acsUrl !== undefined) {
    const match = postServices.find((s) => s.location === request.acsUrl);
    if (!match) throw new RequestRejected(new SamlError("acs_not_registered", "AssertionConsumerServiceURL is not in the fagsystem's metadata"));
    return match.location;
  }
  if (request.acsIndex !== undefined) {
    const match = postServices.find((s) => s.index === request.acsIndex);
    if (!match) throw new RequestRejected(new SamlError("acs_not_registered", "AssertionConsumerServiceIndex is not in the fagsystem's metadata"));
    return match.location;
  }
  const chosen = postServices.find((s) => s.isDefault) ?? [...postServices].sort((a, b) => a.index - b.index)[0];
  if (!chosen) throw new RequestRejected(new SamlError("acs_not_registered", "the fagsystem's metadata has no HTTP-POST AssertionConsumerService"));
  return chosen.location;
}

/**
 * The level a login must reach: the stricter of the fagsystem's configured
 * requirement and what its RequestedAuthnContext asks for (never lowered by
 * the request). A request no login could satisfy is refused with NoAuthnContext.
 */
function combineRequirement(policy: ServiceProviderConfig, request: ReceivedAuthnRequest, table: NistFromNsisTable): LevelRequirement {
  const configured = requirementOf(policy);
  const asked = requestedRequirement(request.requestedClassRefs, request.comparison);
  if (!asked.ok) throw new SamlError("level_unsatisfiable", asked.reason, STATUS.responder, STATUS.noAuthnContext);
  const combined = stricterRequirement(configured, asked.requirement, table);
  if (!combined) {
    throw new SamlError(
      "level_unsatisfiable",
      `the request asks for ${describeRequirement(asked.requirement)} and the fagsystem requires ${describeRequirement(configured)}; no level satisfies both`,
      STATUS.responder,
      STATUS.noAuthnContext,
    );
  }
  return combined;
}

export { STATUS };
