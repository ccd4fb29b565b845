/**
 * The broker as it runs in production (`serve`), told by SIGUSR2 to sign with
 * its next key: its metadata names the next signing certificate first from
 * then on, and the log says so.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { readFileSync } from "node:fs";
import { fixtureKeys } from "../support/broker-fixture.js";
import { startBrokerProcess, writeConfigFolder, type BrokerProcess } from "../support/broker-process.js";
import { testKey } from "../support/keys.js";
import { readIdpMetadata } from "../../src/saml/metadata-reader.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";

describe("SIGUSR2: the broker process rolls its signing key", () => {
  let broker: BrokerProcess | undefined;
  let next: KeyMaterial;

  beforeAll(async () => {
    const keys = await fixtureKeys();
    next = await testKey("process-next-signing");
    const nextEncryption = await testKey("process-next-encryption");
    const dir = writeConfigFolder(keys, { store: { url: "memory", prefix: "broker:" } });
    const write = (name: string, content: string) => {
      writeFileSync(join(dir, name), content);
      return join(dir, name);
    };
    const config = parse(readFileSync(join(dir, "broker.yaml"), "utf8")) as { keys: Record<string, unknown> };
    config.keys["next"] = {
      signing: { key: write("next-signing.key.pem", next.privateKeyPem), cert: write("next-signing.cert.pem", next.certificatePem) },
      encryption: { key: write("next-encryption.key.pem", nextEncryption.privateKeyPem), cert: write("next-encryption.cert.pem", nextEncryption.certificatePem) },
    };
    writeFileSync(join(dir, "broker.yaml"), stringify(config));
    broker = await startBrokerProcess(dir);
  }, 120_000);

  afterAll(async () => {
    await broker?.stop();
  });

  const firstSigning = async () => readIdpMetadata(await (await fetch(`${broker!.url}/saml/metadata/idp`)).text()).signingCertificates[0]!.replace(/\s/g, "");

  it("publishes the next key second, then first once signalled", async () => {
    const nextPem = next.certificatePem.replace(/\s/g, "");
    expect(await firstSigning()).not.toBe(nextPem);
    broker!.signal("SIGUSR2");
    await expect.poll(firstSigning, { timeout: 5_000 }).toBe(nextPem);
    await expect.poll(() => broker!.output(), { timeout: 5_000 }).toContain('"event":"key_rollover"');
  });
});
