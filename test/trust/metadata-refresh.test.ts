/**
 * Metadata from a URL, served by a local HTTP server in the test: fetched at
 * start, refreshed on demand (the schedule calls the same refresh), with
 * ETag/If-None-Match. A changed document (a rolled signing key) is put in
 * force and written to the backing file; 304 changes nothing; a server that
 * is down, a document with a bad signature, an expired, a malformed or an
 * oversized one keeps the last good copy in force and on disk, and is logged
 * naming the party, the source and why.
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
import request from "supertest";
import { idpMetadataXml } from "../../src/demo/demo-metadata.js";
import { validateConfig } from "../../src/config/load-config.js";
import { signEnveloped } from "../../src/saml/sign.js";
import { BINDING } from "../../src/saml/namespaces.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { isSamlIdp } from "../../src/trust/registry.js";

interface MetadataServer {
  url: string;
  /** What GET answers: the document and its ETag. */
  serve(body: string, etag: string): void;
  /** The If-None-Match header of each request, in order. */
  requests: Array<string | undefined>;
  close(): Promise<void>;
}

async function metadataServer(): Promise<MetadataServer> {
  let current = { body: "", etag: "" };
  const requests: Array<string | undefined> = [];
  const server: Server = createServer((req, res) => {
    const ifNoneMatch = req.headers["if-none-match"];
    requests.push(ifNoneMatch);
    if (ifNoneMatch === current.etag) {
      res.writeHead(304, { etag: current.etag }).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/samlmetadata+xml", etag: current.etag }).end(current.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  let closed = false;
  return {
    url: `http://127.0.0.1:${port}/metadata/idp.xml`,
    serve: (body, etag) => {
      current = { body, etag };
    },
    requests,
    close: () => {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

describe("metadata from a URL", () => {
  let keys: FixtureKeys;
  let federation: KeyMaterial;
  let rolled: KeyMaterial;
  let dir: string;
  let federationCert: string;
  const servers: MetadataServer[] = [];
  beforeAll(async () => {
    keys = await fixtureKeys();
    federation = await testKey("federation-metadata-signer");
    rolled = await testKey("idp-rolled-signing");
    dir = mkdtempSync(join(tmpdir(), "broker-md-refresh-"));
    federationCert = join(dir, "federation.cert.pem");
    writeFileSync(federationCert, federation.certificatePem);
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  /** The IdP's metadata naming `signing` as its key, signed by the federation (or `signer`). */
  function document(signing: KeyMaterial, options: { validUntil?: string; signer?: KeyMaterial; cacheDuration?: string } = {}): string {
    const xml = idpMetadataXml({ entityId: IDP_ENTITY_ID, signing, ssoUrl: IDP_SSO_URL, bindings: [BINDING.redirect] }).replace(
      "<md:EntityDescriptor ",
      `<md:EntityDescriptor ID="_md"${options.validUntil ? ` validUntil="${options.validUntil}"` : ""}${options.cacheDuration ? ` cacheDuration="${options.cacheDuration}"` : ""} `,
    );
    return signEnveloped(xml, "_md", false, { key: options.signer ?? federation });
  }

  let counter = 0;
  /** A broker whose IdP's backing file holds `backing` and whose metadataUrl serves `served`. */
  async function world(backing: string, served: string | null): Promise<{ fixture: BrokerFixture; server: MetadataServer; file: string }> {
    const server = await metadataServer();
    servers.push(server);
    if (served === null) await server.close();
    else server.serve(served, '"v1"');
    counter += 1;
    const file = join(dir, `idp-${counter}.xml`);
    writeFileSync(file, backing);
    const fixture = await createBrokerFixture({ idp: { metadata: file, metadataUrl: server.url, metadataSigningCert: federationCert } });
    return { fixture, server, file };
  }

  const signingCertificates = (fixture: BrokerFixture) => fixture.broker.registry.identityProviders().filter(isSamlIdp).find((idp) => idp.id === "test-kommune")!.metadata.signingCertificates;
  const loginSignedBy = (fixture: BrokerFixture, key: KeyMaterial) => tryAtAcs(fixture, (requestId, k) => idpResponse(k, { requestId, signAssertionWith: key }));

  async function refreshFailure(fixture: BrokerFixture): Promise<Record<string, unknown>> {
    await new Promise((resolve) => setImmediate(resolve));
    const line = fixture.logs.find((l) => l["event"] === "metadata_refresh_failed");
    expect(line, "a metadata_refresh_failed log line").toBeDefined();
    return line!;
  }

  it("fetches at start and writes the fetched document to the backing file", async () => {
    const served = document(rolled);
    const { fixture, file } = await world(document(keys.idpSigning), served);
    expect(signingCertificates(fixture)).toEqual([rolled.certificatePem]);
    expect(readFileSync(file, "utf8")).toBe(served);
    await expectAccepted(await loginSignedBy(fixture, rolled));
  });

  it("fetches again sooner when the document's cacheDuration or validUntil asks for it, never more often than once a minute", async () => {
    const plain = await world(document(keys.idpSigning), document(rolled));
    expect(plain.fixture.broker.metadataRefresh!.nextIntervalMs!()).toBe(3_600_000);
    const cached = await world(document(keys.idpSigning), document(rolled, { cacheDuration: "PT10M" }));
    expect(cached.fixture.broker.metadataRefresh!.nextIntervalMs!()).toBe(600_000);
    const expiring = await world(document(keys.idpSigning), document(rolled, { validUntil: new Date(Date.now() + 40 * 60_000).toISOString() }));
    expect(expiring.fixture.broker.metadataRefresh!.nextIntervalMs!()).toBeGreaterThan(19 * 60_000);
    expect(expiring.fixture.broker.metadataRefresh!.nextIntervalMs!()).toBeLessThanOrEqual(20 * 60_000);
    const eager = await world(document(keys.idpSigning), document(rolled, { cacheDuration: "PT5S" }));
    expect(eager.fixture.broker.metadataRefresh!.nextIntervalMs!()).toBe(60_000);
  });

  it("starts from the backing file when the URL is down", async () => {
    const { fixture, server } = await world(document(keys.idpSigning), null);
    expect(signingCertificates(fixture)).toEqual([keys.idpSigning.certificatePem]);
    const line = await refreshFailure(fixture);
    expect(line).toMatchObject({ party: "test-kommune", source: server.url, outcome: "fetch_failed", why: "unreachable" });
  });

  it("takes a changed document at the next refresh: the rolled key verifies, the old one no longer does", async () => {
    const { fixture, server, file } = await world(document(keys.idpSigning), document(keys.idpSigning));
    await expectAccepted(await loginSignedBy(fixture, keys.idpSigning));
    const changed = document(rolled);
    server.serve(changed, '"v2"');
    expect(await fixture.broker.metadataRefresh!.refresh()).toBe(true);
    expect(server.requests.at(-1)).toBe('"v1"');
    expect(signingCertificates(fixture)).toEqual([rolled.certificatePem]);
    expect(readFileSync(file, "utf8")).toBe(changed);
    await expectAccepted(await loginSignedBy(fixture, rolled));
    await expectRefused(fixture, await loginSignedBy(fixture, keys.idpSigning), "signature_invalid");
  });

  it("asks with If-None-Match and changes nothing on 304", async () => {
    const { fixture, server } = await world(document(keys.idpSigning), document(keys.idpSigning));
    const before = fixture.broker.registry;
    expect(await fixture.broker.metadataRefresh!.refresh()).toBe(false);
    expect(server.requests).toEqual([undefined, '"v1"']);
    expect(fixture.broker.registry).toBe(before);
    expect(fixture.logs.some((l) => l["event"] === "metadata_refresh_failed")).toBe(false);
    expect((await request(fixture.app).get("/metrics")).text).toMatch(/^broker_metadata_refresh_total\{party="test-kommune",outcome="unchanged"\} [1-9]/m);
  });

  it("bounds the refresh interval and takes only http(s) URLs", () => {
    const idp = { id: "k", displayName: "K", metadata: "k.xml", cvrs: ["29189846"] };
    expect(() => validateConfig({ trust: { metadataRefresh: { intervalSeconds: 30 } } })).toThrow(/trust\.metadataRefresh\.intervalSeconds/);
    expect(() => validateConfig({ trust: { metadataRefresh: { intervalSeconds: 7 * 86_400 } } })).toThrow(/trust\.metadataRefresh\.intervalSeconds/);
    expect(() => validateConfig({ identityProviders: [{ ...idp, metadataUrl: "file:///etc/passwd" }] })).toThrow(/metadataUrl is an http or https URL/);
    expect(validateConfig({ identityProviders: [{ ...idp, metadataUrl: "https://idp.example.dk/metadata" }] }).trust.metadataRefresh).toEqual({ intervalSeconds: 3600, timeoutSeconds: 10 });
  });

  describe("keeps the last good copy", () => {
    async function refused(served: (server: MetadataServer) => Promise<void> | void): Promise<{ fixture: BrokerFixture; line: Record<string, unknown>; server: MetadataServer }> {
      const good = document(keys.idpSigning);
      const { fixture, server, file } = await world(good, good);
      await served(server);
      expect(await fixture.broker.metadataRefresh!.refresh()).toBe(false);
      expect(signingCertificates(fixture)).toEqual([keys.idpSigning.certificatePem]);
      expect(readFileSync(file, "utf8")).toBe(good);
      await expectAccepted(await loginSignedBy(fixture, keys.idpSigning));
      const line = await refreshFailure(fixture);
      expect(line).toMatchObject({ party: "test-kommune", source: server.url, keeping: file });
      return { fixture, line, server };
    }

    it("when the server is down", async () => {
      const { line } = await refused((server) => server.close());
      expect(line).toMatchObject({ outcome: "fetch_failed", why: "unreachable" });
    });

    it("when the document's signature does not verify with the pinned certificate", async () => {
      const { line } = await refused((server) => server.serve(document(rolled, { signer: keys.attacker }), '"v2"'));
      expect(line).toMatchObject({ outcome: "rejected", why: "invalid" });
      expect(String(line["detail"])).toMatch(/identityProviders\[0\] \(test-kommune\): .*signature_invalid/);
    });

    it("when the document has expired", async () => {
      const { line } = await refused((server) => server.serve(document(rolled, { validUntil: new Date(Date.now() - 60_000).toISOString() }), '"v2"'));
      expect(line).toMatchObject({ outcome: "rejected", why: "invalid" });
      expect(String(line["detail"])).toMatch(/metadata_expired/);
    });

    it("when the document is malformed", async () => {
      const { line } = await refused((server) => server.serve("<md:EntityDescriptor", '"v2"'));
      expect(line).toMatchObject({ outcome: "rejected", why: "invalid" });
    });

    it("when the document is larger than the metadata limit", async () => {
      const { line } = await refused((server) => server.serve(`<x>${"a".repeat(2 * 1024 * 1024)}</x>`, '"v2"'));
      expect(line).toMatchObject({ outcome: "fetch_failed", why: "too_large" });
    });
  });
});
