/**
 * `BENCH_BROKER=compiled npm run bench …`: the broker processes run compiled
 * JavaScript, as in production (`npm run build`, the image), instead of
 * TypeScript through tsx. The broker's child entry and the sources it imports
 * are compiled once per run with tsc into var/bench-compiled/.
 */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = join(ROOT, "var", "bench-compiled");
let compiled: string | undefined;

export function compiledBrokerProcess(): string {
  if (compiled) return compiled;
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", join(ROOT, "bench", "tsconfig.broker.json")], { cwd: ROOT, stdio: "inherit" });
  compiled = join(OUT, "bench", "lib", "broker-process.js");
  return compiled;
}
