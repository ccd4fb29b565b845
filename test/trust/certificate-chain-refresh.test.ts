/**
 * trust.chain at a metadata refresh: a party's fetched metadata whose signing
 * certificate does not chain to a configured root, or is revoked, is refused
 * like any bad document (the last good copy stays in force and on disk, the
 * refusal logged naming the party); one that chains and is not revoked is
 * taken.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBrokerFixture, IDP_ENTITY_ID, IDP_SSO_URL, type BrokerFixture } from "../support/broker-fixture.js";
import { createTestCa, type TestCa } from "../support/test-ca.js";
import { idpResponse } from "../support/saml-peers.js";
import { expectAccepted, tryAtAcs } from "../security/support/attack-kit.js";
import { idpMetadataXml } from "../../src/demo/demo-metadata.js";
import { BINDING } from "../../src/saml/namespaces.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { isSamlIdp } from "../../src/trust/registry.js";

/** One server for the test: the IdP's metadata at /metadata.xml, the CA's CRL at /ca.crl. */
async function peerServer(): Promise<{ base: string; metadata: string; crl: Buffer; close(): Promise<void> }> {
  const state = { base: "", metadata: "", crl: Buffer.alloc(0) as Buffer, close: () => Promise.resolve() };
  const server: Server = createServer((req, res) => {
    if (req.url === "/ca.crl") res.writeHead(200, { "content-type": "application/pkix-crl" }).end(state.crl);
    else res.writeHead(200, { "content-type": "application/samlmetadata+xml" }).end(state.metadata);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return state;
}

describe("trust.chain at a metadata refresh", () => {
  let ca: TestCa;
  let stranger: TestCa;
  let dir: string;
  const closers: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    ca = await createTestCa("Refresh Root");
    stranger = await createTestCa("Stranger Root");
    dir = mkdtempSync(join(tmpdir(), "broker-chain-refresh-"));
    writeFileSync(join(dir, "root.pem"), ca.certificatePem);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  const document = (signing: KeyMaterial) => idpMetadataXml({ entityId: IDP_ENTITY_ID, signing, ssoUrl: IDP_SSO_URL, bindings: [BINDING.redirect] });
  const signing = (fixture: BrokerFixture) => fixture.broker.registry.identityProviders().filter(isSamlIdp)[0]!.metadata.signingCertificates;

  it("keeps the last good copy when the fetched certificate does not chain or is revoked, and takes one that passes", async () => {
    const server = await peerServer();
    closers.push(server.close);
    const crlUrl = `${server.base}/ca.crl`;
    const first = await ca.issue("kommune signing 1", crlUrl);
    const revoked = await ca.issue("kommune signing 2", crlUrl);
    const unchained = await stranger.issue("kommune signing 3", crlUrl);
    const next = await ca.issue("kommune signing 4", crlUrl);
    server.crl = await ca.crl([revoked.serialNumber]);
    server.metadata = document(first);
    const backing = join(dir, "idp.xml");
    writeFileSync(backing, server.metadata);
    const fixture = await createBrokerFixture({
      config: { environment: "test", trust: { chain: { roots: [join(dir, "root.pem")] } } },
      idp: { metadata: backing, metadataUrl: `${server.base}/metadata.xml` },
      sp: { skipCertificateChain: true },
    });
    expect(signing(fixture)).toEqual([first.certificatePem]);
    const good = readFileSync(backing, "utf8");

    for (const [key, reason] of [
      [unchained, "chain_untrusted"],
      [revoked, "certificate_revoked"],
    ] as const) {
      server.metadata = document(key);
      expect(await fixture.broker.metadataRefresh!.refresh()).toBe(false);
      expect(signing(fixture)).toEqual([first.certificatePem]);
      expect(readFileSync(backing, "utf8")).toBe(good);
      await new Promise((resolve) => setImmediate(resolve));
      const line = fixture.logs.filter((l) => l["event"] === "metadata_refresh_failed").at(-1);
      expect(line).toMatchObject({ party: "test-kommune", outcome: "rejected", why: "chain" });
      expect(String(line!["detail"])).toMatch(new RegExp(`identityProviders\\[0\\] \\(test-kommune\\): no signing certificate .* passes the chain check .*\\(${reason}\\)`));
    }
    await expectAccepted(await tryAtAcs(fixture, (requestId, k) => idpResponse(k, { requestId, signAssertionWith: first })));

    server.metadata = document(next);
    expect(await fixture.broker.metadataRefresh!.refresh()).toBe(true);
    expect(signing(fixture)).toEqual([next.certificatePem]);
    await expectAccepted(await tryAtAcs(fixture, (requestId, k) => idpResponse(k, { requestId, signAssertionWith: next })));
  });
});
