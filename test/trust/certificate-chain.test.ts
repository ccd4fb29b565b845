/**
 * Chain validation and revocation (trust.chain): a CA made in the test issues
 * the municipal IdP's signing certificate, naming a CRL distribution point
 * on a local HTTP server; the CA revokes certificates by publishing a new
 * CRL there. A certificate that chains to a configured root and is not
 * revoked is used; one from an unknown root, or revoked, is refused at load
 * naming the party; a CRL that cannot be had refuses (fail-closed) or keeps
 * the certificate with a logged reason (fail-open). Each decision is logged
 * and counted.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { createBrokerFixture, IDP_ENTITY_ID, IDP_SSO_URL, type BrokerFixture } from "../support/broker-fixture.js";
import { createTestCa, type IssuedCertificate, type TestCa } from "../support/test-ca.js";
import { idpResponse, startLogin } from "../support/saml-peers.js";
import { expectAccepted, expectRefused, postResponse, tryAtAcs } from "../security/support/attack-kit.js";
import { idpMetadataXml } from "../../src/demo/demo-metadata.js";
import { validateConfig } from "../../src/config/load-config.js";
import { isSamlIdp } from "../../src/trust/registry.js";
import { BINDING } from "../../src/saml/namespaces.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";

interface CrlServer {
  url: string;
  publish(der: Buffer): void;
  /** Answer 503 (on) or the CRL (off). */
  failing: boolean;
  hits: number;
  close(): Promise<void>;
}

async function crlServer(): Promise<CrlServer> {
  let body: Buffer = Buffer.alloc(0);
  const server: Server = createServer((_req, res) => {
    state.hits += 1;
    if (state.failing) return void res.writeHead(503).end();
    res.writeHead(200, { "content-type": "application/pkix-crl" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  let closed = false;
  const state: CrlServer = {
    url: `http://127.0.0.1:${port}/ca.crl`,
    publish: (der) => {
      body = der;
    },
    failing: false,
    hits: 0,
    close: () => {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return state;
}

const keyDescriptorOf = (xml: string) => /<md:KeyDescriptor[\s\S]*?<\/md:KeyDescriptor>/.exec(xml)![0];

describe("certificate chain and revocation", () => {
  let ca: TestCa;
  let otherCa: TestCa;
  let dir: string;
  let rootFile: string;
  const servers: CrlServer[] = [];
  beforeAll(async () => {
    ca = await createTestCa("Test OCES3 Root");
    otherCa = await createTestCa("Unknown Root");
    dir = mkdtempSync(join(tmpdir(), "broker-chain-"));
    rootFile = join(dir, "roots.pem");
    writeFileSync(rootFile, ca.certificatePem);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function server(): Promise<CrlServer> {
    const s = await crlServer();
    servers.push(s);
    return s;
  }

  let counter = 0;
  function metadataFile(...signing: KeyMaterial[]): string {
    const [first, ...more] = signing;
    let xml = idpMetadataXml({ entityId: IDP_ENTITY_ID, signing: first!, ssoUrl: IDP_SSO_URL, bindings: [BINDING.redirect] });
    for (const key of more) xml = xml.replace(/(<md:KeyDescriptor[\s\S]*?<\/md:KeyDescriptor>)/, `$1${keyDescriptorOf(idpMetadataXml({ entityId: IDP_ENTITY_ID, signing: key, ssoUrl: IDP_SSO_URL }))}`);
    counter += 1;
    const path = join(dir, `idp-${counter}.xml`);
    writeFileSync(path, xml);
    return path;
  }

  /** A broker (test environment) whose IdP publishes these signing certificates; the fagsystem's self-signed one is exempt. */
  function broker(mode: "fail-closed" | "fail-open" | "off", ...signing: KeyMaterial[]): Promise<BrokerFixture> {
    return brokerAt(undefined, mode, ...signing);
  }

  function brokerAt(now: (() => number) | undefined, mode: "fail-closed" | "fail-open" | "off", ...signing: KeyMaterial[]): Promise<BrokerFixture> {
    return createBrokerFixture({
      now,
      config: { environment: "test", trust: { chain: { roots: [rootFile], crl: { mode, timeoutSeconds: 2 } } } },
      idp: { metadata: metadataFile(...signing) },
      sp: { skipCertificateChain: true },
    });
  }

  const signingCertificates = (fixture: BrokerFixture) => fixture.broker.registry.identityProviders().filter(isSamlIdp)[0]!.metadata.signingCertificates;
  const loginSignedBy = (fixture: BrokerFixture, key: KeyMaterial) => tryAtAcs(fixture, (requestId, k) => idpResponse(k, { requestId, signAssertionWith: key }));
  async function chainLines(fixture: BrokerFixture): Promise<Array<Record<string, unknown>>> {
    await new Promise((resolve) => setImmediate(resolve));
    return fixture.logs.filter((line) => line["event"] === "trust_certificate_chain" && line["party"] === "test-kommune");
  }

  it("uses a certificate that chains to a configured root and is not on the CRL", async () => {
    const crl = await server();
    const issued = await ca.issue("kommune signing", crl.url);
    crl.publish(await ca.crl([]));
    const fixture = await broker("fail-closed", issued);
    expect(signingCertificates(fixture)).toEqual([issued.certificatePem]);
    expect(crl.hits).toBe(1);
    await expectAccepted(await loginSignedBy(fixture, issued));
    expect(await chainLines(fixture)).toContainEqual(expect.objectContaining({ outcome: "accepted", reason: "crl_good", mode: "fail-closed" }));
    const metrics = (await request(fixture.app).get("/metrics")).text;
    expect(metrics).toMatch(/broker_certificate_chain_checks_total\{party="test-kommune",outcome="accepted",reason="crl_good"\} [1-9]/);
  });

  it("refuses a party whose certificate does not chain to a configured root, naming the party", async () => {
    const crl = await server();
    const stranger = await otherCa.issue("kommune signing", crl.url);
    crl.publish(await otherCa.crl([]));
    await expect(broker("fail-closed", stranger)).rejects.toThrow(
      /identityProviders\[0\] \(test-kommune\): no signing certificate in its metadata passes the chain check \(trust\.chain\): .*refused \(chain_untrusted\): issuer CN=Unknown Root does not lead to a configured root/,
    );
    expect(crl.hits, "no CRL is fetched for a certificate that does not chain").toBe(0);
  });

  it("follows a configured intermediate (an issuing CA) to the root; without it, refuses", async () => {
    const issuing = await createTestCa("Test OCES3 Issuing CA", ca);
    const crl = await server();
    const issued = await issuing.issue("kommune signing", crl.url);
    crl.publish(await issuing.crl([]));
    const intermediates = join(dir, "intermediates.pem");
    writeFileSync(intermediates, issuing.certificatePem);
    const fixture = await createBrokerFixture({
      config: { environment: "test", trust: { chain: { roots: [rootFile], intermediates: [intermediates] } } },
      idp: { metadata: metadataFile(issued) },
      sp: { skipCertificateChain: true },
    });
    expect(signingCertificates(fixture)).toEqual([issued.certificatePem]);
    await expectAccepted(await loginSignedBy(fixture, issued));
    await expect(broker("fail-closed", issued)).rejects.toThrow(/chain_untrusted\): issuer CN=Test OCES3 Issuing CA does not lead to a configured root/);
  });

  it("refuses a self-signed certificate too", async () => {
    const selfSigned = (await createBrokerFixture({ config: { environment: "test" } })).keys.idpSigning;
    await expect(broker("off", selfSigned)).rejects.toThrow(/\(test-kommune\): .*chain_untrusted/);
  });

  it("refuses a revoked certificate at load", async () => {
    const crl = await server();
    const issued = await ca.issue("kommune signing", crl.url);
    crl.publish(await ca.crl([issued.serialNumber]));
    await expect(broker("fail-closed", issued)).rejects.toThrow(/\(test-kommune\): .*refused \(certificate_revoked\): revoked at .* \(CRL http:\/\/127\.0\.0\.1:\d+\/ca\.crl\)/);
  });

  it("drops a revoked certificate next to a good one: the revoked key no longer verifies", async () => {
    const crl = await server();
    const revoked = await ca.issue("kommune old signing", crl.url);
    const current = await ca.issue("kommune new signing", crl.url);
    crl.publish(await ca.crl([revoked.serialNumber]));
    const fixture = await broker("fail-closed", revoked, current);
    expect(signingCertificates(fixture)).toEqual([current.certificatePem]);
    await expectRefused(fixture, await loginSignedBy(fixture, revoked), "signature_invalid");
    await expectAccepted(await loginSignedBy(fixture, current));
    const lines = await chainLines(fixture);
    expect(lines).toContainEqual(expect.objectContaining({ outcome: "refused", reason: "certificate_revoked", subject: "CN=kommune old signing" }));
    expect(lines.filter((l) => l["outcome"] === "refused").every((l) => l["level"] === 40)).toBe(true);
  });

  it("refuses with fail-closed when the CRL server is down", async () => {
    const crl = await server();
    const issued = await ca.issue("kommune signing", crl.url);
    await crl.close();
    await expect(broker("fail-closed", issued)).rejects.toThrow(/\(test-kommune\): .*refused \(crl_unavailable\): CRL http:\/\/127\.0\.0\.1:\d+\/ca\.crl: unreachable: .*\(crl\.mode fail-closed\)/);
  });

  it("keeps the certificate with fail-open when the CRL server is down, and logs and counts why", async () => {
    const crl = await server();
    const issued = await ca.issue("kommune signing", crl.url);
    await crl.close();
    const fixture = await broker("fail-open", issued);
    expect(signingCertificates(fixture)).toEqual([issued.certificatePem]);
    await expectAccepted(await loginSignedBy(fixture, issued));
    expect(await chainLines(fixture)).toContainEqual(expect.objectContaining({ level: 40, outcome: "accepted", reason: "crl_unavailable", mode: "fail-open", detail: expect.stringMatching(/unreachable/) }));
    expect(fixture.broker.registry.warnings).toContainEqual(expect.stringMatching(/kept without a revocation answer \(crl_unavailable, crl\.mode fail-open\)/));
    const metrics = (await request(fixture.app).get("/metrics")).text;
    expect(metrics).toMatch(/broker_certificate_chain_checks_total\{party="test-kommune",outcome="accepted",reason="crl_unavailable"\} [1-9]/);
  });

  it("does not take a CRL signed by another CA (fail-closed refuses)", async () => {
    const crl = await server();
    const issued = await ca.issue("kommune signing", crl.url);
    crl.publish(await ca.crl([], { signedBy: otherCa }));
    await expect(broker("fail-closed", issued)).rejects.toThrow(/crl_unavailable\): CRL .*: crl_invalid: the CRL's signature does not verify/);
  });

  it("bounds the CRL's size", async () => {
    const crl = await server();
    const issued = await ca.issue("kommune signing", crl.url);
    crl.publish(await ca.crl(Array.from({ length: 60 }, (_, i) => (0xa000 + i).toString(16))));
    const attempt = createBrokerFixture({
      config: { environment: "test", trust: { chain: { roots: [rootFile], crl: { mode: "fail-closed", maxBytes: 1024 } } } },
      idp: { metadata: metadataFile(issued) },
      sp: { skipCertificateChain: true },
    });
    await expect(attempt).rejects.toThrow(/crl_unavailable\): CRL .*: too_large: CRL is larger than 1024 bytes/);
  });

  it("refuses a certificate that names no CRL distribution point when revocation is checked", async () => {
    const issued: IssuedCertificate = await ca.issue("kommune signing");
    await expect(broker("fail-closed", issued)).rejects.toThrow(/refused \(no_distribution_point\)/);
    const fixture = await broker("off", issued);
    expect(signingCertificates(fixture)).toEqual([issued.certificatePem]);
  });

  it("lets a test party skip the chain check, and refuses that in production", async () => {
    const fixture = await createBrokerFixture({
      config: { environment: "test", trust: { chain: { roots: [rootFile] } } },
      idp: { skipCertificateChain: true },
      sp: { skipCertificateChain: true },
    });
    await expectAccepted(await tryAtAcs(fixture, (requestId, k) => idpResponse(k, { requestId })));
    expect(() => validateConfig({ identityProviders: [{ id: "kommune", displayName: "Kommune", metadata: "m.xml", cvrs: ["29189846"], skipCertificateChain: true }] })).toThrow(
      /identityProviders\.0\.skipCertificateChain: skipCertificateChain is for test parties and is refused in production/,
    );
  });

  describe("stays current while the broker runs", () => {
    const HOUR = 3_600_000;
    it("withdraws a certificate revoked since start at the next check, and fails closed when the CRL lapses and cannot be fetched", async () => {
      let clock = Date.now();
      const crl = await server();
      const revokedLater = await ca.issue("kommune old signing", crl.url);
      const current = await ca.issue("kommune new signing", crl.url);
      crl.publish(await ca.crl([]));
      const fixture = await brokerAt(() => clock, "fail-closed", revokedLater, current);
      const login = async (key: KeyMaterial) => {
        const started = await startLogin(fixture, { issueInstant: new Date(clock).toISOString() });
        return postResponse(started.agent, await idpResponse(fixture.keys, { requestId: started.upstreamRequestId, now: clock, signAssertionWith: key }));
      };
      const recheck = fixture.broker.certificateRecheck!;
      expect(recheck).toBeDefined();
      await expectAccepted(await login(revokedLater));

      // Revoked at the CA: not seen before the cached CRL is due again.
      crl.publish(await ca.crl([revokedLater.serialNumber]));
      expect(await recheck.refresh()).toBe(false);
      clock += HOUR + 60_000;
      expect(await recheck.refresh()).toBe(true);
      expect(signingCertificates(fixture)).toEqual([current.certificatePem]);
      await expectRefused(fixture, await login(revokedLater), "signature_invalid");
      await expectAccepted(await login(current));

      // The CRL server fails; the cached CRL serves until its nextUpdate, then the party has no usable key.
      crl.failing = true;
      clock += 2 * HOUR;
      expect(await recheck.refresh()).toBe(false);
      clock += 24 * HOUR;
      expect(await recheck.refresh()).toBe(true);
      expect(signingCertificates(fixture)).toEqual([]);
      await expectRefused(fixture, await login(current), "no_trusted_key");
      await new Promise((resolve) => setImmediate(resolve));
      expect(fixture.logs).toContainEqual(expect.objectContaining({ event: "trust_certificates_withdrawn", party: "test-kommune", level: 50 }));

      // The CRL is back: the party's current certificate is usable again at the next check.
      crl.failing = false;
      crl.publish(await ca.crl([revokedLater.serialNumber], { now: clock }));
      expect(await recheck.refresh()).toBe(true);
      expect(signingCertificates(fixture)).toEqual([current.certificatePem]);
      await expectAccepted(await login(current));
    });
  });
});
