import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export type RsaKeySize = 2048 | 3072 | 4096;

export interface GeneratedKeyPair {
  privateKeyPem: string;
  certificatePem: string;
}

export interface KeyPairOptions {
  commonName: string;
  bits?: RsaKeySize;
  validDays?: number;
  /** Start of validity; a minute ago when not given. */
  notBefore?: Date;
}

/** Creates an RSA key pair with a self-signed certificate (SHA-256), as used to pin keys in SAML metadata. */
export async function generateKeyPair(options: KeyPairOptions): Promise<GeneratedKeyPair> {
  const bits = options.bits ?? 3072;
  const algorithm = {
    name: "RSASSA-PKCS1-v1_5",
    hash: "SHA-256",
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: bits,
  };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as CryptoKeyPair;
  const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + (options.validDays ?? 3650) * 86_400_000);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString("hex").replace(/^[89a-f]/, "1"),
    name: `CN=${options.commonName.replace(/[,+="<>#;\\]/g, " ")}`,
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: algorithm,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true)],
  });
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  const privateKeyPem = toPem(Buffer.from(pkcs8), "PRIVATE KEY");
  return { privateKeyPem, certificatePem: certificate.toString("pem") + "\n" };
}

function toPem(der: Buffer, label: string): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
