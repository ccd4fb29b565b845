/**
 * Step-up through NemLog-in (MitID Erhverv), end to end through the broker's
 * HTTP endpoints with real keys, signatures and encryption: the municipal IdP
 * reaches only a NIST level, the fagsystem requires NSIS Substantial, so the
 * broker sends the person on to NemLog-in and binds its answer to the same
 * person and organisation.
 */
import { beforeAll, describe, expect, it } from "vitest";
import request from "supertest";
import type { Agent } from "supertest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { createBrokerFixture, fixtureKeys, MUNICIPALITY_CVR, SP_ACS_URL, type BrokerFixture, type FixtureKeys } from "./support/broker-fixture.js";
import { SECOND_SP_ACS_URL, SECOND_SP_ENTITY_ID } from "./support/broker-process.js";
import { defaultAttributes, idpResponse, openBrokerAssertion, postToAcs, readSpAnswer, spRedirectRequest, upstreamRequestFrom, type IdpResponseOptions } from "./support/saml-peers.js";
import { testKey } from "./support/keys.js";
import { idpMetadataXml, spMetadataXml } from "../src/demo/demo-metadata.js";
import type { KeyMaterial } from "../src/keys/key-material.js";
import { BINDING, NAMEID_FORMAT, NS, STATUS } from "../src/saml/namespaces.js";
import { LEGACY, OIOSAML3 } from "../src/profiles/oiosaml3-attributes.js";
import { parseXml } from "../src/xml/xml-parser.js";
import { STEP_UP_KIND } from "../src/observability/audit.js";
import { findStepUps, formatStepUp } from "../src/cli/explain-step-up.js";
import { stepUpsTotal } from "../src/observability/metrics.js";

async function stepUpCount(outcome: "bound" | "refused"): Promise<number> {
  return (await stepUpsTotal.get()).values.find((v) => v.labels["outcome"] === outcome)?.value ?? 0;
}

const NEMLOGIN_ENTITY_ID = "https://saml.test-nemlog-in.dk/";
const NEMLOGIN_SSO_URL = "https://nemlog-in.test/sso";
const ANNA_UUID = "8c1d7e5e-3f0a-4b8e-9c51-0d2a7e4b6f11";
const OTHER_UUID = "11111111-2222-4333-8444-555555555555";
const NSIS = (level: string) => `https://data.gov.dk/concept/core/nsis/loa/${level}`;
const NIST3 = "urn:dk:gov:saml:attribute:AssuranceLevel:3";

/** The municipal IdP's answer: NIST level 3 only (no NSIS level), Anna's professional UUID. */
function municipalNist3(requestId: string, overrides: Partial<Record<string, string>> = {}): IdpResponseOptions {
  return {
    requestId,
    authnContextClassRef: NIST3,
    attributes: defaultAttributes({ [OIOSAML3.loa]: undefined, [LEGACY.assuranceLevel]: "3", ...overrides }),
  };
}

/** NemLog-in's answer: persistent professional NameID, loa, CVR, UUID; signed with NemLog-in's key. */
function nemLogInAnswer(
  nemlogin: KeyMaterial,
  requestId: string,
  options: { uuid?: string; cvr?: string; loa?: string; cpr?: string; nameIdUuid?: string; signWith?: KeyMaterial } = {},
): IdpResponseOptions {
  const loa = options.loa ?? "Substantial";
  const attributes = [
    { name: OIOSAML3.specVersion, values: ["OIO-SAML-3.0"] },
    { name: OIOSAML3.loa, values: [loa] },
    { name: OIOSAML3.cvr, values: [options.cvr ?? MUNICIPALITY_CVR] },
    { name: OIOSAML3.orgName, values: ["Test Kommune"] },
    { name: OIOSAML3.uuidPersistent, values: [options.uuid ?? ANNA_UUID] },
    ...(options.cpr ? [{ name: OIOSAML3.cprNumber, values: [options.cpr] }] : []),
  ];
  return {
    requestId,
    issuer: NEMLOGIN_ENTITY_ID,
    responseIssuer: NEMLOGIN_ENTITY_ID,
    nameId: `https://data.gov.dk/model/core/eid/professional/uuid/${options.nameIdUuid ?? options.uuid ?? ANNA_UUID}`,
    nameIdFormat: NAMEID_FORMAT.persistent,
    authnContextClassRef: NSIS(loa),
    attributes,
    signAssertionWith: options.signWith ?? nemlogin,
  };
}

interface StepUpSetup {
  nemlogin: KeyMaterial;
  config: Record<string, unknown>;
  auditFile: string;
}

/** NemLog-in registered by its metadata; a second fagsystem (for SSO) that also requires NSIS Substantial. */
function stepUpSetup(keys: FixtureKeys, nemlogin: KeyMaterial, nemloginPolicy: Record<string, unknown> = {}, firstSpLevel: unknown = { nsis: "Substantial" }): StepUpSetup {
  const dir = mkdtempSync(join(tmpdir(), "broker-stepup-"));
  const write = (name: string, content: string) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };
  const auditFile = join(dir, "audit.jsonl");
  return {
    nemlogin,
    auditFile,
    config: {
      secureCookies: "never",
      audit: { file: auditFile },
      nemlogin: {
        metadata: write("nemlogin.xml", idpMetadataXml({ entityId: NEMLOGIN_ENTITY_ID, signing: nemlogin, ssoUrl: NEMLOGIN_SSO_URL, bindings: [BINDING.redirect] })),
        entityId: NEMLOGIN_ENTITY_ID,
        ...nemloginPolicy,
      },
      serviceProviders: [
        {
          id: "test-fagsystem",
          metadata: write("sp.xml", spMetadataXml({ entityId: "https://fagsystem.test/sp", signing: keys.spSigning, encryption: keys.spEncryption, acsUrls: [SP_ACS_URL] })),
          requiredLevel: firstSpLevel,
        },
        {
          id: "andet-fagsystem",
          metadata: write("sp2.xml", spMetadataXml({ entityId: SECOND_SP_ENTITY_ID, signing: keys.spSigning, encryption: keys.spEncryption, acsUrls: [SECOND_SP_ACS_URL] })),
          requiredLevel: { nsis: "Substantial" },
        },
      ],
    },
  };
}

async function stepUpFixture(setup: StepUpSetup, idp: Record<string, unknown> = {}, now?: () => number): Promise<BrokerFixture> {
  return createBrokerFixture({
    config: setup.config,
    idp: { stepUp: true, maxLevel: { nist: 3, nsis: "none" }, ...idp },
    now,
  });
}

function authnRequestFrom(location: string): Document {
  const encoded = new URL(location).searchParams.get("SAMLRequest")!;
  return parseXml(inflateRawSync(Buffer.from(encoded, "base64")).toString("utf8"));
}

/** SP → broker → municipal IdP → broker; returns the redirect the broker answers the municipal login with. */
async function municipalLogin(fixture: BrokerFixture, overrides: Partial<Record<string, string>> = {}): Promise<{ agent: Agent; toNemLogIn: request.Response; municipalXml: string }> {
  const agent = request.agent(fixture.app);
  const started = await agent.get(spRedirectRequest(fixture.keys).path);
  expect(started.status).toBe(303);
  const upstream = upstreamRequestFrom(started.headers["location"] as string);
  const toNemLogIn = await postToAcs(agent, await idpResponse(fixture.keys, municipalNist3(upstream.id, overrides)), "rs-123");
  return { agent, toNemLogIn, municipalXml: upstream.xml };
}

async function auditRecords(fixture: BrokerFixture, file: string): Promise<Array<Record<string, unknown>>> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  try {
    return readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r["kind"] === STEP_UP_KIND);
  } catch {
    return [];
  }
}

function attribute(assertion: Element, name: string): string[] | undefined {
  const found = Array.from(assertion.getElementsByTagNameNS(NS.saml, "Attribute")).find((a) => a.getAttribute("Name") === name);
  return found ? Array.from(found.getElementsByTagNameNS(NS.saml, "AttributeValue")).map((v) => v.textContent ?? "") : undefined;
}

describe("step-up through NemLog-in", () => {
  let keys: FixtureKeys;
  let nemlogin: KeyMaterial;
  beforeAll(async () => {
    keys = await fixtureKeys();
    nemlogin = await testKey("nemlogin-signing");
  });

  it("sends the person on to NemLog-in for NSIS Substantial, binds the answer to the same person and merges", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const { agent, toNemLogIn, municipalXml } = await municipalLogin(fixture);
    // The municipal IdP cannot deliver NSIS: it is not asked for it.
    expect(municipalXml).not.toContain("RequestedAuthnContext");

    expect(toNemLogIn.status).toBe(303);
    const location = toNemLogIn.headers["location"] as string;
    expect(location.startsWith(`${NEMLOGIN_SSO_URL}?`)).toBe(true);
    expect(new URL(location).searchParams.get("Signature")).toBeTruthy();
    const authnRequest = authnRequestFrom(location);
    const classRefs = Array.from(authnRequest.getElementsByTagNameNS(NS.saml, "AuthnContextClassRef")).map((e) => e.textContent);
    expect(classRefs).toEqual([NSIS("Substantial"), "https://data.gov.dk/eid/Professional"]);
    expect(authnRequest.getElementsByTagNameNS(NS.samlp, "Scoping")).toHaveLength(0);
    expect(authnRequest.documentElement.getAttribute("AssertionConsumerServiceURL")).toBe("https://broker.test/saml/acs");

    const requestId = authnRequest.documentElement.getAttribute("ID")!;
    const nemloginAssertionId = "_nemlogin-assertion-1";
    const boundBefore = await stepUpCount("bound");
    const done = await postToAcs(agent, await idpResponse(keys, { ...nemLogInAnswer(nemlogin, requestId), assertionId: nemloginAssertionId }));
    expect(done.status).toBe(200);
    const answer = readSpAnswer(done.text);
    expect(answer.statusCode).toBe(STATUS.success);
    expect(answer.url).toBe(SP_ACS_URL);
    expect(answer.relayState).toBe("rs-123");
    const assertion = await openBrokerAssertion(answer, keys);
    // The level from NemLog-in; person, organisation and privileges from the municipal step.
    expect(attribute(assertion, OIOSAML3.loa)).toEqual(["Substantial"]);
    expect(assertion.getElementsByTagNameNS(NS.saml, "AuthnContextClassRef")[0]!.textContent).toBe(NSIS("Substantial"));
    expect(attribute(assertion, OIOSAML3.email)).toEqual(["anna@kommune.test"]);
    expect(attribute(assertion, OIOSAML3.cvr)).toEqual([MUNICIPALITY_CVR]);
    expect(attribute(assertion, OIOSAML3.uuidPersistent)).toEqual([ANNA_UUID]);
    const authorities = Array.from(assertion.getElementsByTagNameNS(NS.saml, "AuthenticatingAuthority")).map((e) => e.textContent);
    expect(authorities).toContain(NEMLOGIN_ENTITY_ID);

    expect(await stepUpCount("bound")).toBe(boundBefore + 1);
    const records = await auditRecords(fixture, setup.auditFile);
    expect(records).toHaveLength(1);
    expect(records[0]!["outcome"]).toBe("bound");
    expect(records[0]!["binding"]).toBe("uuid");
    const evidence = records[0]!["evidence"] as Array<{ upstream: string; assertionId: string }>;
    expect(evidence.map((e) => e.upstream)).toEqual(["municipal-idp", "nemlogin"]);
    expect(evidence[1]!.assertionId).toBe(nemloginAssertionId);
    expect(evidence[0]!.assertionId).toMatch(/^_a/);
    const succeeded = fixture.logs.find((l) => l["event"] === "login_succeeded");
    expect(succeeded?.["evidence"]).toEqual(evidence.map((e) => e.assertionId));
    // `explain <correlation id>` shows the step-up with both assertions.
    const explained = findStepUps(readFileSync(setup.auditFile, "utf8"), String(records[0]!["correlationId"])).map(formatStepUp).join("\n");
    expect(explained).toContain("bound by uuid");
    expect(explained).toContain(`nemlogin: ${NEMLOGIN_ENTITY_ID} assertion ${nemloginAssertionId}`);
    expect(explained).toContain(`municipal-idp: https://idp.kommune.test/adfs assertion ${evidence[0]!.assertionId}`);
  });

  it("refuses a step-up by a different person, with a clear page and an audit event", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const refusedBefore = await stepUpCount("refused");
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    const requestId = authnRequestFrom(toNemLogIn.headers["location"] as string).documentElement.getAttribute("ID")!;
    const done = await postToAcs(agent, await idpResponse(keys, nemLogInAnswer(nemlogin, requestId, { uuid: OTHER_UUID })));
    expect(await stepUpCount("refused")).toBe(refusedBefore + 1);
    expect(done.status).toBe(200);
    expect(done.text).toContain("MitID-loginet tilhører ikke den person");
    expect(done.text).toMatch(/correlation id/);
    const answer = readSpAnswer(done.text);
    expect(answer.statusCode).toBe(STATUS.responder);
    expect(answer.subStatusCode).toBe(STATUS.authnFailed);
    expect(answer.document.getElementsByTagNameNS(NS.saml, "EncryptedAssertion")).toHaveLength(0);
    expect(answer.document.getElementsByTagNameNS(NS.saml, "Assertion")).toHaveLength(0);
    const records = await auditRecords(fixture, setup.auditFile);
    expect(records.map((r) => [r["outcome"], r["reason"]])).toEqual([["refused", "step_up_other_person"]]);
    expect((records[0]!["evidence"] as unknown[]).length).toBe(2);
    expect(formatStepUp(findStepUps(readFileSync(setup.auditFile, "utf8"), String(records[0]!["correlationId"]))[0]!)).toContain("refused (step_up_other_person, binding uuid)");
    expect(fixture.logs.some((l) => l["event"] === "login_failed" && l.reason === "step_up_other_person")).toBe(true);
    // One rejection per refused login in the logs (and so in broker_rejections_total); the audit line names it as `refusal`.
    expect(fixture.logs.filter((l) => l.reason === "step_up_other_person")).toHaveLength(1);
    expect(fixture.logs.some((l) => l["event"] === "step_up_refused" && l["refusal"] === "step_up_other_person" && l["audit"] === true)).toBe(true);
    expect(fixture.logs.some((l) => l["event"] === "login_succeeded")).toBe(false);
    // No SSO session is started for a refused login.
    expect(String(done.headers["set-cookie"] ?? "")).not.toContain("broker_sso");
  });

  it("refuses a NemLog-in identity whose NameID and UUID attribute name different people", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    const requestId = authnRequestFrom(toNemLogIn.headers["location"] as string).documentElement.getAttribute("ID")!;
    const done = await postToAcs(agent, await idpResponse(keys, nemLogInAnswer(nemlogin, requestId, { nameIdUuid: OTHER_UUID })));
    expect(readSpAnswer(done.text).statusCode).toBe(STATUS.responder);
    const records = await auditRecords(fixture, setup.auditFile);
    expect(records[0]?.["reason"]).toBe("nemlogin_unusable");
    expect(String(records[0]?.["detail"])).toContain("nemlogin_uuid_conflict");
  });

  it("refuses a step-up for another organisation (NemLog-in's CVR differs from the municipality's)", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    const requestId = authnRequestFrom(toNemLogIn.headers["location"] as string).documentElement.getAttribute("ID")!;
    const done = await postToAcs(agent, await idpResponse(keys, nemLogInAnswer(nemlogin, requestId, { cvr: "11223344" })));
    expect(done.text).toContain("hører til en anden organisation");
    const answer = readSpAnswer(done.text);
    expect(answer.statusCode).toBe(STATUS.responder);
    expect(answer.subStatusCode).toBe(STATUS.requestDenied);
    const records = await auditRecords(fixture, setup.auditFile);
    expect(records.map((r) => r["reason"])).toEqual(["step_up_other_organisation"]);
  });

  it("refuses NemLog-in answering with too low a level (NoAuthnContext), and does not ask again", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    const requestId = authnRequestFrom(toNemLogIn.headers["location"] as string).documentElement.getAttribute("ID")!;
    const done = await postToAcs(agent, await idpResponse(keys, nemLogInAnswer(nemlogin, requestId, { loa: "Low" })));
    expect(done.status).toBe(200);
    expect(done.text).toContain("nåede ikke det sikringsniveau");
    const answer = readSpAnswer(done.text);
    expect(answer.statusCode).toBe(STATUS.responder);
    expect(answer.subStatusCode).toBe(STATUS.noAuthnContext);
    const records = await auditRecords(fixture, setup.auditFile);
    expect(records.map((r) => r["reason"])).toEqual(["step_up_level_too_low"]);
  });

  it("verifies NemLog-in's answer with NemLog-in's keys only (the municipal IdP's key is refused)", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    const requestId = authnRequestFrom(toNemLogIn.headers["location"] as string).documentElement.getAttribute("ID")!;
    const done = await postToAcs(agent, await idpResponse(keys, nemLogInAnswer(nemlogin, requestId, { signWith: keys.idpSigning })));
    const answer = readSpAnswer(done.text);
    expect(answer.statusCode).toBe(STATUS.responder);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.logs.some((l) => l.reason === "signature_invalid" && l["idp"] === "nemlogin")).toBe(true);
  });

  it("refuses a municipal IdP's answer to a login that awaits NemLog-in", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    const requestId = authnRequestFrom(toNemLogIn.headers["location"] as string).documentElement.getAttribute("ID")!;
    // The municipal IdP (its own issuer and key) answers the NemLog-in request with an NSIS level.
    const done = await postToAcs(agent, await idpResponse(keys, { requestId }));
    expect(readSpAnswer(done.text).statusCode).toBe(STATUS.responder);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.logs.some((l) => l.reason === "issuer_mismatch" || l.reason === "signature_invalid")).toBe(true);
    expect(fixture.logs.some((l) => l["event"] === "login_succeeded")).toBe(false);
  });

  it("tells the person when the MitID login at NemLog-in is not completed (status AuthnFailed)", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    const requestId = authnRequestFrom(toNemLogIn.headers["location"] as string).documentElement.getAttribute("ID")!;
    const done = await postToAcs(agent, await idpResponse(keys, { ...nemLogInAnswer(nemlogin, requestId), status: STATUS.responder, subStatus: STATUS.authnFailed }));
    expect(done.status).toBe(200);
    expect(done.text).toContain("MitID-loginet hos NemLog-in blev ikke gennemført");
    const answer = readSpAnswer(done.text);
    expect(answer.statusCode).toBe(STATUS.responder);
    expect(answer.subStatusCode).toBe(STATUS.authnFailed);
    expect(answer.statusMessage).toBe("Step-up authentication at NemLog-in failed");
    expect(fixture.logs.some((l) => l["event"] === "login_succeeded")).toBe(false);
  });

  it("refuses a NemLog-in answer whose loa attribute and AuthnContextClassRef disagree, naming the reason", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    const requestId = authnRequestFrom(toNemLogIn.headers["location"] as string).documentElement.getAttribute("ID")!;
    const done = await postToAcs(agent, await idpResponse(keys, { ...nemLogInAnswer(nemlogin, requestId, { loa: "High" }), authnContextClassRef: NSIS("Low") }));
    expect(readSpAnswer(done.text).statusCode).toBe(STATUS.responder);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.logs.some((l) => l.reason === "level_conflict" && l["idp"] === "nemlogin")).toBe(true);
    expect(fixture.logs.some((l) => l.reason === "internal_error")).toBe(false);
  });

  it("binds by CPR where the municipality is configured so", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup, { stepUpBinding: "cpr" });
    const ok = await municipalLogin(fixture, { [OIOSAML3.cprNumber]: "0101701234" });
    const okId = authnRequestFrom(ok.toNemLogIn.headers["location"] as string).documentElement.getAttribute("ID")!;
    // A different professional UUID, but the same CPR: the configured key decides.
    const bound = await postToAcs(ok.agent, await idpResponse(keys, nemLogInAnswer(nemlogin, okId, { uuid: OTHER_UUID, cpr: "010170-1234" })));
    expect(readSpAnswer(bound.text).statusCode).toBe(STATUS.success);

    const other = await municipalLogin(fixture, { [OIOSAML3.cprNumber]: "0101701234" });
    const otherId = authnRequestFrom(other.toNemLogIn.headers["location"] as string).documentElement.getAttribute("ID")!;
    const refused = await postToAcs(other.agent, await idpResponse(keys, nemLogInAnswer(nemlogin, otherId, { cpr: "0202801234" })));
    expect(readSpAnswer(refused.text).statusCode).toBe(STATUS.responder);

    // NemLog-in sends no CPR (usual for MitID Erhverv): nothing to bind to, refused.
    const none = await municipalLogin(fixture, { [OIOSAML3.cprNumber]: "0101701234" });
    const noneId = authnRequestFrom(none.toNemLogIn.headers["location"] as string).documentElement.getAttribute("ID")!;
    const missing = await postToAcs(none.agent, await idpResponse(keys, nemLogInAnswer(nemlogin, noneId)));
    expect(readSpAnswer(missing.text).statusCode).toBe(STATUS.responder);
    const records = await auditRecords(fixture, setup.auditFile);
    expect(records.map((r) => r["reason"] ?? r["outcome"])).toEqual(["bound", "step_up_other_person", "step_up_binding_missing"]);
  });

  it("refuses as before (level_too_low) when the IdP is not registered for step-up", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup, { stepUp: false });
    const { toNemLogIn } = await municipalLogin(fixture);
    expect(toNemLogIn.status).toBe(200);
    const answer = readSpAnswer(toNemLogIn.text);
    expect(answer.subStatusCode).toBe(STATUS.noAuthnContext);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.logs.some((l) => l["event"] === "login_failed" && l.reason === "level_too_low")).toBe(true);
  });

  it("refuses as before, with a warning, when the IdP has stepUp but NemLog-in is not configured", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const { nemlogin: _absent, ...withoutNemLogIn } = setup.config;
    const fixture = await stepUpFixture({ ...setup, config: withoutNemLogIn });
    const { toNemLogIn } = await municipalLogin(fixture);
    expect(readSpAnswer(toNemLogIn.text).subStatusCode).toBe(STATUS.noAuthnContext);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.logs.some((l) => l["event"] === "step_up_not_possible" && l.level === 40 && String(l["detail"]).includes("NemLog-in is not configured"))).toBe(true);
  });

  it("reuses the step-up in the SSO session: the next fagsystem gets NSIS Substantial without MitID", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    const requestId = authnRequestFrom(toNemLogIn.headers["location"] as string).documentElement.getAttribute("ID")!;
    const done = await postToAcs(agent, await idpResponse(keys, nemLogInAnswer(nemlogin, requestId)));
    expect(readSpAnswer(done.text).statusCode).toBe(STATUS.success);

    const second = await agent.get(spRedirectRequest(keys, { issuer: SECOND_SP_ENTITY_ID, acsUrl: SECOND_SP_ACS_URL }).path);
    expect(second.status).toBe(200);
    expect(second.headers["location"]).toBeUndefined();
    const answer = readSpAnswer(second.text);
    expect(answer.url).toBe(SECOND_SP_ACS_URL);
    expect(answer.statusCode).toBe(STATUS.success);
    const assertion = await openBrokerAssertion(answer, keys);
    expect(attribute(assertion, OIOSAML3.loa)).toEqual(["Substantial"]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.logs.some((l) => l["event"] === "login_succeeded" && l["sso"] === true && l["sp"] === "andet-fagsystem")).toBe(true);
  });

  it("after nemlogin.stepUpMaxAgeSeconds, repeats only the step-up (NemLog-in, not the municipal IdP)", async () => {
    let offset = 0;
    const setup = stepUpSetup(keys, nemlogin, { stepUpMaxAgeSeconds: 60 });
    const fixture = await stepUpFixture(setup, {}, () => Date.now() + offset);
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    const requestId = authnRequestFrom(toNemLogIn.headers["location"] as string).documentElement.getAttribute("ID")!;
    const done = await postToAcs(agent, await idpResponse(keys, nemLogInAnswer(nemlogin, requestId)));
    expect(readSpAnswer(done.text).statusCode).toBe(STATUS.success);

    offset = 61_000;
    const second = await agent.get(spRedirectRequest(keys, { issuer: SECOND_SP_ENTITY_ID, acsUrl: SECOND_SP_ACS_URL }).path);
    expect(second.status).toBe(303);
    const location = second.headers["location"] as string;
    expect(location.startsWith(`${NEMLOGIN_SSO_URL}?`)).toBe(true);
    const again = authnRequestFrom(location).documentElement.getAttribute("ID")!;
    const finished = await postToAcs(agent, await idpResponse(keys, { ...nemLogInAnswer(nemlogin, again), now: Date.now() + offset }));
    const answer = readSpAnswer(finished.text);
    expect(answer.url).toBe(SECOND_SP_ACS_URL);
    expect(answer.statusCode).toBe(STATUS.success);
  });

  it("steps up from an SSO session without the level by going only to NemLog-in", async () => {
    const setup = stepUpSetup(keys, nemlogin, {}, "none");
    const fixture = await stepUpFixture(setup);
    // The first fagsystem needs no level: the municipal login (NIST 3) is enough, no step-up.
    const { agent, toNemLogIn: first } = await municipalLogin(fixture);
    expect(first.status).toBe(200);
    expect(readSpAnswer(first.text).statusCode).toBe(STATUS.success);

    const second = await agent.get(spRedirectRequest(keys, { issuer: SECOND_SP_ENTITY_ID, acsUrl: SECOND_SP_ACS_URL }).path);
    expect(second.status).toBe(303);
    const location = second.headers["location"] as string;
    expect(location.startsWith(`${NEMLOGIN_SSO_URL}?`)).toBe(true);
    const requestId = authnRequestFrom(location).documentElement.getAttribute("ID")!;
    const done = await postToAcs(agent, await idpResponse(keys, nemLogInAnswer(nemlogin, requestId)));
    const answer = readSpAnswer(done.text);
    expect(answer.url).toBe(SECOND_SP_ACS_URL);
    expect(answer.statusCode).toBe(STATUS.success);
    expect(attribute(await openBrokerAssertion(answer, keys), OIOSAML3.loa)).toEqual(["Substantial"]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.logs.some((l) => l["event"] === "sso_step_up")).toBe(true);
  });

  it("passes the fagsystem's ForceAuthn on to NemLog-in", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const agent = request.agent(fixture.app);
    const started = await agent.get(spRedirectRequest(keys, { forceAuthn: true }).path);
    const upstream = upstreamRequestFrom(started.headers["location"] as string);
    expect(upstream.xml).toContain('ForceAuthn="true"');
    const toNemLogIn = await postToAcs(agent, await idpResponse(keys, municipalNist3(upstream.id)));
    expect(authnRequestFrom(toNemLogIn.headers["location"] as string).documentElement.getAttribute("ForceAuthn")).toBe("true");
  });

  it("refuses to start when NemLog-in's metadata names another entity than configured", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const nemloginConfig = setup.config["nemlogin"] as Record<string, unknown>;
    await expect(stepUpFixture({ ...setup, config: { ...setup.config, nemlogin: { ...nemloginConfig, entityId: "https://saml.nemlog-in.dk" } } })).rejects.toThrow(/not the configured entityId/);
  });
});
