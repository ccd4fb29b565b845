/**
 * Attack catalogue, class 27: the HTTP edge. ACS URLs not in the fagsystem's
 * metadata (open redirect), over-long RelayState, oversized bodies, wrong
 * content types, malformed base64, RelayState that would inject HTML, and a
 * Host header that would redirect the broker. (test/sso-rejections.test.ts
 * has the basic ACS URL, RelayState and body-size cases.)
 */
import { beforeAll, describe, expect, it } from "vitest";
import request from "supertest";
import { request as httpRequest } from "node:http";
import { createBrokerFixture, SP_ACS_URL, type BrokerFixture } from "../support/broker-fixture.js";
import { idpResponse, readSpAnswer, spRedirectRequest, startLogin } from "../support/saml-peers.js";
import { encodePostMessage } from "../../src/saml/post-binding.js";
import { STATUS } from "../../src/saml/namespaces.js";
import { serveBroker } from "../../src/serve.js";
import { reasonsFor } from "./support/attack-kit.js";

describe("HTTP edge", () => {
  let fixture: BrokerFixture;
  beforeAll(async () => {
    fixture = await createBrokerFixture();
  });

  async function expectPage(response: request.Response, status: number, reason: string): Promise<void> {
    expect(response.status).toBe(status);
    expect(response.headers["location"]).toBeUndefined();
    expect(response.text).toMatch(/correlation id/i);
    expect(response.text).not.toMatch(/at .*\.[jt]s:\d+/);
    expect(await reasonsFor(fixture, response.headers["x-correlation-id"] as string)).toContain(reason);
  }

  describe("ACS URLs outside the fagsystem's metadata (open redirect)", () => {
    const NEAR_MISSES = [
      `${SP_ACS_URL}/../steal`,
      `${SP_ACS_URL}?next=https://evil.example`,
      `${SP_ACS_URL}#frag`,
      SP_ACS_URL.replace("https://", "http://"),
      SP_ACS_URL.toUpperCase(),
      "https://fagsystem.test@evil.example/acs",
      "https://evil.example/acs",
      "javascript:alert(1)",
    ];
    for (const acsUrl of NEAR_MISSES) {
      it(`refuses AssertionConsumerServiceURL ${acsUrl}`, async () => {
        await expectPage(await request(fixture.app).get(spRedirectRequest(fixture.keys, { acsUrl }).path), 400, "acs_not_registered");
      });
    }

    it("answers errors only to the ACS in the metadata, never to one the request names", async () => {
      // A request the broker can authenticate but must refuse (from the future) is answered at the registered ACS.
      const { path } = spRedirectRequest(fixture.keys, { issueInstant: new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, "Z") });
      const answer = readSpAnswer((await request(fixture.app).get(path)).text);
      expect(answer.url).toBe(SP_ACS_URL);
      expect(answer.statusCode).toBe(STATUS.requester);
    });
  });

  describe("RelayState", () => {
    it("refuses an over-long RelayState in an HTTP-POST request", async () => {
      const response = await request(fixture.app).post("/saml/sso?municipality=test-kommune").type("form").send({ SAMLRequest: "PHg+", RelayState: "x".repeat(fixture.config.limits.relayStateBytes + 1) });
      await expectPage(response, 400, "relay_state_too_long");
    });

    it("returns markup in RelayState escaped, as the same text", async () => {
      const relayState = `"><script>alert(1)</script><input name="SAMLResponse" value="x`;
      const login = await startLogin(fixture, { relayState });
      const response = await login.agent.post("/saml/acs").type("form").send({ SAMLResponse: encodePostMessage(await idpResponse(fixture.keys, { requestId: login.upstreamRequestId })) });
      expect(response.status).toBe(200);
      expect(response.text).not.toContain("<script>alert(1)</script>");
      expect(response.text.match(/name="SAMLResponse"/g)).toHaveLength(1);
      expect(readSpAnswer(response.text).relayState).toBe(relayState);
      expect(response.headers["content-security-policy"]).toContain("script-src 'self'");
    });
  });

  describe("bodies and content types", () => {
    it("refuses an oversized ACS body before decoding it", async () => {
      const response = await request(fixture.app).post("/saml/acs").type("form").send({ SAMLResponse: "A".repeat(fixture.config.limits.bodyBytes + 1024) });
      await expectPage(response, 413, "entity.too.large");
    });

    it("refuses more form fields than a SAML binding needs", async () => {
      const fields = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}`, "x"]));
      const response = await request(fixture.app).post("/saml/acs").type("form").send(fields);
      expect(response.status).toBe(413);
      expect(response.text).toMatch(/correlation id/i);
    });

    const TYPES = ["application/json", "text/plain", "multipart/form-data; boundary=x", "application/xml", "text/xml"];
    for (const type of TYPES) {
      it(`refuses ${type} at the ACS and at the SSO endpoint`, async () => {
        for (const path of ["/saml/acs", "/saml/sso"]) {
          await expectPage(await request(fixture.app).post(path).set("Content-Type", type).send("SAMLResponse=PHg%2B"), 415, "wrong_content_type");
        }
      });
    }

    it("refuses a form body in a charset other than UTF-8", async () => {
      const response = await request(fixture.app).post("/saml/acs").set("Content-Type", "application/x-www-form-urlencoded; charset=utf-16").send("SAMLResponse=PHg%2B");
      expect(response.status).toBe(415);
      expect(response.text).toMatch(/correlation id/i);
    });

    it("refuses a body without a content type", async () => {
      await expectPage(await request(fixture.app).post("/saml/acs").send(Buffer.from("SAMLResponse=PHg%2B")), 415, "wrong_content_type");
    });
  });

  describe("malformed base64 and encodings", () => {
    const BAD: Array<[string, string]> = [
      ["base64url alphabet", encodePostMessage("<samlp:Response/>").replace(/\+/g, "-").replace(/\//g, "_") + "-_"],
      ["a length that cannot be base64", "PHg+P"],
      ["padding in the middle", "PH==g+"],
      ["non-ASCII characters", "PHg+æøå"],
      ["valid base64 of binary data", Buffer.from([0, 1, 2, 255, 254, 253]).toString("base64")],
      ["an empty value", ""],
    ];
    for (const [name, value] of BAD) {
      it(`refuses ${name} at the ACS`, async () => {
        await expectPage(await request(fixture.app).post("/saml/acs").type("form").send({ SAMLResponse: value }), 400, "binding_invalid");
      });
    }

    it("refuses broken percent-encoding in a redirect query", async () => {
      await expectPage(await request(fixture.app).get("/saml/sso?SAMLRequest=%E0%A4%A&RelayState=%ZZ"), 400, "binding_invalid");
    });

    it("refuses invalid UTF-8 inside the XML", async () => {
      const bytes = Buffer.concat([Buffer.from("<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"_x\">"), Buffer.from([0xc3, 0x28]), Buffer.from("</samlp:Response>")]);
      const response = await request(fixture.app).post("/saml/acs").type("form").send({ SAMLResponse: bytes.toString("base64") });
      expect(response.status).toBe(400);
      expect(response.text).toMatch(/correlation id/i);
    });
  });

  describe("the request's own address is never trusted", () => {
    it("builds every URL from configuration, whatever Host and X-Forwarded-* say", async () => {
      const response = await request(fixture.app)
        .get(spRedirectRequest(fixture.keys).path)
        .set("Host", "evil.example")
        .set("X-Forwarded-Host", "evil.example")
        .set("X-Forwarded-Proto", "http");
      expect(response.status).toBe(303);
      const location = new URL(response.headers["location"] as string);
      expect(location.host).toBe("idp.kommune.test");
      const sent = decodeURIComponent(location.search);
      expect(sent).not.toContain("evil.example");
    });

    it("answers an over-long URL with 431 from the server, not a crash", async () => {
      const running = await serveBroker(fixture.broker);
      try {
        const status = await new Promise<number>((resolve, reject) => {
          const req = httpRequest(`${running.url}/saml/sso?SAMLRequest=${"A".repeat(64 * 1024)}`, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on("error", reject);
          req.end();
        });
        expect(status).toBe(431);
      } finally {
        await running.stop();
      }
    });

    it("has no stack traces or framework banners in error pages", async () => {
      const response = await request(fixture.app).put("/saml/acs").send("x");
      expect(response.status).toBe(404);
      expect(response.headers["x-powered-by"]).toBeUndefined();
      expect(response.text).toMatch(/correlation id/i);
    });
  });
});
