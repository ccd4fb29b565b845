/**
 * Attack catalogue, classes 17–20: replay and binding to the login, time,
 * addressing (Audience, Recipient, Destination, Issuer), and logout messages.
 * Basic cases live in test/acs-rejections.test.ts (one per check); these add
 * boundaries, near-misses and cross-party attempts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import request from "supertest";
import { deflateRawSync } from "node:zlib";
import { createBrokerFixture, BROKER_BASE, IDP_ENTITY_ID, SP_ENTITY_ID, type BrokerFixture } from "../support/broker-fixture.js";
import { idpResponse, startLogin, testId } from "../support/saml-peers.js";
import { MemoryStore } from "../../src/store/memory-store.js";
import { NS } from "../../src/saml/namespaces.js";
import { samlInstant } from "../../src/saml/saml-time.js";
import { signEnveloped } from "../../src/saml/sign.js";
import { encodeRedirect } from "../../src/saml/redirect-binding.js";
import { SIGNATURE_ALGORITHM } from "../../src/saml/algorithms.js";
import { createTwoMunicipalityFixture, expectAccepted, handSign, expectRefused, first, OTHER_IDP, postResponse, reasonsFor, tryAtAcs, type TwoMunicipalities } from "./support/attack-kit.js";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

describe("protocol checks", () => {
  let fixture: BrokerFixture;
  beforeAll(async () => {
    fixture = await createBrokerFixture();
  });

  describe("class 17: replay, another login's response, unsolicited responses", () => {
    it("refuses an assertion replayed in a later login, even re-wrapped (plain first, encrypted the second time)", async () => {
      const assertionId = testId("_replay");
      await expectAccepted(await tryAtAcs(fixture, (requestId, keys) => idpResponse(keys, { requestId, assertionId, encryptFor: null })));
      const outcome = await tryAtAcs(fixture, (requestId, keys) => idpResponse(keys, { requestId, assertionId }));
      await expectRefused(fixture, outcome, "assertion_replayed");
    });

    it("refuses a Response for one login whose assertion was issued for another", async () => {
      const other = await startLogin(fixture);
      const outcome = await tryAtAcs(fixture, (requestId, keys) => idpResponse(keys, { requestId, scdInResponseTo: other.upstreamRequestId }));
      await expectRefused(fixture, outcome, "in_response_to_mismatch");
    });

    it("refuses another login's Response relabelled with this login's InResponseTo", async () => {
      const other = await startLogin(fixture);
      const theirs = await idpResponse(fixture.keys, { requestId: other.upstreamRequestId, encryptFor: null, signResponseWith: fixture.keys.idpSigning });
      const mine = await startLogin(fixture);
      const outcome = await postResponse(mine.agent, theirs.replace(`InResponseTo="${other.upstreamRequestId}"`, `InResponseTo="${mine.upstreamRequestId}"`));
      await expectRefused(fixture, outcome, "signature_invalid");
    });

    it("refuses an unsolicited Response with an empty InResponseTo", async () => {
      const outcome = await tryAtAcs(fixture, (requestId, keys) => idpResponse(keys, { requestId, editResponse: (xml) => xml.replace(`InResponseTo="${requestId}"`, 'InResponseTo=""') }));
      await expectRefused(fixture, outcome, "unsolicited_response");
    });

    it("refuses a Response to a request the broker never sent", async () => {
      const outcome = await tryAtAcs(fixture, (_requestId, keys) => idpResponse(keys, { requestId: "_" + "a".repeat(40) }));
      await expectRefused(fixture, outcome, "unknown_login");
    });

    it("refuses a Response for a login sent to another registered municipality (the state names the IdP)", async () => {
      const { fixture: two, otherIdpKey }: TwoMunicipalities = await createTwoMunicipalityFixture();
      // The login went to Test Kommune; Anden Kommune (registered, its own valid key) answers it.
      const login = await startLogin(two);
      const xml = await idpResponse(two.keys, { requestId: login.upstreamRequestId, issuer: OTHER_IDP.entityId, responseIssuer: OTHER_IDP.entityId, signAssertionWith: otherIdpKey });
      await expectRefused(two, await postResponse(login.agent, xml), "issuer_mismatch");
      // ...and claiming to be Test Kommune does not help: its own key is not Test Kommune's.
      const again = await startLogin(two);
      const forged = await idpResponse(two.keys, { requestId: again.upstreamRequestId, signAssertionWith: otherIdpKey });
      await expectRefused(two, await postResponse(again.agent, forged), "signature_invalid");
    });
  });

  describe("class 18: time", () => {
    let clock: number;
    let timed: BrokerFixture;
    const skew = 300 * SECOND;
    beforeAll(async () => {
      clock = Date.now();
      timed = await createBrokerFixture({ now: () => clock, store: new MemoryStore({ now: () => clock }) });
    });

    const at = (now: number) => tryAtAcs(timed, (requestId, keys) => idpResponse(keys, { requestId, now }));

    it("accepts NotBefore just inside the skew and refuses it just beyond", async () => {
      await expectAccepted(await tryAtAcs(timed, (requestId, keys) => idpResponse(keys, { requestId, now: clock, notBefore: clock + skew - SECOND })));
      await expectRefused(timed, await tryAtAcs(timed, (requestId, keys) => idpResponse(keys, { requestId, now: clock, notBefore: clock + skew + SECOND })), "assertion_not_yet_valid");
    });

    it("accepts NotOnOrAfter just inside the skew and refuses it just beyond", async () => {
      await expectAccepted(await tryAtAcs(timed, (requestId, keys) => idpResponse(keys, { requestId, now: clock, notOnOrAfter: clock - skew + SECOND, scdNotOnOrAfter: clock + MINUTE })));
      await expectRefused(
        timed,
        await tryAtAcs(timed, (requestId, keys) => idpResponse(keys, { requestId, now: clock, notOnOrAfter: clock - skew - SECOND, scdNotOnOrAfter: clock + MINUTE })),
        "assertion_expired",
      );
    });

    it("refuses an expired SubjectConfirmationData even when Conditions are still valid", async () => {
      await expectRefused(timed, await tryAtAcs(timed, (requestId, keys) => idpResponse(keys, { requestId, now: clock, scdNotOnOrAfter: clock - skew - SECOND })), "assertion_expired");
    });

    it("refuses a SubjectConfirmationData NotBefore in the future", async () => {
      const outcome = await tryAtAcs(timed, (requestId, keys) =>
        idpResponse(keys, { requestId, now: clock, editAssertion: (xml) => xml.replace("<saml:SubjectConfirmationData ", `<saml:SubjectConfirmationData NotBefore="${samlInstant(clock + skew + MINUTE)}" `) }),
      );
      await expectRefused(timed, outcome, "assertion_not_yet_valid");
    });

    it("refuses an expired SessionNotOnOrAfter", async () => {
      const outcome = await tryAtAcs(timed, (requestId, keys) =>
        idpResponse(keys, { requestId, now: clock, editAssertion: (xml) => xml.replace("<saml:AuthnStatement ", `<saml:AuthnStatement SessionNotOnOrAfter="${samlInstant(clock - skew - MINUTE)}" `) }),
      );
      await expectRefused(timed, outcome, "assertion_expired");
    });

    it("refuses a timestamp that is not an xs:dateTime (no time zone)", async () => {
      const outcome = await tryAtAcs(timed, (requestId, keys) =>
        idpResponse(keys, { requestId, now: clock, editAssertion: (xml) => xml.replace(/(<saml:Conditions NotBefore=")([^"]*)Z"/, "$1$2\"") }),
      );
      await expectRefused(timed, outcome, "time_invalid");
    });

    it("refuses an assertion issued long ago that is valid by its own (long) NotOnOrAfter only if still inside it", async () => {
      // An IdP assertion from an hour ago whose validity ended 55 minutes ago.
      const outcome = await at(clock - 60 * MINUTE);
      await expectRefused(timed, outcome, "assertion_expired");
    });

    it("refuses a Response arriving after the login's time at the IdP ran out", async () => {
      const login = await startLogin(timed, { issueInstant: samlInstant(clock) });
      clock += (timed.config.timing.loginTtlSeconds + 1) * SECOND;
      try {
        const outcome = await postResponse(login.agent, await idpResponse(timed.keys, { requestId: login.upstreamRequestId, now: clock }));
        await expectRefused(timed, outcome, "unknown_login");
      } finally {
        clock = Date.now();
      }
    });
  });

  describe("class 19: Audience, Recipient, Destination, Issuer near-misses", () => {
    const CASES: Array<{ name: string; reason: string; edit: (xml: string) => string; where?: "assertion" | "response" | "hand-signed" }> = [
      { name: "Destination missing", reason: "destination_mismatch", edit: (xml) => xml.replace(/ Destination="[^"]*"/, ""), where: "response" },
      { name: "Destination with a trailing slash", reason: "destination_mismatch", edit: (xml) => xml.replace(/ Destination="([^"]*)"/, ' Destination="$1/"'), where: "response" },
      { name: "Audience with our entityID as a prefix", reason: "audience_mismatch", edit: (xml) => xml.replace("https://saml.broker.test</saml:Audience>", "https://saml.broker.test.evil.example</saml:Audience>") },
      {
        name: "a second AudienceRestriction that leaves us out",
        reason: "audience_mismatch",
        edit: (xml) => xml.replace("</saml:AudienceRestriction>", "</saml:AudienceRestriction><saml:AudienceRestriction><saml:Audience>https://other-sp.example</saml:Audience></saml:AudienceRestriction>"),
      },
      { name: "no AudienceRestriction", reason: "audience_mismatch", edit: (xml) => xml.replace(/<saml:AudienceRestriction>.*<\/saml:AudienceRestriction>/, "") },
      { name: "Recipient missing", reason: "recipient_mismatch", edit: (xml) => xml.replace(/ Recipient="[^"]*"/, "") },
      { name: "Recipient on another host with our path", reason: "recipient_mismatch", edit: (xml) => xml.replace(`Recipient="${BROKER_BASE}/saml/acs"`, 'Recipient="https://evil.example/saml/acs"') },
      { name: "assertion Issuer in upper case", reason: "issuer_mismatch", edit: (xml) => xml.replace(`<saml:Issuer>${IDP_ENTITY_ID}`, `<saml:Issuer>${IDP_ENTITY_ID.toUpperCase()}`) },
      { name: "assertion Issuer missing", reason: "xml_missing", edit: (xml) => xml.replace(/<saml:Issuer>[^<]*<\/saml:Issuer>/, ""), where: "hand-signed" },
      {
        name: "assertion Issuer with a non-entity Format",
        reason: "issuer_mismatch",
        edit: (xml) => xml.replace("<saml:Issuer>", '<saml:Issuer Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">'),
      },
      { name: "Response Version 1.1", reason: "version_mismatch", edit: (xml) => xml.replace('<samlp:Response ID', '<samlp:Response Version="1.1" ID').replace(/(<samlp:Response[^>]*?) Version="2.0"/, "$1"), where: "response" },
    ];
    for (const testCase of CASES) {
      it(`refuses ${testCase.name}`, async () => {
        const assertionId = testId("_a");
        const outcome = await tryAtAcs(fixture, (requestId, keys) =>
          idpResponse(
            keys,
            testCase.where === "response"
              ? { requestId, editResponse: testCase.edit }
              : testCase.where === "hand-signed"
                ? { requestId, assertionId, signAssertionWith: null, editAssertion: (xml) => handSign(testCase.edit(xml), assertionId, keys.idpSigning) }
                : { requestId, editAssertion: testCase.edit },
          ),
        );
        await expectRefused(fixture, outcome, testCase.reason);
      });
    }
  });

  describe("class 20: logout messages at the login endpoints are refused (they belong at /saml/slo; test/security/logout-refusals.test.ts)", () => {
    const logoutRequest = (id: string, issuer: string) =>
      `<samlp:LogoutRequest xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ID="${id}" Version="2.0" IssueInstant="${samlInstant(Date.now())}" Destination="${BROKER_BASE}/saml/acs">` +
      `<saml:Issuer>${issuer}</saml:Issuer><saml:NameID>C=DK,O=29189846,CN=Anna Andersen,Serial=12345</saml:NameID><samlp:SessionIndex>_s1</samlp:SessionIndex></samlp:LogoutRequest>`;

    it("refuses a LogoutRequest from the IdP at the ACS, signed or not", async () => {
      for (const signed of [false, true]) {
        const id = testId("_lo");
        const xml = signed ? signEnveloped(logoutRequest(id, IDP_ENTITY_ID), id, true, { key: fixture.keys.idpSigning }) : logoutRequest(id, IDP_ENTITY_ID);
        const outcome = await postResponse(request.agent(fixture.app), xml);
        await expectRefused(fixture, outcome, "logout_wrong_endpoint");
      }
    });

    it("refuses an expired LogoutRequest like any other", async () => {
      const xml = logoutRequest(testId("_lo"), IDP_ENTITY_ID).replace(/IssueInstant="[^"]*"/, `IssueInstant="${samlInstant(Date.now() - 24 * 60 * MINUTE)}"`);
      await expectRefused(fixture, await postResponse(request.agent(fixture.app), xml), "logout_wrong_endpoint");
    });

    it("refuses a LogoutResponse at the ACS", async () => {
      const xml = `<samlp:LogoutResponse xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ID="${testId()}" Version="2.0" IssueInstant="${samlInstant(Date.now())}"><saml:Issuer>${IDP_ENTITY_ID}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:LogoutResponse>`;
      await expectRefused(fixture, await postResponse(request.agent(fixture.app), xml), "not_response");
    });

    it("refuses a signed LogoutRequest from a fagsystem at the SSO endpoint", async () => {
      const id = testId("_lo");
      const url = encodeRedirect(`${BROKER_BASE}/saml/sso`, "SAMLRequest", logoutRequest(id, SP_ENTITY_ID), undefined, { privateKey: fixture.keys.spSigning.privateKey, algorithm: SIGNATURE_ALGORITHM.rsaSha256 });
      const response = await request(fixture.app).get(url.slice(BROKER_BASE.length));
      expect(response.status).toBe(400);
      expect(await reasonsFor(fixture, response.headers["x-correlation-id"] as string)).toContain("not_authn_request");
    });

    it("has no logout endpoint besides the published ones", async () => {
      const query = `SAMLRequest=${encodeURIComponent(deflateRawSync(logoutRequest(testId(), SP_ENTITY_ID)).toString("base64"))}`;
      expect((await request(fixture.app).get(`/saml/logout?${query}`)).status).toBe(404);
      expect((await request(fixture.app).post("/saml/logout").type("form").send(query)).status).toBe(404);
    });
  });

  it("control: the untouched hop still works in this file's fixture", async () => {
    const document = await expectAccepted(await tryAtAcs(fixture, (requestId, keys) => idpResponse(keys, { requestId })));
    expect(first(document, NS.samlp, "StatusCode")).toBeDefined();
  });
});
