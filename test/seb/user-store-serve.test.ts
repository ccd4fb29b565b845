/**
 * The running broker starts the user store's provisioning listener when
 * `userStore` is configured, next to its own port, and closes it on stop.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../scripts/lib/redis-server.js";
import { createBrokerFixture, MUNICIPALITY_CVR } from "../support/broker-fixture.js";
import { testKey } from "../support/keys.js";
import { buildBroker } from "../../src/build-broker.js";
import { serveBroker } from "../../src/serve.js";
import { loopbackServerCertificate, provision } from "./provisioning-client.js";

describe("the user store's listener in the running broker", () => {
  it("listens when configured, takes a pinned municipality's records, and closes with the broker", async () => {
    const fixture = await createBrokerFixture();
    const serverPem = await loopbackServerCertificate();
    const client = await testKey("user-store-serve-client");
    const dir = mkdtempSync(join(tmpdir(), "user-store-serve-"));
    const file = (name: string, content: string) => {
      writeFileSync(join(dir, name), content);
      return join(dir, name);
    };
    const [brokerPort, storePort] = [await freePort(), await freePort()];
    const config = {
      ...fixture.config,
      host: "127.0.0.1",
      port: brokerPort,
      userStore: {
        host: "127.0.0.1",
        port: storePort,
        tls: { cert: file("server.crt", serverPem.cert), key: file("server.key", serverPem.key) },
        recordTtlSeconds: 600,
        clientCa: [],
        maxBodyBytes: 65_536,
        municipalities: [{ cvr: MUNICIPALITY_CVR, clientCertificates: [file("client.crt", client.certificatePem)] }],
      },
    };
    const running = await serveBroker(await buildBroker(config, { logDestination: { write: () => undefined } }));
    try {
      expect(running.userStore?.port).toBe(storePort);
      const answer = await provision(storePort, serverPem.cert, client, "PUT", `/user-store/v1/municipalities/${MUNICIPALITY_CVR}/users`, JSON.stringify({ users: [{ userId: "u-1", cpr: "0303030303" }] }));
      expect(answer).toMatchObject({ status: 200, body: { stored: 1 } });
    } finally {
      await running.stop();
    }
    await expect(provision(storePort, serverPem.cert, client, "PUT", `/user-store/v1/municipalities/${MUNICIPALITY_CVR}/users`, "{}")).rejects.toThrow(/ECONNREFUSED/);
  });
});
