import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { generateKeyPair, type RsaKeySize } from "./generate-key-pair.js";

/** A private key and its certificate, loaded and checked. */
export interface KeyMaterial {
  privateKey: KeyObject;
  privateKeyPem: string;
  certificatePem: string;
  /** Base64 DER of the certificate, as it appears in ds:X509Certificate. */
  certificateBase64: string;
}

export function certificateBase64FromPem(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
}

export function certificatePemFromBase64(base64: string): string {
  const clean = base64.replace(/\s+/g, "");
  const lines = clean.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}

export function loadKeyMaterial(keyPath: string, certPath: string): KeyMaterial {
  const privateKeyPem = readFileSync(keyPath, "utf8");
  const certificatePem = readFileSync(certPath, "utf8");
  return keyMaterialFromPem(privateKeyPem, certificatePem);
}

export function keyMaterialFromPem(privateKeyPem: string, certificatePem: string): KeyMaterial {
  const privateKey = createPrivateKey(privateKeyPem);
  const certificate = new X509Certificate(certificatePem);
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new Error("private key does not match certificate");
  }
  return { privateKey, privateKeyPem, certificatePem, certificateBase64: certificateBase64FromPem(certificatePem) };
}

/** Loads a key pair from files, creating it (self-signed) first if either file is missing. */
export async function ensureKeyMaterial(
  keyPath: string,
  certPath: string,
  commonName: string,
  bits: RsaKeySize = 3072,
): Promise<KeyMaterial> {
  if (!existsSync(keyPath) || !existsSync(certPath)) {
    const generated = await generateKeyPair({ commonName, bits });
    mkdirSync(dirname(keyPath), { recursive: true });
    mkdirSync(dirname(certPath), { recursive: true });
    writeFileSync(keyPath, generated.privateKeyPem, { mode: 0o600 });
    writeFileSync(certPath, generated.certificatePem);
  }
  return loadKeyMaterial(keyPath, certPath);
}
