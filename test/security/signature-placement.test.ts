/**
 * Attack catalogue, class 2: where signatures sit (classes 9, 10 and 12, how
 * many assertions and which signatures a Response carries, are in
 * assertion-count, signed-error-response and missing-signature).
 *
 * The documented combinations (README, "How a login goes", step 4):
 * - IdP with `requireSignedAssertion: true` (the OIOSAML 3 default): the
 *   assertion must carry a valid signature; a Response signature is optional
 *   but checked when present.
 * - IdP with `requireSignedAssertion: false`: a valid signature on the
 *   Response or on the assertion is enough.
 * - Any signature that is present and does not verify refuses the message;
 *   exactly one assertion, never one nested in Advice.
 */
import { beforeAll, describe, it } from "vitest";
import { createBrokerFixture, type BrokerFixture, type FixtureKeys } from "../support/broker-fixture.js";
import { idpResponse } from "../support/saml-peers.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { NS } from "../../src/saml/namespaces.js";
import { child, dom, edit, expectAccepted, expectRefused, first, FORGED, tryAtAcs } from "./support/attack-kit.js";

type Sig = "none" | "valid" | "attacker";

function signer(keys: FixtureKeys, sig: Sig): KeyMaterial | null {
  return sig === "none" ? null : sig === "valid" ? keys.idpSigning : keys.attacker;
}

interface Placement {
  response: Sig;
  assertion: Sig;
  /** For requireSignedAssertion true, then false: "accept" or the reason logged. */
  strict: string;
  lax: string;
}

const MATRIX: Placement[] = [
  { response: "none", assertion: "valid", strict: "accept", lax: "accept" },
  { response: "valid", assertion: "valid", strict: "accept", lax: "accept" },
  { response: "valid", assertion: "none", strict: "assertion_not_signed", lax: "accept" },
  { response: "none", assertion: "none", strict: "assertion_not_signed", lax: "assertion_not_signed" },
  { response: "attacker", assertion: "valid", strict: "signature_invalid", lax: "signature_invalid" },
  { response: "attacker", assertion: "none", strict: "signature_invalid", lax: "signature_invalid" },
  { response: "none", assertion: "attacker", strict: "signature_invalid", lax: "signature_invalid" },
  { response: "valid", assertion: "attacker", strict: "signature_invalid", lax: "signature_invalid" },
  { response: "attacker", assertion: "attacker", strict: "signature_invalid", lax: "signature_invalid" },
];
describe("signature placement and assertion count", () => {
  let strict: BrokerFixture;
  let lax: BrokerFixture;
  beforeAll(async () => {
    strict = await createBrokerFixture();
    lax = await createBrokerFixture({ idp: { requireSignedAssertion: false } });
  });

  describe("class 2: Response signed/unsigned/badly signed × assertion signed/unsigned/badly signed", () => {
    for (const row of MATRIX) {
      for (const policy of ["strict", "lax"] as const) {
        for (const encrypted of [false, true]) {
          const expected = row[policy];
          it(`${policy === "strict" ? "requireSignedAssertion" : "signed Response allowed"}: Response ${row.response}, assertion ${row.assertion}${encrypted ? ", encrypted" : ""} → ${expected}`, async () => {
            const fixture = policy === "strict" ? strict : lax;
            const outcome = await tryAtAcs(fixture, (requestId, keys) =>
              idpResponse(keys, {
                requestId,
                encryptFor: encrypted ? keys.brokerEncryption : null,
                signAssertionWith: signer(keys, row.assertion),
                signResponseWith: signer(keys, row.response),
              }),
            );
            if (expected === "accept") await expectAccepted(outcome);
            else await expectRefused(fixture, outcome, expected);
          });
        }
      }
    }

    for (const encrypted of [false, true]) {
      it(`refuses an extra assertion in Advice inside a validly signed assertion and Response${encrypted ? " (encrypted)" : ""}`, async () => {
        const outcome = await tryAtAcs(strict, async (requestId, keys) => {
          const inner = await idpResponse(keys, { requestId, encryptFor: null, nameId: FORGED });
          const innerAssertion = first(dom(inner), NS.saml, "Assertion");
          return idpResponse(keys, {
            requestId,
            encryptFor: encrypted ? keys.brokerEncryption : null,
            signResponseWith: keys.idpSigning,
            // The IdP itself signs an assertion that carries another one in Advice.
            editAssertion: (xml) =>
              edit(xml, (doc) => {
                const advice = doc.createElementNS(NS.saml, "saml:Advice");
                advice.appendChild(doc.importNode(innerAssertion, true));
                doc.documentElement.insertBefore(advice, child(doc.documentElement, "AuthnStatement"));
              }),
          });
        });
        await expectRefused(strict, outcome, "assertion_count");
      });
    }
  });
});
