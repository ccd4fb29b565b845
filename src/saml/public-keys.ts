/** Public keys of certificates (trusted signers, encryption recipients), parsed once per certificate and kept while the broker runs. */
import { createPublicKey, type KeyObject } from "node:crypto";

const publicKeys = new Map<string, KeyObject>();

export function publicKeyOf(certificatePem: string): KeyObject {
  let key = publicKeys.get(certificatePem);
  if (!key) {
    // Bounded: metadata refreshes bring new certificates over the months.
    if (publicKeys.size >= 1000) publicKeys.clear();
    key = createPublicKey(certificatePem);
    publicKeys.set(certificatePem, key);
  }
  return key;
}
