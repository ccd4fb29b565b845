/**
 * check-config with trust.chain: the chain to the configured roots is
 * checked as at start (a party whose certificate does not chain is a
 * ConfigError naming it); revocation is not (check-config does not fetch),
 * so an unreachable CRL distribution point does not fail it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixtureKeys, IDP_ENTITY_ID, IDP_SSO_URL, MUNICIPALITY_CVR } from "../support/broker-fixture.js";
import { createTestCa, type TestCa } from "../support/test-ca.js";
import { idpMetadataXml } from "../../src/demo/demo-metadata.js";
import { ConfigError, validateConfig } from "../../src/config/load-config.js";
import { checkConfig } from "../../src/cli/check-config.js";
import { BINDING } from "../../src/saml/namespaces.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";

describe("check-config with trust.chain", () => {
  let ca: TestCa;
  let dir: string;
  beforeAll(async () => {
    ca = await createTestCa("Check Root");
    dir = mkdtempSync(join(tmpdir(), "broker-check-chain-"));
    writeFileSync(join(dir, "root.pem"), ca.certificatePem);
  }, 60_000);

  const config = (signing: KeyMaterial) => {
    const metadata = join(dir, `idp-${signing.certificatePem.length}-${Math.random().toString(36).slice(2)}.xml`);
    writeFileSync(metadata, idpMetadataXml({ entityId: IDP_ENTITY_ID, signing, ssoUrl: IDP_SSO_URL, bindings: [BINDING.redirect] }));
    return validateConfig({
      trust: { chain: { roots: [join(dir, "root.pem")], crl: { mode: "fail-closed" } } },
      identityProviders: [{ id: "kommune", displayName: "Kommune", metadata, cvrs: [MUNICIPALITY_CVR] }],
    });
  };

  it("passes a party whose certificate chains, without fetching its CRL", async () => {
    // Port 9 (discard) on loopback: nothing answers there.
    const issued = await ca.issue("kommune signing", "http://127.0.0.1:9/unreachable.crl");
    const report = checkConfig(config(issued));
    expect(report.lines[0]).toMatch(/^configuration is valid/);
    expect(report.lines).toContain("signing certificates chain to trust.chain.roots; revocation (crl.mode fail-closed) is checked by the running broker, not here");
    expect(report.warnings.join("\n")).not.toMatch(/crl/i);
  });

  it("refuses a party whose certificate does not chain, naming it", async () => {
    const selfSigned = (await fixtureKeys()).idpSigning;
    expect(() => checkConfig(config(selfSigned))).toThrow(ConfigError);
    expect(() => checkConfig(config(selfSigned))).toThrow(/identityProviders\[0\] \(kommune\): .*chain_untrusted/);
  });
});
