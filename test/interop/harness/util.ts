/** Small helpers of the interop harness: free ports, bounded waits, templates, child commands. */
import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** test/interop/peers: the committed configuration templates of every peer. */
export const PEERS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "peers");
/** test/interop/checks: the independent verification scripts. */
export const CHECKS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "checks");

/** Debian's python: the pyenv or venv `python3` on PATH may lack the Debian modules (saml2). */
export const DEBIAN_PYTHON = "/usr/bin/python3";

/** A port that was free a moment ago on 127.0.0.1 (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("no port assigned"))));
    });
  });
}

/** Distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let attempt = 0; ports.size < count && attempt < count * 20; attempt++) ports.add(await freePort());
  if (ports.size < count) throw new Error(`could not find ${count} free ports`);
  return [...ports];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns something other than undefined/false, at most `timeoutMs`.
 * The error names what was awaited and the last failure seen.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = "";
  for (;;) {
    try {
      const result = await probe();
      if (result !== undefined && result !== false) return result;
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastProblem ? ` (last: ${lastProblem})` : ""}`);
    await sleep(intervalMs);
  }
}

/** Waits until `url` answers with `status` (any 2xx when omitted). */
export async function waitForHttp(url: string, timeoutMs: number, isAlive: () => boolean = () => true, status?: number): Promise<void> {
  await waitFor(
    `${url} to answer`,
    async () => {
      if (!isAlive()) throw new Error("the process serving it has exited");
      const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (status !== undefined ? response.status === status : response.ok) return true;
      throw new Error(`HTTP ${response.status}`);
    },
    timeoutMs,
  );
}

/** GET a URL and return its body; throws on a non-2xx answer. */
export async function fetchText(url: string, timeoutMs = 10_000): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const body = await response.text();
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}\n${body.slice(0, 2000)}`);
  return body;
}

export function writeFile(path: string, content: string, mode?: number): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content, mode === undefined ? undefined : { mode });
  return path;
}

/** Copies a template from test/interop/peers, replacing every {{NAME}}; an unknown placeholder is an error. */
export function renderTemplate(templatePath: string, destination: string, values: Record<string, string>): string {
  const template = readFileSync(join(PEERS_DIR, templatePath), "utf8");
  const rendered = template.replace(/\{\{([A-Z0-9_]+)\}\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${templatePath}: no value for {{${name}}}`);
    return value;
  });
  return writeFile(destination, rendered);
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (bounded), never through a shell. Does not throw on a non-zero exit. */
export function run(command: string, args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { timeout: options.timeoutMs ?? 60_000, env: options.env ?? process.env, cwd: options.cwd, maxBuffer: 16 * 1024 * 1024, killSignal: "SIGKILL" },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(new Error(`${command} ${args.join(" ")}: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
      },
    );
  });
}

/** Runs a command that must succeed; the error carries its output. */
export async function runOk(command: string, args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CommandResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  return result;
}

/** A fresh self-signed RSA key pair for a peer, made with openssl. */
export async function opensslKeyPair(keyPath: string, certPath: string, commonName: string): Promise<void> {
  mkdirSync(dirname(keyPath), { recursive: true });
  mkdirSync(dirname(certPath), { recursive: true });
  await runOk("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "30",
    "-subj", `/CN=${commonName}/O=Interop Test`, "-keyout", keyPath, "-out", certPath,
  ]);
}
