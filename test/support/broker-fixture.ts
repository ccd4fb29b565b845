/**
 * A broker configured with one test municipality IdP and one test fagsystem,
 * registered through real metadata files in a temporary folder, served over
 * real HTTP by supertest. Log lines are captured for assertions.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type express from "express";
import { validateConfig } from "../../src/config/load-config.js";
import type { BrokerConfig } from "../../src/config/schema.js";
import { buildBroker } from "../../src/build-broker.js";
import { createApp } from "../../src/http/app.js";
import type { BrokerContext } from "../../src/broker-context.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { idpMetadataXml, spMetadataXml } from "../../src/demo/demo-metadata.js";
import { BINDING } from "../../src/saml/namespaces.js";
import type { StateStore } from "../../src/store/state-store.js";
import { testKey } from "./keys.js";

export const BROKER_BASE = "https://broker.test";
export const BROKER_ENTITY_ID = "https://saml.broker.test";
export const IDP_ENTITY_ID = "https://idp.kommune.test/adfs";
export const IDP_SSO_URL = "https://idp.kommune.test/sso";
export const SP_ENTITY_ID = "https://fagsystem.test/sp";
export const SP_ACS_URL = "https://fagsystem.test/acs";
export const MUNICIPALITY_CVR = "29189846";

export interface FixtureKeys {
  brokerSigning: KeyMaterial;
  brokerEncryption: KeyMaterial;
  idpSigning: KeyMaterial;
  spSigning: KeyMaterial;
  spEncryption: KeyMaterial;
  attacker: KeyMaterial;
}

export async function fixtureKeys(): Promise<FixtureKeys> {
  const [brokerSigning, brokerEncryption, idpSigning, spSigning, spEncryption, attacker] = await Promise.all(
    ["broker-signing", "broker-encryption", "idp-signing", "sp-signing", "sp-encryption", "attacker"].map((n) => testKey(n)),
  );
  return { brokerSigning: brokerSigning!, brokerEncryption: brokerEncryption!, idpSigning: idpSigning!, spSigning: spSigning!, spEncryption: spEncryption!, attacker: attacker! };
}

export interface LogLine {
  level: number;
  msg: string;
  reason?: string;
  correlationId?: string;
  [key: string]: unknown;
}

export interface BrokerFixture {
  broker: BrokerContext;
  app: express.Express;
  keys: FixtureKeys;
  config: BrokerConfig;
  logs: LogLine[];
  dir: string;
}

export interface FixtureOptions {
  /** Extra or overriding config (merged shallowly at top level; party overrides via idp/sp). */
  config?: Record<string, unknown>;
  idp?: Record<string, unknown>;
  sp?: Record<string, unknown>;
  spMetadata?: { authnRequestsSigned?: boolean; encryption?: boolean; encryptionMethods?: string[]; acsUrls?: string[]; nameIdFormats?: string[] };
  idpBindings?: string[];
  store?: StateStore;
  now?: () => number;
}

export async function createBrokerFixture(options: FixtureOptions = {}): Promise<BrokerFixture> {
  const keys = await fixtureKeys();
  const dir = mkdtempSync(join(tmpdir(), "broker-test-"));
  const write = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const keyFiles = (name: string, key: KeyMaterial) => ({ key: write(`${name}.key.pem`, key.privateKeyPem), cert: write(`${name}.cert.pem`, key.certificatePem) });
  const idpMetadata = write("idp.xml", idpMetadataXml({ entityId: IDP_ENTITY_ID, signing: keys.idpSigning, ssoUrl: IDP_SSO_URL, bindings: options.idpBindings ?? [BINDING.redirect] }));
  const spMetadata = write(
    "sp.xml",
    spMetadataXml({
      entityId: SP_ENTITY_ID,
      signing: keys.spSigning,
      encryption: options.spMetadata?.encryption === false ? undefined : keys.spEncryption,
      encryptionMethods: options.spMetadata?.encryptionMethods ?? [],
      acsUrls: options.spMetadata?.acsUrls ?? [SP_ACS_URL],
      authnRequestsSigned: options.spMetadata?.authnRequestsSigned ?? true,
      nameIdFormats: options.spMetadata?.nameIdFormats,
    }),
  );
  const config = validateConfig({
    baseUrl: BROKER_BASE,
    entityId: BROKER_ENTITY_ID,
    port: 0,
    cookieSecret: "test-cookie-secret-that-is-long-enough-0123456789",
    keys: { signing: keyFiles("broker-signing", keys.brokerSigning), encryption: keyFiles("broker-encryption", keys.brokerEncryption) },
    log: { level: "debug" },
    organisations: [{ cvr: MUNICIPALITY_CVR, name: "Test Kommune" }],
    identityProviders: [{ id: "test-kommune", displayName: "Test Kommune", metadata: idpMetadata, cvrs: [MUNICIPALITY_CVR], ...options.idp }],
    serviceProviders: [{ id: "test-fagsystem", metadata: spMetadata, ...options.sp }],
    // Tests here post upstream answers without a browser; the binding to the browser has its own tests (test/security/upstream-binding*.test.ts).
    upstreamBrowserBinding: "off",
    ...options.config,
  });
  const logs: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) logs.push(JSON.parse(line) as LogLine);
      callback();
    },
  });
  const broker = await buildBroker(config, { logDestination: destination, store: options.store, now: options.now });
  const { app } = createApp(broker);
  return { broker, app, keys, config, logs, dir };
}

/** Waits for pino's async writes, then returns log lines carrying `reason`. */
export async function logReasons(fixture: BrokerFixture): Promise<string[]> {
  await new Promise((resolve) => setImmediate(resolve));
  return fixture.logs.map((l) => l.reason).filter((r): r is string => typeof r === "string");
}
