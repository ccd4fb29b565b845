/**
 * A Signature where none is read: a copy of the assertion's Signature parked
 * in Status, Extensions or the Response's Issuer's neighbourhood. The signed
 * assertion is intact, so a lenient verifier would accept the message; the
 * broker refuses it (`signature_unexpected`), under both IdP policies, as
 * the fuzzer's cross-check with xml-crypto found it should (a 100,000-case
 * run, seed 11: the duplicated Signature made xml-crypto refuse what the
 * broker accepted).
 */
import { beforeAll, describe, it } from "vitest";
import { createBrokerFixture, type BrokerFixture } from "../support/broker-fixture.js";
import { idpResponse } from "../support/saml-peers.js";
import { expectAccepted, expectRefused, tryAtAcs } from "./support/attack-kit.js";

const SIGNATURE = /<ds:Signature[\s\S]*?<\/ds:Signature>/;

/** The message with a copy of its (first) Signature inserted before `closingTag`. */
function withSignatureCopyBefore(xml: string, closingTag: string): string {
  const signature = SIGNATURE.exec(xml)?.[0];
  if (!signature || !xml.includes(closingTag)) throw new Error(`cannot place a Signature copy before ${closingTag}`);
  return xml.replace(closingTag, `${signature}${closingTag}`);
}

describe("stray signatures", () => {
  let strict: BrokerFixture;
  let lax: BrokerFixture;

  beforeAll(async () => {
    [strict, lax] = await Promise.all([createBrokerFixture(), createBrokerFixture({ idp: { requireSignedAssertion: false } })]);
  });

  it("accepts the untouched message (the control)", async () => {
    for (const fixture of [strict, lax]) {
      await expectAccepted(await tryAtAcs(fixture, (requestId, keys) => idpResponse(keys, { requestId, encryptFor: null })));
    }
  });

  it.each([
    ["Status", "</samlp:Status>"],
    ["the assertion's Subject", "</saml:Subject>"],
    ["an AttributeStatement", "</saml:AttributeStatement>"],
  ])("refuses a copy of the assertion's Signature inside %s", async (_where, closingTag) => {
    for (const fixture of [strict, lax]) {
      const outcome = await tryAtAcs(fixture, async (requestId, keys) => withSignatureCopyBefore(await idpResponse(keys, { requestId, encryptFor: null }), closingTag));
      await expectRefused(fixture, outcome, "signature_unexpected");
    }
  });

  it("refuses a Signature-shaped element the IdP signed inside an encrypted assertion", async () => {
    // Inserted before signing, so the assertion's own signature covers it and verifies.
    const decoy = '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>';
    const outcome = await tryAtAcs(strict, (requestId, keys) => idpResponse(keys, { requestId, editAssertion: (xml) => xml.replace("</saml:Subject>", `${decoy}</saml:Subject>`) }));
    await expectRefused(strict, outcome, "signature_unexpected");
  });
});
