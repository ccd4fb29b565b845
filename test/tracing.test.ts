/**
 * Tracing: with `tracing.otlpEndpoint` set, a login's steps, the upstream's
 * answer and the back-channel call to an attribute service become spans,
 * each carrying the login's correlation id, exported over OTLP/HTTP (JSON) to
 * a real HTTP collector. Without it, nothing is traced.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBrokerFixture, MUNICIPALITY_CVR, type BrokerFixture } from "./support/broker-fixture.js";
import { idpResponse, postToAcs, readSpAnswer, startLogin } from "./support/saml-peers.js";
import { bppBase64, json, privilegeGroups, startServer, type TestServer } from "./support/attribute-services.js";
import { STATUS } from "../src/saml/namespaces.js";
import { tracingEnabled } from "../src/observability/tracing.js";

const API_KEY_ENV = "TEST_TRACING_ROLLER_API_KEY";
const JOB_ROLE = "http://kommune.test/roles/jobrole/sagsbehandler/1";

interface ExportedSpan {
  name: string;
  attributes: Record<string, string | number | undefined>;
  status: number | undefined;
}

/** The spans in the OTLP/HTTP JSON requests the collector received. */
function exportedSpans(collector: TestServer): ExportedSpan[] {
  type OtlpValue = { stringValue?: string; intValue?: string | number };
  type OtlpSpan = { name: string; attributes?: Array<{ key: string; value: OtlpValue }>; status?: { code?: number } };
  type OtlpBody = { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: OtlpSpan[] }> }> };
  return collector.requests
    .filter((request) => request.method === "POST" && request.url === "/v1/traces")
    .flatMap((request) => (JSON.parse(request.body) as OtlpBody).resourceSpans ?? [])
    .flatMap((resource) => resource.scopeSpans ?? [])
    .flatMap((scope) => scope.spans ?? [])
    .map((span) => ({
      name: span.name,
      attributes: Object.fromEntries((span.attributes ?? []).map((a) => [a.key, a.value.stringValue ?? (a.value.intValue === undefined ? undefined : Number(a.value.intValue))])),
      status: span.status?.code,
    }));
}

describe("tracing a login over OTLP", () => {
  let collector: TestServer;
  let service: TestServer;
  let fixture: BrokerFixture;

  beforeAll(async () => {
    process.env[API_KEY_ENV] = "tracing-key";
    collector = await startServer((_request, response) => json(response, 200, {}));
    service = await startServer((_request, response) =>
      json(response, 200, { nameID: `C=DK,O=${MUNICIPALITY_CVR},CN=Anna Andersen,Serial=12345`, oioBPP: bppBase64(privilegeGroups(MUNICIPALITY_CVR, [{ role: JOB_ROLE }])) }),
    );
    fixture = await createBrokerFixture({
      config: {
        tracing: { otlpEndpoint: `${collector.url}/v1/traces`, serviceName: "broker-under-test" },
        attributeServices: [{ id: "roller", kind: "rest", displayName: "Rollekatalog", baseUrl: service.url, apiKey: { env: API_KEY_ENV }, retries: 0, cacheSeconds: 0 }],
      },
      idp: { sendsJobFunctionRoles: false, privilegeSource: { from: "attribute-service", attributeService: "roller", userIdentifier: "serial" } },
    });
  });

  afterAll(async () => {
    await fixture?.broker.stopTracing?.();
    await Promise.all([collector?.close(), service?.close()]);
    delete process.env[API_KEY_ENV];
  });

  it("exports a span per login step, the upstream's answer and the attribute-service call, each with the correlation id", async () => {
    expect(tracingEnabled()).toBe(true);
    const login = await startLogin(fixture);
    const response = await postToAcs(login.agent, await idpResponse(fixture.keys, { requestId: login.upstreamRequestId }));
    expect(readSpAnswer(response.text).statusCode).toBe(STATUS.success);
    const correlationId = response.headers["x-correlation-id"] as string;
    expect(service.requests).toHaveLength(1);

    // Flushes the batch still pending, then stops tracing.
    await fixture.broker.stopTracing!();
    expect(tracingEnabled()).toBe(false);
    const spans = exportedSpans(collector);
    expect(collector.requests.every((request) => request.headers["content-type"]?.includes("application/json"))).toBe(true);

    const ofLogin = spans.filter((span) => span.attributes["correlationId"] === correlationId);
    const names = ofLogin.map((span) => span.name);
    for (const step of ["upstream.receive", "login.map-identity", "login.resolve-privileges", "attribute_service.call", "login.translate-privileges", "login.answer"]) expect(names).toContain(step);
    expect(ofLogin.find((span) => span.name === "attribute_service.call")?.attributes).toMatchObject({ "attribute_service.id": "roller", "attribute_service.attempt": 1 });
    expect(ofLogin.find((span) => span.name === "upstream.receive")?.attributes).toMatchObject({ "upstream.id": "test-kommune" });
    // The start of the login (the fagsystem's request) is traced under its own correlation id.
    expect(spans.some((span) => span.name === "login.authenticate")).toBe(true);
    // Nothing personal goes into a span.
    expect(collector.requests.map((r) => r.body).join("")).not.toMatch(/Anna Andersen|CN=/);
  });
});

describe("without an OTLP endpoint", () => {
  it("traces nothing", async () => {
    const fixture = await createBrokerFixture();
    expect(fixture.broker.stopTracing).toBeUndefined();
    expect(tracingEnabled()).toBe(false);
  });
});
