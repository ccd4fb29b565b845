/**
 * Signed aggregates: a federation's feed (md:EntitiesDescriptor) holding
 * several parties, signed by the federation, whose certificate the party's
 * config pins (metadataSigningCert). The party takes its own
 * EntityDescriptor by entityId, only after the whole feed's signature has
 * verified. A tampered feed is refused (at start, and at refresh keeping the
 * last good copy); so is a feed without the party, and an unsigned feed.
 * The feed's validUntil bounds the party's.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBrokerFixture, fixtureKeys, IDP_ENTITY_ID, IDP_SSO_URL, type BrokerFixture, type FixtureKeys } from "../support/broker-fixture.js";
import { testKey } from "../support/keys.js";
import { idpResponse } from "../support/saml-peers.js";
import { expectAccepted, expectRefused, tryAtAcs } from "../security/support/attack-kit.js";
import { idpMetadataXml } from "../../src/demo/demo-metadata.js";
import { signEnveloped } from "../../src/saml/sign.js";
import { BINDING } from "../../src/saml/namespaces.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { isSamlIdp } from "../../src/trust/registry.js";

const OTHER_ENTITY_ID = "https://idp.naboby.test/adfs";
const MD = "urn:oasis:names:tc:SAML:2.0:metadata";
const DS = "http://www.w3.org/2000/09/xmldsig#";

/** An EntityDescriptor whose namespaces are declared on the feed only, as federations publish them. */
function entity(entityId: string, signing: KeyMaterial): string {
  return idpMetadataXml({ entityId, signing, ssoUrl: IDP_SSO_URL, bindings: [BINDING.redirect] }).replace(` xmlns:ds="${DS}"`, "").replace(` xmlns:md="${MD}"`, "");
}

async function feedServer(): Promise<{ url: string; serve(body: string): void; close(): Promise<void> }> {
  let body = "";
  const server: Server = createServer((_req, res) => res.writeHead(200, { "content-type": "application/samlmetadata+xml" }).end(body));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/feed.xml`,
    serve: (next) => {
      body = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe("signed aggregates (md:EntitiesDescriptor)", () => {
  let keys: FixtureKeys;
  let federation: KeyMaterial;
  let neighbour: KeyMaterial;
  let rolled: KeyMaterial;
  let dir: string;
  let federationCert: string;
  const closers: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    keys = await fixtureKeys();
    federation = await testKey("federation-feed-signer");
    neighbour = await testKey("neighbour-idp");
    rolled = await testKey("idp-rolled-in-feed");
    dir = mkdtempSync(join(tmpdir(), "broker-aggregate-"));
    federationCert = join(dir, "federation.cert.pem");
    writeFileSync(federationCert, federation.certificatePem);
  });
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  function feed(entities: string[], options: { validUntil?: string; signer?: KeyMaterial | null } = {}): string {
    const until = options.validUntil ? ` validUntil="${options.validUntil}"` : "";
    const xml = `<md:EntitiesDescriptor xmlns:md="${MD}" xmlns:ds="${DS}" ID="_feed" Name="urn:test:federation"${until}>${entities.join("")}</md:EntitiesDescriptor>`;
    return options.signer === null ? xml : signEnveloped(xml, "_feed", false, { key: options.signer ?? federation });
  }

  let counter = 0;
  function file(content: string): string {
    counter += 1;
    const path = join(dir, `feed-${counter}.xml`);
    writeFileSync(path, content);
    return path;
  }

  const broker = (metadata: string, idp: Record<string, unknown> = {}) =>
    createBrokerFixture({ idp: { metadata, metadataSigningCert: federationCert, entityId: IDP_ENTITY_ID, ...idp } });
  const theIdp = (fixture: BrokerFixture) => fixture.broker.registry.identityProviders().filter(isSamlIdp)[0]!;
  const loginSignedBy = (fixture: BrokerFixture, key: KeyMaterial) => tryAtAcs(fixture, (requestId, k) => idpResponse(k, { requestId, signAssertionWith: key }));

  it("takes the party's EntityDescriptor from a good feed, bounded by the feed's validUntil", async () => {
    const validUntil = new Date(Date.now() + 7 * 86_400_000);
    validUntil.setMilliseconds(0);
    const fixture = await broker(file(feed([entity(OTHER_ENTITY_ID, neighbour), entity(IDP_ENTITY_ID, keys.idpSigning)], { validUntil: validUntil.toISOString() })));
    const idp = theIdp(fixture);
    expect(idp.metadata.entityId).toBe(IDP_ENTITY_ID);
    expect(idp.metadata.signingCertificates).toEqual([keys.idpSigning.certificatePem]);
    expect(idp.metadata.validUntil?.toISOString()).toBe(validUntil.toISOString());
    await expectAccepted(await loginSignedBy(fixture, keys.idpSigning));
    await expectRefused(fixture, await loginSignedBy(fixture, neighbour), "signature_invalid");
  });

  it("refuses a tampered feed at start, naming the party", async () => {
    const tampered = feed([entity(IDP_ENTITY_ID, keys.idpSigning)]).replace(IDP_SSO_URL, "https://evil.test/sso");
    await expect(broker(file(tampered))).rejects.toThrow(/identityProviders\[0\] \(test-kommune\): metadata .*feed-\d+\.xml: signature_invalid/);
  });

  it("refuses a feed signed by another key, and an unsigned feed", async () => {
    await expect(broker(file(feed([entity(IDP_ENTITY_ID, keys.idpSigning)], { signer: keys.attacker })))).rejects.toThrow(/signature_invalid/);
    await expect(broker(file(feed([entity(IDP_ENTITY_ID, keys.idpSigning)], { signer: null })))).rejects.toThrow(/metadata_signature_missing/);
    await expect(broker(file(feed([entity(IDP_ENTITY_ID, keys.idpSigning)], { signer: null })), { metadataSigningCert: undefined })).rejects.toThrow(/metadata_aggregate_unsigned/);
  });

  it("refuses a feed that does not hold the party", async () => {
    await expect(broker(file(feed([entity(OTHER_ENTITY_ID, neighbour)])))).rejects.toThrow(
      /identityProviders\[0\] \(test-kommune\): metadata .*: metadata_entity_missing: the aggregate holds no EntityDescriptor for https:\/\/idp\.kommune\.test\/adfs/,
    );
  });

  it("needs entityId to read a feed", async () => {
    await expect(broker(file(feed([entity(IDP_ENTITY_ID, keys.idpSigning)])), { entityId: undefined })).rejects.toThrow(/set entityId to the party's entityID/);
  });

  it("refuses an expired feed", async () => {
    await expect(broker(file(feed([entity(IDP_ENTITY_ID, keys.idpSigning)], { validUntil: new Date(Date.now() - 60_000).toISOString() })))).rejects.toThrow(/metadata_expired/);
  });

  it("at refresh: takes a changed feed, keeps the last good copy when the feed is tampered or no longer holds the party", async () => {
    const server = await feedServer();
    closers.push(server.close);
    const good = feed([entity(IDP_ENTITY_ID, keys.idpSigning), entity(OTHER_ENTITY_ID, neighbour)]);
    server.serve(good);
    const backing = file(good);
    const fixture = await broker(backing, { metadataUrl: server.url });

    server.serve(feed([entity(IDP_ENTITY_ID, keys.idpSigning)]).replace(IDP_SSO_URL, "https://evil.test/sso"));
    expect(await fixture.broker.metadataRefresh!.refresh()).toBe(false);
    expect(readFileSync(backing, "utf8")).toBe(good);
    await expectAccepted(await loginSignedBy(fixture, keys.idpSigning));

    server.serve(feed([entity(OTHER_ENTITY_ID, neighbour)]));
    expect(await fixture.broker.metadataRefresh!.refresh()).toBe(false);
    expect(readFileSync(backing, "utf8")).toBe(good);
    expect(theIdp(fixture).metadata.signingCertificates).toEqual([keys.idpSigning.certificatePem]);
    await new Promise((resolve) => setImmediate(resolve));
    const failures = fixture.logs.filter((l) => l["event"] === "metadata_refresh_failed");
    expect(failures.map((l) => l["outcome"])).toEqual(["rejected", "rejected"]);
    expect(String(failures[0]!["detail"])).toMatch(/signature_invalid/);
    expect(String(failures[1]!["detail"])).toMatch(/metadata_entity_missing/);

    const rolledFeed = feed([entity(IDP_ENTITY_ID, rolled), entity(OTHER_ENTITY_ID, neighbour)]);
    server.serve(rolledFeed);
    expect(await fixture.broker.metadataRefresh!.refresh()).toBe(true);
    expect(readFileSync(backing, "utf8")).toBe(rolledFeed);
    await expectAccepted(await loginSignedBy(fixture, rolled));
  });
});
