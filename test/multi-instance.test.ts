/**
 * Two broker processes sharing one Redis: a login started on one instance is
 * completed on the other, replays are refused on both, an SSO session begun
 * on one serves a second fagsystem on the other, and SIGTERM stops an
 * instance cleanly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureKeys, SP_ACS_URL, type FixtureKeys } from "./support/broker-fixture.js";
import { idpResponse, readSpAnswer, spRedirectRequest, upstreamRequestFrom } from "./support/saml-peers.js";
import { startTestRedis, type TestRedis } from "../scripts/lib/redis-server.js";
import { SECOND_SP_ACS_URL, SECOND_SP_ENTITY_ID, startBrokerProcess, writeConfigFolder, type BrokerProcess } from "./support/broker-process.js";
import { createClient } from "redis";
import { createConnection } from "node:net";
import { once } from "node:events";
import { encodePostMessage } from "../src/saml/post-binding.js";
import { STATUS } from "../src/saml/namespaces.js";

async function getPath(instance: BrokerProcess, path: string): Promise<Response> {
  return fetch(`${instance.url}${path}`, { redirect: "manual", signal: AbortSignal.timeout(10_000) });
}

async function postResponse(instance: BrokerProcess, responseXml: string): Promise<Response> {
  return fetch(`${instance.url}/saml/acs`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ SAMLResponse: encodePostMessage(responseXml) }).toString(),
    redirect: "manual",
    signal: AbortSignal.timeout(10_000),
  });
}

describe("two broker instances sharing one Redis", () => {
  let redis: TestRedis;
  let keys: FixtureKeys;
  let a: BrokerProcess | undefined;
  let b: BrokerProcess | undefined;

  beforeAll(async () => {
    keys = await fixtureKeys();
    redis = await startTestRedis();
    const dir = writeConfigFolder(keys, { store: { url: redis.url, prefix: redis.prefix } });
    [a, b] = await Promise.all([startBrokerProcess(dir), startBrokerProcess(dir)]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  }, 60_000);

  it("completes on instance B a login started on instance A, and refuses the same response again on either", async () => {
    const { path, id: spRequestId } = spRedirectRequest(keys);
    const started = await getPath(a!, path);
    expect(started.status).toBe(303);
    const upstream = upstreamRequestFrom(started.headers.get("location")!);

    const response = await idpResponse(keys, { requestId: upstream.id });
    const completed = await postResponse(b!, response);
    expect(completed.status).toBe(200);
    const answer = readSpAnswer(await completed.text());
    expect(answer.url).toBe(SP_ACS_URL);
    expect(answer.statusCode).toBe(STATUS.success);
    expect(answer.document.documentElement.getAttribute("InResponseTo")).toBe(spRequestId);

    for (const instance of [a!, b!]) {
      const replay = await postResponse(instance, response);
      expect(replay.status).toBe(400);
      const page = await replay.text();
      expect(page).not.toContain("SAMLResponse");
      expect(page).toMatch(/correlation id/i);
    }
    expect(a!.output() + b!.output()).toContain('"reason":"unknown_login"');
  });

  it("refuses on instance B an AuthnRequest already received by instance A", async () => {
    const { path } = spRedirectRequest(keys);
    expect((await getPath(a!, path)).status).toBe(303);
    const again = await getPath(b!, path);
    expect(again.status).toBe(200);
    const answer = readSpAnswer(await again.text());
    expect(answer.statusCode).toBe(STATUS.requester);
    // The instance writes its log line asynchronously: wait for it, boundedly.
    const deadline = Date.now() + 5_000;
    while (!b!.output().includes('"reason":"request_replayed"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(b!.output()).toContain('"reason":"request_replayed"');
  });

  it("answers a second fagsystem on instance B from an SSO session begun on instance A; the store holds it sealed", async () => {
    const started = await getPath(a!, spRedirectRequest(keys).path);
    const upstream = upstreamRequestFrom(started.headers.get("location")!);
    const completed = await postResponse(a!, await idpResponse(keys, { requestId: upstream.id }));
    expect(readSpAnswer(await completed.text()).statusCode).toBe(STATUS.success);
    const cookie = completed.headers.getSetCookie().find((c) => c.startsWith("broker_sso="));
    expect(cookie).toBeDefined();
    const cookiePair = cookie!.split(";")[0]!;

    const second = await fetch(`${b!.url}${spRedirectRequest(keys, { issuer: SECOND_SP_ENTITY_ID, acsUrl: SECOND_SP_ACS_URL }, "").path}`, {
      headers: { cookie: cookiePair },
      redirect: "manual",
      signal: AbortSignal.timeout(10_000),
    });
    expect(second.status).toBe(200);
    const answer = readSpAnswer(await second.text());
    expect(answer.url).toBe(SECOND_SP_ACS_URL);
    expect(answer.statusCode).toBe(STATUS.success);

    const raw = createClient({ url: redis.url });
    raw.on("error", () => {});
    await raw.connect();
    try {
      const sessionKeys = await raw.keys(`${redis.prefix}sso:*`);
      expect(sessionKeys.length).toBeGreaterThan(0);
      const sessionId = decodeURIComponent(cookiePair.slice("broker_sso=".length)).split(".")[0]!;
      for (const key of sessionKeys) {
        expect(key).not.toContain(sessionId);
        const value = (await raw.get(key)) ?? "";
        expect(value).not.toMatch(/Anna|kommune\.test|29189846/);
        expect(await raw.pTTL(key)).toBeGreaterThan(0);
      }
    } finally {
      await raw.close();
    }
  });

  it("reports ready on both, and on SIGTERM finishes the request in flight, then stops cleanly", async () => {
    for (const instance of [a!, b!]) expect((await getPath(instance, "/health/ready")).status).toBe(200);
    const body = "SAMLResponse=not-a-saml-response";
    const socket = createConnection({ host: "127.0.0.1", port: b!.port });
    await once(socket, "connect");
    socket.write(`POST /saml/acs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`);
    let reply = "";
    socket.on("data", (chunk: Buffer) => (reply += chunk.toString()));
    const closed = once(socket, "close");
    await new Promise((resolve) => setTimeout(resolve, 200));
    let exitedEarly = false;
    void b!.exited.then(() => (exitedEarly = true));
    const stopped = b!.stop();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(b!.output()).toContain("received SIGTERM");
    expect(exitedEarly).toBe(false);
    socket.end(body.slice(10));
    await closed;
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    const code = await stopped;
    expect(code).toBe(0);
    expect(b!.output()).toContain("received SIGTERM");
    expect(b!.output()).toContain('"event":"broker_stopped"');
    b = undefined;
    expect((await getPath(a!, "/health/live")).status).toBe(200);
  });
});
