/**
 * Step 4 of the hop: every check on the IdP's Response rejects, and the
 * fagsystem is told in SAML terms, with a log line naming the reason.
 */
import { beforeAll, describe, expect, it } from "vitest";
import request from "supertest";
import { createBrokerFixture, logReasons, type BrokerFixture, type FixtureKeys } from "./support/broker-fixture.js";
import { idpResponse, postToAcs, readSpAnswer, startLogin, testId, type IdpResponseOptions } from "./support/saml-peers.js";
import { STATUS } from "../src/saml/namespaces.js";
import { SIGNATURE_ALGORITHM } from "../src/saml/algorithms.js";

interface Case {
  name: string;
  reason: string;
  response: (keys: FixtureKeys, requestId: string) => IdpResponseOptions;
  subStatus?: string;
}

const MINUTE = 60_000;

const CASES: Case[] = [
  { name: "neither Response nor assertion signed", reason: "assertion_not_signed", response: (_k, id) => ({ requestId: id, signAssertionWith: null }) },
  {
    name: "a signed Response is not enough when the assertion must be signed",
    reason: "assertion_not_signed",
    response: (k, id) => ({ requestId: id, signAssertionWith: null, signResponseWith: k.idpSigning }),
  },
  { name: "assertion signed by a key not in the IdP's metadata", reason: "signature_invalid", response: (k, id) => ({ requestId: id, signAssertionWith: k.attacker }) },
  {
    name: "assertion changed after signing (identity read only from signed content)",
    reason: "signature_invalid",
    response: (_k, id) => ({ requestId: id, editSignedAssertion: (xml) => xml.replace("Anna Andersen", "Mallory Evil") }),
  },
  {
    name: "two assertions in one Response",
    reason: "assertion_count",
    response: (_k, id) => ({
      requestId: id,
      editResponse: (xml) => {
        const start = xml.indexOf("<saml:EncryptedAssertion");
        const end = xml.indexOf("</saml:EncryptedAssertion>") + "</saml:EncryptedAssertion>".length;
        return xml.slice(0, end) + xml.slice(start, end) + xml.slice(end);
      },
    }),
  },
  { name: "assertion Issuer is another IdP", reason: "issuer_mismatch", response: (_k, id) => ({ requestId: id, issuer: "https://evil.example/idp" }) },
  { name: "Response Issuer is another IdP", reason: "issuer_mismatch", response: (_k, id) => ({ requestId: id, responseIssuer: "https://evil.example/idp" }) },
  { name: "Destination is not our ACS", reason: "destination_mismatch", response: (_k, id) => ({ requestId: id, destination: "https://other.example/acs" }) },
  { name: "Recipient is not our ACS", reason: "recipient_mismatch", response: (_k, id) => ({ requestId: id, recipient: "https://other.example/acs" }) },
  {
    name: "SubjectConfirmationData InResponseTo names another request",
    reason: "in_response_to_mismatch",
    response: (_k, id) => ({ requestId: id, scdInResponseTo: "_someone_elses_request" }),
  },
  { name: "Audience is another SP", reason: "audience_mismatch", response: (_k, id) => ({ requestId: id, audience: "https://other-sp.example" }) },
  {
    name: "NotBefore in the future beyond the clock skew",
    reason: "assertion_not_yet_valid",
    response: (_k, id) => ({ requestId: id, notBefore: Date.now() + 10 * MINUTE }),
  },
  {
    name: "Conditions NotOnOrAfter in the past beyond the clock skew",
    reason: "assertion_expired",
    response: (_k, id) => ({ requestId: id, notOnOrAfter: Date.now() - 10 * MINUTE }),
  },
  {
    name: "SubjectConfirmationData NotOnOrAfter in the past",
    reason: "assertion_expired",
    response: (_k, id) => ({ requestId: id, scdNotOnOrAfter: Date.now() - 10 * MINUTE }),
  },
  {
    name: "status is not Success",
    reason: "upstream_status",
    subStatus: STATUS.authnFailed,
    response: (_k, id) => ({ requestId: id, status: STATUS.responder, subStatus: STATUS.authnFailed }),
  },
  { name: "assertion encrypted for another key", reason: "decryption_failed", response: (k, id) => ({ requestId: id, encryptFor: k.attacker }) },
  {
    name: "SHA-1 signature where the IdP's config does not allow it",
    reason: "algorithm_not_allowed",
    response: (_k, id) => ({ requestId: id, signatureAlgorithm: SIGNATURE_ALGORITHM.rsaSha1 }),
  },
];

describe("the broker rejects an IdP Response when a check fails", () => {
  let fixture: BrokerFixture;
  beforeAll(async () => {
    fixture = await createBrokerFixture();
  });

  it("accepts the untouched response (control case)", async () => {
    const login = await startLogin(fixture);
    const answer = readSpAnswer((await postToAcs(login.agent, await idpResponse(fixture.keys, { requestId: login.upstreamRequestId }))).text);
    expect(answer.statusCode).toBe(STATUS.success);
  });

  for (const testCase of CASES) {
    it(`rejects: ${testCase.name}`, async () => {
      const login = await startLogin(fixture);
      const xml = await idpResponse(fixture.keys, testCase.response(fixture.keys, login.upstreamRequestId));
      const response = await postToAcs(login.agent, xml);
      expect(response.status).toBe(200);
      const answer = readSpAnswer(response.text);
      expect(answer.statusCode).toBe(STATUS.responder);
      expect(answer.subStatusCode).toBe(testCase.subStatus ?? STATUS.authnFailed);
      expect(answer.document.documentElement.getAttribute("InResponseTo")).toBe(login.spRequestId);
      expect(answer.xml).not.toContain("Assertion");
      const correlationId = response.headers["x-correlation-id"] as string;
      const lines = fixture.logs.filter((l) => l.correlationId === correlationId && l.reason === testCase.reason);
      expect(lines.length, `log line with reason ${testCase.reason}; got ${(await logReasons(fixture)).slice(-3).join(",")}`).toBeGreaterThan(0);
    });
  }

  it("rejects a replayed assertion (same assertion ID in a later login)", async () => {
    const assertionId = testId("_replay");
    const first = await startLogin(fixture);
    const ok = readSpAnswer((await postToAcs(first.agent, await idpResponse(fixture.keys, { requestId: first.upstreamRequestId, assertionId }))).text);
    expect(ok.statusCode).toBe(STATUS.success);
    const second = await startLogin(fixture);
    const response = await postToAcs(second.agent, await idpResponse(fixture.keys, { requestId: second.upstreamRequestId, assertionId }));
    expect(readSpAnswer(response.text).statusCode).toBe(STATUS.responder);
    expect(await logReasons(fixture)).toContain("assertion_replayed");
  });

  it("rejects the same Response posted twice: the login state is taken once", async () => {
    const login = await startLogin(fixture);
    const xml = await idpResponse(fixture.keys, { requestId: login.upstreamRequestId });
    expect(readSpAnswer((await postToAcs(login.agent, xml)).text).statusCode).toBe(STATUS.success);
    const again = await postToAcs(login.agent, xml);
    expect(again.status).toBe(400);
    expect(again.text).toMatch(/correlation id/);
    expect(again.text).not.toContain("SAMLResponse");
    expect(await logReasons(fixture)).toContain("unknown_login");
  });

  it("a forged Response naming a waiting login does not end it: the genuine Response still completes it", async () => {
    const login = await startLogin(fixture);
    const forged = await postToAcs(login.agent, await idpResponse(fixture.keys, { requestId: login.upstreamRequestId, signAssertionWith: fixture.keys.attacker }));
    expect(readSpAnswer(forged.text).statusCode).toBe(STATUS.responder);
    const genuine = await postToAcs(login.agent, await idpResponse(fixture.keys, { requestId: login.upstreamRequestId }));
    expect(readSpAnswer(genuine.text).statusCode).toBe(STATUS.success);
    const third = await postToAcs(login.agent, await idpResponse(fixture.keys, { requestId: login.upstreamRequestId }));
    expect(third.status).toBe(400);
  });

  it("rejects a Response whose InResponseTo belongs to no login of ours", async () => {
    const login = await startLogin(fixture);
    const response = await postToAcs(login.agent, await idpResponse(fixture.keys, { requestId: "_never_sent_by_us" }));
    expect(response.status).toBe(400);
    expect(await logReasons(fixture)).toContain("unknown_login");
  });

  it("rejects an unsolicited Response (no InResponseTo)", async () => {
    const login = await startLogin(fixture);
    const response = await postToAcs(login.agent, await idpResponse(fixture.keys, { requestId: login.upstreamRequestId, inResponseTo: null }));
    expect(response.status).toBe(400);
    expect(await logReasons(fixture)).toContain("unsolicited_response");
  });

  it("rejects a plain assertion from an IdP that must encrypt", async () => {
    const strict = await createBrokerFixture({ idp: { requireEncryptedAssertion: true } });
    const login = await startLogin(strict);
    const answer = readSpAnswer((await postToAcs(login.agent, await idpResponse(strict.keys, { requestId: login.upstreamRequestId, encryptFor: null }))).text);
    expect(answer.statusCode).toBe(STATUS.responder);
    expect(await logReasons(strict)).toContain("assertion_not_encrypted");
  });

  it("accepts a plain signed assertion from an IdP that is allowed to send one", async () => {
    const login = await startLogin(fixture);
    const answer = readSpAnswer((await postToAcs(login.agent, await idpResponse(fixture.keys, { requestId: login.upstreamRequestId, encryptFor: null }))).text);
    expect(answer.statusCode).toBe(STATUS.success);
  });

  it("refuses a level below what the fagsystem requires with NoAuthnContext", async () => {
    const strict = await createBrokerFixture({ sp: { requiredLevel: { nsis: "High" } } });
    const login = await startLogin(strict);
    expect(login.upstreamXml).toContain("https://data.gov.dk/concept/core/nsis/loa/High");
    const answer = readSpAnswer((await postToAcs(login.agent, await idpResponse(strict.keys, { requestId: login.upstreamRequestId }))).text);
    expect(answer.statusCode).toBe(STATUS.responder);
    expect(answer.subStatusCode).toBe(STATUS.noAuthnContext);
    expect(await logReasons(strict)).toContain("level_too_low");
  });

  it("answers a GET on the ACS with a readable page, not a stack trace", async () => {
    const response = await request(fixture.app).get("/saml/acs");
    expect(response.status).toBe(405);
    expect(response.text).toMatch(/correlation id/);
  });

  it("answers malformed base64 and non-form bodies with a readable page", async () => {
    const bad = await request(fixture.app).post("/saml/acs").type("form").send({ SAMLResponse: "%%%not-base64%%%" });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/correlation id/);
    const json = await request(fixture.app).post("/saml/acs").set("Content-Type", "application/json").send('{"SAMLResponse":"x"}');
    expect(json.status).toBe(415);
    expect(await logReasons(fixture)).toEqual(expect.arrayContaining(["binding_invalid", "wrong_content_type"]));
  });
});
