/**
 * Logs and metrics that can be trusted, over a run of the demo: successful
 * logins (with OIO-BPP, from an attribute service, with a step-up), refusals
 * by policy and at the step-up, and attacks on the ACS (a replay, an
 * unsolicited Response, a DOCTYPE). Every log line is valid JSON with unique
 * keys and a numeric severity; each refusal writes one line with its reason
 * and adds exactly one to `broker_rejections_total` for that reason.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLogLines } from "./support/log-lines.js";
import { startDemoInstance, type DemoInstance } from "./support/demo-instance.js";
import { Browser, unescapeHtml, type Page } from "./support/http-browser.js";
import { duplicateKeys } from "./support/json-duplicate-keys.js";
import { decodePostMessage, encodePostMessage } from "../src/saml/post-binding.js";

/** The SAMLResponse the IdP's auto-POST page carries to the broker. */
function samlResponseOn(page: Page): string {
  return unescapeHtml(/<input type="hidden" name="SAMLResponse" value="([^"]*)">/.exec(page.body)?.[1] ?? "");
}

const WARN = 40;

describe("the duplicate-key reader the log test relies on", () => {
  it("finds keys repeated in any object, and none in a clean line", () => {
    expect(duplicateKeys('{"level":30,"a":{"b":1,"b":[{"c":"x\\"y","c":2}]},"level":{"nsis":"S"}}').sort()).toEqual(["a.b", "a.b.[].c", "level"]);
    expect(duplicateKeys('{"a":[],"b":{},"c":"}\\"","d":true,"e":null,"f":-1.5e3,"g":[1,{"a":1}]}')).toEqual([]);
  });
});

describe("the log and the metrics of a demo run", () => {
  let demo: DemoInstance;
  const { destination, lines } = captureLogLines();

  beforeAll(async () => {
    demo = await startDemoInstance({ logDestination: destination, logLevel: "debug" });
  }, 120_000);

  afterAll(async () => {
    await demo?.stop();
  }, 30_000);

  async function rejections(): Promise<Map<string, number>> {
    const text = await (await fetch(`${demo.brokerUrl}/metrics`)).text();
    const counts = new Map<string, number>();
    for (const match of text.matchAll(/^broker_rejections_total\{reason="([^"]+)"\} (\d+)$/gm)) counts.set(match[1]!, Number(match[2]));
    return counts;
  }

  /** Runs one refusal; expects exactly one log line naming a reason, and that reason (only) counted once more. */
  async function expectOneRejection(run: () => Promise<void>): Promise<string> {
    const before = await rejections();
    const from = lines.length;
    await run();
    await new Promise((resolve) => setImmediate(resolve));
    const reasons = lines
      .slice(from)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => (line["level"] as number) >= WARN && typeof line["reason"] === "string")
      .map((line) => line["reason"] as string);
    expect(reasons).toHaveLength(1);
    const reason = reasons[0]!;
    const after = await rejections();
    const changed = [...after].filter(([name, count]) => count !== (before.get(name) ?? 0));
    expect(changed).toEqual([[reason, (before.get(reason) ?? 0) + 1]]);
    return reason;
  }

  /** The demo fagsystem's login through the chooser to the chosen municipality's IdP form. */
  async function toIdp(browser: Browser, idp: string): Promise<Page> {
    const chooser = await browser.follow(await browser.get(`${demo.demo.spUrl}/login`));
    return browser.submit(chooser, { idp });
  }

  async function postToBrokerAcs(samlResponse: string): Promise<number> {
    const response = await fetch(`${demo.brokerUrl}/saml/acs`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ SAMLResponse: samlResponse }).toString(),
      redirect: "manual",
    });
    await response.text();
    return response.status;
  }

  let capturedResponse = "";

  it("logs successful logins: OIO-BPP from the IdP, privileges from an attribute service, a step-up", async () => {
    const hanne = new Browser();
    const toBroker = await hanne.submit(await toIdp(hanne, "demo-kommune"), { user: "hanne" });
    capturedResponse = samlResponseOn(toBroker);
    expect((await hanne.submit(await hanne.submit(toBroker))).body).toContain("Logged in</h1>");

    const sofie = new Browser();
    const skyToBroker = await sofie.submit(await toIdp(sofie, "sky-kommune"), { user: "sofie" });
    expect((await sofie.submit(await sofie.submit(skyToBroker))).body).toContain("Logged in</h1>");

    const karen = new Browser();
    const nemlogin = await karen.submit(await karen.submit(await toIdp(karen, "vest-kommune"), { user: "karen" }));
    const stepped = await karen.submit(await karen.submit(await karen.submit(nemlogin, { identity: "karen" })));
    expect(stepped.body).toContain("Logged in</h1>");
  }, 60_000);

  it("counts each refusal by policy once: a level too low, a person the role catalogue does not know, a step-up by someone else", async () => {
    const refusals: string[] = [];
    refusals.push(
      await expectOneRejection(async () => {
        const robot = new Browser();
        const result = await robot.submit(await robot.submit(await robot.submit(await toIdp(robot, "demo-kommune"), { user: "robot" })));
        expect(result.body).toContain("Not logged in</h1>");
      }),
    );
    refusals.push(
      await expectOneRejection(async () => {
        const unknown = new Browser();
        const fromBroker = await unknown.submit(await unknown.submit(await toIdp(unknown, "sky-kommune"), { user: "ukendt" }));
        expect((await unknown.submit(fromBroker)).body).toContain("Not logged in</h1>");
      }),
    );
    refusals.push(
      await expectOneRejection(async () => {
        const ole = new Browser();
        const nemlogin = await ole.submit(await ole.submit(await toIdp(ole, "vest-kommune"), { user: "karen" }));
        const fromBroker = await ole.submit(await ole.submit(nemlogin, { identity: "ole" }));
        expect((await ole.submit(fromBroker)).body).toContain("Not logged in</h1>");
      }),
    );
    expect(new Set(refusals).size).toBe(3);
  }, 60_000);

  it("counts each refused Response once: a replay, an unsolicited Response, a DOCTYPE", async () => {
    expect(capturedResponse).not.toBe("");
    const xml = decodePostMessage(capturedResponse, 1 << 20);
    const replay = await expectOneRejection(async () => expect(await postToBrokerAcs(capturedResponse)).toBe(400));
    const unsolicited = await expectOneRejection(async () => expect(await postToBrokerAcs(encodePostMessage(xml.replace(/ InResponseTo="[^"]*"/, "")))).toBe(400));
    const doctype = await expectOneRejection(async () =>
      expect(await postToBrokerAcs(encodePostMessage(xml.replace(/^(<\?xml[^>]*\?>)?/, (declaration) => `${declaration}<!DOCTYPE r [<!ENTITY x "y">]>`)))).toBe(400),
    );
    expect([replay, unsolicited]).toEqual(["unknown_login", "unsolicited_response"]);
    expect(doctype).toMatch(/doctype|dtd|entity/i);
  }, 60_000);

  it("writes every line as valid JSON with unique keys and a numeric severity", () => {
    expect(lines.length).toBeGreaterThan(50);
    const problems: string[] = [];
    const events = new Set<string>();
    for (const line of lines) {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        problems.push(`not JSON: ${line.slice(0, 200)}`);
        continue;
      }
      const repeated = duplicateKeys(line);
      if (repeated.length > 0) problems.push(`keys ${repeated.join(", ")} repeated in ${String(parsed["event"] ?? parsed["msg"])}`);
      if (typeof parsed["level"] !== "number") problems.push(`severity ${JSON.stringify(parsed["level"])} in ${String(parsed["event"] ?? parsed["msg"])}`);
      if (typeof parsed["event"] === "string") events.add(parsed["event"]);
    }
    expect(problems).toEqual([]);
    // The run covered what it claims to.
    for (const event of ["login_succeeded", "login_failed", "privileges_explained", "step_up_bound", "step_up_refused", "attribute_service_call"]) expect(events).toContain(event);
  });
});
