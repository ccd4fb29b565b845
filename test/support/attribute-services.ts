/**
 * Attribute services for tests, on real loopback ports: a programmable HTTP
 * server that records what it was asked, and a SAML attribute authority that
 * checks the broker's signed AttributeQuery and answers with a really signed
 * assertion.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { buildXml, x } from "../../src/xml/xml-builder.js";
import { ATTRNAME_FORMAT_URI, BINDING, NAMEID_FORMAT, NS, STATUS } from "../../src/saml/namespaces.js";
import { signEnveloped } from "../../src/saml/sign.js";
import { samlInstant } from "../../src/saml/saml-time.js";
import { attr, childElements, parseXml, requiredChild, serializeXml, textOf } from "../../src/xml/xml-parser.js";
import { verifyEnvelopedSignature } from "../../src/saml/verify-signature.js";
import { soapBodyElement, soapEnvelope } from "../../src/backends/attribute-service/attribute-query.js";
import { encodePrivilegesAttribute } from "../../src/profiles/bpp-codec.js";
import { BPP_NAMESPACES, cvrScope, type PrivilegeGroup } from "../../src/profiles/bpp.js";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface TestServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export type Handler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const recorded = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      requests.push(recorded);
      Promise.resolve(handler(recorded, res)).catch((error: unknown) => {
        res.statusCode = 599;
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(response: ServerResponse, status: number, body: unknown): void {
  response.statusCode = status;
  response.setHeader("content-type", "application/json");
  response.end(JSON.stringify(body));
}

export function privilegeGroups(cvr: string, roles: Array<{ role: string; scopeCvr?: string; constraints?: Array<{ name: string; values: string[] }> }>): PrivilegeGroup[] {
  return roles.map((r) => ({ scope: cvrScope(r.scopeCvr ?? cvr), privileges: [r.role], constraints: r.constraints ?? [] }));
}

export function bppBase64(groups: PrivilegeGroup[]): string {
  return encodePrivilegesAttribute({ namespace: BPP_NAMESPACES.itst, groups });
}

/** Metadata of a SAML attribute authority: SOAP AttributeService and a signing certificate. */
export function attributeAuthorityMetadata(entityId: string, location: string, signing: KeyMaterial): string {
  return buildXml(
    x(NS.md, "md:EntityDescriptor", { entityID: entityId }, [
      x(NS.md, "md:AttributeAuthorityDescriptor", { protocolSupportEnumeration: NS.samlp }, [
        x(NS.md, "md:KeyDescriptor", { use: "signing" }, [
          x(NS.ds, "ds:KeyInfo", {}, [x(NS.ds, "ds:X509Data", {}, [x(NS.ds, "ds:X509Certificate", {}, [signing.certificateBase64])])]),
        ]),
        x(NS.md, "md:AttributeService", { Binding: BINDING.soap, Location: location }),
      ]),
    ], { ds: NS.ds }),
  );
}

export interface ReceivedQuery {
  id: string;
  issuer: string;
  nameId: string;
  nameIdFormat: string | null;
  attributes: Array<{ name: string; values: string[] }>;
}

export interface AuthorityAnswer {
  /** base64 OIO-BPP for the privileges attribute; undefined: attribute left out. */
  privileges?: string | undefined;
  status?: string;
  subStatus?: string;
  /** Key the assertion is signed with (default the authority's). null: unsigned. */
  signWith?: KeyMaterial | null;
  issuer?: string;
  nameId?: string;
  audience?: string;
  inResponseTo?: string;
  notOnOrAfter?: number;
}

/** Reads and checks the broker's signed AttributeQuery (signature with the broker's certificate). */
export function readQuery(body: string, brokerCertificate: string): ReceivedQuery {
  const query = verifyEnvelopedSignature(soapBodyElement(body, { maxBytes: 1 << 20, maxDepth: 32, maxElements: 4000 }), { trustedCertificates: [brokerCertificate], allowSha1: false });
  if (query.namespaceURI !== NS.samlp || query.localName !== "AttributeQuery") throw new Error(`not an AttributeQuery: ${query.localName}`);
  const nameId = requiredChild(requiredChild(query, NS.saml, "Subject"), NS.saml, "NameID");
  return {
    id: attr(query, "ID") ?? "",
    issuer: textOf(requiredChild(query, NS.saml, "Issuer")),
    nameId: textOf(nameId),
    nameIdFormat: attr(nameId, "Format"),
    attributes: childElements(query, NS.saml, "Attribute").map((a) => ({ name: attr(a, "Name") ?? "", values: childElements(a, NS.saml, "AttributeValue").map(textOf) })),
  };
}

/** The SOAP answer of an attribute authority to one query. */
export function authorityAnswer(entityId: string, signing: KeyMaterial, brokerEntityId: string, query: ReceivedQuery, answer: AuthorityAnswer): string {
  const now = Date.now();
  const assertionId = `_a${randomBytes(12).toString("hex")}`;
  const status = answer.status ?? STATUS.success;
  let assertionXml: string | undefined;
  if (status === STATUS.success) {
    const assertion = buildXml(
      x(NS.saml, "saml:Assertion", { ID: assertionId, Version: "2.0", IssueInstant: samlInstant(now) }, [
        x(NS.saml, "saml:Issuer", {}, [answer.issuer ?? entityId]),
        x(NS.saml, "saml:Subject", {}, [
          x(NS.saml, "saml:NameID", { Format: query.nameIdFormat ?? NAMEID_FORMAT.unspecified }, [answer.nameId ?? query.nameId]),
          x(NS.saml, "saml:SubjectConfirmation", { Method: "urn:oasis:names:tc:SAML:2.0:cm:sender-vouches" }, [
            x(NS.saml, "saml:SubjectConfirmationData", { InResponseTo: answer.inResponseTo ?? query.id, NotOnOrAfter: samlInstant(answer.notOnOrAfter ?? now + 300_000) }),
          ]),
        ]),
        x(NS.saml, "saml:Conditions", { NotBefore: samlInstant(now - 5_000), NotOnOrAfter: samlInstant(answer.notOnOrAfter ?? now + 300_000) }, [
          x(NS.saml, "saml:AudienceRestriction", {}, [x(NS.saml, "saml:Audience", {}, [answer.audience ?? brokerEntityId])]),
        ]),
        x(NS.saml, "saml:AttributeStatement", {}, [
          answer.privileges !== undefined &&
            x(NS.saml, "saml:Attribute", { Name: "https://data.gov.dk/model/core/eid/privilegesIntermediate", NameFormat: ATTRNAME_FORMAT_URI }, [
              x(NS.saml, "saml:AttributeValue", {}, [answer.privileges]),
            ]),
          x(NS.saml, "saml:Attribute", { Name: "https://data.gov.dk/model/core/eid/professional/cvr", NameFormat: ATTRNAME_FORMAT_URI }, [x(NS.saml, "saml:AttributeValue", {}, ["29189846"])]),
        ]),
      ]),
    );
    const signer = answer.signWith === undefined ? signing : answer.signWith;
    assertionXml = signer ? signEnveloped(assertion, assertionId, true, { key: signer }) : assertion;
  }
  const response = buildXml(
    x(NS.samlp, "samlp:Response", { ID: `_r${randomBytes(12).toString("hex")}`, Version: "2.0", IssueInstant: samlInstant(now), InResponseTo: query.id }, [
      x(NS.saml, "saml:Issuer", {}, [entityId]),
      x(NS.samlp, "samlp:Status", {}, [x(NS.samlp, "samlp:StatusCode", { Value: status }, [answer.subStatus && x(NS.samlp, "samlp:StatusCode", { Value: answer.subStatus })])]),
    ], { saml: NS.saml }),
  );
  if (!assertionXml) return soapEnvelope(response);
  const doc = parseXml(response);
  doc.documentElement.appendChild(doc.importNode(parseXml(assertionXml).documentElement, true));
  return soapEnvelope(serializeXml(doc));
}
