/**
 * Attack catalogue, classes 21 and 22: assurance levels. The IdP returns a
 * lower level than requested, or none; the browser edits what it carries
 * (query parameters, the unsigned request of a fagsystem that may send one,
 * the broker's own upstream request). The broker decides from the level in
 * the verified assertion and the fagsystem's configured requirement, never
 * from what the front channel says.
 */
import { beforeAll, describe, expect, it } from "vitest";
import request from "supertest";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { createBrokerFixture, type BrokerFixture } from "../support/broker-fixture.js";
import { defaultAttributes, idpResponse, spRedirectRequest, startLogin, upstreamRequestFrom } from "../support/saml-peers.js";
import { OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { STATUS } from "../../src/saml/namespaces.js";
import { expectAccepted, expectRefused, postResponse, reasonsFor, tryAtAcs } from "./support/attack-kit.js";
import { LEVEL_CLASS } from "../support/uris.js";

const UNSPECIFIED = "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified";

describe("level attacks", () => {
  let high: BrokerFixture;
  beforeAll(async () => {
    high = await createBrokerFixture({ sp: { requiredLevel: { nsis: "High" } } });
  });

  describe("class 21: level downgrade by the IdP", () => {
    it("refuses Substantial where High is required (see also acs-rejections), with NoAuthnContext", async () => {
      const outcome = await tryAtAcs(high, (requestId, keys) => idpResponse(keys, { requestId }));
      await expectRefused(high, outcome, "level_too_low");
      expect(outcome.statusCode).toBe(STATUS.responder);
    });

    it("refuses a login that carries no level at all", async () => {
      const substantial = await createBrokerFixture({ sp: { requiredLevel: { nsis: "Substantial" } } });
      const outcome = await tryAtAcs(substantial, (requestId, keys) =>
        idpResponse(keys, { requestId, authnContextClassRef: UNSPECIFIED, attributes: defaultAttributes({ [OIOSAML3.loa]: undefined }) }),
      );
      await expectRefused(substantial, outcome, "level_too_low");
    });

    it("refuses a NIST level where an NSIS level is required (NIST never proves NSIS)", async () => {
      const outcome = await tryAtAcs(high, (requestId, keys) =>
        idpResponse(keys, {
          requestId,
          authnContextClassRef: "urn:dk:gov:saml:attribute:AssuranceLevel:4",
          attributes: defaultAttributes({ [OIOSAML3.loa]: undefined, "dk:gov:saml:attribute:AssuranceLevel": "4" }),
        }),
      );
      await expectRefused(high, outcome, "level_too_low");
    });

    it("refuses a level raised in the assertion after the IdP signed it", async () => {
      const outcome = await tryAtAcs(high, (requestId, keys) =>
        idpResponse(keys, { requestId, editSignedAssertion: (xml) => xml.replaceAll(LEVEL_CLASS.nsis("Substantial"), LEVEL_CLASS.nsis("High")).replace(">Substantial<", ">High<") }),
      );
      await expectRefused(high, outcome, "signature_invalid");
    });

    it("accepts High where High is required (control)", async () => {
      await expectAccepted(await tryAtAcs(high, (requestId, keys) => idpResponse(keys, { requestId, authnContextClassRef: LEVEL_CLASS.nsis("High"), attributes: defaultAttributes({ [OIOSAML3.loa]: "High" }) })));
    });

    it("refuses a lower level than the fagsystem itself asked for in its signed request", async () => {
      const plain = await createBrokerFixture({ sp: { requiredLevel: { nsis: "Substantial" } } });
      const login = await startLogin(plain, { requestedClassRefs: [LEVEL_CLASS.nsis("High")] });
      expect(login.upstreamXml).toContain(LEVEL_CLASS.nsis("High"));
      const outcome = await postResponse(login.agent, await idpResponse(plain.keys, { requestId: login.upstreamRequestId }));
      await expectRefused(plain, outcome, "level_too_low");
    });
  });

  describe("class 22: level tampering in the front channel", () => {
    it("ignores level-like query parameters added next to a signed request", async () => {
      const { path } = spRedirectRequest(high.keys);
      const agent = request.agent(high.app);
      const redirect = await agent.get(`${path}&level=Low&requiredLevel=none&loa=Low&RequestedAuthnContext=Low`);
      expect(redirect.status).toBe(303);
      const upstream = upstreamRequestFrom(redirect.headers["location"] as string);
      expect(upstream.xml).toContain(LEVEL_CLASS.nsis("High"));
      const outcome = await postResponse(agent, await idpResponse(high.keys, { requestId: upstream.id }));
      await expectRefused(high, outcome, "level_too_low");
    });

    it("refuses a signed redirect request whose RequestedAuthnContext was edited", async () => {
      const { path } = spRedirectRequest(high.keys, { requestedClassRefs: [LEVEL_CLASS.nsis("High")] });
      const url = new URL(path, "https://broker.test");
      const xml = inflateRawSync(Buffer.from(url.searchParams.get("SAMLRequest")!, "base64")).toString("utf8").replace(LEVEL_CLASS.nsis("High"), LEVEL_CLASS.nsis("Low"));
      const edited = path.replace(/SAMLRequest=[^&]*/, `SAMLRequest=${encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString("base64"))}`);
      const response = await request(high.app).get(edited);
      expect(response.status).toBe(400);
      expect(await reasonsFor(high, response.headers["x-correlation-id"] as string)).toContain("signature_invalid");
    });

    it("keeps the configured requirement when an unsigned request (allowed for this fagsystem) asks for less", async () => {
      const lax = await createBrokerFixture({ sp: { requiredLevel: { nsis: "High" }, requireSignedRequests: false }, spMetadata: { authnRequestsSigned: false } });
      const login = await startLogin(lax, { signWith: null, requestedClassRefs: [LEVEL_CLASS.nsis("Low")] });
      expect(login.upstreamXml).toContain(LEVEL_CLASS.nsis("High"));
      expect(login.upstreamXml).not.toContain(LEVEL_CLASS.nsis("Low"));
      const outcome = await postResponse(login.agent, await idpResponse(lax.keys, { requestId: login.upstreamRequestId }));
      await expectRefused(lax, outcome, "level_too_low");
    });

    it("re-checks the outcome when the browser stripped the level from the broker's upstream request", async () => {
      // The browser carries the broker's AuthnRequest to the IdP and could drop RequestedAuthnContext;
      // the IdP then authenticates at a lower level. The broker decides from the assertion, not the request.
      const login = await startLogin(high);
      expect(login.upstreamXml).toContain("RequestedAuthnContext");
      const outcome = await postResponse(login.agent, await idpResponse(high.keys, { requestId: login.upstreamRequestId, authnContextClassRef: LEVEL_CLASS.nsis("Low"), attributes: defaultAttributes({ [OIOSAML3.loa]: "Low" }) }));
      await expectRefused(high, outcome, "level_too_low");
    });

    it("refuses a chooser form whose login id was edited", async () => {
      const fixture = await createBrokerFixture();
      const agent = request.agent(fixture.app);
      const chooser = await agent.get(spRedirectRequest(fixture.keys, {}, "").path);
      expect(chooser.status).toBe(200);
      const loginId = /name="login" value="([^"]+)"/.exec(chooser.text)![1]!;
      const tampered = loginId.replace(/^./, (c) => (c === "a" ? "b" : "a"));
      const response = await agent.post("/login/choose").type("form").send({ login: tampered, idp: "test-kommune" });
      expect(response.status).toBe(400);
      expect(await reasonsFor(fixture, response.headers["x-correlation-id"] as string)).toContain("unknown_login");
    });
  });
});
