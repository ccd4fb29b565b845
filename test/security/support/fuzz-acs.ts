/**
 * The fuzz harness's ACS property: a fresh login, a genuine IdP Response in
 * one of several signature and encryption shapes, mutated and posted. Never
 * accepted with anything the IdP did not sign; an accepted plain message
 * still verifies under xml-crypto alone.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { SP_ACS_URL } from "../../support/broker-fixture.js";
import { defaultAttributes, idpResponse, openBrokerAssertion, readSpAnswer, startLogin } from "../../support/saml-peers.js";
import { OIOSAML3 } from "../../../src/profiles/oiosaml3-attributes.js";
import { encodePostMessage } from "../../../src/saml/post-binding.js";
import { serializeXml } from "../../../src/xml/xml-parser.js";
import { STATUS } from "../../../src/saml/namespaces.js";
import { applyMutation, FORGED, mutationsArbitrary, type Mutation } from "./fuzz-mutations.js";
import { checkCommon, independentlyVerified, type FuzzTarget } from "./fuzz-target.js";

/** The IdP message shapes a mutation starts from. */
export const ACS_SEEDS = ["signed-assertion", "signed-assertion-encrypted", "signed-assertion-and-response", "signed-response-only", "error-response-signed"] as const;
export type AcsSeed = (typeof ACS_SEEDS)[number];

async function seedResponse(target: FuzzTarget, seed: AcsSeed, requestId: string): Promise<string> {
  const keys = target.fixture.keys;
  const attributes = defaultAttributes({ [OIOSAML3.fullName]: "Anna Andersen" });
  switch (seed) {
    case "signed-assertion":
      return idpResponse(keys, { requestId, encryptFor: null, attributes });
    case "signed-assertion-encrypted":
      return idpResponse(keys, { requestId, attributes });
    case "signed-assertion-and-response":
      return idpResponse(keys, { requestId, encryptFor: null, attributes, signResponseWith: keys.idpSigning });
    case "signed-response-only":
      return idpResponse(keys, { requestId, encryptFor: null, attributes, signAssertionWith: null, signResponseWith: keys.idpSigning });
    case "error-response-signed":
      return idpResponse(keys, { requestId, status: STATUS.responder, subStatus: STATUS.authnFailed, signResponseWith: keys.idpSigning });
  }
}

/** Mostly base64 as the binding wants (raw XML in the field now and then), so most cases reach the XML checks. */
export const acsCaseArbitrary = fc.record({
  seed: fc.constantFrom(...ACS_SEEDS),
  mutations: mutationsArbitrary,
  base64: fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }),
  laxPolicy: fc.boolean(),
});
export type AcsCase = { seed: AcsSeed; mutations: Mutation[]; base64: boolean; laxPolicy?: boolean };

/** One ACS case: a fresh login, a genuine IdP message for it, mutated, posted. */
export async function runAcsCase(target: FuzzTarget, input: AcsCase): Promise<void> {
  const broker = input.laxPolicy ? target.lax : target.fixture;
  const login = await startLogin(broker);
  const genuine = await seedResponse(target, input.seed, login.upstreamRequestId);
  const mutated = input.mutations.reduce(applyMutation, genuine);
  const field = input.base64 ? encodePostMessage(mutated) : mutated;
  const started = Date.now();
  const response = await login.agent.post("/saml/acs").type("form").send({ SAMLResponse: field });
  assert.ok(Date.now() - started < 5_000, "the ACS took more than 5 s");
  checkCommon(target, response);
  const isAnswer = response.status === 200 && response.text.includes('name="SAMLResponse"');
  if (!isAnswer) {
    target.stats.refused += 1;
    assert.ok(response.status >= 400, `neither an answer nor an error page: ${response.status}`);
    return;
  }
  const answer = readSpAnswer(response.text);
  assert.equal(answer.url, SP_ACS_URL, "answered somewhere other than the registered ACS");
  if (answer.statusCode !== STATUS.success) {
    target.stats.refused += 1;
    assert.ok(!answer.xml.includes("Assertion"), "an error answer carried an assertion");
    return;
  }
  target.stats.accepted += 1;
  const assertion = serializeXml(await openBrokerAssertion(answer, broker.keys));
  assert.ok(!assertion.includes(FORGED), "forged content reached the fagsystem");
  assert.ok(assertion.includes("Anna Andersen"), "the accepted identity is not the one the IdP signed");
  assert.notEqual(input.seed, "error-response-signed", "an error Response was turned into a login");
  if (input.seed !== "signed-assertion-encrypted") {
    const cert = target.fixture.keys.idpSigning.certificatePem;
    assert.ok(
      independentlyVerified(mutated, "Assertion", cert) || independentlyVerified(mutated, "Response", cert),
      "accepted a message whose signatures xml-crypto alone does not verify",
    );
  }
}

