/**
 * The user store municipalities fill for the SEB profile: records arrive over
 * mutual TLS on the store's own listener, are kept in Redis (hashed keys,
 * with a time to live), and give a SEB login the CPR number its IdP did not
 * send. A certificate the listener does not know, a certificate pinned to
 * another municipality, an unknown municipality and a malformed batch are
 * refused, and a refused batch stores nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "redis";
import { freePort, startTestRedis, type TestRedis } from "../../scripts/lib/redis-server.js";
import { MUNICIPALITY_CVR, type BrokerFixture } from "../support/broker-fixture.js";
import { testKey } from "../support/keys.js";
import { STATUS } from "../../src/saml/namespaces.js";
import { createStore } from "../../src/store/create-store.js";
import { storeSchema } from "../../src/config/schema.js";
import type { StateStore } from "../../src/store/state-store.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { startProvisioningServer, type ProvisioningServer } from "../../src/backends/user-store/provisioning-server.js";
import { UserRecordStore } from "../../src/backends/user-store/user-records.js";
import { SEB_ATTRIBUTES } from "../../src/profiles/seb-profile.js";
import { login, NEIGHBOUR, policyFixture } from "../policy/policy-world.js";
import { issuedClientCertificates, loopbackServerCertificate, provision, type ClientCertificate, type Pem } from "./provisioning-client.js";

const UUID = "8c1d7e5e-3f0a-4b8e-9c51-0d2a7e4b6f11";
const CPR = "2503741234";
const UNKNOWN_CVR = "99887766";

describe("the SEB user store, provisioned over mutual TLS", () => {
  let redis: TestRedis;
  let store: StateStore;
  let fixture: BrokerFixture;
  let listener: ProvisioningServer;
  let serverPem: Pem;
  let municipality: KeyMaterial;
  let neighbour: KeyMaterial;
  let stranger: KeyMaterial;
  let issued: { caPem: string; first: ClientCertificate; second: ClientCertificate };
  const users = (cvr: string) => `/user-store/v1/municipalities/${cvr}/users`;

  beforeAll(async () => {
    redis = await startTestRedis();
    store = await createStore(storeSchema.parse({ url: redis.url, prefix: redis.prefix }));
    serverPem = await loopbackServerCertificate();
    [municipality, neighbour, stranger] = await Promise.all([testKey("user-store-municipality"), testKey("user-store-neighbour"), testKey("user-store-stranger")]);
    issued = await issuedClientCertificates();
    const dir = mkdtempSync(join(tmpdir(), "user-store-"));
    const file = (name: string, content: string) => {
      writeFileSync(join(dir, name), content);
      return join(dir, name);
    };
    const userStore = {
      host: "127.0.0.1",
      port: await freePort(),
      tls: { cert: file("server.crt", serverPem.cert), key: file("server.key", serverPem.key) },
      recordTtlSeconds: 3_600,
      clientCa: [file("issuing-ca.crt", issued.caPem)],
      municipalities: [
        // A self-signed certificate, and one a CA issued (the CA is trusted, only this certificate is pinned).
        { cvr: MUNICIPALITY_CVR, clientCertificates: [file("municipality.crt", municipality.certificatePem), file("issued.crt", issued.first.certificatePem)] },
        { cvr: NEIGHBOUR, clientCertificates: [file("neighbour.crt", neighbour.certificatePem)] },
      ],
    };
    fixture = await policyFixture({ store, sp: { attributeProfile: "SEB", requiredLevel: { nsis: "Substantial" } }, config: { userStore } });
    const config = fixture.broker.config.userStore!;
    listener = await startProvisioningServer(config, new UserRecordStore(store, config.recordTtlSeconds), fixture.broker.log);
  }, 60_000);

  afterAll(async () => {
    await listener?.close();
    await store?.close();
    await redis?.stop();
  });

  const put = (client: ClientCertificate | undefined, cvr: string, body: unknown) => provision(listener.port, serverPem.cert, client, "PUT", users(cvr), JSON.stringify(body));

  it("stores a municipality's record and a SEB login without a CPR from the IdP gets it from the store", async () => {
    const stored = await put(municipality, MUNICIPALITY_CVR, { users: [{ userId: `urn:uuid:${UUID.toUpperCase()}`, cpr: "250374-1234" }] });
    expect(stored).toMatchObject({ status: 200, body: { stored: 1 } });

    // In Redis under a hashed key: neither the user id nor the CPR in any key name.
    const client = createClient({ url: redis.url });
    await client.connect();
    const keys = await client.keys(`${redis.prefix}userstore:*`);
    await client.quit();
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join(" ")).not.toContain(UUID);
    expect(keys.join(" ")).not.toContain(CPR);

    const outcome = await login(fixture);
    expect(outcome.answer.statusCode).toBe(STATUS.success);
    expect(outcome.attributes.get(SEB_ATTRIBUTES.cpr)).toEqual([CPR]);
    expect(fixture.logs.some((l) => l["event"] === "cpr_resolved" && l["source"] === "user-store")).toBe(true);
    expect(JSON.stringify(fixture.logs)).not.toContain(CPR);
  });

  it("a municipality's records are its own: the neighbour's store entry for the same user does not answer for this municipality", async () => {
    const records = new UserRecordStore(store, 60);
    expect(await put(neighbour, NEIGHBOUR, { users: [{ userId: "other-user", cpr: "1111111111" }] })).toMatchObject({ status: 200 });
    expect(await records.cprFor(NEIGHBOUR, ["other-user"])).toBe("1111111111");
    expect(await records.cprFor(MUNICIPALITY_CVR, ["other-user"])).toBeUndefined();
  });

  it("ends the TLS handshake for a client certificate the listener does not know, and for no certificate", async () => {
    await expect(put(stranger, MUNICIPALITY_CVR, { users: [{ userId: "x", cpr: "0101010101" }] })).rejects.toThrow();
    await expect(put(undefined, MUNICIPALITY_CVR, { users: [{ userId: "x", cpr: "0101010101" }] })).rejects.toThrow();
    expect(await new UserRecordStore(store, 60).cprFor(MUNICIPALITY_CVR, ["x"])).toBeUndefined();
  });

  it("accepts a pinned CA-issued certificate, and refuses another certificate from the same trusted CA (the pin decides)", async () => {
    expect(await put(issued.first, MUNICIPALITY_CVR, { users: [{ userId: "issued-user", cpr: "0202020202" }] })).toMatchObject({ status: 200, body: { stored: 1 } });
    const unpinned = await put(issued.second, MUNICIPALITY_CVR, { users: [{ userId: "unpinned-user", cpr: "0202020202" }] });
    expect(unpinned.status).toBe(403);
    expect(unpinned.body["error"]).toBe("wrong_client_certificate");
    const records = new UserRecordStore(store, 60);
    expect(await records.cprFor(MUNICIPALITY_CVR, ["issued-user"])).toBe("0202020202");
    expect(await records.cprFor(MUNICIPALITY_CVR, ["unpinned-user"])).toBeUndefined();
  });

  it("refuses a certificate pinned to another municipality (403 wrong_client_certificate) and stores nothing", async () => {
    const answer = await put(neighbour, MUNICIPALITY_CVR, { users: [{ userId: "taken-over", cpr: "0101010101" }] });
    expect(answer.status).toBe(403);
    expect(answer.body["error"]).toBe("wrong_client_certificate");
    expect(await new UserRecordStore(store, 60).cprFor(MUNICIPALITY_CVR, ["taken-over"])).toBeUndefined();
    expect(fixture.logs.some((l) => l["reason"] === "wrong_client_certificate")).toBe(true);
  });

  it("refuses an unknown municipality (403 unknown_municipality)", async () => {
    const answer = await put(municipality, UNKNOWN_CVR, { users: [{ userId: "u", cpr: "0101010101" }] });
    expect(answer.status).toBe(403);
    expect(answer.body["error"]).toBe("unknown_municipality");
    expect(String(answer.body["error_description"])).toContain(UNKNOWN_CVR);
  });

  it("refuses a batch with one malformed record, naming it, and stores none of the batch", async () => {
    const answer = await put(municipality, MUNICIPALITY_CVR, {
      users: [
        { userId: "good-user", cpr: "0101010101" },
        { userId: "bad-user", cpr: "01010101" },
        { userId: "extra-field", cpr: "0101010101", email: "x@y" },
      ],
    });
    expect(answer.status).toBe(400);
    expect(answer.body["error"]).toBe("malformed_records");
    expect(answer.body["error_description"]).toContain("nothing was stored");
    const details = answer.body["details"] as Array<{ path: string; message: string }>;
    expect(details.map((d) => d.path)).toEqual(expect.arrayContaining(["users.1.cpr", "users.2"]));
    expect(details.find((d) => d.path === "users.1.cpr")?.message).toContain("ten digits");
    expect(await new UserRecordStore(store, 60).cprFor(MUNICIPALITY_CVR, ["good-user"])).toBeUndefined();

    const notJson = await provision(listener.port, serverPem.cert, municipality, "PUT", users(MUNICIPALITY_CVR), "{users:");
    expect(notJson).toMatchObject({ status: 400, body: { error: "malformed_records" } });
    const empty = await put(municipality, MUNICIPALITY_CVR, { users: [] });
    expect(empty).toMatchObject({ status: 400, body: { error: "malformed_records" } });
  });

  it("removes a record: the next SEB login without a CPR from the IdP is refused", async () => {
    const removed = await provision(listener.port, serverPem.cert, municipality, "DELETE", `${users(MUNICIPALITY_CVR)}/${UUID}`);
    expect(removed.status).toBe(204);
    const outcome = await login(fixture);
    expect(outcome.answer.statusCode).toBe(STATUS.responder);
    expect(outcome.answer.statusMessage).toContain("CprNumberIdentifier");
  });
});
