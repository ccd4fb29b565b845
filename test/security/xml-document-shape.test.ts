/** Attack catalogue, class 8: more than one root, trailing content, two SAMLResponse fields, data after base64 padding. */
import { beforeAll, describe, expect, it } from "vitest";
import { createBrokerFixture, type BrokerFixture } from "../support/broker-fixture.js";
import { idpResponse, startLogin } from "../support/saml-peers.js";
import { NS } from "../../src/saml/namespaces.js";
import { encodePostMessage } from "../../src/saml/post-binding.js";
import { dom, expectRefused, first, reasonsFor, tryAtAcs, xmlOf } from "./support/attack-kit.js";

describe("parser attacks", () => {
  let fixture: BrokerFixture;
  beforeAll(async () => {
    fixture = await createBrokerFixture();
  });

  describe("class 8: more than one root, trailing content", () => {
    const TRAILERS: Array<[string, (xml: string, assertion: string) => string]> = [
      ["a second root element (a forged assertion)", (xml, assertion) => xml + assertion],
      ["a second root element before the Response", (xml, assertion) => assertion + xml.replace(/^<\?xml[^>]*\?>/, "")],
      ["trailing text", (xml) => `${xml}garbage`],
      ["a trailing comment", (xml) => `${xml}<!-- trailing -->`],
      ["a trailing processing instruction", (xml) => `${xml}<?evil data?>`],
    ];
    for (const [name, make] of TRAILERS) {
      it(`refuses ${name}`, async () => {
        const outcome = await tryAtAcs(fixture, async (requestId, keys) => {
          const forged = xmlOf(first(dom(await idpResponse(keys, { requestId, encryptFor: null, signAssertionWith: null })), NS.saml, "Assertion"));
          return idpResponse(keys, { requestId, encryptFor: null, editResponse: (xml) => make(xml, forged) });
        });
        await expectRefused(fixture, outcome, "xml_malformed");
      });
    }

    it("refuses two SAMLResponse fields in one form", async () => {
      const login = await startLogin(fixture);
      const xml = await idpResponse(fixture.keys, { requestId: login.upstreamRequestId, encryptFor: null });
      const response = await login.agent.post("/saml/acs").type("form").send(`SAMLResponse=${encodeURIComponent(encodePostMessage(xml))}&SAMLResponse=${encodeURIComponent(encodePostMessage(xml))}`);
      expect(response.status).toBe(400);
      expect(await reasonsFor(fixture, response.headers["x-correlation-id"] as string)).toContain("binding_invalid");
    });

    it("refuses base64 with data after the padding", async () => {
      const login = await startLogin(fixture);
      const xml = await idpResponse(fixture.keys, { requestId: login.upstreamRequestId, encryptFor: null });
      const response = await login.agent.post("/saml/acs").type("form").send({ SAMLResponse: `${encodePostMessage(xml)}=AAAA` });
      expect(response.status).toBe(400);
      expect(await reasonsFor(fixture, response.headers["x-correlation-id"] as string)).toContain("binding_invalid");
    });
  });
});
