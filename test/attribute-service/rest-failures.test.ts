/**
 * A REST attribute service that fails: the login fails closed, after bounded
 * retries where a retry can help, naming the municipality's service.
 */
import { describe, expect, it } from "vitest";
import { bppBase64, json } from "../support/attribute-services.js";
import { JOB_ROLE } from "../support/uris.js";
import { attributeServiceMetrics } from "../../src/backends/attribute-service/attribute-metrics.js";
import { API_KEY, API_KEY_ENV, login, NAME_ID, refused, restFixture, rollekatalog, serve, useAttributeServices } from "./attribute-world.js";

useAttributeServices();

describe("REST attribute service (OS2rollekatalog shape): failures", () => {
  it("fails closed on a timeout after one bounded retry, naming the municipality's attribute service", async () => {
    const server = await serve((_request, response) => {
      setTimeout(() => json(response, 200, { oioBPP: bppBase64([]) }), 2_000).unref();
    });
    const fixture = await restFixture(server, { service: { timeoutMs: 150, retries: 1 } });
    const error = await refused(login(fixture));
    expect(error.reason).toBe("attribute_service_timeout");
    expect(error.message).toContain("attribute service roller (Test Kommunes rollekatalog) of IdP test-kommune failed (timeout)");
    expect(error.userMessage).toContain("Test Kommunes rollekatalog");
    expect(error.refusal).toBe("authentication_failed");
    // The server would have answered (2 s later) with privileges: failing with a timeout shows the wait was bounded.
    expect(server.requests).toHaveLength(2);
  });

  it("fails closed on HTTP 500 after the bounded retries", async () => {
    const server = await serve((_request, response) => json(response, 500, { error: "database down" }));
    const fixture = await restFixture(server, { service: { retries: 2 } });
    const retriesBefore = attributeServiceMetrics.retryCount("roller");
    const error = await refused(login(fixture));
    expect(error.reason).toBe("attribute_service_http_status");
    expect(error.message).toContain("answered HTTP 500");
    expect(server.requests).toHaveLength(3);
    expect(attributeServiceMetrics.retryCount("roller") - retriesBefore).toBe(2);
  });

  it("does not repeat a 4xx: a wrong API key is refused at once", async () => {
    const server = await serve(rollekatalog([{ role: JOB_ROLE.manager }]));
    process.env[API_KEY_ENV] = "wrong";
    try {
      const fixture = await restFixture(server);
      const error = await refused(login(fixture));
      expect(error.reason).toBe("attribute_service_http_status");
      expect(server.requests).toHaveLength(1);
    } finally {
      process.env[API_KEY_ENV] = API_KEY;
    }
  });

  it("fails closed on malformed OIO-BPP without retrying", async () => {
    const server = await serve((_request, response) => json(response, 200, { nameID: NAME_ID, oioBPP: Buffer.from("<PrivilegeList>not bpp</PrivilegeList>").toString("base64") }));
    const fixture = await restFixture(server);
    const error = await refused(login(fixture));
    expect(error.reason).toBe("attribute_service_malformed");
    expect(error.message).toContain("bpp_wrong_root");
    expect(server.requests).toHaveLength(1);
  });

  it("fails closed on an answer that is not JSON, or too large", async () => {
    const html = await serve((_request, response) => {
      response.setHeader("content-type", "text/html");
      response.end("<html>login</html>");
    });
    expect((await refused(login(await restFixture(html)))).reason).toBe("attribute_service_malformed");
    const huge = await serve((_request, response) => json(response, 200, { oioBPP: "A".repeat(20_000) }));
    const error = await refused(login(await restFixture(huge, { service: { maxResponseBytes: 4_096 } })));
    expect(error.reason).toBe("attribute_service_malformed");
    expect(error.message).toContain("larger than 4096 bytes");
  });

  it("fails closed when the API key's environment variable is missing, or the service is unreachable", async () => {
    const server = await serve(rollekatalog([]));
    const missing = await restFixture(server, { service: { apiKey: { env: "TEST_ROLLER_KEY_NOT_SET" } } });
    const error = await refused(login(missing));
    expect(error.reason).toBe("attribute_service_misconfigured");
    expect(error.message).toContain("TEST_ROLLER_KEY_NOT_SET");
    await server.close();
    // Port 1 on loopback: nothing listens there (a closed test server's port can be taken by another test at once).
    const down = await restFixture({ ...server, url: "http://127.0.0.1:1" });
    expect((await refused(login(down))).reason).toBe("attribute_service_unreachable");
  });
});
