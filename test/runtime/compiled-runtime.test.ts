/**
 * The production image's runtime stage, reproduced without a container
 * engine: the broker compiled as `npm run build` does, a production install
 * (`npm ci --omit=dev`, the Dockerfile's command) into an empty folder, dist/
 * copied next to it, and the image's command started with the image's
 * environment and a mounted configuration, with the application folder
 * read-only. Then: health, metadata, and a whole login through the compiled
 * broker, and a clean stop.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { readRuntimeStage, type RuntimeStage } from "./runtime-stage.js";
import { startBrokerCommand, writeConfigFolder, type BrokerProcess } from "../support/broker-process.js";
import { BROKER_ENTITY_ID, fixtureKeys, SP_ACS_URL, type FixtureKeys } from "../support/broker-fixture.js";
import { idpResponse, readSpAnswer, spRedirectRequest, upstreamRequestFrom } from "../support/saml-peers.js";
import { encodePostMessage } from "../../src/saml/post-binding.js";
import { waitFor } from "../../scripts/lib/redis-server.js";
import { STATUS } from "../../src/saml/namespaces.js";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "../..");

function run(command: string, args: string[], cwd: string, timeoutMs: number): void {
  const result = spawnSync(command, args, { cwd, env: process.env, encoding: "utf8", timeout: timeoutMs });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
}

/** Readable and searchable by everyone, writable by no one (root aside: hence the unprivileged user below). */
function makeReadOnly(folder: string): void {
  run("chmod", ["-R", "a+rX,a-w", folder], tmpdir(), 30_000);
}

/** The image runs as a user without privileges; a test running as root does the same, or permissions would not bind it. */
const UNPRIVILEGED = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;

describe("the compiled broker in the image's runtime stage", () => {
  let stage: RuntimeStage;
  let app: string;
  let nodeDir: string | undefined;
  let keys: FixtureKeys;
  let broker: BrokerProcess | undefined;

  beforeAll(async () => {
    stage = readRuntimeStage(join(ROOT, "Dockerfile"));
    app = mkdtempSync(join(tmpdir(), "broker-runtime-"));
    // The build stage: what `npm run build` runs, into this folder's dist/.
    run(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json", "--outDir", join(app, "dist")], ROOT, 180_000);
    run(process.execPath, ["scripts/copy-static.mjs", join(app, "dist")], ROOT, 30_000);
    // The runtime stage: the package files, then the production install exactly as the Dockerfile runs it.
    for (const file of ["package.json", "package-lock.json"]) copyFileSync(join(ROOT, file), join(app, file));
    const install = stage.installCommand.split("&&")[0]!.trim().split(/\s+/);
    expect(install.slice(0, 3)).toEqual(["npm", "ci", "--omit=dev"]);
    run(install[0]!, install.slice(1), app, 240_000);

    // The image's Node is the base image's, at a system path: here a copy in a folder of its own, so the
    // unprivileged user can run it wherever this checkout lives (a private temporary folder, say).
    nodeDir = mkdtempSync(join(tmpdir(), "broker-runtime-node-"));
    copyFileSync(process.execPath, join(nodeDir, "node"));
    makeReadOnly(nodeDir);
    // A read-only root filesystem: nothing in the application folder may be written from here on.
    makeReadOnly(app);
    keys = await fixtureKeys();
    // The mounted configuration (with its keys and metadata), in place of /etc/broker/config.
    const configDir = writeConfigFolder(keys, { store: { url: "memory", prefix: "broker:" } });
    makeReadOnly(configDir);
    const [program, ...args] = stage.cmd;
    expect(program).toBe("node");
    broker = await startBrokerCommand({
      command: join(nodeDir, "node"),
      args,
      cwd: app,
      env: { ...stage.env, BROKER_CONFIG_DIR: configDir, PATH: nodeDir },
      user: UNPRIVILEGED,
    });
  }, 420_000);

  afterAll(async () => {
    await broker?.stop();
    if (app) {
      run("chmod", ["-R", "u+w", app], tmpdir(), 30_000);
      rmSync(app, { recursive: true, force: true });
    }
    if (nodeDir) {
      run("chmod", ["-R", "u+w", nodeDir], tmpdir(), 30_000);
      rmSync(nodeDir, { recursive: true, force: true });
    }
  }, 30_000);

  it("the runtime stage copies only the package files and dist/, runs as a non-root user and checks /health/live", () => {
    expect(stage.copies).toEqual(["package.json", "package-lock.json", "--from=build /build/dist"]);
    expect(stage.user).toBe("node");
    expect(stage.cmd).toEqual(["node", "dist/cli/main.js", "serve"]);
    expect(stage.healthcheck.join(" ")).toContain("/health/live");
    expect(stage.env["NODE_ENV"]).toBe("production");
  });

  it("holds the production dependencies only: no TypeScript tooling, no second Node, no demo, no sources", () => {
    const installed = readdirSync(join(app, "node_modules"));
    expect(installed).toContain("express");
    for (const devOnly of ["tsx", "typescript", "vitest", "node", "esbuild", "samlify", "supertest"]) expect(installed).not.toContain(devOnly);
    expect(existsSync(join(app, "dist/cli/main.js"))).toBe(true);
    expect(existsSync(join(app, "dist/http/static/autosubmit.js"))).toBe(true);
    expect(existsSync(join(app, "dist/demo"))).toBe(false);
    expect(existsSync(join(app, "src"))).toBe(false);
  });

  it("answers /health/live and /health/ready, and the image's health check passes", async () => {
    const live = await fetch(`${broker!.url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${broker!.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, store: "ok", keys: "ok", trust: "ok" });
    const [, ...checkArgs] = stage.healthcheck;
    const check = spawnSync(process.execPath, checkArgs, { env: { ...stage.env, BROKER_PORT: String(broker!.port) }, encoding: "utf8", timeout: 10_000 });
    expect(check.status).toBe(0);
  });

  it("serves its SAML metadata", async () => {
    for (const kind of ["idp", "sp"]) {
      const response = await fetch(`${broker!.url}/saml/metadata/${kind}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("application/samlmetadata+xml");
      const xml = await response.text();
      expect(xml).toContain(`entityID="${BROKER_ENTITY_ID}"`);
      expect(xml).toContain(kind === "idp" ? "IDPSSODescriptor" : "SPSSODescriptor");
    }
  });

  it("carries a whole login: the fagsystem's request, the IdP's answer, a signed answer to the fagsystem", async () => {
    const { path, id: spRequestId } = spRedirectRequest(keys);
    const started = await fetch(`${broker!.url}${path}`, { redirect: "manual" });
    expect(started.status).toBe(303);
    const upstream = upstreamRequestFrom(started.headers.get("location")!);
    const completed = await fetch(`${broker!.url}/saml/acs`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ SAMLResponse: encodePostMessage(await idpResponse(keys, { requestId: upstream.id })) }).toString(),
      redirect: "manual",
    });
    expect(completed.status).toBe(200);
    const answer = readSpAnswer(await completed.text());
    expect(answer.url).toBe(SP_ACS_URL);
    expect(answer.statusCode).toBe(STATUS.success);
    expect(answer.document.documentElement.getAttribute("InResponseTo")).toBe(spRequestId);
    // The process writes its log line on its own schedule: wait for it, boundedly.
    await waitFor("the login_succeeded log line", async () => broker!.output().includes('"event":"login_succeeded"'), 10_000);
  });

  it("stops on SIGTERM with exit code 0, having written nothing into its read-only folder", async () => {
    expect(await broker!.stop()).toBe(0);
    expect(broker!.output()).toContain('"event":"broker_stopped"');
    expect(broker!.output()).not.toMatch(/EACCES|EROFS/);
    expect(readdirSync(app).sort()).toEqual(["dist", "node_modules", "package-lock.json", "package.json"]);
  });
});
