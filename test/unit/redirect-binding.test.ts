import { beforeAll, describe, expect, it } from "vitest";
import { sign as cryptoSign } from "node:crypto";
import { deflateRawSync } from "node:zlib";
import { decodeRedirect, encodeRedirect, verifyRedirectSignature, type RedirectLimits, type RedirectMessage } from "../../src/saml/redirect-binding.js";
import { SIGNATURE_ALGORITHM } from "../../src/saml/algorithms.js";
import { XmlError } from "../../src/xml/xml-error.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { testKey } from "../support/keys.js";

const LIMITS: RedirectLimits = { maxEncodedBytes: 64_000, maxInflatedBytes: 256 * 1024, maxRelayStateBytes: 80 };
const DESTINATION = "https://broker.test/saml/sso";
const XML =
  '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_abc" Version="2.0" IssueInstant="2025-01-01T00:00:00Z">' +
  '<saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">https://fagsystem.test/sp</saml:Issuer></samlp:AuthnRequest>';

function queryOf(url: string): string {
  return url.slice(url.indexOf("?") + 1);
}

function rejection(run: () => unknown): XmlError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(XmlError);
    return error as XmlError;
  }
  throw new Error("expected a XmlError, but nothing was thrown");
}

function replaceParam(query: string, name: string, value: string): string {
  return query
    .split("&")
    .map((part) => (part.startsWith(`${name}=`) ? `${name}=${value}` : part))
    .join("&");
}

function paramOf(query: string, name: string): string {
  const part = query.split("&").find((p) => p.startsWith(`${name}=`));
  if (part === undefined) throw new Error(`no ${name} in ${query}`);
  return part.slice(name.length + 1);
}

describe("HTTP-Redirect binding", () => {
  let sp: KeyMaterial;
  let other: KeyMaterial;
  beforeAll(async () => {
    [sp, other] = await Promise.all([testKey("redirect-sp"), testKey("redirect-other")]);
  });

  const signed = (relayState: string | undefined, algorithm: (typeof SIGNATURE_ALGORITHM)[keyof typeof SIGNATURE_ALGORITHM] = SIGNATURE_ALGORITHM.rsaSha256) =>
    queryOf(encodeRedirect(DESTINATION, "SAMLRequest", XML, relayState, { privateKey: sp.privateKey, algorithm }));

  it("round-trips the message, the RelayState and the algorithm", () => {
    const relayState = "rs=1&next=/sag/42 ø";
    const message = decodeRedirect(signed(relayState), LIMITS);
    expect(message.kind).toBe("SAMLRequest");
    expect(message.xml).toBe(XML);
    expect(message.relayState).toBe(relayState);
    expect(message.signature?.sigAlg).toBe(SIGNATURE_ALGORITHM.rsaSha256);
    expect(message.signature?.signedOctets.startsWith("SAMLRequest=")).toBe(true);
    expect(message.signature?.signedOctets).toContain("&RelayState=");
    expect(message.signature?.signedOctets).not.toContain("Signature=");
  });

  it("keeps the destination's own query parameters in front and ignores them", () => {
    const url = encodeRedirect(`${DESTINATION}?municipality=demo-kommune`, "SAMLRequest", XML, "rs", { privateKey: sp.privateKey, algorithm: SIGNATURE_ALGORITHM.rsaSha256 });
    expect(url.startsWith(`${DESTINATION}?municipality=demo-kommune&SAMLRequest=`)).toBe(true);
    const message = decodeRedirect(queryOf(url), LIMITS);
    expect(message.xml).toBe(XML);
    expect(() => verifyRedirectSignature(message, [sp.certificatePem], { allowSha1: false })).not.toThrow();
  });

  it("verifies with the signer's certificate", () => {
    const message = decodeRedirect(signed("rs"), LIMITS);
    expect(verifyRedirectSignature(message, [sp.certificatePem], { allowSha1: false })).toBeUndefined();
  });

  it("verifies when any one of several trusted certificates matches", () => {
    const message = decodeRedirect(signed("rs"), LIMITS);
    expect(verifyRedirectSignature(message, [other.certificatePem, sp.certificatePem], { allowSha1: false })).toBeUndefined();
  });

  it("fails with another certificate", () => {
    const message = decodeRedirect(signed("rs"), LIMITS);
    expect(rejection(() => verifyRedirectSignature(message, [other.certificatePem], { allowSha1: false })).reason).toBe("signature_invalid");
  });

  it("fails when the RelayState was changed", () => {
    const query = replaceParam(signed("rs-original"), "RelayState", "rs-evil");
    const message = decodeRedirect(query, LIMITS);
    expect(message.relayState).toBe("rs-evil");
    expect(rejection(() => verifyRedirectSignature(message, [sp.certificatePem], { allowSha1: false })).reason).toBe("signature_invalid");
  });

  it("fails when a RelayState was added to a message signed without one", () => {
    const query = signed(undefined);
    const withRelay = query.replace("&SigAlg=", "&RelayState=added&SigAlg=");
    const message = decodeRedirect(withRelay, LIMITS);
    expect(rejection(() => verifyRedirectSignature(message, [sp.certificatePem], { allowSha1: false })).reason).toBe("signature_invalid");
  });

  it("fails when the message was changed", () => {
    const evil = encodeURIComponent(deflateRawSync(Buffer.from(XML.replace("_abc", "_evil"))).toString("base64"));
    const message = decodeRedirect(replaceParam(signed("rs"), "SAMLRequest", evil), LIMITS);
    expect(message.xml).toContain("_evil");
    expect(rejection(() => verifyRedirectSignature(message, [sp.certificatePem], { allowSha1: false })).reason).toBe("signature_invalid");
  });

  it("verifies over the octets as received, not a re-encoding of them", () => {
    // Another SP library might percent-encode with lower-case hex: the signature covers exactly that.
    const lower = (value: string) => encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
    const signedOctets = [
      `SAMLRequest=${lower(deflateRawSync(Buffer.from(XML)).toString("base64"))}`,
      `RelayState=${lower("a/b c")}`,
      `SigAlg=${lower(SIGNATURE_ALGORITHM.rsaSha256)}`,
    ].join("&");
    expect(signedOctets).toContain("%2f");
    const signature = cryptoSign("sha256", Buffer.from(signedOctets), sp.privateKey).toString("base64");
    const message = decodeRedirect(`${signedOctets}&Signature=${lower(signature)}`, LIMITS);
    expect(message.relayState).toBe("a/b c");
    expect(message.signature?.signedOctets).toBe(signedOctets);
    expect(verifyRedirectSignature(message, [sp.certificatePem], { allowSha1: false })).toBeUndefined();
  });

  it("verifies RSA-PSS signatures", () => {
    const message = decodeRedirect(signed("rs", SIGNATURE_ALGORITHM.rsaPssSha256), LIMITS);
    expect(message.signature?.sigAlg).toBe(SIGNATURE_ALGORITHM.rsaPssSha256);
    expect(verifyRedirectSignature(message, [sp.certificatePem], { allowSha1: false })).toBeUndefined();
  });

  it("refuses rsa-sha1 unless the party allows SHA-1", () => {
    const message = decodeRedirect(signed("rs", SIGNATURE_ALGORITHM.rsaSha1), LIMITS);
    expect(rejection(() => verifyRedirectSignature(message, [sp.certificatePem], { allowSha1: false })).reason).toBe("algorithm_not_allowed");
    expect(verifyRedirectSignature(message, [sp.certificatePem], { allowSha1: true })).toBeUndefined();
  });

  it("refuses an unknown SigAlg before any cryptography", () => {
    const query = replaceParam(signed("rs"), "SigAlg", encodeURIComponent("http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"));
    const message = decodeRedirect(query, LIMITS);
    expect(rejection(() => verifyRedirectSignature(message, [sp.certificatePem], { allowSha1: true })).reason).toBe("algorithm_not_allowed");
  });

  it("refuses an unsigned message when a signature is needed", () => {
    const unsigned = `SAMLRequest=${encodeURIComponent(deflateRawSync(Buffer.from(XML)).toString("base64"))}&RelayState=rs`;
    const message = decodeRedirect(unsigned, LIMITS);
    expect(message.signature).toBeUndefined();
    expect(message.xml).toBe(XML);
    expect(rejection(() => verifyRedirectSignature(message, [sp.certificatePem], { allowSha1: false })).reason).toBe("signature_missing");
  });

  it("refuses to verify without trusted certificates", () => {
    const message: RedirectMessage = decodeRedirect(signed("rs"), LIMITS);
    expect(rejection(() => verifyRedirectSignature(message, [], { allowSha1: false })).reason).toBe("no_trusted_key");
  });

  it("rejects a DEFLATE bomb without inflating it all", () => {
    const bomb = deflateRawSync(Buffer.alloc(10 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(20_000);
    const query = `SAMLRequest=${encodeURIComponent(bomb.toString("base64"))}`;
    expect(query.length).toBeLessThan(LIMITS.maxEncodedBytes);
    expect(rejection(() => decodeRedirect(query, LIMITS)).reason).toBe("message_too_large");
  });

  it("rejects a message just over the inflated limit and accepts one at it", () => {
    const limits: RedirectLimits = { ...LIMITS, maxInflatedBytes: 2048 };
    const at = `SAMLRequest=${encodeURIComponent(deflateRawSync(Buffer.alloc(2048, 0x61)).toString("base64"))}`;
    const over = `SAMLRequest=${encodeURIComponent(deflateRawSync(Buffer.alloc(2049, 0x61)).toString("base64"))}`;
    expect(decodeRedirect(at, limits).xml).toHaveLength(2048);
    expect(rejection(() => decodeRedirect(over, limits)).reason).toBe("message_too_large");
  });

  it("rejects a query string over the encoded limit", () => {
    const query = signed("rs");
    expect(rejection(() => decodeRedirect(query, { ...LIMITS, maxEncodedBytes: query.length - 1 })).reason).toBe("message_too_large");
  });

  it("rejects duplicated parameters", () => {
    const query = signed("rs");
    for (const name of ["SAMLRequest", "RelayState", "SigAlg", "Signature"]) {
      const duplicated = `${query}&${name}=${paramOf(query, name)}`;
      expect(rejection(() => decodeRedirect(duplicated, LIMITS)).reason).toBe("binding_invalid");
    }
  });

  it("rejects a query with both or neither of SAMLRequest and SAMLResponse", () => {
    const query = signed("rs");
    const both = `${query}&SAMLResponse=${paramOf(query, "SAMLRequest")}`;
    expect(rejection(() => decodeRedirect(both, LIMITS)).reason).toBe("binding_invalid");
    expect(rejection(() => decodeRedirect("RelayState=rs", LIMITS)).reason).toBe("binding_invalid");
    expect(rejection(() => decodeRedirect("", LIMITS)).reason).toBe("binding_invalid");
  });

  it("rejects a Signature without SigAlg", () => {
    const query = signed("rs")
      .split("&")
      .filter((p) => !p.startsWith("SigAlg="))
      .join("&");
    expect(rejection(() => decodeRedirect(query, LIMITS)).reason).toBe("binding_invalid");
  });

  it("rejects data that is not base64 or not DEFLATE", () => {
    expect(rejection(() => decodeRedirect("SAMLRequest=%%%", LIMITS)).reason).toBe("binding_invalid");
    expect(rejection(() => decodeRedirect("SAMLRequest=not*base64", LIMITS)).reason).toBe("binding_invalid");
    const notDeflate = encodeURIComponent(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).toString("base64"));
    expect(rejection(() => decodeRedirect(`SAMLRequest=${notDeflate}`, LIMITS)).reason).toBe("binding_invalid");
  });

  it("rejects a RelayState over its limit", () => {
    expect(decodeRedirect(signed("x".repeat(80)), LIMITS).relayState).toHaveLength(80);
    expect(rejection(() => decodeRedirect(signed("x".repeat(81)), LIMITS)).reason).toBe("relay_state_too_long");
    // The limit counts UTF-8 bytes: 41 × "ø" is 82 bytes.
    expect(rejection(() => decodeRedirect(signed("ø".repeat(41)), LIMITS)).reason).toBe("relay_state_too_long");
  });

  it("decodes a SAMLResponse", () => {
    const url = encodeRedirect("https://sp.test/slo", "SAMLResponse", "<r/>", undefined, { privateKey: sp.privateKey, algorithm: SIGNATURE_ALGORITHM.rsaSha512 });
    const message = decodeRedirect(queryOf(url), LIMITS);
    expect(message.kind).toBe("SAMLResponse");
    expect(message.xml).toBe("<r/>");
    expect(message.relayState).toBeUndefined();
    expect(verifyRedirectSignature(message, [sp.certificatePem], { allowSha1: false })).toBeUndefined();
  });
});
