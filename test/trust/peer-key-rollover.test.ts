/**
 * Peer key rollover: an IdP that publishes its current and its next signing
 * certificate is verified with either; a fagsystem that publishes its next
 * encryption certificate gets assertions encrypted to it from the moment the
 * certificate is valid, and to the current one until then.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBrokerFixture, fixtureKeys, IDP_ENTITY_ID, IDP_SSO_URL, SP_ACS_URL, SP_ENTITY_ID, type FixtureKeys } from "../support/broker-fixture.js";
import { idpResponse } from "../support/saml-peers.js";
import { expectAccepted, tryAtAcs } from "../security/support/attack-kit.js";
import { generateKeyPair } from "../../src/keys/generate-key-pair.js";
import { keyMaterialFromPem, type KeyMaterial } from "../../src/keys/key-material.js";
import { idpMetadataXml, spMetadataXml } from "../../src/demo/demo-metadata.js";
import { decryptAssertion } from "../../src/saml/decrypt-assertion.js";
import { childElements } from "../../src/xml/xml-parser.js";
import { BINDING, NS } from "../../src/saml/namespaces.js";

const NOW = Math.floor(Date.now() / 1000) * 1000;
/** The fagsystem's next encryption certificate becomes valid two minutes from NOW. */
const SWITCH = NOW + 120_000;

async function keyValidFrom(from: number, name: string): Promise<KeyMaterial> {
  const made = await generateKeyPair({ commonName: name, bits: 2048, notBefore: new Date(from), validDays: 365 });
  return keyMaterialFromPem(made.privateKeyPem, made.certificatePem);
}

describe("peer key rollover", () => {
  let keys: FixtureKeys;
  let idpNext: KeyMaterial;
  let spNext: KeyMaterial;
  let dir: string;

  beforeAll(async () => {
    keys = await fixtureKeys();
    [idpNext, spNext] = await Promise.all([keyValidFrom(NOW - 60_000, "idp next signing"), keyValidFrom(SWITCH, "sp next encryption")]);
    dir = mkdtempSync(join(tmpdir(), "broker-rollover-"));
  }, 60_000);

  function write(name: string, xml: string): string {
    const path = join(dir, name);
    writeFileSync(path, xml);
    return path;
  }

  it("verifies an IdP's Response signed with its current or its next signing certificate when its metadata publishes both", async () => {
    const both = idpMetadataXml({ entityId: IDP_ENTITY_ID, signing: keys.idpSigning, ssoUrl: IDP_SSO_URL, bindings: [BINDING.redirect] }).replace(
      /(<md:KeyDescriptor[\s\S]*?<\/md:KeyDescriptor>)/,
      `$1${/<md:KeyDescriptor[\s\S]*?<\/md:KeyDescriptor>/.exec(idpMetadataXml({ entityId: IDP_ENTITY_ID, signing: idpNext, ssoUrl: IDP_SSO_URL }))![0]}`,
    );
    const fixture = await createBrokerFixture({ idp: { metadata: write("idp-both.xml", both) } });
    await expectAccepted(await tryAtAcs(fixture, (requestId, k) => idpResponse(k, { requestId })));
    await expectAccepted(await tryAtAcs(fixture, (requestId, k) => idpResponse(k, { requestId, signAssertionWith: idpNext })));
  });

  it("encrypts to the fagsystem's current certificate until its next one is valid, and to the next one from that second", async () => {
    const metadata = write(
      "sp-both.xml",
      spMetadataXml({ entityId: SP_ENTITY_ID, signing: keys.spSigning, encryption: keys.spEncryption, extraEncryption: [spNext], acsUrls: [SP_ACS_URL], authnRequestsSigned: true }),
    );
    let clock = SWITCH - 1_000;
    const fixture = await createBrokerFixture({ sp: { metadata }, now: () => clock });
    const encryptedFor = async (): Promise<"current" | "next"> => {
      const answer = await expectAccepted(await tryAtAcs(fixture, (requestId, k) => idpResponse(k, { requestId, now: clock })));
      const encrypted = childElements(answer.documentElement, NS.saml, "EncryptedAssertion")[0]!;
      const opens = async (key: KeyMaterial) => decryptAssertion(encrypted, [key.privateKeyPem]).then(() => true, () => false);
      const [current, next] = [await opens(keys.spEncryption), await opens(spNext)];
      expect(current !== next, "exactly one of the two keys opens it").toBe(true);
      return current ? "current" : "next";
    };
    expect(await encryptedFor()).toBe("current");
    clock = SWITCH + 1_000;
    expect(await encryptedFor()).toBe("next");
  });
});
