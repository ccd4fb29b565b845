/**
 * The broker's own XML-Signature arithmetic (src/saml/xml-dsig.ts, used by
 * sign.ts and verify-signature.ts) against xml-crypto's SignedXml: what one
 * signs the other verifies, across canonicalizations, prefix lists, digests,
 * RSA-PSS, nested and default-namespace elements; and a changed byte fails.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { SignedXml } from "xml-crypto";
import { signEnveloped } from "../../src/saml/sign.js";
import { verifyEnvelopedSignature } from "../../src/saml/verify-signature.js";
import { parseXml } from "../../src/xml/xml-parser.js";
import { C14N, DIGEST_ALGORITHM, SIGNATURE_ALGORITHM, TRANSFORM_ENVELOPED } from "../../src/saml/algorithms.js";
import { NS } from "../../src/saml/namespaces.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { testKey } from "../support/keys.js";

const RESPONSE = `<samlp:Response xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="_r1" Version="2.0"><saml:Issuer>https://idp.test</saml:Issuer><saml:Assertion ID="_a1" Version="2.0"><saml:Issuer>https://idp.test</saml:Issuer><saml:Subject><saml:NameID>anna &amp; &lt;co&gt;</saml:NameID></saml:Subject><saml:AttributeStatement><saml:Attribute Name="n"><saml:AttributeValue xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">v</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion></samlp:Response>`;
const DEFAULT_NS = `<Response xmlns="${NS.samlp}" ID="_d1"><Issuer xmlns="${NS.saml}">https://idp.test</Issuer><Status><StatusCode Value="ok"/></Status></Response>`;

interface Variant {
  name: string;
  canonicalization: string;
  transforms: string[];
  prefixes?: string[];
  digest: string;
  signature: string;
}

const VARIANTS: Variant[] = [
  { name: "exclusive c14n, SHA-256", canonicalization: C14N.exclusive, transforms: [TRANSFORM_ENVELOPED, C14N.exclusive], digest: DIGEST_ALGORITHM.sha256, signature: SIGNATURE_ALGORITHM.rsaSha256 },
  {
    name: "exclusive c14n with an InclusiveNamespaces prefix list",
    canonicalization: C14N.exclusive,
    transforms: [TRANSFORM_ENVELOPED, C14N.exclusive],
    prefixes: ["xs", "samlp"],
    digest: DIGEST_ALGORITHM.sha256,
    signature: SIGNATURE_ALGORITHM.rsaSha256,
  },
  { name: "inclusive c14n, SHA-512", canonicalization: C14N.inclusive, transforms: [TRANSFORM_ENVELOPED, C14N.inclusive], digest: DIGEST_ALGORITHM.sha512, signature: SIGNATURE_ALGORITHM.rsaSha512 },
  { name: "RSASSA-PSS", canonicalization: C14N.exclusive, transforms: [TRANSFORM_ENVELOPED, C14N.exclusive], digest: DIGEST_ALGORITHM.sha256, signature: SIGNATURE_ALGORITHM.rsaPssSha256 },
  { name: "enveloped transform only (inclusive c14n implied)", canonicalization: C14N.exclusive, transforms: [TRANSFORM_ENVELOPED], digest: DIGEST_ALGORITHM.sha256, signature: SIGNATURE_ALGORITHM.rsaSha256 },
];

function librarySign(xml: string, id: string, key: KeyMaterial, variant: Variant): string {
  const signer = new SignedXml({
    privateKey: key.privateKeyPem,
    publicCert: key.certificatePem,
    signatureAlgorithm: variant.signature,
    canonicalizationAlgorithm: variant.canonicalization,
    inclusiveNamespacesPrefixList: variant.prefixes,
  });
  signer.addReference({ xpath: `//*[@ID='${id}']`, transforms: variant.transforms, digestAlgorithm: variant.digest, inclusiveNamespacesPrefixList: variant.prefixes });
  signer.computeSignature(xml, { prefix: "ds", location: { reference: `//*[@ID='${id}']/*[local-name(.)='Issuer']`, action: "after" } });
  return signer.getSignedXml();
}

function libraryVerifies(xml: string, key: KeyMaterial): boolean {
  const verifier = new SignedXml({ publicCert: key.certificatePem, getCertFromKeyInfo: () => null });
  const signature = parseXml(xml).getElementsByTagNameNS(NS.ds, "Signature")[0]!;
  verifier.loadSignature(signature);
  return verifier.checkSignature(xml);
}

function element(xml: string, localName: string): Element {
  return parseXml(xml).getElementsByTagNameNS("*", localName)[0]!;
}

describe("XML signatures: the broker's implementation and xml-crypto agree", () => {
  let key: KeyMaterial;
  let other: KeyMaterial;
  beforeAll(async () => {
    key = await testKey("dsig");
    other = await testKey("dsig-other");
  });
  const policy = () => ({ trustedCertificates: [key.certificatePem], allowSha1: false });

  for (const variant of VARIANTS) {
    it(`verifies xml-crypto's signature on a nested element: ${variant.name}`, () => {
      const signed = librarySign(RESPONSE, "_a1", key, variant);
      const verified = verifyEnvelopedSignature(element(signed, "Assertion"), policy());
      expect(verified.getAttribute("ID")).toBe("_a1");
      expect(verified.getElementsByTagNameNS(NS.saml, "NameID")[0]!.textContent).toBe("anna & <co>");
    });
  }

  it("verifies xml-crypto's signature on a root element with a default namespace", () => {
    const signed = librarySign(DEFAULT_NS, "_d1", key, VARIANTS[0]!);
    expect(verifyEnvelopedSignature(parseXml(signed).documentElement, policy()).localName).toBe("Response");
  });

  for (const algorithm of [SIGNATURE_ALGORITHM.rsaSha256, SIGNATURE_ALGORITHM.rsaPssSha256]) {
    it(`signs so that xml-crypto verifies: root and nested element, ${algorithm.split("#")[1]}`, () => {
      const response = signEnveloped(RESPONSE, "_r1", true, { key, algorithm });
      expect(libraryVerifies(response, key)).toBe(true);
      const assertion = signEnveloped(RESPONSE, "_a1", true, { key, algorithm });
      expect(libraryVerifies(assertion, key)).toBe(true);
      expect(verifyEnvelopedSignature(element(assertion, "Assertion"), policy()).getAttribute("ID")).toBe("_a1");
      const defaultNs = signEnveloped(DEFAULT_NS, "_d1", true, { key, algorithm });
      expect(libraryVerifies(defaultNs, key)).toBe(true);
    });
  }

  it("places the signature after the Issuer, or first when there is none", () => {
    const afterIssuer = parseXml(signEnveloped(RESPONSE, "_r1", true, { key })).documentElement;
    expect((afterIssuer.childNodes.item(1) as Element).localName).toBe("Signature");
    const first = parseXml(signEnveloped(RESPONSE, "_r1", false, { key })).documentElement;
    expect((first.firstChild as Element).localName).toBe("Signature");
  });

  it("refuses a changed byte in the signed content, and a signature by another key", () => {
    const signed = signEnveloped(RESPONSE, "_a1", true, { key });
    const changed = signed.replace("anna &amp;", "bnna &amp;");
    expect(() => verifyEnvelopedSignature(element(changed, "Assertion"), policy())).toThrow(expect.objectContaining({ reason: "signature_invalid" }));
    const byOther = signEnveloped(RESPONSE, "_a1", true, { key: other });
    expect(() => verifyEnvelopedSignature(element(byOther, "Assertion"), policy())).toThrow(expect.objectContaining({ reason: "signature_invalid" }));
  });

  it("refuses a changed SignatureValue and a canonicalization transform that is not last", () => {
    const signed = signEnveloped(RESPONSE, "_a1", true, { key });
    const value = /<ds:SignatureValue>([^<]+)</.exec(signed)![1]!;
    const flipped = signed.replace(value, `${value.startsWith("A") ? "B" : "A"}${value.slice(1)}`);
    expect(() => verifyEnvelopedSignature(element(flipped, "Assertion"), policy())).toThrow(expect.objectContaining({ reason: "signature_invalid" }));
    const reordered = librarySign(RESPONSE, "_a1", key, { ...VARIANTS[0]!, transforms: [C14N.exclusive, TRANSFORM_ENVELOPED] });
    expect(() => verifyEnvelopedSignature(element(reordered, "Assertion"), policy())).toThrow(expect.objectContaining({ reason: "algorithm_not_allowed" }));
  });

  it("leaves the received tree as it was (the signature is put back after canonicalization)", () => {
    const signed = signEnveloped(RESPONSE, "_a1", true, { key });
    const assertion = element(signed, "Assertion");
    const before = assertion.toString();
    verifyEnvelopedSignature(assertion, policy());
    expect(assertion.toString()).toBe(before);
  });
});
