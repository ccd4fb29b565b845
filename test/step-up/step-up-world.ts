/**
 * The step-up world shared by the step-up tests: NemLog-in registered by its
 * metadata, a municipal IdP that reaches NIST level 3 only, two fagsystemer
 * that require NSIS Substantial, and the answers NemLog-in sends.
 */
import { expect } from "vitest";
import request from "supertest";
import type { Agent } from "supertest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { createBrokerFixture, MUNICIPALITY_CVR, SP_ACS_URL, type BrokerFixture, type FixtureKeys } from "../support/broker-fixture.js";
import { SECOND_SP_ACS_URL, SECOND_SP_ENTITY_ID } from "../support/broker-process.js";
import { defaultAttributes, idpResponse, postToAcs, spRedirectRequest, upstreamRequestFrom, type IdpResponseOptions } from "../support/saml-peers.js";
import { idpMetadataXml, spMetadataXml } from "../../src/demo/demo-metadata.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { BINDING, NAMEID_FORMAT, NS } from "../../src/saml/namespaces.js";
import { LEGACY, OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { parseXml } from "../../src/xml/xml-parser.js";
import { LEVEL_CLASS } from "../support/uris.js";
import { STEP_UP_KIND } from "../../src/observability/audit.js";
import { stepUpsTotal } from "../../src/observability/metrics.js";

export async function stepUpCount(outcome: "bound" | "refused"): Promise<number> {
  return (await stepUpsTotal.get()).values.find((v) => v.labels["outcome"] === outcome)?.value ?? 0;
}

export const NEMLOGIN_ENTITY_ID = "https://saml.test-nemlog-in.dk/";
export const NEMLOGIN_SSO_URL = "https://nemlog-in.test/sso";
export const ANNA_UUID = "8c1d7e5e-3f0a-4b8e-9c51-0d2a7e4b6f11";
export const OTHER_UUID = "11111111-2222-4333-8444-555555555555";

/** The municipal IdP's answer: NIST level 3 only (no NSIS level), Anna's professional UUID. */
export function municipalNist3(requestId: string, overrides: Partial<Record<string, string>> = {}): IdpResponseOptions {
  return {
    requestId,
    authnContextClassRef: LEVEL_CLASS.nist(3),
    attributes: defaultAttributes({ [OIOSAML3.loa]: undefined, [LEGACY.assuranceLevel]: "3", ...overrides }),
  };
}

/** NemLog-in's answer: persistent professional NameID, loa, CVR, UUID; signed with NemLog-in's key. */
export function nemLogInAnswer(
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
    authnContextClassRef: LEVEL_CLASS.nsis(loa),
    attributes,
    signAssertionWith: options.signWith ?? nemlogin,
  };
}

export interface StepUpSetup {
  nemlogin: KeyMaterial;
  config: Record<string, unknown>;
  auditFile: string;
}

/** NemLog-in registered by its metadata; a second fagsystem (for SSO) that also requires NSIS Substantial. */
export function stepUpSetup(keys: FixtureKeys, nemlogin: KeyMaterial, nemloginPolicy: Record<string, unknown> = {}, firstSpLevel: unknown = { nsis: "Substantial" }): StepUpSetup {
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
      // NemLog-in's test entityID: only a non-production broker may register it.
      environment: "test",
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

export async function stepUpFixture(setup: StepUpSetup, idp: Record<string, unknown> = {}, now?: () => number): Promise<BrokerFixture> {
  return createBrokerFixture({
    config: setup.config,
    idp: { stepUp: true, maxLevel: { nist: 3, nsis: "none" }, ...idp },
    now,
  });
}

export function authnRequestFrom(location: string): Document {
  const encoded = new URL(location).searchParams.get("SAMLRequest")!;
  return parseXml(inflateRawSync(Buffer.from(encoded, "base64")).toString("utf8"));
}

/** SP → broker → municipal IdP → broker; returns the redirect the broker answers the municipal login with. */
export async function municipalLogin(fixture: BrokerFixture, overrides: Partial<Record<string, string>> = {}): Promise<{ agent: Agent; toNemLogIn: request.Response; municipalXml: string }> {
  const agent = request.agent(fixture.app);
  const started = await agent.get(spRedirectRequest(fixture.keys).path);
  expect(started.status).toBe(303);
  const upstream = upstreamRequestFrom(started.headers["location"] as string);
  const toNemLogIn = await postToAcs(agent, await idpResponse(fixture.keys, municipalNist3(upstream.id, overrides)), "rs-123");
  return { agent, toNemLogIn, municipalXml: upstream.xml };
}

export async function auditRecords(fixture: BrokerFixture, file: string): Promise<Array<Record<string, unknown>>> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  try {
    return readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r["kind"] === STEP_UP_KIND);
  } catch {
    return [];
  }
}

export function attribute(assertion: Element, name: string): string[] | undefined {
  const found = Array.from(assertion.getElementsByTagNameNS(NS.saml, "Attribute")).find((a) => a.getAttribute("Name") === name);
  return found ? Array.from(found.getElementsByTagNameNS(NS.saml, "AttributeValue")).map((v) => v.textContent ?? "") : undefined;
}

/** The ID of the AuthnRequest the broker sent NemLog-in, read from the redirect to it. */
export function nemLogInRequestId(toNemLogIn: request.Response): string {
  return authnRequestFrom(toNemLogIn.headers["location"] as string).documentElement.getAttribute("ID")!;
}
