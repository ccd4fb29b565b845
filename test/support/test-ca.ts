/**
 * A certificate authority made in the test: a root (self-signed, cA), the
 * party certificates it issues (each naming a CRL distribution point), and
 * the CRLs it signs, listing the serials it has revoked. Real RSA keys,
 * real X.509 and CRL encodings (@peculiar/x509).
 */
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { keyMaterialFromPem, type KeyMaterial } from "../../src/keys/key-material.js";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const DAY = 86_400_000;

function pem(der: ArrayBuffer, label: string): string {
  const lines = Buffer.from(der).toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

let serial = 0x1000;
const nextSerial = () => (serial += 1).toString(16).padStart(8, "0");

export interface IssuedCertificate extends KeyMaterial {
  serialNumber: string;
}

export interface TestCa {
  name: string;
  certificatePem: string;
  /** A party certificate (digitalSignature) naming `crlUrl` as its CRL distribution point (none when not given). */
  issue(commonName: string, crlUrl?: string): Promise<IssuedCertificate>;
  /** A CRL (DER) listing these serials as revoked, issued at `now` (default: the real clock) and valid for a day. */
  crl(revokedSerials: readonly string[], options?: { signedBy?: TestCa; now?: number }): Promise<Buffer>;
  signingKey: CryptoKey;
  certificate: x509.X509Certificate;
}

/** A root CA, or with `parent` an intermediate (issuing) CA under it. */
export async function createTestCa(name: string, parent?: TestCa): Promise<TestCa> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as CryptoKeyPair;
  const common = {
    serialNumber: nextSerial(),
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  };
  const root = parent
    ? await x509.X509CertificateGenerator.create({ ...common, subject: `CN=${name}`, issuer: parent.certificate.subject, publicKey: keys.publicKey, signingKey: parent.signingKey })
    : await x509.X509CertificateGenerator.createSelfSigned({ ...common, name: `CN=${name}`, keys });
  const ca: TestCa = {
    name,
    certificate: root,
    certificatePem: root.toString("pem") + "\n",
    signingKey: keys.privateKey,
    async issue(commonName, crlUrl) {
      const leafKeys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as CryptoKeyPair;
      const serialNumber = nextSerial();
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber,
        subject: `CN=${commonName}`,
        issuer: root.subject,
        notBefore: new Date(Date.now() - DAY),
        notAfter: new Date(Date.now() + 90 * DAY),
        publicKey: leafKeys.publicKey,
        signingKey: keys.privateKey,
        signingAlgorithm: ALGORITHM,
        extensions: [
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          await x509.AuthorityKeyIdentifierExtension.create(root, false),
          ...(crlUrl ? [new x509.CRLDistributionPointsExtension([crlUrl])] : []),
        ],
      });
      const privateKeyPem = pem(await webcrypto.subtle.exportKey("pkcs8", leafKeys.privateKey), "PRIVATE KEY");
      return { ...keyMaterialFromPem(privateKeyPem, leaf.toString("pem") + "\n"), serialNumber };
    },
    async crl(revokedSerials, options = {}) {
      const now = options.now ?? Date.now();
      const crl = await x509.X509CrlGenerator.create({
        issuer: root.subject,
        thisUpdate: new Date(now - 60_000),
        nextUpdate: new Date(now + DAY),
        entries: revokedSerials.map((serialNumber) => ({ serialNumber, revocationDate: new Date(now - 60_000), reason: x509.X509CrlReason.keyCompromise })),
        signingKey: (options.signedBy ?? ca).signingKey,
        signingAlgorithm: ALGORITHM,
      });
      return Buffer.from(crl.rawData);
    },
  };
  return ca;
}
