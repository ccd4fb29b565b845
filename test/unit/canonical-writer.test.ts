/**
 * The broker signs its assertions from bytes it writes in canonical form
 * itself (src/xml/canonical-writer.ts, src/saml/sign-built.ts). These tests
 * hold that to xml-crypto's exclusive canonicalizer and SignedXml: for any
 * tree, the written canonical text is what xml-crypto makes of the parsed
 * document; the signature verifies with xml-crypto and the broker's verifier;
 * and it is byte for byte the signature the DOM signer produces.
 */
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { ExclusiveCanonicalization, SignedXml } from "xml-crypto";
import { writeXml } from "../../src/xml/canonical-writer.js";
import { x, type XmlNode } from "../../src/xml/xml-builder.js";
import { parseXml } from "../../src/xml/xml-parser.js";
import { signBuiltElement } from "../../src/saml/sign-built.js";
import { signEnveloped } from "../../src/saml/sign.js";
import { verifyEnvelopedSignature } from "../../src/saml/verify-signature.js";
import { assertionNode, buildAssertion, buildResponse, type AssertionInput } from "../../src/saml/response-builder.js";
import { NS } from "../../src/saml/namespaces.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { testKey } from "../support/keys.js";

/** xml-crypto's exclusive canonical form of the document's root element, with no ancestors. */
function xmlCryptoCanonical(xml: string): string {
  return new ExclusiveCanonicalization().process(parseXml(xml).documentElement, { inclusiveNamespacesPrefixList: [], ancestorNamespaces: [] });
}

const PREFIXES: Array<[string, string]> = [
  ["saml", NS.saml],
  ["samlp", NS.samlp],
  ["ds", NS.ds],
  ["md", NS.md],
];

/** Strings with everything c14n escapes, markup look-alikes and non-ASCII text. */
const value = fc.string({ unit: fc.oneof(fc.constantFrom("&", "<", ">", '"', "'", "\t", "\n", "\r", " ", "]]>", "æøå", "€", "😀", "&amp;", "xmlns"), fc.string({ maxLength: 4 })), maxLength: 12 });
const attributeName = fc.constantFrom("ID", "Name", "Format", "Value", "a", "B", "zz", "xsi:type", "xsi:nil");

const tree: fc.Arbitrary<XmlNode> = fc.letrec<{ node: XmlNode }>((tie) => ({
  node: fc
    .record({
      prefix: fc.constantFrom(...PREFIXES),
      local: fc.constantFrom("Assertion", "Issuer", "Attribute", "AttributeValue", "Thing"),
      attrs: fc.dictionary(attributeName, value, { maxKeys: 4 }),
      declare: fc.subarray([["xs", NS.xs], ["xsi", NS.xsi], ["saml", NS.saml], ["md", NS.md]] as Array<[string, string]>),
      children: fc.array(fc.oneof({ depthSize: "small", withCrossShrink: true }, value, tie("node")), { maxLength: 4 }),
    })
    .map(({ prefix, local, attrs, declare, children }) => x(prefix[1], `${prefix[0]}:${local}`, attrs, children, Object.fromEntries(declare))),
})).node;

const INPUT: AssertionInput = {
  id: "_a1",
  issueInstant: "2026-12-05T10:00:00Z",
  issuer: "https://broker.test",
  nameId: "C=DK,O=29189846,CN=Anna & <Andersen>,Serial=1234",
  nameIdFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName",
  audience: "https://fagsystem.test",
  recipient: "https://fagsystem.test/acs",
  inResponseTo: "_req1",
  notBefore: "2026-12-05T09:59:55Z",
  notOnOrAfter: "2026-12-05T10:05:00Z",
  authnInstant: "2026-12-05T09:59:00Z",
  sessionIndex: "_s1",
  authnContextClassRef: "https://data.gov.dk/concept/core/nsis/loa/Substantial",
  authenticatingAuthorities: ["https://idp.kommune.test"],
  attributes: [
    { name: "https://data.gov.dk/model/core/eid/email", values: ['anna"&\t<x>@kommune.test'] },
    { name: "https://data.gov.dk/model/core/eid/cvr", values: ["29189846"] },
  ],
};

describe("the canonical writer agrees with xml-crypto's exclusive canonicalizer", () => {
  it("for any tree, the canonical text is what xml-crypto makes of the written document, and of itself", () => {
    fc.assert(
      fc.property(tree, (node) => {
        const canonical = writeXml(node, "canonical");
        expect(xmlCryptoCanonical(writeXml(node, "document"))).toBe(canonical);
        expect(xmlCryptoCanonical(canonical)).toBe(canonical);
      }),
      { numRuns: 400, seed: 20261205 },
    );
  });

  it("refuses characters XML does not allow, in text and in attribute values", () => {
    expect(() => writeXml(x(NS.saml, "saml:NameID", {}, ["anna\u0001"]), "canonical")).toThrow(/character XML does not allow/);
    expect(() => writeXml(x(NS.saml, "saml:NameID", { Format: "f\uFFFF" }), "document")).toThrow(/character XML does not allow/);
    expect(() => writeXml(x(NS.saml, "saml:NameID", {}, ["\uD800"]), "document")).toThrow(/character XML does not allow/);
    expect(writeXml(x(NS.saml, "saml:NameID", {}, ["😀"]), "document")).toContain("😀");
  });

  it("refuses unprefixed element names and prefixed attributes other than xsi:", () => {
    expect(() => writeXml(x(NS.saml, "NameID"), "canonical")).toThrow(/must be prefixed/);
    expect(() => writeXml(x(NS.saml, "saml:NameID", { "xml:lang": "da" }), "canonical")).toThrow(/only xsi:/);
  });
});

describe("assertions signed from their written canonical form", () => {
  let key: KeyMaterial;
  beforeAll(async () => {
    key = await testKey("sign-built");
  });

  it("verify with xml-crypto's SignedXml and with the broker's verifier, inside a Response", () => {
    const { xml } = signBuiltElement(assertionNode(INPUT), { key });
    const response = buildResponse({ id: "_r1", issueInstant: INPUT.issueInstant, issuer: INPUT.issuer, destination: INPUT.recipient, inResponseTo: "_req1", status: "urn:oasis:names:tc:SAML:2.0:status:Success", writtenAssertion: xml });
    const verifier = new SignedXml({ publicCert: key.certificatePem, getCertFromKeyInfo: () => null });
    verifier.loadSignature(parseXml(response).getElementsByTagNameNS(NS.ds, "Signature")[0]!);
    expect(verifier.checkSignature(response)).toBe(true);
    const assertion = parseXml(response).getElementsByTagNameNS(NS.saml, "Assertion")[0]!;
    const verified = verifyEnvelopedSignature(assertion, { trustedCertificates: [key.certificatePem], allowSha1: false });
    expect(verified.getElementsByTagNameNS(NS.saml, "NameID")[0]!.textContent).toBe(INPUT.nameId);
    expect(verified.getElementsByTagNameNS(NS.saml, "AttributeValue")[0]!.textContent).toBe(INPUT.attributes[0]!.values[0]);
  });

  it("are the same bytes the DOM signer signs, with the same signature value", () => {
    const built = signBuiltElement(assertionNode(INPUT), { key });
    const viaDom = signEnveloped(buildAssertion(INPUT), "_a1", true, { key });
    const part = (xml: string, name: string) => new RegExp(`<ds:${name}>([^<]+)</ds:${name}>`).exec(xml)?.[1];
    expect(part(built.xml, "DigestValue")).toBe(part(viaDom, "DigestValue"));
    expect(part(built.xml, "SignatureValue")).toBe(part(viaDom, "SignatureValue"));
    expect(built.canonical).toBe(xmlCryptoCanonical(buildAssertion(INPUT)));
  });

  it("place the signature right after the Issuer, and a changed value fails verification", () => {
    const { xml } = signBuiltElement(assertionNode(INPUT), { key });
    const root = parseXml(xml).documentElement;
    expect((root.childNodes.item(0) as Element).localName).toBe("Issuer");
    expect((root.childNodes.item(1) as Element).localName).toBe("Signature");
    const changed = parseXml(xml.replace("29189846</saml:AttributeValue>", "29189847</saml:AttributeValue>")).documentElement;
    expect(() => verifyEnvelopedSignature(changed, { trustedCertificates: [key.certificatePem], allowSha1: false })).toThrow(expect.objectContaining({ reason: "signature_invalid" }));
  });

  it("refuse to sign an element without an ID or without a leading Issuer", () => {
    expect(() => signBuiltElement(x(NS.saml, "saml:Assertion", {}, [x(NS.saml, "saml:Issuer", {}, ["i"])]), { key })).toThrow(/no ID/);
    expect(() => signBuiltElement(x(NS.saml, "saml:Assertion", { ID: "_a" }, [x(NS.saml, "saml:Subject")]), { key })).toThrow(/Issuer/);
  });
});
