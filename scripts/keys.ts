/**
 * Creates signing and encryption key pairs with self-signed certificates.
 *   npm run keys -- --out var/keys --name broker --bits 3072
 *   npm run keys -- --out var/keys --name broker-next   (the next keys of a rollover: keys.next)
 *   npm run keys -- rollover [--config config]          (sign with keys.next from now on, on every instance)
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { existsSync } from "node:fs";
import { ensureKeyMaterial } from "../src/keys/key-material.js";
import { rolloverKeys } from "../src/cli/rollover-keys.js";
import { loadConfig } from "../src/config/load-config.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    config: { type: "string" },
    out: { type: "string", default: "var/keys" },
    name: { type: "string", default: "broker" },
    bits: { type: "string", default: "3072" },
    cn: { type: "string" },
  },
});
if (positionals[0] === "rollover") {
  const outcome = await rolloverKeys(loadConfig(values.config ?? process.env["BROKER_CONFIG_DIR"] ?? "config"));
  (outcome.ok ? console.log : console.error)(outcome.message);
  process.exit(outcome.ok ? 0 : 2);
}
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
