/**
 * Certificate dates: a party's signing certificate outside its validity
 * dates is refused at load (after `trust.certificateGraceDays`), unless a
 * test party's config sets `allowExpiredCertificate` (refused in
 * production). Days to expiry of every certificate, the broker's own and
 * each party's, are in /metrics and in check-config, with a warning 30 days
 * ahead. Certificates are made in the test with the dates each case needs.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { createBrokerFixture, fixtureKeys, IDP_ENTITY_ID, IDP_SSO_URL, MUNICIPALITY_CVR, type FixtureKeys } from "../support/broker-fixture.js";
import { idpResponse } from "../support/saml-peers.js";
import { expectAccepted, expectRefused, tryAtAcs } from "../security/support/attack-kit.js";
import { generateKeyPair } from "../../src/keys/generate-key-pair.js";
import { keyMaterialFromPem, type KeyMaterial } from "../../src/keys/key-material.js";
import { idpMetadataXml } from "../../src/demo/demo-metadata.js";
import { ConfigError, validateConfig } from "../../src/config/load-config.js";
import { isSamlIdp, loadTrustRegistry } from "../../src/trust/registry.js";
import { checkConfig } from "../../src/cli/check-config.js";
import { BINDING } from "../../src/saml/namespaces.js";

const DAY = 86_400_000;
/** A fixed clock on a whole second (certificate dates have second precision). */
const NOW = Math.floor(Date.now() / 1000) * 1000;

async function keyValid(from: number, days: number): Promise<KeyMaterial> {
  const made = await generateKeyPair({ commonName: `dated ${from} ${days}`, bits: 2048, notBefore: new Date(from), validDays: days });
  return keyMaterialFromPem(made.privateKeyPem, made.certificatePem);
}

const keyDescriptorOf = (xml: string) => /<md:KeyDescriptor[\s\S]*?<\/md:KeyDescriptor>/.exec(xml)![0];

describe("certificate dates", () => {
  let keys: FixtureKeys;
  let expired: KeyMaterial;
  let notYetValid: KeyMaterial;
  let expiresInTenDays: KeyMaterial;
  let dir: string;
  beforeAll(async () => {
    keys = await fixtureKeys();
    // Valid for 10 days, ended two days ago.
    expired = await keyValid(NOW - 12 * DAY, 10);
    notYetValid = await keyValid(NOW + 2 * DAY, 30);
    expiresInTenDays = await keyValid(NOW - DAY, 11);
    dir = mkdtempSync(join(tmpdir(), "broker-cert-dates-"));
  }, 60_000);

  let counter = 0;
  function metadataFile(...signing: KeyMaterial[]): string {
    const [firstKey, ...more] = signing;
    let xml = idpMetadataXml({ entityId: IDP_ENTITY_ID, signing: firstKey!, ssoUrl: IDP_SSO_URL, bindings: [BINDING.redirect] });
    for (const key of more) {
      const descriptor = keyDescriptorOf(idpMetadataXml({ entityId: IDP_ENTITY_ID, signing: key, ssoUrl: IDP_SSO_URL }));
      xml = xml.replace(/(<md:KeyDescriptor[\s\S]*?<\/md:KeyDescriptor>)/, `$1${descriptor}`);
    }
    counter += 1;
    const path = join(dir, `idp-${counter}.xml`);
    writeFileSync(path, xml);
    return path;
  }

  const config = (metadata: string, extra: { environment?: string; idp?: Record<string, unknown>; trust?: Record<string, unknown> } = {}) =>
    validateConfig({
      ...(extra.environment ? { environment: extra.environment } : {}),
      ...(extra.trust ? { trust: extra.trust } : {}),
      identityProviders: [{ id: "kommune", displayName: "Kommune", metadata, cvrs: [MUNICIPALITY_CVR], ...extra.idp }],
    });
  const load = (metadata: string, extra: Parameters<typeof config>[1] = {}) => loadTrustRegistry(config(metadata, extra), new Date(NOW));

  it("refuses a party whose only signing certificate has expired, naming the party and the dates", () => {
    const attempt = () => load(metadataFile(expired));
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/identityProviders\[0\] \(kommune\): no signing certificate in its metadata is within its validity dates/);
    expect(attempt).toThrow(new RegExp(`valid ${new Date(NOW - 12 * DAY).toISOString()} to ${new Date(NOW - 2 * DAY).toISOString()}`));
  });

  it("refuses a signing certificate that is not yet valid", () => {
    expect(() => load(metadataFile(notYetValid))).toThrow(/within its validity dates/);
  });

  it("accepts an expired certificate within the configured grace, and not beyond it", () => {
    expect(load(metadataFile(expired), { trust: { certificateGraceDays: 3 } }).identityProviders().filter(isSamlIdp)[0]!.metadata.signingCertificates).toEqual([expired.certificatePem]);
    expect(() => load(metadataFile(expired), { trust: { certificateGraceDays: 1 } })).toThrow(/within its validity dates/);
  });

  it("drops an expired certificate next to a valid one, and says so", () => {
    const registry = load(metadataFile(expired, keys.idpSigning));
    expect(registry.identityProviders().filter(isSamlIdp)[0]!.metadata.signingCertificates).toEqual([keys.idpSigning.certificatePem]);
    expect(registry.warnings).toHaveLength(1);
    expect(registry.warnings[0]).toMatch(/^identityProviders\[0\] \(kommune\): signing certificate .* is outside its dates .*: refused$/);
  });

  it("keeps a test party's expired certificate with allowExpiredCertificate, outside production", () => {
    const registry = load(metadataFile(expired), { environment: "test", idp: { allowExpiredCertificate: true } });
    expect(registry.identityProviders().filter(isSamlIdp)[0]!.metadata.signingCertificates).toEqual([expired.certificatePem]);
    expect(registry.warnings[0]).toMatch(/kept because allowExpiredCertificate is set/);
  });

  it("refuses allowExpiredCertificate in production", () => {
    expect(() => config(metadataFile(keys.idpSigning), { environment: "production", idp: { allowExpiredCertificate: true } })).toThrow(
      /identityProviders\.0\.allowExpiredCertificate: allowExpiredCertificate is for test parties and is refused in production/,
    );
    expect(() => validateConfig({ nemlogin: { metadata: "n.xml", entityId: "https://saml.nemlog-in.dk", allowExpiredCertificate: true } })).toThrow(/nemlogin\.allowExpiredCertificate/);
  });

  it("does not verify a Response with the refused certificate's key, and does with the valid one", async () => {
    const fixture = await createBrokerFixture({ idp: { metadata: metadataFile(expired, keys.idpSigning) }, now: () => NOW });
    await expectRefused(fixture, await tryAtAcs(fixture, (requestId, k) => idpResponse(k, { requestId, now: NOW, signAssertionWith: expired })), "signature_invalid");
    await expectAccepted(await tryAtAcs(fixture, (requestId, k) => idpResponse(k, { requestId, now: NOW })));
  });

  it("shows every certificate's days to expiry in /metrics and warns at start of one expiring within 30 days", async () => {
    const fixture = await createBrokerFixture({ idp: { metadata: metadataFile(expiresInTenDays) }, now: () => NOW });
    const metrics = (await request(fixture.app).get("/metrics")).text;
    const idpLine = metrics.split("\n").find((line) => line.startsWith('broker_certificate_expiry_days{party="test-kommune",role="identity-provider",use="signing"'));
    expect(idpLine).toBeDefined();
    expect(Number(idpLine!.split(" ").pop())).toBe(10);
    expect(metrics).toMatch(/broker_certificate_expiry_days\{party="broker",role="broker",use="signing",fingerprint="[0-9a-f]{16}"\} \d+/);
    expect(metrics).toMatch(/broker_certificate_expiry_days\{party="broker",role="broker",use="encryption",fingerprint="[0-9a-f]{16}"\} \d+/);
    expect(metrics).toMatch(/broker_certificate_expiry_days\{party="test-fagsystem",role="fagsystem",use="encryption",fingerprint="[0-9a-f]{16}"\} \d+/);
    await new Promise((resolve) => setImmediate(resolve));
    const warning = fixture.logs.find((line) => line["event"] === "certificate_expires_soon");
    expect(warning?.msg).toMatch(/^identity-provider test-kommune: signing certificate .* expires in 10 days/);
  });

  it("check-config lists every certificate's days to expiry and warns 30 days ahead", () => {
    const brokerCert = join(dir, "broker-signing.cert.pem");
    writeFileSync(brokerCert, keys.brokerSigning.certificatePem);
    const report = checkConfig(
      validateConfig({
        keys: { signing: { key: join(dir, "absent.key.pem"), cert: brokerCert }, encryption: { key: join(dir, "absent.key.pem"), cert: join(dir, "absent.cert.pem") } },
        identityProviders: [{ id: "kommune", displayName: "Kommune", metadata: metadataFile(expiresInTenDays), cvrs: [MUNICIPALITY_CVR] }],
      }),
      new Date(NOW),
    );
    expect(report.lines[0]).toBe("configuration is valid (environment: production): 1 identity providers, 0 fagsystemer");
    expect(report.lines).toContainEqual(expect.stringMatching(/^ {2}identity-provider kommune signing: 10 days to expiry \(/));
    expect(report.lines).toContainEqual(expect.stringMatching(/^ {2}broker broker signing: \d+ days to expiry/));
    expect(report.warnings).toContainEqual(expect.stringMatching(/^identity-provider kommune: signing certificate .* expires in 10 days/));
    expect(report.warnings).toContainEqual(expect.stringMatching(/^broker encryption certificate .*absent\.cert\.pem not found/));
    expect(report.warnings.filter((w) => w.includes("broker broker"))).toEqual([]);
  });
});
