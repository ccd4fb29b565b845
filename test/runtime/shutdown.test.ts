/**
 * Shutdown of a real broker process on SIGTERM: readiness turns 503 at once
 * while the process drains, a login in flight completes, the connections to
 * Redis close and the process exits 0; a request that outlasts the grace
 * period is cut off; a second signal exits at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "redis";
import { fixtureKeys, SP_ACS_URL, type FixtureKeys } from "../support/broker-fixture.js";
import { idpResponse, readSpAnswer, spRedirectRequest, upstreamRequestFrom } from "../support/saml-peers.js";
import { startBrokerProcess, writeConfigFolder, type BrokerProcess } from "../support/broker-process.js";
import { startSlowPost, type SlowRequest } from "../support/slow-request.js";
import { startTestRedis, waitFor, type TestRedis } from "../../scripts/lib/redis-server.js";
import { encodePostMessage } from "../../src/saml/post-binding.js";
import { STATUS } from "../../src/saml/namespaces.js";

/** Starts a login on the broker and sends the IdP's answer halfway: the login is in flight until finish(). */
async function loginInFlight(keys: FixtureKeys, broker: BrokerProcess): Promise<SlowRequest> {
  const started = await fetch(`${broker.url}${spRedirectRequest(keys).path}`, { redirect: "manual" });
  expect(started.status).toBe(303);
  const upstream = upstreamRequestFrom(started.headers.get("location")!);
  const form = new URLSearchParams({ SAMLResponse: encodePostMessage(await idpResponse(keys, { requestId: upstream.id })) }).toString();
  return startSlowPost(broker.url, "/saml/acs", form);
}

async function readiness(broker: BrokerProcess): Promise<{ status: number; body: Record<string, unknown> } | "refused"> {
  try {
    const response = await fetch(`${broker.url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  } catch {
    return "refused";
  }
}

async function brokerConnections(client: ReturnType<typeof createClient>): Promise<number> {
  const list = await client.clientList();
  const own = await client.clientId();
  return list.filter((c) => c.id !== own).length;
}

describe("stopping a broker process", () => {
  let keys: FixtureKeys;
  let redis: TestRedis;
  let watcher: ReturnType<typeof createClient>;
  let broker: BrokerProcess | undefined;

  beforeAll(async () => {
    keys = await fixtureKeys();
    redis = await startTestRedis();
    watcher = createClient({ url: redis.url });
    watcher.on("error", () => {});
    await watcher.connect();
  }, 120_000);

  afterAll(async () => {
    await broker?.stop();
    await watcher?.close();
    await redis?.stop();
  }, 60_000);

  it("on SIGTERM finishes a login in flight, closes its Redis connections and exits 0", async () => {
    const dir = writeConfigFolder(keys, { store: { url: redis.url, prefix: `${redis.prefix}drain:` } });
    broker = await startBrokerProcess(dir);
    expect(await brokerConnections(watcher)).toBeGreaterThan(0);
    const inFlight = await loginInFlight(keys, broker);

    broker.signal("SIGTERM");
    await waitFor("the broker to begin stopping", async () => broker!.output().includes('"event":"broker_stopping"'), 10_000);
    // Not ready at once: its listener is closed (no drain delay configured), so no new request reaches it.
    expect(await readiness(broker)).toBe("refused");

    const answered = await inFlight.finish();
    expect(answered.status).toBe(200);
    const answer = readSpAnswer(answered.body);
    expect(answer.url).toBe(SP_ACS_URL);
    expect(answer.statusCode).toBe(STATUS.success);

    expect(await broker.exited).toBe(0);
    const output = broker.output();
    expect(output.indexOf('"event":"login_succeeded"')).toBeLessThan(output.indexOf('"event":"broker_stopped"'));
    await waitFor("Redis to see the broker's connections closed", async () => (await brokerConnections(watcher)) === 0, 10_000);
  }, 60_000);

  it("answers readiness 503 (stopping) while it drains, and stays live", async () => {
    const dir = writeConfigFolder(keys, { store: { url: redis.url, prefix: `${redis.prefix}delay:` }, extra: { shutdown: { drainDelaySeconds: 3, graceSeconds: 5 } } });
    broker = await startBrokerProcess(dir);
    expect(await readiness(broker)).toMatchObject({ status: 200 });

    broker.signal("SIGTERM");
    await waitFor("the broker to begin stopping", async () => broker!.output().includes('"event":"broker_stopping"'), 10_000);
    const report = await readiness(broker);
    expect(report).toMatchObject({ status: 503, body: { ready: false, status: "stopping" } });
    expect((await fetch(`${broker.url}/health/live`)).status).toBe(200);

    expect(await broker.exited).toBe(0);
  }, 60_000);

  it("cuts off a request still in flight after the grace period, then closes the store and exits 0", async () => {
    const dir = writeConfigFolder(keys, { store: { url: redis.url, prefix: `${redis.prefix}grace:` }, extra: { shutdown: { graceSeconds: 1 } } });
    broker = await startBrokerProcess(dir);
    const inFlight = await loginInFlight(keys, broker);

    broker.signal("SIGTERM");
    await inFlight.closedUnanswered();
    expect(await broker.exited).toBe(0);
    const output = broker.output();
    expect(output).toContain('"event":"requests_cut_off"');
    expect(output.indexOf('"event":"requests_cut_off"')).toBeLessThan(output.indexOf('"event":"broker_stopped"'));
  }, 60_000);

  it("exits at once, with code 1, on a second signal while a request is still in flight", async () => {
    const dir = writeConfigFolder(keys, { store: { url: "memory", prefix: "broker:" }, extra: { shutdown: { graceSeconds: 60 } } });
    broker = await startBrokerProcess(dir);
    const inFlight = await loginInFlight(keys, broker);

    broker.signal("SIGTERM");
    await waitFor("the broker to begin stopping", async () => broker!.output().includes('"event":"broker_stopping"'), 10_000);
    broker.signal("SIGTERM");

    expect(await broker.exited).toBe(1);
    await inFlight.closedUnanswered();
    expect(broker.output()).toContain("received SIGTERM again, exiting now");
    expect(broker.output()).not.toContain('"event":"broker_stopped"');
  }, 60_000);
});
