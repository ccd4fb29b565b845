/**
 * Step 1 of the hop: every check on the fagsystem's AuthnRequest rejects.
 * Before the request is authenticated and its ACS known, the person gets a
 * page; afterwards the fagsystem gets a SAML error at its registered ACS.
 */
import { beforeAll, describe, expect, it } from "vitest";
import request from "supertest";
import { createBrokerFixture, logReasons, SP_ACS_URL, type BrokerFixture } from "./support/broker-fixture.js";
import { readSpAnswer, spAuthnRequestXml, spRedirectRequest, testId, upstreamRequestFrom } from "./support/saml-peers.js";
import { signEnveloped } from "../src/saml/sign.js";
import { samlInstant } from "../src/saml/saml-time.js";
import { encodePostMessage } from "../src/saml/post-binding.js";
import { STATUS } from "../src/saml/namespaces.js";

const MINUTE = 60_000;

function postRequestXml(fixture: BrokerFixture, sign: boolean, edit: (xml: string) => string = (x) => x): { xml: string; id: string } {
  const id = testId();
  const xml = spAuthnRequestXml(id);
  const signed = sign ? signEnveloped(xml, id, true, { key: fixture.keys.spSigning }) : xml;
  return { xml: edit(signed), id };
}

describe("the broker rejects a fagsystem's AuthnRequest when a check fails", () => {
  let fixture: BrokerFixture;
  beforeAll(async () => {
    fixture = await createBrokerFixture();
  });

  async function expectPage(path: string, status: number, reason: string): Promise<void> {
    const response = await request(fixture.app).get(path);
    expect(response.status).toBe(status);
    expect(response.text).toMatch(/correlation id/);
    expect(response.text).not.toMatch(/at .*\.ts:\d+/);
    expect(response.headers["location"]).toBeUndefined();
    const lines = fixture.logs.filter((l) => l.correlationId === response.headers["x-correlation-id"] && l.reason === reason);
    expect(lines.length, `log reason ${reason}; saw ${(await logReasons(fixture)).slice(-3).join(",")}`).toBeGreaterThan(0);
  }

  async function expectSamlError(path: string, reason: string): Promise<void> {
    const response = await request(fixture.app).get(path);
    expect(response.status).toBe(200);
    const answer = readSpAnswer(response.text);
    expect(answer.url).toBe(SP_ACS_URL);
    expect(answer.statusCode).toBe(STATUS.requester);
    expect(await logReasons(fixture)).toContain(reason);
  }

  it("accepts a correctly signed redirect request (control case)", async () => {
    const response = await request(fixture.app).get(spRedirectRequest(fixture.keys).path);
    expect(response.status).toBe(303);
  });

  it("rejects an Issuer that is not a registered fagsystem", async () => {
    await expectPage(spRedirectRequest(fixture.keys, { issuer: "https://unknown.example/sp" }).path, 400, "unknown_sp");
  });

  it("rejects an AssertionConsumerServiceURL that is not in the fagsystem's metadata (no open redirect)", async () => {
    await expectPage(spRedirectRequest(fixture.keys, { acsUrl: "https://evil.example/steal" }).path, 400, "acs_not_registered");
  });

  it("uses the metadata's default ACS when the request names none", async () => {
    const response = await request(fixture.app).get(spRedirectRequest(fixture.keys, { acsUrl: undefined }).path);
    expect(response.status).toBe(303);
  });

  it("rejects an unsigned request from a fagsystem that must sign", async () => {
    await expectPage(spRedirectRequest(fixture.keys, { signWith: null }).path, 400, "signature_missing");
  });

  it("rejects a request signed with a key that is not in the fagsystem's metadata", async () => {
    await expectPage(spRedirectRequest(fixture.keys, { signWith: fixture.keys.attacker }).path, 400, "signature_invalid");
  });

  it("rejects a redirect request whose RelayState was changed after signing", async () => {
    const { path } = spRedirectRequest(fixture.keys, { relayState: "original" });
    await expectPage(path.replace("RelayState=original", "RelayState=tampered"), 400, "signature_invalid");
  });

  it("rejects a redirect request with the signature's SigAlg removed", async () => {
    const { path } = spRedirectRequest(fixture.keys);
    await expectPage(path.replace(/&SigAlg=[^&]*/, ""), 400, "binding_invalid");
  });

  it("answers a request issued too long ago with a SAML error", async () => {
    await expectSamlError(spRedirectRequest(fixture.keys, { issueInstant: samlInstant(Date.now() - 30 * MINUTE) }).path, "request_too_old");
  });

  it("answers a request issued in the future beyond the skew with a SAML error", async () => {
    await expectSamlError(spRedirectRequest(fixture.keys, { issueInstant: samlInstant(Date.now() + 30 * MINUTE) }).path, "request_from_future");
  });

  it("answers a replayed request ID with a SAML error", async () => {
    const id = testId();
    expect((await request(fixture.app).get(spRedirectRequest(fixture.keys, { id }).path)).status).toBe(303);
    await expectSamlError(spRedirectRequest(fixture.keys, { id }).path, "request_replayed");
  });

  it("answers a Destination that is not this broker with a SAML error", async () => {
    await expectSamlError(spRedirectRequest(fixture.keys, { destination: "https://other-broker.example/sso" }).path, "destination_mismatch");
  });

  it("rejects an over-long RelayState", async () => {
    await expectPage(spRedirectRequest(fixture.keys, { relayState: "x".repeat(5000) }).path, 400, "relay_state_too_long");
  });

  it("rejects a DEFLATE bomb in SAMLRequest", async () => {
    const { deflateRawSync } = await import("node:zlib");
    const bomb = encodeURIComponent(deflateRawSync(Buffer.alloc(4 * 1024 * 1024, 0x41)).toString("base64"));
    await expectPage(`/saml/sso?SAMLRequest=${bomb}`, 413, "message_too_large");
  });

  it("accepts an HTTP-POST request with an enveloped signature", async () => {
    const { xml } = postRequestXml(fixture, true);
    const response = await request(fixture.app).post("/saml/sso?municipality=test-kommune").type("form").send({ SAMLRequest: encodePostMessage(xml), RelayState: "post-rs" });
    expect(response.status).toBe(303);
    expect(upstreamRequestFrom(response.headers["location"] as string).xml).toContain("<samlp:AuthnRequest");
  });

  it("rejects an HTTP-POST request changed after signing", async () => {
    const { xml } = postRequestXml(fixture, true, (x) => x.replace(`AssertionConsumerServiceURL="${SP_ACS_URL}"`, `AssertionConsumerServiceURL="${SP_ACS_URL}" ForceAuthn="true"`));
    const response = await request(fixture.app).post("/saml/sso?municipality=test-kommune").type("form").send({ SAMLRequest: encodePostMessage(xml) });
    expect(response.status).toBe(400);
    expect(await logReasons(fixture)).toContain("signature_invalid");
  });

  it("rejects an unsigned HTTP-POST request from a fagsystem that must sign", async () => {
    const { xml } = postRequestXml(fixture, false);
    const response = await request(fixture.app).post("/saml/sso?municipality=test-kommune").type("form").send({ SAMLRequest: encodePostMessage(xml) });
    expect(response.status).toBe(400);
    expect(await logReasons(fixture)).toContain("signature_missing");
  });

  it("accepts an unsigned request when the fagsystem's config and metadata allow it", async () => {
    const lax = await createBrokerFixture({ sp: { requireSignedRequests: false }, spMetadata: { authnRequestsSigned: false } });
    const response = await request(lax.app).get(spRedirectRequest(lax.keys, { signWith: null }).path);
    expect(response.status).toBe(303);
  });

  it("rejects a body that is too large before parsing it", async () => {
    const response = await request(fixture.app).post("/saml/sso").type("form").send({ SAMLRequest: "A".repeat(400 * 1024) });
    expect(response.status).toBe(413);
    expect(response.text).toMatch(/correlation id/);
  });
});
