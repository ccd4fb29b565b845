/**
 * Creates signing and encryption key pairs with self-signed certificates.
 *   npm run keys -- --out var/keys --name broker --bits 3072
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { existsSync } from "node:fs";
import { ensureKeyMaterial } from "../src/keys/key-material.js";

const { values } = parseArgs({
  options: {
    out: { type: "string", default: "var/keys" },
    name: { type: "string", default: "broker" },
    bits: { type: "string", default: "3072" },
    cn: { type: "string" },
  },
});
const bits = Number(values.bits);
if (bits !== 2048 && bits !== 3072 && bits !== 4096) {
  console.error(`--bits must be 2048, 3072 or 4096 (got ${values.bits})`);
  process.exit(2);
}
const out = values.out ?? "var/keys";
const name = values.name ?? "broker";
for (const use of ["signing", "encryption"] as const) {
  const keyPath = join(out, `${name}-${use}.key.pem`);
  const certPath = join(out, `${name}-${use}.cert.pem`);
  const existed = existsSync(keyPath) && existsSync(certPath);
  await ensureKeyMaterial(keyPath, certPath, `${values.cn ?? name} ${use}`, bits);
  console.log(`${existed ? "kept   " : "created"} ${keyPath} + ${certPath}`);
}
