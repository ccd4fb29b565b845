/**
 * SSO sessions are kept in the shared store sealed with a key only the
 * browser holds: the store key is a hash of the session id, and the content
 * is encrypted (AES-256-GCM) with a key derived from the id. Whoever can read
 * the store sees neither identities nor usable session ids.
 */
import { createCipheriv, createDecipheriv, createHash, createSecretKey, hkdfSync, randomBytes, type KeyObject } from "node:crypto";

const SALT = Buffer.from("context-broker sso session v1");

export function newSessionId(): string {
  return randomBytes(32).toString("base64url");
}

export function isSessionId(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}

export function sessionStoreKey(sessionId: string): string {
  return `sso:${createHash("sha256").update(sessionId).digest("hex")}`;
}

/** The sealing key and the AAD (the store key) of one id. */
interface SealMaterial {
  /** A KeyObject: the cipher takes it without the per-call key checks a Buffer costs. */
  key: KeyObject;
  aad: Buffer;
}

/**
 * A login seals and opens the same few ids several times (the session, its
 * index entries): the derived material of the most recent ids is kept, so
 * HKDF and SHA-256 run once per id, not once per use. Bounded; the oldest
 * entry goes first. It holds nothing the process did not just hold anyway.
 */
const RECENT_IDS = 256;
const recent = new Map<string, SealMaterial>();

function materialFor(sessionId: string): SealMaterial {
  const known = recent.get(sessionId);
  if (known) return known;
  const derived = hkdfSync("sha256", createSecretKey(Buffer.from(sessionId)), SALT, "seal", 32);
  const material = { key: createSecretKey(Buffer.from(derived)), aad: Buffer.from(sessionStoreKey(sessionId)) };
  if (recent.size >= RECENT_IDS) recent.delete(recent.keys().next().value as string);
  recent.set(sessionId, material);
  return material;
}

export function seal(sessionId: string, plaintext: string): string {
  const iv = randomBytes(12);
  const { key, aad } = materialFor(sessionId);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
}

/** The plaintext, or undefined when the sealed value is not intact or not for this id: fail closed. */
export function unseal(sessionId: string, sealed: string): string | undefined {
  const raw = Buffer.from(sealed, "base64url");
  if (raw.length < 29) return undefined;
  try {
    const { key, aad } = materialFor(sessionId);
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
    decipher.setAAD(aad);
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}
