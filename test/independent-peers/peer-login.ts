/** One login over HTTP through the broker with both outer parties played by the independent peers. */
import { expect } from "vitest";
import request from "supertest";
import { DOMParser } from "@xmldom/xmldom";
import type { SAML } from "@node-saml/node-saml";
import { BROKER_BASE, IDP_SSO_URL, createBrokerFixture, logReasons, type BrokerFixture, type FixtureOptions } from "../support/broker-fixture.js";
import { readSpAnswer, type SpAnswer } from "../support/saml-peers.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { fagsystem, RecordingCache } from "./node-saml-fagsystem.js";
import { readPublishedMetadata, type PublishedParty } from "./published-metadata.js";
import { answerFromIdp, brokerAsSp, municipalIdp, receiveAtIdp, type MunicipalIdpOptions, type ParsedRequest } from "./samlify-idp.js";
import { RSA_SHA256 } from "./standard-uris.js";

export interface PeerWorld {
  fixture: BrokerFixture;
  brokerIdp: PublishedParty;
  brokerSp: PublishedParty;
}

/** A broker, and its two metadata documents as the peers read them over HTTP. */
export async function peerWorld(options: FixtureOptions): Promise<PeerWorld> {
  const fixture = await createBrokerFixture(options);
  const http = request(fixture.app);
  const brokerIdp = readPublishedMetadata((await http.get("/saml/metadata/idp").expect(200)).text, "IDPSSODescriptor");
  const brokerSp = readPublishedMetadata((await http.get("/saml/metadata/sp").expect(200)).text, "SPSSODescriptor");
  return { fixture, brokerIdp, brokerSp };
}

export interface PeerLogin {
  fagsystem: SAML;
  cache: RecordingCache;
  fagsystemRequestId: string;
  parsed: ParsedRequest;
  idpResponseXml: string;
  answer: SpAnswer;
  /** What the browser posts to the fagsystem's ACS. */
  posted: { SAMLResponse: string; RelayState: string };
  /** Reasons the broker logged during this login. */
  reasons: string[];
}

/** Drives one login over HTTP: node-saml → broker → samlify → broker → (the auto-POST to) node-saml. */
export async function loginThroughPeers(
  fixture: BrokerFixture,
  brokerIdp: PublishedParty,
  brokerSp: PublishedParty,
  idpSigning: KeyMaterial,
  relayState: string,
  idpOptions: MunicipalIdpOptions = {},
): Promise<PeerLogin> {
  await logReasons(fixture);
  const logMark = fixture.logs.length;
  const cache = new RecordingCache();
  const sp = fagsystem(fixture, brokerIdp, cache);
  const idp = municipalIdp(idpSigning, idpOptions);
  const broker = brokerAsSp(brokerSp.xml);
  const agent = request.agent(fixture.app);

  // 1. The fagsystem sends the person to the broker (signed HTTP-Redirect);
  //    the municipality hint is an extra query parameter outside the signature.
  const authorizeUrl = await sp.getAuthorizeUrlAsync(relayState, undefined, {});
  expect(authorizeUrl.startsWith(`${BROKER_BASE}/saml/sso?`)).toBe(true);
  expect(new URL(authorizeUrl).searchParams.get("SigAlg")).toBe(RSA_SHA256);
  const pending = [...cache.entries.keys()];
  expect(pending).toHaveLength(1);
  const toBroker = await agent.get(`${authorizeUrl.slice(BROKER_BASE.length)}&municipality=test-kommune`);
  expect(toBroker.status).toBe(303);
  const location = String(toBroker.headers["location"]);
  expect(location.startsWith(`${IDP_SSO_URL}?`)).toBe(true);

  // 2. The municipal IdP verifies the broker's redirect signature and reads the request.
  const parsed = await receiveAtIdp(idp, broker, location);

  // 3. The IdP answers at the broker's ACS; the broker answers the fagsystem with an auto-POST form.
  const samlResponse = await answerFromIdp(idp, broker, parsed, idpOptions);
  const atAcs = await agent.post("/saml/acs").type("form").send({ SAMLResponse: samlResponse });
  expect(atAcs.status).toBe(200);
  const answer = readSpAnswer(atAcs.text);
  await logReasons(fixture);
  const reasons = fixture.logs.slice(logMark).flatMap((l) => (typeof l.reason === "string" ? [l.reason] : []));
  return {
    fagsystem: sp,
    cache,
    fagsystemRequestId: pending[0]!,
    parsed,
    idpResponseXml: Buffer.from(samlResponse, "base64").toString("utf8"),
    answer,
    posted: { SAMLResponse: Buffer.from(answer.xml, "utf8").toString("base64"), RelayState: answer.relayState ?? "" },
    reasons,
  };
}

export function childText(xml: string, ns: string, localName: string): string[] {
  const document = new DOMParser().parseFromString(xml, "text/xml");
  return Array.from(document.getElementsByTagNameNS(ns, localName)).map((e) => (e.textContent ?? "").trim());
}
