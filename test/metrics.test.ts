import { describe, expect, it } from "vitest";
import request from "supertest";
import { createBrokerFixture } from "./support/broker-fixture.js";
import { idpResponse, postToAcs, readSpAnswer, spRedirectRequest, startLogin } from "./support/saml-peers.js";
import { STATUS } from "../src/saml/namespaces.js";

function sample(text: string, line: string): number {
  const found = text.split("\n").find((l) => l.startsWith(`${line} `));
  return found ? Number(found.slice(line.length + 1)) : 0;
}

describe("/metrics", () => {
  it("counts finished logins and rejections by the reason logged", async () => {
    const fixture = await createBrokerFixture();
    const before = (await request(fixture.app).get("/metrics")).text;
    const login = await startLogin(fixture);
    expect(readSpAnswer((await postToAcs(login.agent, await idpResponse(fixture.keys, { requestId: login.upstreamRequestId }))).text).statusCode).toBe(STATUS.success);
    await request(fixture.app).get(spRedirectRequest(fixture.keys, { signWith: fixture.keys.attacker }).path);
    const after = await request(fixture.app).get("/metrics");
    expect(after.status).toBe(200);
    expect(after.headers["content-type"]).toMatch(/text\/plain/);
    const succeeded = 'broker_logins_total{outcome="succeeded",sp="test-fagsystem"}';
    expect(sample(after.text, succeeded) - sample(before, succeeded)).toBe(1);
    const invalid = 'broker_rejections_total{reason="signature_invalid"}';
    expect(sample(after.text, invalid) - sample(before, invalid)).toBe(1);
    expect(after.text).toContain("broker_process_cpu_seconds_total");
  });

  it("requires the bearer token when one is configured", async () => {
    const fixture = await createBrokerFixture({ config: { metrics: { token: "a-metrics-token-of-some-length" } } });
    expect((await request(fixture.app).get("/metrics")).status).toBe(401);
    expect((await request(fixture.app).get("/metrics").set("Authorization", "Bearer wrong-token-of-the-same-len")).status).toBe(401);
    const ok = await request(fixture.app).get("/metrics").set("Authorization", "Bearer a-metrics-token-of-some-length");
    expect(ok.status).toBe(200);
    expect(ok.text).toContain("broker_logins_total");
  });
});
