/**
 * The interop suite's one world of peer processes: started before the
 * scenarios, stopped after them, and the peers' own logs printed when a
 * scenario fails.
 */
import { join } from "node:path";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll } from "vitest";
import { startInteropEnvironment, type InteropEnvironment } from "./environment.js";
import { Xmlsec } from "./xmlsec.js";

let env: InteropEnvironment | undefined;
let xmlsec: Xmlsec | undefined;

/** Starts the world before the file's scenarios and stops it after them. INTEROP_KEEP=1 keeps its folder. */
export function useInteropEnvironment(): void {
  beforeAll(async () => {
    env = await startInteropEnvironment({ keep: process.env["INTEROP_KEEP"] === "1" });
    xmlsec = new Xmlsec(join(env.root, "checks"));
    if (process.env["INTEROP_KEEP"] === "1") console.log(`interop folder kept: ${env.root}`);
  });

  afterAll(async () => {
    await env?.stop();
  });
}

export function world(): InteropEnvironment {
  if (!env) throw new Error("the interop environment did not start");
  return env;
}

/** xmlsec1, working in the world's checks folder. */
export function xmlsecTool(): Xmlsec {
  if (!xmlsec) throw new Error("the interop environment did not start");
  return xmlsec;
}

/** Runs a scenario; when it fails, the peers' own logs are printed before the failure is reported. */
export async function diagnosed(scenario: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    console.error(`\n##### ${scenario} failed. The peers' own logs:\n${env ? env.peerLogs() : "(the environment did not start)"}\n##### end of peer logs\n`);
    throw error;
  }
}

/** A peer's log file, or "" when it is not there (yet). */
export async function readLog(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return "";
  }
}
