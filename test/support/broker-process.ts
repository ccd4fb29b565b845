/**
 * Real broker processes for multi-instance tests: a configuration folder
 * (keys, metadata, parties, cookie secret, store) written once, and
 * `node --import tsx src/cli/main.ts serve --config <dir>` started as often as needed,
 * each on its own port. Waits are bounded; stop() always ends the process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { stringify } from "yaml";
import { idpMetadataXml, spMetadataXml } from "../../src/demo/demo-metadata.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { BINDING } from "../../src/saml/namespaces.js";
import { BROKER_BASE, BROKER_ENTITY_ID, IDP_ENTITY_ID, IDP_SSO_URL, MUNICIPALITY_CVR, SP_ACS_URL, SP_ENTITY_ID, type FixtureKeys } from "./broker-fixture.js";
import { freePort, waitFor } from "../../scripts/lib/redis-server.js";

export const SECOND_SP_ENTITY_ID = "https://andet-fagsystem.test/sp";
export const SECOND_SP_ACS_URL = "https://andet-fagsystem.test/acs";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "../..");

export interface ConfigFolderOptions {
  store: { url: string; prefix: string };
  /** Extra top-level settings merged into the broker's YAML. */
  extra?: Record<string, unknown>;
  /** Policy for the second fagsystem (e.g. a higher required level). */
  secondSp?: Record<string, unknown>;
}

/** Writes one configuration folder that every instance of a test shares. */
export function writeConfigFolder(keys: FixtureKeys, options: ConfigFolderOptions): string {
  const dir = mkdtempSync(join(tmpdir(), "broker-instances-"));
  const write = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const keyFiles = (name: string, key: KeyMaterial) => ({ key: write(`${name}.key.pem`, key.privateKeyPem), cert: write(`${name}.cert.pem`, key.certificatePem) });
  // Every party has a SingleLogoutService (HTTP-Redirect) beside its login endpoint: …/slo.
  const sloOf = (url: string) => url.replace(/\/[^/]*$/, "/slo");
  const idp = write("idp.xml", idpMetadataXml({ entityId: IDP_ENTITY_ID, signing: keys.idpSigning, ssoUrl: IDP_SSO_URL, bindings: [BINDING.redirect], sloUrl: sloOf(IDP_SSO_URL) }));
  const sp = (entityId: string, acs: string) =>
    spMetadataXml({ entityId, signing: keys.spSigning, encryption: keys.spEncryption, acsUrls: [acs], authnRequestsSigned: true, sloUrl: sloOf(acs) });
  const config = {
    baseUrl: BROKER_BASE,
    entityId: BROKER_ENTITY_ID,
    host: "127.0.0.1",
    cookieSecret: "shared-cookie-secret-for-all-instances-0123456789",
    keys: { signing: keyFiles("broker-signing", keys.brokerSigning), encryption: keyFiles("broker-encryption", keys.brokerEncryption) },
    log: { level: "info" },
    store: options.store,
    organisations: [{ cvr: MUNICIPALITY_CVR, name: "Test Kommune" }],
    identityProviders: [{ id: "test-kommune", displayName: "Test Kommune", metadata: idp, cvrs: [MUNICIPALITY_CVR] }],
    serviceProviders: [
      { id: "test-fagsystem", metadata: write("sp.xml", sp(SP_ENTITY_ID, SP_ACS_URL)) },
      { id: "andet-fagsystem", metadata: write("sp2.xml", sp(SECOND_SP_ENTITY_ID, SECOND_SP_ACS_URL)), ...options.secondSp },
    ],
    // Upstream answers are posted here without a browser; the binding to the browser has its own tests.
    upstreamBrowserBinding: "off",
    ...options.extra,
  };
  write("broker.yaml", stringify(config));
  return dir;
}

export interface BrokerProcess {
  url: string;
  port: number;
  /** Everything the process wrote, for assertions and for failure messages. */
  output(): string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after a bound; resolves once it has ended. */
  stop(): Promise<number | string>;
  /** Sends a signal to the broker process. */
  signal(name: NodeJS.Signals): void;
}

async function ready(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1_000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

export interface BrokerCommand {
  /** The program and its arguments, e.g. the image's `node dist/cli/main.js serve`. */
  command: string;
  args: string[];
  cwd: string;
  /** The whole environment of the process (nothing is inherited); BROKER_PORT is set to the free port. */
  env: Record<string, string>;
  /** Run as this user and group (a test running as root runs the broker as an unprivileged user, as the image does). */
  user?: { uid: number; gid: number };
}

/** Starts `node --import tsx src/cli/main.ts serve --config <dir>` on a free port and waits until it reports ready. */
export async function startBrokerProcess(configDir: string, env: Record<string, string> = {}): Promise<BrokerProcess> {
  return startBrokerCommand({
    // The same Node as the tests, with tsx loaded in-process: signals reach the broker itself.
    command: process.execPath,
    args: ["--import", "tsx", "src/cli/main.ts", "serve", "--config", configDir],
    cwd: ROOT,
    env: { ...(process.env as Record<string, string>), ...env },
  });
}

/** Starts a broker with the given command on a free port and waits until it reports ready. */
export async function startBrokerCommand(run: BrokerCommand): Promise<BrokerProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(run.command, run.args, {
    cwd: run.cwd,
    ...run.user,
    env: { ...run.env, BROKER_PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolveExit) => {
    child.once("exit", (code, signal) => resolveExit(code ?? signal ?? "unknown"));
    // A process that cannot be started (EACCES, ENOENT) never exits: say so at once instead of waiting.
    child.once("error", (error) => {
      output += `cannot start ${run.command}: ${error.message}\n`;
      resolveExit(error.message);
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    const result = await exited;
    clearTimeout(timer);
    return result;
  };
  let gone = false;
  void exited.then(() => (gone = true));
  try {
    await waitFor(`broker on port ${port} to be ready`, async () => gone || (await ready(url)), 45_000, 100);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output.slice(-2000)}`, { cause: error });
  }
  if (gone) throw new Error(`broker on port ${port} exited at start:\n${output.slice(-2000)}`);
  return { url, port, output: () => output, exited, stop, signal: (name) => child.kill(name) };
}
