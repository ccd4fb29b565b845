/**
 * Part 1, the cryptographic ceiling: the private-key operations one login
 * needs on the broker, with Node's crypto and the broker's own keys:
 *   - RSA-OAEP decryption of the key the IdP wrapped for the broker
 *     (xmlenc11 rsa-oaep, SHA-256 digest and MGF1-SHA-256, OIOSAML 3), and
 *   - an RSA-SHA256 signature over the new assertion's SignedInfo.
 * Measured in CPU time on one thread, so the result is per core.
 */
import { constants, createPublicKey, privateDecrypt, publicEncrypt, randomBytes, sign } from "node:crypto";
import type { PartyKeys } from "./parties.js";
import { median } from "./stats.js";

export interface CeilingResult {
  /** CPU milliseconds per operation. */
  decryptMs: number;
  signMs: number;
  /** Logins per second per core if a login cost nothing but these two operations. */
  loginsPerSecPerCore: number;
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** CPU ms per call of `operation`, over about `budgetMs` of CPU time. */
function perOperation(operation: () => void, budgetMs: number): number {
  for (let i = 0; i < 20; i++) operation();
  let calls = 0;
  const start = cpuMs();
  let spent = 0;
  while (spent < budgetMs) {
    for (let i = 0; i < 10; i++) operation();
    calls += 10;
    spent = cpuMs() - start;
  }
  return spent / calls;
}

export function measureCeiling(keys: PartyKeys, budgetMs = 1_500, rounds = 3): CeilingResult {
  const oaep = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" };
  const wrapped = publicEncrypt({ key: createPublicKey(keys.brokerEncryption.certificatePem), ...oaep }, randomBytes(32));
  const decrypt = () => {
    privateDecrypt({ key: keys.brokerEncryption.privateKey, ...oaep }, wrapped);
  };
  // The size of a canonical SignedInfo with one Reference.
  const signedInfo = randomBytes(640);
  const signOnce = () => {
    sign("sha256", signedInfo, keys.brokerSigning.privateKey);
  };
  const decrypts: number[] = [];
  const signs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    decrypts.push(perOperation(decrypt, budgetMs / rounds / 2));
    signs.push(perOperation(signOnce, budgetMs / rounds / 2));
  }
  const decryptMs = median(decrypts);
  const signMs = median(signs);
  return { decryptMs, signMs, loginsPerSecPerCore: 1000 / (decryptMs + signMs) };
}
