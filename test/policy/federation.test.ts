/**
 * Which IdP serves which login: an IdP issues tokens only for its own
 * organisations, and a client inside an IdP's address ranges goes straight to it.
 */
import { describe, expect, it } from "vitest";
import request from "supertest";
import { logReasons, MUNICIPALITY_CVR } from "../support/broker-fixture.js";
import { defaultAttributes, spRedirectRequest } from "../support/saml-peers.js";
import { STATUS } from "../../src/saml/namespaces.js";
import { OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { login, NEIGHBOUR, policyFixture, STRANGER } from "./policy-world.js";

describe("federation: an IdP issues tokens only for its own organisations", () => {
  it("refuses another CVR with status Responder and shows the person a clear page", async () => {
    const fixture = await policyFixture();
    const outcome = await login(fixture, { attributes: defaultAttributes({ [OIOSAML3.cvr]: STRANGER }) });
    expect(outcome.answer.statusCode).toBe(STATUS.responder);
    expect(outcome.answer.subStatusCode).toBe(STATUS.requestDenied);
    expect(outcome.answer.statusMessage).toBe(`IdP test-kommune is not allowed to issue tokens for context ${STRANGER}`);
    expect(outcome.page).toContain(`may not log users in for the organisation with CVR ${STRANGER}`);
    expect(outcome.page).toContain(outcome.correlationId);
    expect(outcome.page).not.toContain("autosubmit.js");
    expect(await logReasons(fixture)).toContain("cvr_not_allowed");
  });

  it("accepts any of the IdP's registered CVRs, with orgName from the broker's register", async () => {
    const fixture = await policyFixture({ idp: { cvrs: [MUNICIPALITY_CVR, NEIGHBOUR] } });
    const outcome = await login(fixture, { attributes: defaultAttributes({ [OIOSAML3.cvr]: NEIGHBOUR, [OIOSAML3.orgName]: "Whatever the IdP says" }) });
    expect(outcome.attributes.get(OIOSAML3.cvr)).toEqual([NEIGHBOUR]);
    expect(outcome.attributes.get(OIOSAML3.orgName)).toEqual(["Nabo Kommune"]);
  });
});

describe("choosing the IdP by the client's address", () => {
  it("sends a client inside the IdP's ranges straight to it, and shows others the chooser", async () => {
    const inside = await policyFixture({ idp: { clientIpRanges: ["127.0.0.0/8", "::1/128"] } });
    const direct = await request(inside.app).get(spRedirectRequest(inside.keys, {}, "").path);
    expect(direct.status).toBe(303);
    expect(direct.headers["location"]).toMatch(/^https:\/\/idp\.kommune\.test\/sso\?SAMLRequest=/);
    expect(direct.headers["set-cookie"] ?? []).not.toEqual(expect.arrayContaining([expect.stringMatching(/^broker_municipality=/)]));
    const outside = await policyFixture({ idp: { clientIpRanges: ["192.0.2.0/24"] } });
    const chooser = await request(outside.app).get(spRedirectRequest(outside.keys, {}, "").path);
    expect(chooser.status).toBe(200);
    expect(chooser.text).toContain("Choose your municipality");
  });
});
