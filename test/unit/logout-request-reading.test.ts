/**
 * Reading a LogoutRequest as Shibboleth SP sends it by default: the EncryptedID is decrypted with the broker's
 * encryption key (real RSA keys, real XML Encryption) and read as the request's NameID, anything else is
 * refused; the aslo:Asynchronous extension (no answer wanted) is recognised.
 */
import { describe, expect, it } from "vitest";
import { withDecryptedNameId } from "../../src/saml/logout-name-id.js";
import { ASYNC_SLO_NS, readLogoutRequest } from "../../src/saml/logout-messages.js";
import { encryptAssertion, OIOSAML3_ENCRYPTION } from "../../src/saml/encrypt-assertion.js";
import { CONTENT_ENCRYPTION, KEY_TRANSPORT } from "../../src/saml/algorithms.js";
import { NS } from "../../src/saml/namespaces.js";
import { parseXml, DEFAULT_XML_LIMITS } from "../../src/xml/xml-parser.js";
import { SamlError } from "../../src/saml/saml-error.js";
import { testKey } from "../support/keys.js";

const PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
const PERSON = "https://data.gov.dk/model/core/eid/professional/uuid/6a5b1b7e-5f2c-4d3e-9c1a-2b7d8e9f0a1b";
const nameIdXml = `<saml:NameID xmlns:saml="${NS.saml}" Format="${PERSISTENT}" SPNameQualifier="https://sp.example">${PERSON}</saml:NameID>`;

/** An EncryptedID around `plaintext`, encrypted to `certificatePem` (EncryptedKey inside the EncryptedData's KeyInfo). */
async function encryptedId(plaintext: string, certificatePem: string, choice = OIOSAML3_ENCRYPTION): Promise<string> {
  const wrapped = await encryptAssertion(plaintext, certificatePem, choice);
  return wrapped.replace("<saml:EncryptedAssertion", "<saml:EncryptedID").replace("</saml:EncryptedAssertion>", "</saml:EncryptedID>");
}

function logoutRequest(subject: string, extensions = ""): Element {
  return parseXml(
    `<samlp:LogoutRequest xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ID="_r1" Version="2.0" IssueInstant="2026-12-05T12:00:00Z" Destination="https://broker.example/saml/slo">` +
      `<saml:Issuer>https://sp.example</saml:Issuer>${extensions}${subject}<samlp:SessionIndex>_s1</samlp:SessionIndex></samlp:LogoutRequest>`,
  ).documentElement;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SamlError);
  return (error as SamlError).reason;
}

describe("a LogoutRequest's EncryptedID", () => {
  it("is decrypted with the broker's key and read as the NameID (OIOSAML 3 algorithms, and aes128-cbc with rsa-oaep-mgf1p)", async () => {
    const broker = await testKey("broker-encryption");
    for (const choice of [OIOSAML3_ENCRYPTION, { content: CONTENT_ENCRYPTION.aes128cbc, keyTransport: KEY_TRANSPORT.rsaOaepMgf1p }]) {
      const request = logoutRequest(await encryptedId(nameIdXml, broker.certificatePem, choice));
      expect(() => readLogoutRequest(request)).toThrow(/EncryptedID/);
      const read = readLogoutRequest(await withDecryptedNameId(request, [broker], DEFAULT_XML_LIMITS));
      expect(read.nameId).toBe(PERSON);
      expect(read.nameIdFormat).toBe(PERSISTENT);
      expect(read.sessionIndexes).toEqual(["_s1"]);
      expect(request.getElementsByTagNameNS(NS.saml, "EncryptedID")).toHaveLength(0);
    }
  });

  it("is decrypted with the next key during a key rollover", async () => {
    const [current, next] = [await testKey("broker-encryption"), await testKey("broker-encryption-next")];
    const request = logoutRequest(await encryptedId(nameIdXml, next.certificatePem));
    expect(readLogoutRequest(await withDecryptedNameId(request, [current, next], DEFAULT_XML_LIMITS)).nameId).toBe(PERSON);
  });

  it("leaves a plain NameID as it is", async () => {
    const broker = await testKey("broker-encryption");
    const request = logoutRequest(nameIdXml);
    expect(readLogoutRequest(await withDecryptedNameId(request, [broker], DEFAULT_XML_LIMITS)).nameId).toBe(PERSON);
  });

  it("is refused when encrypted to another key, when it holds something other than a NameID, or next to a NameID", async () => {
    const broker = await testKey("broker-encryption");
    const other = await testKey("someone-else");
    expect(await refusal(withDecryptedNameId(logoutRequest(await encryptedId(nameIdXml, other.certificatePem)), [broker], DEFAULT_XML_LIMITS))).toBe("decryption_failed");
    const issuer = `<saml:Issuer xmlns:saml="${NS.saml}">${PERSON}</saml:Issuer>`;
    expect(await refusal(withDecryptedNameId(logoutRequest(await encryptedId(issuer, broker.certificatePem)), [broker], DEFAULT_XML_LIMITS))).toBe("decrypted_not_one_nameid");
    const both = logoutRequest(`${nameIdXml}${await encryptedId(nameIdXml, broker.certificatePem)}`);
    expect(await refusal(withDecryptedNameId(both, [broker], DEFAULT_XML_LIMITS))).toBe("request_invalid");
  });
});

describe("a LogoutRequest's aslo:Asynchronous extension", () => {
  it("marks the request as wanting no answer; other extensions, or the element in another namespace, do not", () => {
    expect(readLogoutRequest(logoutRequest(nameIdXml)).asynchronous).toBe(false);
    expect(readLogoutRequest(logoutRequest(nameIdXml, `<samlp:Extensions><aslo:Asynchronous xmlns:aslo="${ASYNC_SLO_NS}"/></samlp:Extensions>`)).asynchronous).toBe(true);
    expect(readLogoutRequest(logoutRequest(nameIdXml, `<samlp:Extensions><x:Other xmlns:x="urn:example:other"/></samlp:Extensions>`)).asynchronous).toBe(false);
    expect(readLogoutRequest(logoutRequest(nameIdXml, `<samlp:Extensions><x:Asynchronous xmlns:x="urn:example:other"/></samlp:Extensions>`)).asynchronous).toBe(false);
  });
});
