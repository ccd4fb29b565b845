/**
 * NemLog-in's messages are kept as sent and received, signatures included,
 * for NemLog-in's 180 days (even when the audit file's own retention is
 * shorter); a message that cannot be kept stops the step-up (fail closed):
 * the person gets a page, the fagsystem a SAML error. Real signed messages
 * over real HTTP, a real file.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fixtureKeys, type FixtureKeys } from "../support/broker-fixture.js";
import { idpResponse, postToAcs, readSpAnswer } from "../support/saml-peers.js";
import { testKey } from "../support/keys.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { STATUS } from "../../src/saml/namespaces.js";
import { validateConfig } from "../../src/config/load-config.js";
import { municipalLogin, nemLogInAnswer, nemLogInRequestId, stepUpFixture, stepUpSetup, type StepUpSetup } from "./step-up-world.js";

const DAY = 86_400_000;

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
}

function records(file: string): Array<Record<string, unknown>> {
  return readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("NemLog-in's messages", () => {
  let keys: FixtureKeys;
  let nemlogin: KeyMaterial;
  beforeAll(async () => {
    keys = await fixtureKeys();
    nemlogin = await testKey("nemlogin-signing");
  });

  function messagesFile(setup: StepUpSetup): string {
    return join(dirname(setup.auditFile), "nemlogin-messages.jsonl");
  }

  it("are kept next to the audit file: the AuthnRequest as sent (redirect URL with its signature) and the Response as received", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    expect(toNemLogIn.status).toBe(303);
    const sentUrl = toNemLogIn.headers["location"] as string;
    const requestId = nemLogInRequestId(toNemLogIn);
    const responseXml = await idpResponse(keys, nemLogInAnswer(nemlogin, requestId));
    const done = await postToAcs(agent, responseXml);
    expect(readSpAnswer(done.text).statusCode).toBe(STATUS.success);

    const kept = records(messagesFile(setup));
    expect(kept.map((r) => [r["kind"], r["direction"], r["upstream"], r["messageId"]])).toEqual([
      ["nemlogin-message", "request", "nemlogin", requestId],
      ["nemlogin-message", "response", "nemlogin", requestId],
    ]);
    const [sent, received] = kept;
    expect(sent!["binding"]).toBe("redirect");
    expect(sent!["url"]).toBe(sentUrl);
    expect(new URL(sentUrl).searchParams.get("Signature")).toBeTruthy();
    expect(sent!["xml"]).toContain(`ID="${requestId}"`);
    expect(sent!["correlationId"]).toBe(received!["correlationId"]);
    // Byte for byte what NemLog-in posted, its signature and encrypted assertion included.
    expect(received!["xml"]).toBe(responseXml);
    expect(received!["xml"]).toContain("EncryptedAssertion");
    // Not in the audit file itself: that one keeps its own records.
    expect(readFileSync(setup.auditFile, "utf8")).not.toContain("nemlogin-message");
  });

  it("are kept 180 days even when the audit file's retention is shorter (rotated files pruned by their own retention)", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const now = Date.now();
    const dir = dirname(setup.auditFile);
    const old = (name: string, days: number) => {
      const path = join(dir, `${name}.${stamp(now - days * DAY)}`);
      writeFileSync(path, "{}\n");
      return path;
    };
    const audit100 = old("audit.jsonl", 100);
    const messages100 = old("nemlogin-messages.jsonl", 100);
    const messages179 = old("nemlogin-messages.jsonl", 179);
    const messages181 = old("nemlogin-messages.jsonl", 181);
    const fixture = await stepUpFixture({ ...setup, config: { ...setup.config, audit: { file: setup.auditFile, retentionDays: 30 } } });
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    await postToAcs(agent, await idpResponse(keys, nemLogInAnswer(nemlogin, nemLogInRequestId(toNemLogIn))));
    expect(fixture.config.audit.nemloginMessages.retentionDays).toBe(180);
    expect(existsSync(audit100)).toBe(false);
    expect(existsSync(messages100)).toBe(true);
    expect(existsSync(messages179)).toBe(true);
    expect(existsSync(messages181)).toBe(false);
    expect(() => validateConfig({ audit: { file: "/tmp/a.jsonl", nemloginMessages: { retentionDays: 90 } } })).toThrow(/180 days/);
  });

  it("fail closed on the request: when it cannot be kept, the person is not sent to NemLog-in; page and SAML error", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const notAFolder = join(dirname(setup.auditFile), "not-a-folder");
    writeFileSync(notAFolder, "");
    const fixture = await stepUpFixture({ ...setup, config: { ...setup.config, audit: { file: setup.auditFile, nemloginMessages: { file: join(notAFolder, "m.jsonl") } } } });
    const { toNemLogIn } = await municipalLogin(fixture);
    expect(toNemLogIn.status).toBe(200);
    expect(toNemLogIn.text).toContain("The login could not be recorded, so it was not completed.");
    const answer = readSpAnswer(toNemLogIn.text);
    expect(answer.statusCode).toBe(STATUS.responder);
    expect(answer.xml).not.toContain("Assertion");
    await new Promise((resolve) => setImmediate(resolve));
    const events = fixture.logs.map((l) => [l["event"], l.reason]);
    expect(events).toContainEqual(["audit_write_failed", undefined]);
    expect(events).toContainEqual(["login_failed", "audit_unavailable"]);
  });

  it("fail closed on the response: when it cannot be kept, the step-up does not complete; page and SAML error", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    expect(toNemLogIn.status).toBe(303);
    // The request was kept; now the file cannot be appended to (a folder in its place).
    const file = messagesFile(setup);
    rmSync(file);
    mkdirSync(file);
    const done = await postToAcs(agent, await idpResponse(keys, nemLogInAnswer(nemlogin, nemLogInRequestId(toNemLogIn))));
    expect(done.status).toBe(200);
    expect(done.text).toContain("The login could not be recorded, so it was not completed.");
    const answer = readSpAnswer(done.text);
    expect(answer.statusCode).toBe(STATUS.responder);
    expect(answer.xml).not.toContain("Assertion");
    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.logs.map((l) => l.reason)).toContain("audit_unavailable");
    expect(fixture.logs.some((l) => l["event"] === "login_succeeded" || l["event"] === "step_up_bound")).toBe(false);
  });
});
