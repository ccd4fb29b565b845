/** Test keys: real RSA keys with self-signed certificates, generated once per test file. */
import { generateKeyPair } from "../../src/keys/generate-key-pair.js";
import { keyMaterialFromPem, type KeyMaterial } from "../../src/keys/key-material.js";

const cache = new Map<string, Promise<KeyMaterial>>();

export function testKey(name: string, bits: 2048 | 3072 = 2048): Promise<KeyMaterial> {
  let key = cache.get(`${name}/${bits}`);
  if (!key) {
    key = generateKeyPair({ commonName: `test ${name}`, bits }).then((k) => keyMaterialFromPem(k.privateKeyPem, k.certificatePem));
    cache.set(`${name}/${bits}`, key);
  }
  return key;
}
