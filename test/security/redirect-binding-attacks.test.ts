/**
 * Attack catalogue, classes 15 and 16: the HTTP-Redirect binding. DEFLATE
 * bombs in SAMLRequest and SAMLResponse, and detached signatures computed
 * over another parameter set or order than the one the broker rebuilds
 * (SAMLRequest vs SAMLResponse, RelayState or SigAlg left out, reordered,
 * re-encoded).
 */
import { beforeAll, describe, expect, it } from "vitest";
import request from "supertest";
import { sign as cryptoSign } from "node:crypto";
import { deflateRawSync } from "node:zlib";
import { createBrokerFixture, type BrokerFixture } from "../support/broker-fixture.js";
import { spRedirectRequest, testId, spAuthnRequestXml } from "../support/saml-peers.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { SIGNATURE_ALGORITHM } from "../../src/saml/algorithms.js";
import { signEnveloped } from "../../src/saml/sign.js";
import { reasonsFor } from "./support/attack-kit.js";

const enc = encodeURIComponent;


function deflated(xml: string): string {
  return enc(deflateRawSync(Buffer.from(xml)).toString("base64"));
}

/** RSA-SHA256 over exactly `octets`, URL-encoded for the query. */
function signOctets(octets: string, key: KeyMaterial, hash = "sha256"): string {
  return enc(cryptoSign(hash, Buffer.from(octets), key.privateKey).toString("base64"));
}

const SIG_ALG = `SigAlg=${enc(SIGNATURE_ALGORITHM.rsaSha256)}`;

describe("HTTP-Redirect binding attacks", () => {
  let fixture: BrokerFixture;
  beforeAll(async () => {
    fixture = await createBrokerFixture();
  });

  async function expectSsoRefused(query: string, status: number, reason: string): Promise<void> {
    const response = await request(fixture.app).get(`/saml/sso?${query}`);
    expect(response.status).toBe(status);
    expect(response.headers["location"]).toBeUndefined();
    expect(response.text).toMatch(/correlation id/i);
    expect(await reasonsFor(fixture, response.headers["x-correlation-id"] as string)).toContain(reason);
  }

  describe("class 15: DEFLATE bombs", () => {
    it("refuses an 8 MiB bomb (the most a URL of browser size holds) in SAMLRequest without inflating it all, quickly", async () => {
      const bomb = enc(deflateRawSync(Buffer.alloc(8 * 1024 * 1024, 0x20)).toString("base64"));
      const started = Date.now();
      const heapBefore = process.memoryUsage().arrayBuffers;
      await expectSsoRefused(`SAMLRequest=${bomb}`, 413, "message_too_large");
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(process.memoryUsage().arrayBuffers - heapBefore).toBeLessThan(4 * 1024 * 1024);
    });

    it("refuses a bomb in SAMLResponse sent to the SSO endpoint by redirect", async () => {
      const bomb = enc(deflateRawSync(Buffer.alloc(8 * 1024 * 1024, 0x41)).toString("base64"));
      await expectSsoRefused(`SAMLResponse=${bomb}&RelayState=x`, 413, "message_too_large");
    });

    it("refuses a message that inflates to one byte over the limit, and inflates one at the limit", async () => {
      const limit = fixture.config.limits.inflatedBytes;
      const over = enc(deflateRawSync(Buffer.alloc(limit + 1, 0x20)).toString("base64"));
      await expectSsoRefused(`SAMLRequest=${over}`, 413, "message_too_large");
      const at = enc(deflateRawSync(Buffer.alloc(limit, 0x20)).toString("base64"));
      const response = await request(fixture.app).get(`/saml/sso?SAMLRequest=${at}`);
      expect(response.status).toBe(400);
      expect(await reasonsFor(fixture, response.headers["x-correlation-id"] as string)).not.toContain("message_too_large");
    });

    it("never inflates on the ACS: a redirect-bound SAMLResponse there is refused before decoding", async () => {
      const bomb = enc(deflateRawSync(Buffer.alloc(8 * 1024 * 1024, 0x41)).toString("base64"));
      const response = await request(fixture.app).get(`/saml/acs?SAMLResponse=${bomb}`);
      expect(response.status).toBe(405);
    });
  });

  describe("class 16: the detached signature covers another parameter set or order", () => {
    it("accepts a hand-signed query in the canonical order (control)", async () => {
      const octets = `SAMLRequest=${deflated(spAuthnRequestXml(testId()))}&RelayState=rs&${SIG_ALG}`;
      const response = await request(fixture.app).get(`/saml/sso?municipality=test-kommune&${octets}&Signature=${signOctets(octets, fixture.keys.spSigning)}`);
      expect(response.status).toBe(303);
    });

    it("refuses a signature computed over SAMLResponse=… sent as SAMLRequest=…", async () => {
      const message = deflated(spAuthnRequestXml(testId()));
      const signature = signOctets(`SAMLResponse=${message}&${SIG_ALG}`, fixture.keys.spSigning);
      await expectSsoRefused(`municipality=test-kommune&SAMLRequest=${message}&${SIG_ALG}&Signature=${signature}`, 400, "signature_invalid");
    });

    it("refuses RelayState added to a query whose signature left it out", async () => {
      const message = deflated(spAuthnRequestXml(testId()));
      const signature = signOctets(`SAMLRequest=${message}&${SIG_ALG}`, fixture.keys.spSigning);
      await expectSsoRefused(`municipality=test-kommune&SAMLRequest=${message}&RelayState=injected&${SIG_ALG}&Signature=${signature}`, 400, "signature_invalid");
    });

    it("refuses a signature that left SigAlg out of the signed octets", async () => {
      const message = deflated(spAuthnRequestXml(testId()));
      const signature = signOctets(`SAMLRequest=${message}&RelayState=rs`, fixture.keys.spSigning);
      await expectSsoRefused(`municipality=test-kommune&SAMLRequest=${message}&RelayState=rs&${SIG_ALG}&Signature=${signature}`, 400, "signature_invalid");
    });

    it("refuses a signature over the parameters in another order", async () => {
      const message = deflated(spAuthnRequestXml(testId()));
      const octets = `RelayState=rs&SAMLRequest=${message}&${SIG_ALG}`;
      await expectSsoRefused(`municipality=test-kommune&${octets}&Signature=${signOctets(octets, fixture.keys.spSigning)}`, 400, "signature_invalid");
    });

    it("refuses a parameter re-encoded after signing (the signature covers the octets as received)", async () => {
      const { path } = spRedirectRequest(fixture.keys, { relayState: "a b/c" });
      expect(path).toContain("RelayState=a%20b%2Fc");
      await expectSsoRefused(path.slice("/saml/sso?".length).replace("RelayState=a%20b%2Fc", "RelayState=a+b%2fc"), 400, "signature_invalid");
    });

    it("refuses a valid signature lifted onto another AuthnRequest", async () => {
      const { path } = spRedirectRequest(fixture.keys);
      const other = deflated(spAuthnRequestXml(testId()));
      await expectSsoRefused(path.slice("/saml/sso?".length).replace(/SAMLRequest=[^&]*/, `SAMLRequest=${other}`), 400, "signature_invalid");
    });

    it("refuses a SigAlg rewritten to SHA-1 with a SHA-1 signature, where SHA-1 is not allowed", async () => {
      const message = deflated(spAuthnRequestXml(testId()));
      const octets = `SAMLRequest=${message}&SigAlg=${enc(SIGNATURE_ALGORITHM.rsaSha1)}`;
      await expectSsoRefused(`municipality=test-kommune&${octets}&Signature=${signOctets(octets, fixture.keys.spSigning, "sha1")}`, 400, "algorithm_not_allowed");
    });

    it("refuses a second SigAlg or Signature parameter", async () => {
      const { path } = spRedirectRequest(fixture.keys);
      const query = path.slice("/saml/sso?".length);
      await expectSsoRefused(`${query}&SigAlg=${enc(SIGNATURE_ALGORITHM.rsaSha1)}`, 400, "binding_invalid");
      await expectSsoRefused(`${query}&Signature=AAAA`, 400, "binding_invalid");
    });

    it("refuses both SAMLRequest and SAMLResponse in one query", async () => {
      const message = deflated(spAuthnRequestXml(testId()));
      await expectSsoRefused(`SAMLRequest=${message}&SAMLResponse=${message}`, 400, "binding_invalid");
    });

    it("does not take an enveloped XML signature in place of the redirect signature", async () => {
      const id = testId();
      const signedXml = signEnveloped(spAuthnRequestXml(id), id, true, { key: fixture.keys.spSigning });
      await expectSsoRefused(`municipality=test-kommune&SAMLRequest=${deflated(signedXml)}`, 400, "signature_missing");
    });
  });
});
