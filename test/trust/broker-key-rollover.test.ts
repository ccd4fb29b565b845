/**
 * The broker's own key rollover (keys.next): the next keys are published
 * beside the current ones from start, an IdP may encrypt to either, and
 * signing moves to the next key at the configured instant, on SIGUSR2 in this
 * process, or through the store's mark on every instance sharing it. No login
 * fails at the switch: a fagsystem holding the metadata with both
 * certificates verifies the assertions before and after.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { createBrokerFixture, fixtureKeys, type BrokerFixture, type FixtureKeys } from "../support/broker-fixture.js";
import { idpResponse } from "../support/saml-peers.js";
import { expectAccepted, tryAtAcs } from "../security/support/attack-kit.js";
import { testKey } from "../support/keys.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { decryptAssertion } from "../../src/saml/decrypt-assertion.js";
import { verifyEnvelopedSignature } from "../../src/saml/verify-signature.js";
import { readIdpMetadata, readSpMetadata } from "../../src/saml/metadata-reader.js";
import { childElements } from "../../src/xml/xml-parser.js";
import { NS } from "../../src/saml/namespaces.js";
import { MemoryStore } from "../../src/store/memory-store.js";
import { rolloverMarkKey } from "../../src/keys/rollover.js";
import { rolloverKeys } from "../../src/cli/rollover-keys.js";
import { startTestRedis } from "../../scripts/lib/redis-server.js";
import { createClient } from "redis";

const NOW = Math.floor(Date.now() / 1000) * 1000;

describe("the broker's own key rollover", () => {
  let keys: FixtureKeys;
  let nextSigning: KeyMaterial;
  let nextEncryption: KeyMaterial;
  let dir: string;

  beforeAll(async () => {
    keys = await fixtureKeys();
    [nextSigning, nextEncryption] = await Promise.all([testKey("broker-next-signing"), testKey("broker-next-encryption")]);
    dir = mkdtempSync(join(tmpdir(), "broker-own-rollover-"));
  }, 60_000);

  function keyFiles(name: string, key: KeyMaterial) {
    const files = { key: join(dir, `${name}.key.pem`), cert: join(dir, `${name}.cert.pem`) };
    writeFileSync(files.key, key.privateKeyPem);
    writeFileSync(files.cert, key.certificatePem);
    return files;
  }

  const nextKeys = (signingSwitchAt?: string) => ({
    next: { signing: keyFiles("next-signing", nextSigning), encryption: keyFiles("next-encryption", nextEncryption), ...(signingSwitchAt ? { signingSwitchAt } : {}) },
  });

  async function rollingFixture(options: { signingSwitchAt?: string; now?: () => number; store?: MemoryStore } = {}): Promise<BrokerFixture> {
    const plain = await createBrokerFixture();
    const configKeys = plain.config.keys;
    return createBrokerFixture({ config: { keys: { signing: configKeys.signing, encryption: configKeys.encryption, ...nextKeys(options.signingSwitchAt) } }, now: options.now, store: options.store });
  }

  /** Who signed the assertion of a login, as the fagsystem sees it with the broker's published metadata. */
  async function signedBy(fixture: BrokerFixture, now?: number): Promise<"current" | "next"> {
    const answer = await expectAccepted(await tryAtAcs(fixture, (requestId, k) => idpResponse(k, { requestId, ...(now ? { now } : {}) })));
    const encrypted = childElements(answer.documentElement, NS.saml, "EncryptedAssertion")[0]!;
    const assertion = await decryptAssertion(encrypted, [keys.spEncryption.privateKeyPem]);
    const published = readIdpMetadata((await request(fixture.app).get("/saml/metadata/idp")).text).signingCertificates;
    verifyEnvelopedSignature(assertion, { trustedCertificates: published, allowSha1: false });
    const byCurrent = (() => {
      try {
        verifyEnvelopedSignature(assertion, { trustedCertificates: [keys.brokerSigning.certificatePem], allowSha1: false });
        return true;
      } catch {
        return false;
      }
    })();
    return byCurrent ? "current" : "next";
  }

  it("publishes the next signing and encryption certificates beside the current ones in both metadata documents", async () => {
    const fixture = await rollingFixture();
    const asIdp = readIdpMetadata((await request(fixture.app).get("/saml/metadata/idp")).text);
    const asSp = readSpMetadata((await request(fixture.app).get("/saml/metadata/sp")).text);
    for (const metadata of [asIdp, asSp]) {
      expect(metadata.signingCertificates).toEqual([keys.brokerSigning.certificatePem, nextSigning.certificatePem].map((p) => p.trim()).map((p) => expect.stringContaining(p.split("\n")[1]!)));
      expect(metadata.encryptionCertificates).toHaveLength(2);
      expect(metadata.encryptionCertificates[1]).toContain(nextEncryption.certificatePem.split("\n")[1]!);
    }
  });

  it("takes an IdP's assertion encrypted to the current or to the next encryption key", async () => {
    const fixture = await rollingFixture();
    await expectAccepted(await tryAtAcs(fixture, (requestId, k) => idpResponse(k, { requestId })));
    await expectAccepted(await tryAtAcs(fixture, (requestId, k) => idpResponse(k, { requestId, encryptFor: nextEncryption })));
  });

  it("signs with the current key until signingSwitchAt and with the next one from then, and the published order follows", async () => {
    let clock = NOW;
    const fixture = await rollingFixture({ signingSwitchAt: new Date(NOW + 60_000).toISOString(), now: () => clock });
    expect(await signedBy(fixture, clock)).toBe("current");
    clock = NOW + 61_000;
    expect(await signedBy(fixture, clock)).toBe("next");
    const published = readIdpMetadata((await request(fixture.app).get("/saml/metadata/idp")).text).signingCertificates;
    expect(published[0]).toContain(nextSigning.certificatePem.split("\n")[1]!);
  });

  it("switches on the operator's request at once, and every instance sharing the store within seconds", async () => {
    const store = new MemoryStore();
    const [a, b] = [await rollingFixture({ store }), await rollingFixture({ store })];
    expect(await signedBy(a)).toBe("current");
    expect(await signedBy(b)).toBe("current");
    expect(await a.broker.rolloverSigning!()).toBe(true);
    expect(await signedBy(a)).toBe("next");
    expect(await store.get(rolloverMarkKey(nextSigning))).toBeDefined();
    await expect.poll(() => signedBy(b), { timeout: 8_000, interval: 500 }).toBe("next");
    a.broker.stopKeyWatch?.();
    b.broker.stopKeyWatch?.();
  }, 20_000);

  it("'rollover' sets the mark in a shared Redis, and explains itself with the memory store or without next keys", async () => {
    const fixture = await rollingFixture();
    expect((await rolloverKeys(fixture.config)).message).toMatch(/SIGUSR2/);
    const plain = await createBrokerFixture();
    expect((await rolloverKeys({ ...plain.config, store: { ...plain.config.store, url: "redis://127.0.0.1:1" } })).message).toMatch(/keys\.next is not configured/);
    const redis = await startTestRedis();
    try {
      const outcome = await rolloverKeys({ ...fixture.config, store: { ...fixture.config.store, url: redis.url, prefix: redis.prefix } });
      expect(outcome.ok).toBe(true);
      const raw = createClient({ url: redis.url });
      raw.on("error", () => {});
      await raw.connect();
      try {
        expect(await raw.get(`${redis.prefix}${rolloverMarkKey(nextSigning)}`)).not.toBeNull();
      } finally {
        await raw.close();
      }
    } finally {
      await redis.stop();
    }
  });
});
