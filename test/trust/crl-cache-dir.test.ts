/**
 * The CRL cache across restarts and against replays. With crl.cacheDir, a
 * broker restarted while the CRL server is down uses the CRL kept by the
 * last run until its nextUpdate (fail-closed then still starts, and a
 * revocation in the kept CRL still counts); an older CRL served after a
 * newer one (a replay that would un-revoke a certificate) is not taken.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBrokerFixture, IDP_ENTITY_ID, IDP_SSO_URL, type BrokerFixture } from "../support/broker-fixture.js";
import { createTestCa, type TestCa } from "../support/test-ca.js";
import { idpMetadataXml } from "../../src/demo/demo-metadata.js";
import { BINDING } from "../../src/saml/namespaces.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { isSamlIdp } from "../../src/trust/registry.js";

async function crlServer(): Promise<{ url: string; crl: Buffer; failing: boolean; close(): Promise<void> }> {
  const state = { url: "", crl: Buffer.alloc(0) as Buffer, failing: false, close: () => Promise.resolve() };
  const server: Server = createServer((_req, res) => {
    if (state.failing) return void res.writeHead(503).end();
    res.writeHead(200, { "content-type": "application/pkix-crl" }).end(state.crl);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ca.crl`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return state;
}

describe("the CRL cache", () => {
  let ca: TestCa;
  let dir: string;
  const closers: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    ca = await createTestCa("Cache Root");
    dir = mkdtempSync(join(tmpdir(), "broker-crl-cache-"));
    writeFileSync(join(dir, "root.pem"), ca.certificatePem);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  let counter = 0;
  function broker(cacheDir: string | undefined, now: () => number, ...signing: KeyMaterial[]): Promise<BrokerFixture> {
    counter += 1;
    const metadata = join(dir, `idp-${counter}.xml`);
    let xml = idpMetadataXml({ entityId: IDP_ENTITY_ID, signing: signing[0]!, ssoUrl: IDP_SSO_URL, bindings: [BINDING.redirect] });
    for (const key of signing.slice(1)) {
      const descriptor = /<md:KeyDescriptor[\s\S]*?<\/md:KeyDescriptor>/.exec(idpMetadataXml({ entityId: IDP_ENTITY_ID, signing: key, ssoUrl: IDP_SSO_URL }))![0];
      xml = xml.replace(/(<md:KeyDescriptor[\s\S]*?<\/md:KeyDescriptor>)/, `$1${descriptor}`);
    }
    writeFileSync(metadata, xml);
    return createBrokerFixture({
      now,
      config: { environment: "test", trust: { chain: { roots: [join(dir, "root.pem")], crl: { mode: "fail-closed", ...(cacheDir ? { cacheDir } : {}) } } } },
      idp: { metadata },
      sp: { skipCertificateChain: true },
    });
  }
  const signing = (fixture: BrokerFixture) => fixture.broker.registry.identityProviders().filter(isSamlIdp)[0]!.metadata.signingCertificates;

  it("a restart during a CRL outage uses the CRL kept in crl.cacheDir; without it, fail-closed refuses", async () => {
    const server = await crlServer();
    closers.push(server.close);
    const good = await ca.issue("kommune signing", server.url);
    const revoked = await ca.issue("kommune revoked signing", server.url);
    server.crl = await ca.crl([revoked.serialNumber]);
    const cacheDir = join(dir, "crl-cache");
    const first = await broker(cacheDir, Date.now, good, revoked);
    expect(signing(first)).toEqual([good.certificatePem]);
    expect(readdirSync(cacheDir).filter((name) => name.endsWith(".crl"))).toHaveLength(1);

    server.failing = true;
    const restarted = await broker(cacheDir, Date.now, good, revoked);
    expect(signing(restarted)).toEqual([good.certificatePem]);
    await new Promise((resolve) => setImmediate(resolve));
    const accepted = restarted.logs.find((l) => l["event"] === "trust_certificate_chain" && l["outcome"] === "accepted");
    expect(accepted).toMatchObject({ reason: "crl_good", detail: expect.stringMatching(/from crl\.cacheDir \(http_status: HTTP 503\)/) });
    expect(restarted.logs).toContainEqual(expect.objectContaining({ event: "trust_certificate_chain", outcome: "refused", reason: "certificate_revoked" }));

    await expect(broker(undefined, Date.now, good)).rejects.toThrow(/crl_unavailable\): CRL .*: http_status: HTTP 503/);
    // Past the kept CRL's nextUpdate it is no longer used.
    await expect(broker(cacheDir, () => Date.now() + 2 * 86_400_000, good)).rejects.toThrow(/crl_unavailable/);
  });

  it("does not take an older CRL after a newer one (a replay cannot un-revoke)", async () => {
    let clock = Date.now();
    const server = await crlServer();
    closers.push(server.close);
    const good = await ca.issue("kommune signing", server.url);
    const revoked = await ca.issue("kommune revoked signing", server.url);
    const before = await ca.crl([], { now: clock - 3_600_000 });
    server.crl = await ca.crl([revoked.serialNumber], { now: clock });
    const fixture = await broker(undefined, () => clock, good, revoked);
    expect(signing(fixture)).toEqual([good.certificatePem]);
    server.crl = before;
    clock += 3_700_000;
    expect(await fixture.broker.certificateRecheck!.refresh()).toBe(false);
    expect(signing(fixture)).toEqual([good.certificatePem]);
  });
});
