/**
 * The fuzz harness's SSO property: a fagsystem's AuthnRequest, mutated, sent
 * by one of three routes (re-signed redirect, enveloped POST, mutated query
 * of a genuine redirect). The browser goes only to the registered IdP or
 * ACS, and a request whose signed parts changed is never accepted.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import request from "supertest";
import { BROKER_BASE, SP_ACS_URL } from "../../support/broker-fixture.js";
import { readSpAnswer, spAuthnRequestXml, spRedirectRequest, testId } from "../../support/saml-peers.js";
import { encodeRedirect } from "../../../src/saml/redirect-binding.js";
import { SIGNATURE_ALGORITHM } from "../../../src/saml/algorithms.js";
import { signEnveloped } from "../../../src/saml/sign.js";
import { encodePostMessage } from "../../../src/saml/post-binding.js";
import { STATUS } from "../../../src/saml/namespaces.js";
import { applyMutation, mutationsArbitrary, type Mutation } from "./fuzz-mutations.js";
import { checkCommon, independentlyVerified, type FuzzTarget } from "./fuzz-target.js";

export type SsoMode = "redirect-resigned" | "post-enveloped" | "redirect-query";
export const ssoCaseArbitrary = fc.record({ mode: fc.constantFrom<SsoMode>("redirect-resigned", "post-enveloped", "redirect-query"), mutations: mutationsArbitrary });
export type SsoCase = { mode: SsoMode; mutations: Mutation[] };

/** The parameters the detached signature covers (the Signature parameter itself may vary in encoding, e.g. whitespace in base64). */
const SIGNED_PARAMS = ["SAMLRequest", "RelayState", "SigAlg"];

function rawParams(query: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of query.split("&")) {
    const eq = part.indexOf("=");
    const name = eq < 0 ? part : part.slice(0, eq);
    out.set(name, [...(out.get(name) ?? []), eq < 0 ? "" : part.slice(eq + 1)]);
  }
  return out;
}

/** One SSO case: a fagsystem's AuthnRequest, mutated, sent by one of three routes. */
export async function runSsoCase(target: FuzzTarget, input: SsoCase): Promise<void> {
  const { keys, app } = target.fixture;
  const id = testId();
  let response: request.Response;
  let signedPartsChanged = false;
  if (input.mode === "redirect-resigned") {
    // A valid detached signature over mutated XML: exercises the parser and every request check.
    const xml = input.mutations.reduce(applyMutation, spAuthnRequestXml(id));
    const url = encodeRedirect(`${BROKER_BASE}/saml/sso?municipality=test-kommune`, "SAMLRequest", xml, "rs", { privateKey: keys.spSigning.privateKey, algorithm: SIGNATURE_ALGORITHM.rsaSha256 });
    response = await request(app).get(url.slice(BROKER_BASE.length));
  } else if (input.mode === "post-enveloped") {
    const genuine = signEnveloped(spAuthnRequestXml(id), id, true, { key: keys.spSigning });
    const mutated = input.mutations.reduce(applyMutation, genuine);
    signedPartsChanged = !independentlyVerified(mutated, "AuthnRequest", keys.spSigning.certificatePem);
    response = await request(app).post("/saml/sso?municipality=test-kommune").type("form").send({ SAMLRequest: encodePostMessage(mutated) });
  } else {
    // Mutations of the query string of a genuine signed redirect.
    const { path } = spRedirectRequest(keys, { id });
    const query = path.slice(path.indexOf("?") + 1);
    // Percent-encode what a URL cannot carry as is, so the broker sees exactly the mutated octets
    // (an HTTP client would otherwise strip or reject them before they are sent).
    const mutated = input.mutations
      .reduce(applyMutation, query)
      .replace(/[^\x21-\x7e]|#/gu, (c) => [...Buffer.from(c, "utf8")].map((b) => `%${b.toString(16).padStart(2, "0").toUpperCase()}`).join(""));
    const before = rawParams(query);
    const after = rawParams(mutated);
    signedPartsChanged = SIGNED_PARAMS.some((name) => JSON.stringify(before.get(name)) !== JSON.stringify(after.get(name)));
    response = await request(app).get(`/saml/sso?${mutated}`);
  }
  checkCommon(target, response);
  if (response.status === 303) {
    target.stats.accepted += 1;
    assert.equal(new URL(response.headers["location"] as string).host, "idp.kommune.test", "sent the browser somewhere other than the registered IdP");
    assert.ok(!signedPartsChanged, "accepted a request whose signed parts were changed");
    return;
  }
  if (response.status === 200 && response.text.includes('name="SAMLResponse"')) {
    target.stats.refused += 1;
    const answer = readSpAnswer(response.text);
    assert.equal(answer.url, SP_ACS_URL, "answered somewhere other than the registered ACS");
    assert.notEqual(answer.statusCode, STATUS.success);
    return;
  }
  target.stats.refused += 1;
  assert.ok(response.status === 200 || response.status >= 400, `unexpected status ${response.status}`);
}
