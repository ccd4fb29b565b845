/**
 * NemLog-in's evidence must be kept: a step-up whose audit record cannot be
 * written does not complete. The fagsystem gets a SAML error, the person a
 * page, and the log says why (the write failure, then the refusal).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fixtureKeys, type FixtureKeys } from "../support/broker-fixture.js";
import { idpResponse, postToAcs, readSpAnswer } from "../support/saml-peers.js";
import { testKey } from "../support/keys.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { STATUS } from "../../src/saml/namespaces.js";
import { municipalLogin, nemLogInAnswer, nemLogInRequestId, stepUpCount, stepUpFixture, stepUpSetup } from "./step-up-world.js";

describe("a step-up whose audit record cannot be written", () => {
  let keys: FixtureKeys;
  let nemlogin: KeyMaterial;
  beforeAll(async () => {
    keys = await fixtureKeys();
    nemlogin = await testKey("nemlogin-signing");
  });

  it("is refused (audit_unavailable) instead of completing", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    // The audit file's folder is a regular file: no append can succeed, whoever runs the test.
    const notAFolder = join(dirname(setup.auditFile), "not-a-folder");
    writeFileSync(notAFolder, "");
    const fixture = await stepUpFixture({ ...setup, config: { ...setup.config, audit: { file: join(notAFolder, "audit.jsonl"), nemloginMessages: { file: join(dirname(setup.auditFile), "nemlogin-messages.jsonl") } } } });
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    expect(toNemLogIn.status).toBe(303);

    const [boundBefore, refusedBefore] = [await stepUpCount("bound"), await stepUpCount("refused")];
    const done = await postToAcs(agent, await idpResponse(keys, nemLogInAnswer(nemlogin, nemLogInRequestId(toNemLogIn))));
    expect(done.status).toBe(200);
    expect(done.text).toContain("The login could not be recorded, so it was not completed.");
    const answer = readSpAnswer(done.text);
    expect(answer.statusCode).toBe(STATUS.responder);

    await new Promise((resolve) => setImmediate(resolve));
    const events = fixture.logs.map((l) => [l["event"], l.reason]);
    expect(events).toContainEqual(["audit_write_failed", undefined]);
    expect(events).toContainEqual(["login_failed", "audit_unavailable"]);
    expect(fixture.logs.some((l) => l["event"] === "login_succeeded")).toBe(false);
    // Counted as refused: it did not complete.
    expect(await stepUpCount("bound")).toBe(boundBefore);
    expect(await stepUpCount("refused")).toBe(refusedBefore + 1);
  });
});
