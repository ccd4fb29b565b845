/**
 * Metadata validUntil holds while the broker runs, not only at start: on a
 * fake clock, a party whose metadata has expired since start is refused at
 * login with an error naming it (sending a person to it, finishing a login
 * begun before it expired, answering a fagsystem), and the other parties go
 * on working.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { fixtureKeys, IDP_ENTITY_ID, IDP_SSO_URL, SP_ACS_URL, SP_ENTITY_ID, createBrokerFixture, type BrokerFixture, type FixtureKeys } from "../support/broker-fixture.js";
import { defaultAttributes, idpResponse, readSpAnswer, spRedirectRequest, startLogin } from "../support/saml-peers.js";
import { createTwoMunicipalityFixture, expectAccepted, expectRefused, OTHER_IDP, postResponse, reasonsFor } from "../security/support/attack-kit.js";
import { idpMetadataXml, spMetadataXml } from "../../src/demo/demo-metadata.js";
import { MemoryStore } from "../../src/store/memory-store.js";
import { samlInstant } from "../../src/saml/saml-time.js";
import { BINDING, STATUS } from "../../src/saml/namespaces.js";
import { OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";

const HOUR = 3_600_000;
const START = Math.floor(Date.now() / 1000) * 1000;
const VALID_UNTIL = new Date(START + HOUR).toISOString();

describe("metadata validUntil at use", () => {
  let keys: FixtureKeys;
  let dir: string;
  beforeAll(async () => {
    keys = await fixtureKeys();
    dir = mkdtempSync(join(tmpdir(), "broker-md-expiry-"));
  });

  const withValidUntil = (xml: string) => xml.replace("<md:EntityDescriptor ", `<md:EntityDescriptor validUntil="${VALID_UNTIL}" `);
  function file(name: string, xml: string): string {
    const path = join(dir, name);
    writeFileSync(path, xml);
    return path;
  }

  /** A broker on a clock the test moves; Test Kommune's metadata is valid for one hour from start, Anden Kommune's without end. */
  async function world(): Promise<{ fixture: BrokerFixture; otherIdpKey: KeyMaterial; clock: { at: number } }> {
    const clock = { at: START };
    const expiring = file("idp-expiring.xml", withValidUntil(idpMetadataXml({ entityId: IDP_ENTITY_ID, signing: keys.idpSigning, ssoUrl: IDP_SSO_URL, bindings: [BINDING.redirect] })));
    const { fixture, otherIdpKey } = await createTwoMunicipalityFixture({
      idp: { metadata: expiring },
      config: { secureCookies: "never" },
      now: () => clock.at,
      store: new MemoryStore({ now: () => clock.at }),
    });
    return { fixture, otherIdpKey, clock };
  }

  const start = (fixture: BrokerFixture, at: number, municipality: string) => startLogin(fixture, { issueInstant: samlInstant(at) }, `municipality=${municipality}`);

  async function expiryLogged(fixture: BrokerFixture, correlationId: string, party: RegExp): Promise<void> {
    expect(await reasonsFor(fixture, correlationId)).toContain("metadata_expired");
    const line = fixture.logs.find((l) => l.correlationId === correlationId && l.reason === "metadata_expired");
    expect(String(line?.["detail"])).toMatch(party);
  }

  it("logs in through the IdP while its metadata is valid (control)", async () => {
    const { fixture, clock } = await world();
    clock.at = START + HOUR - 60_000;
    const login = await start(fixture, clock.at, "test-kommune");
    await expectAccepted(await postResponse(login.agent, await idpResponse(fixture.keys, { requestId: login.upstreamRequestId, now: clock.at })));
  });

  it("refuses to send a person to an IdP whose metadata has expired since start, naming it, while the other IdP keeps working", async () => {
    const { fixture, otherIdpKey, clock } = await world();
    clock.at = START + 2 * HOUR;

    const { path } = spRedirectRequest(fixture.keys, { issueInstant: samlInstant(clock.at) }, "municipality=test-kommune");
    const refused = await request(fixture.app).get(path);
    expect(refused.status).toBe(200);
    expect(refused.text).toContain("registrering er udløbet");
    const answer = readSpAnswer(refused.text);
    expect(answer.statusCode).not.toBe(STATUS.success);
    expect(answer.xml).not.toContain("Assertion");
    await expiryLogged(fixture, refused.headers["x-correlation-id"] as string, /^municipal-idp test-kommune \(https:\/\/idp\.kommune\.test\/adfs\): its metadata expired at .* \(validUntil\)/);

    const other = await start(fixture, clock.at, OTHER_IDP.id);
    const xml = await idpResponse(fixture.keys, {
      requestId: other.upstreamRequestId,
      now: clock.at,
      issuer: OTHER_IDP.entityId,
      responseIssuer: OTHER_IDP.entityId,
      signAssertionWith: otherIdpKey,
      attributes: defaultAttributes({ [OIOSAML3.cvr]: OTHER_IDP.cvr }),
    });
    await expectAccepted(await postResponse(other.agent, xml));
  });

  it("refuses the answer to a login begun before the IdP's metadata expired and finished after", async () => {
    const { fixture, clock } = await world();
    clock.at = START + HOUR - 60_000;
    const login = await start(fixture, clock.at, "test-kommune");
    clock.at = START + HOUR;
    const outcome = await postResponse(login.agent, await idpResponse(fixture.keys, { requestId: login.upstreamRequestId, now: clock.at }));
    await expectRefused(fixture, outcome, "metadata_expired");
    await expiryLogged(fixture, outcome.correlationId, /^municipal-idp test-kommune .*its metadata expired/);
  });

  it("does not reuse an SSO session proved by an IdP whose metadata has since expired", async () => {
    const { fixture, clock } = await world();
    clock.at = START + HOUR - 60_000;
    const login = await start(fixture, clock.at, "test-kommune");
    await expectAccepted(await postResponse(login.agent, await idpResponse(fixture.keys, { requestId: login.upstreamRequestId, now: clock.at })));
    clock.at = START + HOUR + 1000;
    const again = await login.agent.get(spRedirectRequest(fixture.keys, { issueInstant: samlInstant(clock.at) }, "").path);
    expect(again.status).toBe(200);
    expect(readSpAnswer(again.text).statusCode).not.toBe(STATUS.success);
    const correlationId = again.headers["x-correlation-id"] as string;
    expect(fixture.logs.some((l) => l.correlationId === correlationId && l["event"] === "sso_declined" && l.reason === "metadata_expired")).toBe(true);
    await expiryLogged(fixture, correlationId, /^municipal-idp test-kommune .*its metadata expired/);
  });

  describe("a fagsystem's metadata", () => {
    async function spWorld(): Promise<{ fixture: BrokerFixture; clock: { at: number } }> {
      const clock = { at: START };
      const sp = file("sp-expiring.xml", withValidUntil(spMetadataXml({ entityId: SP_ENTITY_ID, signing: keys.spSigning, encryption: keys.spEncryption, acsUrls: [SP_ACS_URL] })));
      const fixture = await createBrokerFixture({ sp: { metadata: sp }, now: () => clock.at, store: new MemoryStore({ now: () => clock.at }) });
      return { fixture, clock };
    }

    it("refuses an AuthnRequest from a fagsystem whose metadata has expired since start, naming it", async () => {
      const { fixture, clock } = await spWorld();
      clock.at = START + 2 * HOUR;
      const { path } = spRedirectRequest(fixture.keys, { issueInstant: samlInstant(clock.at) });
      const response = await request(fixture.app).get(path);
      expect(response.status).toBe(400);
      expect(response.text).toContain("metadata_expired");
      await expiryLogged(fixture, response.headers["x-correlation-id"] as string, /^fagsystem test-fagsystem \(https:\/\/fagsystem\.test\/sp\): its metadata expired/);
    });

    it("mints no assertion for a fagsystem whose metadata expired while the person was at the IdP", async () => {
      const { fixture, clock } = await spWorld();
      clock.at = START + HOUR - 60_000;
      const login = await start(fixture, clock.at, "test-kommune");
      clock.at = START + HOUR + 1000;
      const outcome = await postResponse(login.agent, await idpResponse(fixture.keys, { requestId: login.upstreamRequestId, now: clock.at }));
      await expectRefused(fixture, outcome, "metadata_expired");
      await expiryLogged(fixture, outcome.correlationId, /^fagsystem test-fagsystem .*its metadata expired/);
    });
  });
});
