/**
 * The parties of a benchmark run, with real keys: the broker (signing and
 * encryption keys), one municipal IdP and one fagsystem, registered with the
 * broker through metadata files and a configuration folder, exactly as an
 * operator would register them.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPair, type RsaKeySize } from "../../src/keys/generate-key-pair.js";
import { keyMaterialFromPem, type KeyMaterial } from "../../src/keys/key-material.js";
import { idpMetadataXml, spMetadataXml } from "../../src/demo/demo-metadata.js";
import { CONTENT_ENCRYPTION, KEY_TRANSPORT } from "../../src/saml/algorithms.js";

export type KeyBits = 2048 | 3072;

export const BENCH_CVR = "29189846";
export const IDP_ID = "bench-kommune";
export const SP_ID = "bench-fagsystem";
/** The OIDC fagsystem of part 5: client_secret_basic, the secret handed to the broker processes in the environment. */
export const OIDC_CLIENT_ID = "bench-oidc";
export const OIDC_SECRET_ENV = "BENCH_OIDC_CLIENT_SECRET";
export const OIDC_CLIENT_SECRET = "bench-oidc-client-secret-0123456789abcdef";
export const OIDC_REDIRECT_URI = "http://127.0.0.1:9/callback";

export interface PartyKeys {
  brokerSigning: KeyMaterial;
  brokerEncryption: KeyMaterial;
  idpSigning: KeyMaterial;
  spSigning: KeyMaterial;
  spEncryption: KeyMaterial;
}

export interface PartyUrls {
  /** The broker's public base URL (what metadata and messages name). */
  brokerBase: string;
  brokerEntityId: string;
  idpEntityId: string;
  idpSsoUrl: string;
  spEntityId: string;
  spAcsUrl: string;
}

export interface BenchSetup {
  bits: KeyBits;
  dir: string;
  /** Folder holding broker.yaml, for loadConfig / `serve --config`. */
  configDir: string;
  keys: PartyKeys;
  urls: PartyUrls;
  /** Where each key pair lives on disk (PEM), by name. */
  keyFiles: Record<keyof PartyKeys, { key: string; cert: string }>;
}

export interface SetupOptions {
  bits: KeyBits;
  /** "memory" or a redis:// URL. */
  storeUrl?: string;
  storePrefix?: string;
  urls?: Partial<PartyUrls>;
  /** The broker's listening port (0: any free port). */
  port?: number;
  logLevel?: "info" | "warn" | "silent";
  /** Reuse keys from an earlier setup (same bits). */
  keys?: PartyKeys;
}

const keyCache = new Map<KeyBits, Promise<PartyKeys>>();

async function newKey(name: string, bits: RsaKeySize): Promise<KeyMaterial> {
  const generated = await generateKeyPair({ commonName: `bench ${name}`, bits });
  return keyMaterialFromPem(generated.privateKeyPem, generated.certificatePem);
}

/** Fresh keys for every party, generated once per key size and process. */
export function partyKeys(bits: KeyBits): Promise<PartyKeys> {
  let keys = keyCache.get(bits);
  if (!keys) {
    keys = (async () => {
      const [brokerSigning, brokerEncryption, idpSigning, spSigning, spEncryption] = await Promise.all(
        ["broker-signing", "broker-encryption", "idp-signing", "sp-signing", "sp-encryption"].map((name) => newKey(name, bits)),
      );
      return { brokerSigning: brokerSigning!, brokerEncryption: brokerEncryption!, idpSigning: idpSigning!, spSigning: spSigning!, spEncryption: spEncryption! };
    })();
    keyCache.set(bits, keys);
  }
  return keys;
}

export function defaultUrls(overrides: Partial<PartyUrls> = {}): PartyUrls {
  const brokerBase = overrides.brokerBase ?? "https://broker.bench.test";
  const idpBase = "https://idp.bench-kommune.test";
  const spBase = "https://fagsystem.bench.test";
  return {
    brokerBase,
    brokerEntityId: "https://saml.broker.bench.test",
    idpEntityId: `${idpBase}/idp`,
    idpSsoUrl: `${idpBase}/sso`,
    spEntityId: `${spBase}/sp`,
    spAcsUrl: `${spBase}/acs`,
    ...overrides,
  };
}

/** Writes keys, metadata and a configuration folder for one broker setup. */
export async function createSetup(options: SetupOptions): Promise<BenchSetup> {
  const keys = options.keys ?? (await partyKeys(options.bits));
  const urls = defaultUrls(options.urls);
  const dir = mkdtempSync(join(tmpdir(), `broker-bench-${options.bits}-`));
  const configDir = join(dir, "config");
  mkdirSync(configDir);
  const write = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  };
  const keyFiles = Object.fromEntries(
    (Object.keys(keys) as Array<keyof PartyKeys>).map((name) => [name, { key: write(`${name}.key.pem`, keys[name].privateKeyPem), cert: write(`${name}.cert.pem`, keys[name].certificatePem) }]),
  ) as BenchSetup["keyFiles"];
  const idpMetadata = write("idp-metadata.xml", idpMetadataXml({ entityId: urls.idpEntityId, signing: keys.idpSigning, ssoUrl: urls.idpSsoUrl }));
  const spMetadata = write(
    "sp-metadata.xml",
    spMetadataXml({
      entityId: urls.spEntityId,
      signing: keys.spSigning,
      encryption: keys.spEncryption,
      encryptionMethods: [CONTENT_ENCRYPTION.aes256gcm, KEY_TRANSPORT.rsaOaep],
      acsUrls: [urls.spAcsUrl],
    }),
  );
  const config = {
    baseUrl: urls.brokerBase,
    entityId: urls.brokerEntityId,
    host: "127.0.0.1",
    port: options.port ?? 0,
    cookieSecret: "bench-cookie-secret-shared-by-every-broker-process",
    // The ACS hop posts the IdP's answers without a browser (no binding cookie); the binding costs one cookie comparison.
    upstreamBrowserBinding: "off",
    keys: {
      signing: keyFiles.brokerSigning,
      encryption: keyFiles.brokerEncryption,
      bits: options.bits,
    },
    log: { level: options.logLevel ?? "info" },
    store: { url: options.storeUrl ?? "memory", ...(options.storePrefix ? { prefix: options.storePrefix } : {}) },
    organisations: [{ cvr: BENCH_CVR, name: "Bench Kommune" }],
    identityProviders: [{ id: IDP_ID, displayName: "Bench Kommune", metadata: idpMetadata, cvrs: [BENCH_CVR], requireEncryptedAssertion: true }],
    serviceProviders: [{ id: SP_ID, displayName: "Bench fagsystem", metadata: spMetadata, requiredLevel: { nsis: "Substantial" } }],
    oidcClients: [
      {
        id: OIDC_CLIENT_ID,
        clientId: OIDC_CLIENT_ID,
        requiredLevel: { nsis: "Substantial" },
        redirectUris: [OIDC_REDIRECT_URI],
        tokenEndpointAuthMethod: "client_secret_basic",
        clientSecretEnv: OIDC_SECRET_ENV,
      },
    ],
  };
  // The broker processes inherit the environment: the client secret reaches them there, never through a file.
  process.env[OIDC_SECRET_ENV] = OIDC_CLIENT_SECRET;
  // JSON is YAML: the broker reads this file like any other configuration.
  writeFileSync(join(configDir, "broker.yaml"), JSON.stringify(config, null, 2));
  return { bits: options.bits, dir, configDir, keys, urls, keyFiles };
}
