/**
 * Secrets of real broker processes: with Redis, a missing or short cookie
 * secret stops start-up with a clear error; the secret may come from the
 * environment or from a mounted file (`BROKER_COOKIE_SECRET_FILE`), and two
 * instances given it either way share logins and SSO sessions; with the memory store it is
 * generated, with a warning. No secret appears in any log line.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fixtureKeys, SP_ACS_URL, type FixtureKeys } from "../support/broker-fixture.js";
import { idpResponse, readSpAnswer, spRedirectRequest, upstreamRequestFrom } from "../support/saml-peers.js";
import { SECOND_SP_ACS_URL, SECOND_SP_ENTITY_ID, startBrokerProcess, writeConfigFolder, type BrokerProcess } from "../support/broker-process.js";
import { startTestRedis, type TestRedis } from "../../scripts/lib/redis-server.js";
import { encodePostMessage } from "../../src/saml/post-binding.js";
import { STATUS } from "../../src/saml/namespaces.js";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "../..");
const COOKIE_SECRET = "Kx9-shared-cookie-secret-of-this-test-5f2c81d0e4";
const METRICS_TOKEN = "Mt4-metrics-token-of-this-test-a17c";

/** Runs `serve` expecting it to refuse to start; returns its exit code and output. */
function serveUntilExit(configDir: string, env: Record<string, string>): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "serve", "--config", configDir], {
    cwd: ROOT,
    env: { ...(process.env as Record<string, string>), BROKER_PORT: "0", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("the broker's secrets", () => {
  let keys: FixtureKeys;
  let redis: TestRedis;
  let secretsDir: string;
  let redisConfig: string;
  const running: BrokerProcess[] = [];

  beforeAll(async () => {
    keys = await fixtureKeys();
    redis = await startTestRedis();
    secretsDir = mkdtempSync(join(tmpdir(), "broker-mounted-secrets-"));
    // The configuration holds no secret: it comes from the environment or a mounted file.
    redisConfig = writeConfigFolder(keys, { store: { url: redis.url, prefix: redis.prefix }, extra: { cookieSecret: undefined, metrics: { enabled: true } } });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(running.map((broker) => broker.stop()));
    await redis?.stop();
    if (secretsDir) rmSync(secretsDir, { recursive: true, force: true });
  }, 60_000);

  it("with Redis, refuses to start without a cookie secret, saying how to set one", () => {
    const { status, output } = serveUntilExit(redisConfig, {});
    expect(status).toBe(1);
    expect(output).toContain("configuration error");
    expect(output).toMatch(/cookieSecret: required with a shared store.*BROKER_COOKIE_SECRET or BROKER_COOKIE_SECRET_FILE/);
  });

  it("with Redis, refuses a short cookie secret without repeating it", () => {
    const { status, output } = serveUntilExit(redisConfig, { BROKER_COOKIE_SECRET: "tooShort-Qx7v" });
    expect(status).toBe(1);
    expect(output).toContain("cookieSecret must be at least 32 characters");
    expect(output).not.toContain("tooShort-Qx7v");
  });

  it("refuses a secret file that cannot be read", () => {
    const { status, output } = serveUntilExit(redisConfig, { BROKER_COOKIE_SECRET_FILE: join(secretsDir, "absent") });
    expect(status).toBe(1);
    expect(output).toContain(`BROKER_COOKIE_SECRET_FILE: cannot read ${join(secretsDir, "absent")}`);
  });

  it("takes the secret from the environment on one instance and from a mounted file on another: a login and its SSO session cross them; no log line holds a secret", async () => {
    const cookieSecretFile = join(secretsDir, "cookie-secret");
    const metricsTokenFile = join(secretsDir, "metrics-token");
    writeFileSync(cookieSecretFile, `${COOKIE_SECRET}\n`, { mode: 0o600 });
    writeFileSync(metricsTokenFile, `${METRICS_TOKEN}\n`, { mode: 0o600 });
    const a = await startBrokerProcess(redisConfig, { BROKER_COOKIE_SECRET: COOKIE_SECRET, BROKER_METRICS_TOKEN: METRICS_TOKEN });
    running.push(a);
    const b = await startBrokerProcess(redisConfig, { BROKER_COOKIE_SECRET_FILE: cookieSecretFile, BROKER_METRICS_TOKEN_FILE: metricsTokenFile });
    running.push(b);

    const started = await fetch(`${a.url}${spRedirectRequest(keys).path}`, { redirect: "manual" });
    expect(started.status).toBe(303);
    const upstream = upstreamRequestFrom(started.headers.get("location")!);
    const completed = await fetch(`${b.url}/saml/acs`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ SAMLResponse: encodePostMessage(await idpResponse(keys, { requestId: upstream.id })) }).toString(),
      redirect: "manual",
    });
    expect(completed.status).toBe(200);
    const answer = readSpAnswer(await completed.text());
    expect(answer.url).toBe(SP_ACS_URL);
    expect(answer.statusCode).toBe(STATUS.success);
    // B's SSO cookie is signed with its cookie secret: A takes it (and answers without the IdP) only if both hold the same secret.
    const ssoCookie = completed.headers.getSetCookie().find((c) => c.startsWith("broker_sso="))!.split(";")[0]!;
    const again = await fetch(`${a.url}${spRedirectRequest(keys, { issuer: SECOND_SP_ENTITY_ID, acsUrl: SECOND_SP_ACS_URL }, "").path}`, { headers: { cookie: ssoCookie }, redirect: "manual" });
    expect(again.status).toBe(200);
    const ssoAnswer = readSpAnswer(await again.text());
    expect(ssoAnswer.url).toBe(SECOND_SP_ACS_URL);
    expect(ssoAnswer.statusCode).toBe(STATUS.success);

    for (const instance of [a, b]) {
      expect((await fetch(`${instance.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${instance.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
    }
    await Promise.all([a.stop(), b.stop()]);
    const logs = a.output() + b.output();
    expect(logs).toContain('"event":"login_succeeded"');
    expect(logs).not.toContain("cookie_secret_generated");
    for (const secret of [COOKIE_SECRET, METRICS_TOKEN]) expect(logs).not.toContain(secret);
  }, 90_000);

  it("with the memory store, generates a cookie secret for the process and warns", async () => {
    const memoryConfig = writeConfigFolder(keys, { store: { url: "memory", prefix: "broker:" }, extra: { cookieSecret: undefined } });
    const broker = await startBrokerProcess(memoryConfig);
    running.push(broker);
    expect((await fetch(`${broker.url}/health/ready`)).status).toBe(200);
    expect(await broker.stop()).toBe(0);
    expect(broker.output()).toContain('"event":"cookie_secret_generated"');
  }, 60_000);
});
