/**
 * Two broker instances sharing one Redis (the same configuration, keys and
 * secrets, as behind a load balancer): an OIDC login finished on instance A
 * is redeemed, read and refreshed on instance B, and a code redeemed on one
 * cannot be redeemed again on the other.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestRedis, freePort, type TestRedis } from "../../scripts/lib/redis-server.js";
import { buildBroker } from "../../src/build-broker.js";
import { serveBroker, type RunningBroker } from "../../src/serve.js";
import type { BrokerConfig } from "../../src/config/schema.js";
import { startOidcDemo, CLIENT_SECRET, type OidcDemo } from "../support/oidc-demo.js";
import { Browser, personLogsIn } from "../support/oidc-test-client.js";

describe("OIDC across two instances on one Redis", () => {
  let redis: TestRedis;
  let demo: OidcDemo;
  let instanceB: RunningBroker;

  beforeAll(async () => {
    redis = await startTestRedis();
    let shared: BrokerConfig | undefined;
    demo = await startOidcDemo({
      configure: (config) => {
        shared = { ...config, cookieSecret: "multi-instance-cookie-secret-0123456789abcdef", store: { ...config.store, url: redis.url, prefix: redis.prefix } };
        return shared;
      },
    });
    if (!shared) throw new Error("configuration not captured");
    instanceB = await serveBroker(await buildBroker({ ...shared, port: await freePort() }));
  }, 120_000);

  afterAll(async () => {
    await instanceB?.stop();
    await demo?.stop();
    await redis?.stop();
  });

  const basic = { authorization: `Basic ${Buffer.from(`test-secret:${CLIENT_SECRET}`).toString("base64")}` };

  async function tokenAt(baseUrl: string, fields: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${baseUrl}/oidc/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...basic }, body: new URLSearchParams(fields) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it("redeems on B a code issued on A, serves userinfo on B, and refuses the same code again on A", async () => {
    const rp = demo.rp("test-secret");
    const start = await rp.start();
    const callback = await personLogsIn(new Browser(), start.url, "demo-kommune", "hanne", demo.redirectUri);
    const code = new URL(callback.url).searchParams.get("code")!;
    expect(code).toBeTruthy();
    const fields = { grant_type: "authorization_code", code, redirect_uri: demo.redirectUri, code_verifier: start.codeVerifier };

    const onB = await tokenAt(instanceB.url, fields);
    expect(onB.status).toBe(200);
    expect(typeof onB.body["id_token"]).toBe("string");
    const userinfo = await fetch(`${instanceB.url}/oidc/me`, { headers: { authorization: `Bearer ${String(onB.body["access_token"])}` } });
    expect(userinfo.status).toBe(200);
    expect(((await userinfo.json()) as Record<string, unknown>)["https://data.gov.dk/model/core/eid/professional/cvr"]).toBe("29189846");

    const againOnA = await tokenAt(demo.instance.brokerUrl, fields);
    expect(againOnA.body["error"]).toBe("invalid_grant");
    const revoked = await fetch(`${instanceB.url}/oidc/me`, { headers: { authorization: `Bearer ${String(onB.body["access_token"])}` } });
    expect(revoked.status).toBe(401);
  });
});
