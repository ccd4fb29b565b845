/** Encrypts a signed assertion for a fagsystem (saml:EncryptedAssertion). */
import { publicKeyOf } from "./public-keys.js";
import xmlenc, { type EncryptOptions } from "xml-encryption";
import { CONTENT_ENCRYPTION, KEY_TRANSPORT, type ContentEncryption, type KeyTransport } from "./algorithms.js";
import { NS } from "./namespaces.js";
import { asWritten, type WrittenXml } from "./sign-built.js";

export interface EncryptionChoice {
  content: ContentEncryption;
  keyTransport: KeyTransport;
}

/** OIOSAML 3: AES-256-GCM content, RSA-OAEP (xmlenc11) with SHA-256 digest and MGF1-SHA-256. */
export const OIOSAML3_ENCRYPTION: EncryptionChoice = {
  content: CONTENT_ENCRYPTION.aes256gcm,
  keyTransport: KEY_TRANSPORT.rsaOaep,
};

export function encryptAssertion(assertionXml: string, recipientCertificatePem: string, choice: EncryptionChoice): Promise<WrittenXml> {
  const oaep11 = choice.keyTransport === KEY_TRANSPORT.rsaOaep;
  const options: EncryptOptions = {
    rsa_pub: publicKeyOf(recipientCertificatePem),
    pem: recipientCertificatePem,
    encryptionAlgorithm: choice.content,
    keyEncryptionAlgorithm: choice.keyTransport,
    keyEncryptionDigest: oaep11 ? "sha256" : "sha1",
    // `choice` is typed to the allow-list, which admits AES-CBC for SPs that cannot do GCM; xml-encryption would refuse it.
    disallowEncryptionWithInsecureAlgorithm: false,
    warnInsecureAlgorithm: false,
  };
  if (oaep11) options.keyEncryptionMgf = "sha256";
  return new Promise((resolve, reject) => {
    xmlenc.encrypt(assertionXml, options, (error, result) => {
      if (error || !result) reject(error ?? new Error("encryption produced nothing"));
      // xml-encryption writes EncryptedData from a template of algorithm URIs, base64 and the certificate: well-formed.
      else resolve(asWritten(`<saml:EncryptedAssertion xmlns:saml="${NS.saml}">${result}</saml:EncryptedAssertion>`));
    });
  });
}
