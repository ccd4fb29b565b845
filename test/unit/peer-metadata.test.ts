/**
 * Metadata as real SAML products publish it (found by the interop suite, test/interop/): Shibboleth SP 3
 * starts its generated metadata with a comment, and lists its EncryptionMethods weakest first.
 */
import { describe, expect, it } from "vitest";
import { readSpMetadata } from "../../src/saml/metadata-reader.js";
import { parseXml } from "../../src/xml/xml-parser.js";
import { XmlError } from "../../src/xml/xml-error.js";
import { encryptionChoiceFor } from "../../src/frontends/saml-idp/answer-sp.js";
import { serviceProviderSchema } from "../../src/config/schema.js";
import { spMetadataXml } from "../../src/demo/demo-metadata.js";
import { CONTENT_ENCRYPTION, KEY_TRANSPORT } from "../../src/saml/algorithms.js";
import type { ServiceProvider } from "../../src/trust/registry.js";
import { testKey } from "../support/keys.js";

/** The order in which Shibboleth SP 3.4's /Shibboleth.sso/Metadata handler lists them. */
const SHIBBOLETH_ENCRYPTION_METHODS = [
  "http://www.w3.org/2009/xmlenc11#aes128-gcm",
  "http://www.w3.org/2009/xmlenc11#aes192-gcm",
  "http://www.w3.org/2009/xmlenc11#aes256-gcm",
  "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
  "http://www.w3.org/2001/04/xmlenc#aes192-cbc",
  "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
  "http://www.w3.org/2001/04/xmlenc#tripledes-cbc",
  "http://www.w3.org/2009/xmlenc11#rsa-oaep",
  "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
];

async function shibbolethStyleMetadata(encryptionMethods: string[]): Promise<string> {
  const signing = await testKey("sp-signing");
  const encryption = await testKey("sp-encryption");
  const xml = spMetadataXml({ entityId: "http://127.0.0.1:8082/shibboleth", signing, encryption, encryptionMethods, acsUrls: ["http://127.0.0.1:8082/Shibboleth.sso/SAML2/POST"] });
  return `<!--\nThis is example metadata only. Do *NOT* supply it as is without review,\nand do *NOT* provide it in real time to your partners.\n -->\n${xml}`;
}

function serviceProvider(metadataXml: string, encryption?: { content?: string; keyTransport?: string }): ServiceProvider {
  return {
    id: "shibboleth",
    displayName: "shibboleth",
    systemId: "http://127.0.0.1:8082/shibboleth",
    policy: serviceProviderSchema.parse({ id: "shibboleth", metadata: "unused.xml", ...(encryption ? { encryption } : {}) }),
    metadata: readSpMetadata(metadataXml),
  };
}

describe("metadata published by real SAML products", () => {
  it("reads SP metadata that starts with a comment, as Shibboleth SP publishes it", async () => {
    const metadata = readSpMetadata(await shibbolethStyleMetadata([]));
    expect(metadata.entityId).toBe("http://127.0.0.1:8082/shibboleth");
    expect(metadata.assertionConsumerServices[0]?.location).toBe("http://127.0.0.1:8082/Shibboleth.sso/SAML2/POST");
  });

  it("still refuses comments outside the root element of a SAML message", () => {
    expect(() => parseXml("<!-- before --><a/>")).toThrow(XmlError);
  });

  it("takes OIOSAML 3's algorithms from an SP's EncryptionMethod list whatever their order", async () => {
    const sp = serviceProvider(await shibbolethStyleMetadata(SHIBBOLETH_ENCRYPTION_METHODS));
    expect(encryptionChoiceFor(sp)).toEqual({ content: CONTENT_ENCRYPTION.aes256gcm, keyTransport: KEY_TRANSPORT.rsaOaep });
  });

  it("falls back to the first supported algorithm the SP lists, and lets the per-SP setting win", async () => {
    const cbcOnly = serviceProvider(await shibbolethStyleMetadata([CONTENT_ENCRYPTION.aes128cbc, CONTENT_ENCRYPTION.aes256cbc, KEY_TRANSPORT.rsaOaepMgf1p]));
    expect(encryptionChoiceFor(cbcOnly)).toEqual({ content: CONTENT_ENCRYPTION.aes128cbc, keyTransport: KEY_TRANSPORT.rsaOaepMgf1p });
    const configured = serviceProvider(await shibbolethStyleMetadata(SHIBBOLETH_ENCRYPTION_METHODS), { keyTransport: "rsa-oaep-mgf1p" });
    expect(encryptionChoiceFor(configured)).toEqual({ content: CONTENT_ENCRYPTION.aes256gcm, keyTransport: KEY_TRANSPORT.rsaOaepMgf1p });
  });
});
