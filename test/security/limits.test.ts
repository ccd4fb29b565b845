/**
 * Limits on everything from outside (README, "Limits"): each lives in config
 * with a safe default and a ceiling, and each is enforced before the input is
 * parsed. Where it matters, a test shows the order: a document that is too
 * deep and also broken further on is refused as too deep, so the depth was
 * checked before the parser saw the break.
 */
import { describe, expect, it } from "vitest";
import request from "supertest";
import { connect } from "node:net";
import { deflateRawSync } from "node:zlib";
import { createBrokerFixture } from "../support/broker-fixture.js";
import { defaultAttributes, idpResponse, spAuthnRequestXml, spRedirectRequest, startLogin, testId } from "../support/saml-peers.js";
import { validateConfig } from "../../src/config/load-config.js";
import { parseXml } from "../../src/xml/xml-parser.js";
import { encodePostMessage } from "../../src/saml/post-binding.js";
import { OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { serveBroker } from "../../src/serve.js";
import { expectRefused, postResponse, reasonsFor, tryAtAcs } from "./support/attack-kit.js";
import { BPP_NAMESPACES } from "../../src/profiles/bpp.js";

describe("limits", () => {
  it("has safe defaults for every limit", () => {
    expect(validateConfig({}).limits).toEqual({
      bodyBytes: 256 * 1024,
      inflatedBytes: 256 * 1024,
      xmlDepth: 32,
      xmlElements: 4000,
      relayStateBytes: 1024,
      attributes: 200,
      attributeValues: 1000,
      privilegeGroups: 500,
      privilegesPerGroup: 50,
      requestTimeoutSeconds: 30,
      headersTimeoutSeconds: 15,
    });
  });

  it("refuses a configuration that would lift a limit beyond its ceiling", () => {
    for (const limits of [{ bodyBytes: 1024 ** 3 }, { xmlDepth: 100_000 }, { relayStateBytes: 1_000_000 }, { requestTimeoutSeconds: 3600 }, { attributes: 0 }]) {
      expect(() => validateConfig({ limits })).toThrow(/limits\./);
    }
  });

  it("checks depth before parsing: too deep and broken afterwards is 'too deep'", () => {
    const limits = { maxBytes: 64 * 1024, maxDepth: 8, maxElements: 100 };
    expect(() => parseXml(`${"<a>".repeat(9)}<<<not xml`, limits)).toThrow(expect.objectContaining({ reason: "xml_too_deep" }));
    expect(() => parseXml(`<r>${"<a/>".repeat(101)}<<<not xml</r>`, limits)).toThrow(expect.objectContaining({ reason: "xml_too_many_elements" }));
    expect(() => parseXml(`<r>${"<a/>".repeat(10)}<<<not xml</r>`, limits)).toThrow(expect.objectContaining({ reason: "xml_malformed" }));
    // Markup inside comments, CDATA, processing instructions and attribute values is not counted.
    expect(parseXml(`<r a="x>y"><!--${"<a>".repeat(20)}--><![CDATA[${"<a>".repeat(20)}]]></r>`, limits).documentElement.localName).toBe("r");
  });

  it("enforces bodyBytes on the ACS form before decoding", async () => {
    const fixture = await createBrokerFixture({ config: { limits: { bodyBytes: 4096 } } });
    const login = await startLogin(fixture);
    const response = await login.agent.post("/saml/acs").type("form").send({ SAMLResponse: "A".repeat(8192) });
    expect(response.status).toBe(413);
    expect(await reasonsFor(fixture, response.headers["x-correlation-id"] as string)).toContain("entity.too.large");
  });

  it("enforces inflatedBytes on a redirect request", async () => {
    const fixture = await createBrokerFixture({ config: { limits: { inflatedBytes: 2048 } } });
    const big = spRedirectRequest(fixture.keys, { relayState: undefined, requestedClassRefs: Array.from({ length: 40 }, (_, i) => `urn:example:class:${i}`) });
    const response = await request(fixture.app).get(big.path);
    expect(response.status).toBe(413);
    expect(await reasonsFor(fixture, response.headers["x-correlation-id"] as string)).toContain("message_too_large");
  });

  it("enforces xmlDepth and xmlElements on an IdP Response", async () => {
    const deep = await createBrokerFixture({ config: { limits: { xmlDepth: 8 } } });
    await expectRefused(
      deep,
      await tryAtAcs(deep, (requestId, keys) => idpResponse(keys, { requestId, editResponse: (xml) => xml.replace("<saml:Issuer>", `${"<x:e xmlns:x=\"urn:x\">".repeat(8)}${"</x:e>".repeat(8)}<saml:Issuer>`) })),
      "xml_too_deep",
    );
    const wide = await createBrokerFixture({ config: { limits: { xmlElements: 60 } } });
    const extra = Array.from({ length: 20 }, (_, i) => ({ name: `urn:example:extra:${i}`, values: ["x"] }));
    await expectRefused(wide, await tryAtAcs(wide, (requestId, keys) => idpResponse(keys, { requestId, encryptFor: null, attributes: [...defaultAttributes(), ...extra] })), "xml_too_many_elements");
    // The same count inside an encrypted assertion is caught after decryption, by the same limit.
    await expectRefused(wide, await tryAtAcs(wide, (requestId, keys) => idpResponse(keys, { requestId, attributes: [...defaultAttributes(), ...extra] })), "decrypted_not_one_assertion");
  });

  it("enforces attributes and attributeValues per assertion", async () => {
    const few = await createBrokerFixture({ config: { limits: { attributes: 3 } } });
    await expectRefused(few, await tryAtAcs(few, (requestId, keys) => idpResponse(keys, { requestId })), "too_many_attributes");
    const values = await createBrokerFixture({ config: { limits: { attributeValues: 10 } } });
    const attributes = [...defaultAttributes(), { name: "urn:example:many", values: Array.from({ length: 11 }, (_, i) => `v${i}`) }];
    await expectRefused(values, await tryAtAcs(values, (requestId, keys) => idpResponse(keys, { requestId, attributes })), "too_many_attributes");
  });

  it("enforces relayStateBytes in bytes, on both bindings", async () => {
    const fixture = await createBrokerFixture({ config: { limits: { relayStateBytes: 100 } } });
    // 60 × "æ" is 120 bytes in UTF-8 though only 60 characters.
    const redirect = await request(fixture.app).get(spRedirectRequest(fixture.keys, { relayState: "æ".repeat(60) }).path);
    expect(redirect.status).toBe(400);
    expect(await reasonsFor(fixture, redirect.headers["x-correlation-id"] as string)).toContain("relay_state_too_long");
    const id = testId();
    const xml = spAuthnRequestXml(id);
    const post = await request(fixture.app).post("/saml/sso").type("form").send({ SAMLRequest: encodePostMessage(xml), RelayState: "x".repeat(101) });
    expect(post.status).toBe(400);
    expect(await reasonsFor(fixture, post.headers["x-correlation-id"] as string)).toContain("relay_state_too_long");
    expect((await request(fixture.app).get(spRedirectRequest(fixture.keys, { relayState: "æ".repeat(50) }).path)).status).toBe(303);
  });

  it("enforces privilegeGroups and privilegesPerGroup", async () => {
    const group = (privileges: number) =>
      `<bpp:PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846">${Array.from({ length: privileges }, (_, i) => `<bpp:Privilege>urn:example:p${i}</bpp:Privilege>`).join("")}</bpp:PrivilegeGroup>`;
    const list = (groups: string[]) => Buffer.from(`<bpp:PrivilegeList xmlns:bpp="${BPP_NAMESPACES.itst}">${groups.join("")}</bpp:PrivilegeList>`).toString("base64");
    const fixture = await createBrokerFixture({ config: { limits: { privilegeGroups: 5, privilegesPerGroup: 3 } } });
    const tooManyGroups = await tryAtAcs(fixture, (requestId, keys) => idpResponse(keys, { requestId, attributes: defaultAttributes({ [OIOSAML3.privilegesIntermediate]: list(Array.from({ length: 6 }, () => group(1))) }) }));
    await expectRefused(fixture, tooManyGroups, "privileges_malformed");
    // A group with too many privileges is dropped (and explained); the login itself goes on.
    const login = await startLogin(fixture);
    const bigGroup = await postResponse(login.agent, await idpResponse(fixture.keys, { requestId: login.upstreamRequestId, attributes: defaultAttributes({ [OIOSAML3.privilegesIntermediate]: list([group(4)]) }) }));
    expect(bigGroup.statusCode).toBe("urn:oasis:names:tc:SAML:2.0:status:Success");
    expect(fixture.logs.some((l) => l.correlationId === bigGroup.correlationId && l["event"] === "privilege_group_malformed")).toBe(true);
  });

  it("cuts off a client that sends its headers too slowly (headersTimeoutSeconds)", async () => {
    const fixture = await createBrokerFixture({ config: { host: "127.0.0.1", limits: { headersTimeoutSeconds: 1, requestTimeoutSeconds: 2 } } });
    const running = await serveBroker(fixture.broker);
    try {
      const port = Number(new URL(running.url).port);
      const started = Date.now();
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(port, "127.0.0.1", () => socket.write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
        let received = "";
        socket.on("data", (chunk) => (received += chunk.toString()));
        socket.on("close", () => resolve(received));
        socket.on("error", () => resolve(received));
        setTimeout(() => socket.destroy(), 8_000).unref();
      });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      await running.stop();
    }
  });

  it("refuses a redirect query whose SAMLRequest inflates within limits but whose XML is too deep", async () => {
    const fixture = await createBrokerFixture({ config: { limits: { xmlDepth: 8 } } });
    const xml = `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">${"<a>".repeat(10)}${"</a>".repeat(10)}</samlp:AuthnRequest>`;
    const response = await request(fixture.app).get(`/saml/sso?SAMLRequest=${encodeURIComponent(deflateRawSync(xml).toString("base64"))}`);
    expect(response.status).toBe(400);
    expect(await reasonsFor(fixture, response.headers["x-correlation-id"] as string)).toContain("xml_too_deep");
  });
});
