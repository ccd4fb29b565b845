/**
 * An attribute service asked with a signed SAML AttributeQuery over SOAP
 * (as the first Context Handler did): Subject = the user's NameID (or the
 * configured identifier), answered with a signed assertion carrying the
 * privileges (base64 OIO-BPP), decoded with the project's one codec.
 */
import { randomBytes } from "node:crypto";
import { XmlError } from "../../xml/xml-error.js";
import type { KeyMaterial } from "../../keys/key-material.js";
import type { SignatureAlgorithm } from "../../saml/algorithms.js";
import { NAMEID_FORMAT } from "../../saml/namespaces.js";
import { samlInstant } from "../../saml/saml-time.js";
import type { XmlLimits } from "../../xml/xml-parser.js";
import { BppError, decodePrivilegesAttribute, emptyPrivilegeList, type BppLimits } from "../../profiles/bpp-codec.js";
import { BPP_NAMESPACES } from "../../profiles/bpp.js";
import { LEGACY } from "../../profiles/oiosaml3-attributes.js";
import type { AttributeAuthorityMetadata } from "./attribute-authority-metadata.js";
import { buildSignedAttributeQuery, readAttributeAnswer, SAML_SOAP_ACTION, soapBodyElement } from "./attribute-query.js";
import { boundedRequest, type TlsMaterial } from "./bounded-http.js";
import { AttributeServiceError, type PrivilegeAnswer, type PrivilegeQuery, type PrivilegeResolver } from "./types.js";

export interface AttributeQueryResolverSettings {
  serviceId: string;
  metadata: AttributeAuthorityMetadata;
  allowSha1: boolean;
  privilegesAttribute: string;
  /** true: the Subject is the IdP's NameID with its format; false: the configured identifier, format unspecified. */
  subjectIsNameId: boolean;
  broker: { entityId: string; signing: KeyMaterial; signatureAlgorithm: SignatureAlgorithm; decryptionKeys: readonly string[] };
  tls: TlsMaterial | undefined;
  timeoutMs: number;
  maxResponseBytes: number;
  clockSkewMs: number;
  xmlLimits: XmlLimits;
  bppLimits: BppLimits;
  now: () => number;
}

const NOT_TRUSTED_REASONS = new Set(["xml_too_large", "xml_too_deep", "xml_too_many_elements", "xml_malformed", "xml_doctype", "soap_malformed", "not_response", "xml_missing", "xml_ambiguous", "xml_mixed_content"]);

export class AttributeQueryResolver implements PrivilegeResolver {
  readonly serviceId: string;

  constructor(private readonly settings: AttributeQueryResolverSettings) {
    this.serviceId = settings.serviceId;
  }

  async resolve(query: PrivilegeQuery): Promise<PrivilegeAnswer> {
    const s = this.settings;
    const id = `_${randomBytes(20).toString("hex")}`;
    const subject = s.subjectIsNameId
      ? { nameId: query.nameId, format: query.nameIdFormat ?? NAMEID_FORMAT.unspecified }
      : { nameId: query.userId, format: NAMEID_FORMAT.unspecified };
    const envelope = buildSignedAttributeQuery(
      {
        id,
        issueInstant: samlInstant(s.now()),
        issuer: s.broker.entityId,
        destination: s.metadata.location,
        nameId: subject.nameId,
        nameIdFormat: subject.format,
        attributes: [{ name: s.privilegesAttribute, values: [] }, ...query.claims.map((c) => ({ name: c.attribute, values: c.values }))],
      },
      { key: s.broker.signing, algorithm: s.broker.signatureAlgorithm },
    );
    const response = await boundedRequest({
      method: "POST",
      url: new URL(s.metadata.location),
      headers: { "content-type": "text/xml; charset=utf-8", soapaction: `"${SAML_SOAP_ACTION}"`, accept: "text/xml", "x-correlation-id": query.correlationId },
      body: envelope,
      timeoutMs: s.timeoutMs,
      maxResponseBytes: s.maxResponseBytes,
      tls: s.tls,
    });
    if (response.status !== 200) {
      // SOAP 1.1 carries a Fault with HTTP 500: a refusal, not worth repeating.
      if (response.status === 500) {
        try {
          soapBodyElement(response.body, s.xmlLimits);
        } catch (error) {
          if (error instanceof XmlError && error.reason === "soap_fault") throw new AttributeServiceError("http_status", error.message, false);
        }
      }
      throw new AttributeServiceError("http_status", `answered HTTP ${response.status}`, response.status >= 500 || response.status === 429);
    }
    try {
      const answer = await readAttributeAnswer(soapBodyElement(response.body, s.xmlLimits), {
        serviceEntityId: s.metadata.entityId,
        trustedCertificates: s.metadata.signingCertificates,
        allowSha1: s.allowSha1,
        queryId: id,
        nameId: subject.nameId,
        audience: s.broker.entityId,
        now: s.now(),
        clockSkewMs: s.clockSkewMs,
        decryptionKeys: s.broker.decryptionKeys,
        limits: s.xmlLimits,
        maxAttributes: 200,
        maxAttributeValues: 1000,
      });
      if (answer.kind === "unknown-principal") return { kind: "unknown-user" };
      const values = answer.attributes
        .filter((a) => a.name === s.privilegesAttribute || a.name === LEGACY.privilegesIntermediate)
        .flatMap((a) => a.values.map((v) => v.trim()))
        .filter((v) => v !== "");
      if (new Set(values).size > 1) throw new AttributeServiceError("malformed", "the privileges attribute has more than one value");
      const encoded = values[0];
      const decoded = encoded === undefined ? { list: emptyPrivilegeList(BPP_NAMESPACES.itst), rejected: [] } : decodePrivilegesAttribute(encoded, s.bppLimits);
      return { kind: "privileges", decoded };
    } catch (error) {
      if (error instanceof BppError) throw new AttributeServiceError("malformed", `privileges in the answer are not usable OIO-BPP (${error.reason}): ${error.message}`);
      if (error instanceof XmlError) {
        if (error.reason === "soap_fault" || error.reason === "upstream_status") throw new AttributeServiceError("http_status", error.message, false);
        if (error.reason === "subject_mismatch") throw new AttributeServiceError("wrong_subject", error.message);
        throw new AttributeServiceError(NOT_TRUSTED_REASONS.has(error.reason) ? "malformed" : "untrusted", `${error.reason}: ${error.message}`);
      }
      throw error;
    }
  }
}
