/**
 * Shared tools for the attack catalogue: DOM surgery on real signed messages
 * (a lenient parser, so attacks can build what our strict parser refuses),
 * hand-made signatures for algorithm-abuse cases, and one assertion helper
 * that checks a message was refused at the real endpoint with a given reason.
 */
import { DOMParser } from "@xmldom/xmldom";
import { createHash, createHmac, sign as cryptoSign } from "node:crypto";
import { expect } from "vitest";
import type request from "supertest";
import type { Agent } from "supertest";
import { NS, STATUS } from "../../../src/saml/namespaces.js";
import { serializeXml } from "../../../src/xml/xml-parser.js";
import type { KeyMaterial } from "../../../src/keys/key-material.js";
import { C14N, DIGEST_ALGORITHM, SIGNATURE_ALGORITHM, TRANSFORM_ENVELOPED } from "../../../src/saml/algorithms.js";
import { ExclusiveCanonicalization } from "xml-crypto";
import { xmlCryptoAccepts } from "./xml-crypto-alone.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createBrokerFixture,
  fixtureKeys,
  logReasons,
  IDP_ENTITY_ID,
  IDP_SSO_URL,
  MUNICIPALITY_CVR,
  type BrokerFixture,
  type FixtureKeys,
  type FixtureOptions,
} from "../../support/broker-fixture.js";
import { testKey } from "../../support/keys.js";
import { idpMetadataXml } from "../../../src/demo/demo-metadata.js";
import { BINDING } from "../../../src/saml/namespaces.js";
import { postToAcs, readSpAnswer, startLogin } from "../../support/saml-peers.js";

/** A lenient DOM for building attacks (our own parser refuses much of what attacks need). */
/** The subject an attacker puts into a forged or wrapped assertion. */
export const FORGED = "C=DK,O=29189846,CN=Mallory Forged,Serial=666";

export function dom(xml: string): Document {
  return new DOMParser({ errorHandler: { warning: () => undefined, error: () => undefined, fatalError: () => undefined } }).parseFromString(xml, "text/xml") as unknown as Document;
}

export function xmlOf(node: Node): string {
  return serializeXml(node);
}

/** Elements with this namespace and local name, anywhere under `root`, in document order. */
export function all(root: Document | Element, ns: string, localName: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(ns, localName) as unknown as ArrayLike<Element>);
}

export function first(root: Document | Element, ns: string, localName: string): Element {
  const found = all(root, ns, localName)[0];
  if (!found) throw new Error(`no ${localName} in the message`);
  return found;
}

/** Parses `xml`, lets `edit` change the DOM, and serializes it again. */
export function edit(xml: string, change: (doc: Document) => void): string {
  const doc = dom(xml);
  change(doc);
  return xmlOf(doc);
}

/** Imports a fragment (given as XML text) into `doc`, ready to insert. */
export function fragment(doc: Document, xml: string): Element {
  return doc.importNode(dom(xml).documentElement, true) as Element;
}

export function insertAfter(node: Node, newNode: Node): void {
  node.parentNode!.insertBefore(newNode, node.nextSibling);
}

/** The direct child element of `parent` with this local name (any namespace), or throws. */
export function child(parent: Element, localName: string): Element {
  for (let n = parent.firstChild; n; n = n.nextSibling) if (n.nodeType === 1 && (n as Element).localName === localName) return n as Element;
  throw new Error(`${parent.localName} has no ${localName}`);
}

export function removeSignatures(root: Element): void {
  for (const signature of all(root, NS.ds, "Signature")) if (signature.parentNode === root) root.removeChild(signature);
}

/** Replaces the text of every element with this local name (any namespace) under `root`. */
export function setText(root: Document | Element, ns: string, localName: string, value: string): void {
  for (const element of all(root, ns, localName)) {
    while (element.firstChild) element.removeChild(element.firstChild);
    element.appendChild(element.ownerDocument.createTextNode(value));
  }
}

export interface HandSignature {
  /** SignatureMethod Algorithm written into SignedInfo. */
  signatureMethod?: string;
  /** How the SignatureValue is really computed (default: what signatureMethod says). */
  compute?: { kind: "rsa"; hash: string; key: KeyMaterial } | { kind: "hmac"; hash: string; secret: string | Buffer };
  canonicalization?: string;
  transforms?: string[];
  /** Extra XML put inside each Transform (e.g. an XPath expression). */
  transformBody?: string;
  digestMethod?: string;
  /** Reference URI; default "#" + the element's ID. */
  referenceUri?: string;
  /** XML placed in KeyInfo (default none). */
  keyInfo?: string;
  /** Where KeyInfo goes: after SignatureValue (schema order) or first. */
  keyInfoFirst?: boolean;
}

const NODE_HASH: Record<string, string> = {
  [DIGEST_ALGORITHM.sha1]: "sha1",
  [DIGEST_ALGORITHM.sha256]: "sha256",
  [DIGEST_ALGORITHM.sha512]: "sha512",
};

/**
 * Signs the element with `id` inside `xml` by hand: exclusive c14n of the
 * element without its signature, a SignedInfo with whatever algorithms the
 * attack names, and a SignatureValue computed with whatever key and method
 * the attack chooses. Lets a test produce signatures that xml-crypto would
 * accept but our allow-list must refuse.
 */
export function handSign(xml: string, id: string, key: KeyMaterial, options: HandSignature = {}): string {
  const doc = dom(xml);
  const target = Array.from(doc.getElementsByTagName("*") as unknown as ArrayLike<Element>).find((e) => e.getAttribute("ID") === id);
  if (!target) throw new Error(`no element with ID ${id}`);
  removeSignatures(target);
  const c14n = new ExclusiveCanonicalization();
  const canonical = c14n.process(target.cloneNode(true) as unknown as Element, {}).toString();
  const digestMethod = options.digestMethod ?? DIGEST_ALGORITHM.sha256;
  const digest = createHash(NODE_HASH[digestMethod] ?? "sha256").update(canonical).digest("base64");
  const signatureMethod = options.signatureMethod ?? SIGNATURE_ALGORITHM.rsaSha256;
  const canonicalization = options.canonicalization ?? C14N.exclusive;
  const transforms = options.transforms ?? [TRANSFORM_ENVELOPED, C14N.exclusive];
  const signedInfo =
    `<ds:SignedInfo xmlns:ds="${NS.ds}"><ds:CanonicalizationMethod Algorithm="${canonicalization}"/>` +
    `<ds:SignatureMethod Algorithm="${signatureMethod}"/>` +
    `<ds:Reference URI="${options.referenceUri ?? `#${id}`}"><ds:Transforms>` +
    transforms.map((t) => `<ds:Transform Algorithm="${t}">${options.transformBody ?? ""}</ds:Transform>`).join("") +
    `</ds:Transforms><ds:DigestMethod Algorithm="${digestMethod}"/><ds:DigestValue>${digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>`;
  const signedInfoCanonical = c14n.process(dom(signedInfo).documentElement as unknown as Element, {}).toString();
  const compute = options.compute ?? { kind: "rsa" as const, hash: signatureMethod === SIGNATURE_ALGORITHM.rsaSha1 ? "sha1" : signatureMethod === SIGNATURE_ALGORITHM.rsaSha512 ? "sha512" : "sha256", key };
  const value =
    compute.kind === "rsa"
      ? cryptoSign(compute.hash, Buffer.from(signedInfoCanonical), compute.key.privateKey).toString("base64")
      : createHmac(compute.hash, compute.secret).update(signedInfoCanonical).digest("base64");
  const keyInfo = options.keyInfo === undefined ? "" : `<ds:KeyInfo>${options.keyInfo}</ds:KeyInfo>`;
  const signatureXml = `<ds:Signature xmlns:ds="${NS.ds}">${options.keyInfoFirst ? keyInfo : ""}${signedInfo.replace(` xmlns:ds="${NS.ds}"`, "")}<ds:SignatureValue>${value}</ds:SignatureValue>${options.keyInfoFirst ? "" : keyInfo}</ds:Signature>`;
  const signature = fragment(doc, signatureXml);
  const issuer = Array.from(target.childNodes).find((n) => n.nodeType === 1 && (n as Element).localName === "Issuer");
  if (issuer) insertAfter(issuer, signature);
  else target.insertBefore(signature, target.firstChild);
  return xmlOf(doc);
}

export interface Outcome {
  response: request.Response;
  /** The SAML status the fagsystem got, or undefined when the person got a page. */
  statusCode: string | undefined;
  correlationId: string;
}

/** Posts `xml` to the ACS and returns what the broker did. */
export async function postResponse(agent: Agent, xml: string): Promise<Outcome> {
  const response = await postToAcs(agent, xml);
  const correlationId = response.headers["x-correlation-id"] as string;
  const isForm = response.status === 200 && response.text.includes('name="SAMLResponse"');
  return { response, statusCode: isForm ? readSpAnswer(response.text).statusCode : undefined, correlationId };
}

/** The log reasons written under this correlation id. */
export async function reasonsFor(fixture: BrokerFixture, correlationId: string): Promise<string[]> {
  await logReasons(fixture);
  return fixture.logs.filter((l) => l.correlationId === correlationId && typeof l.reason === "string").map((l) => l.reason!);
}

/**
 * The message was refused: no identity reached the fagsystem (a SAML error
 * status without any assertion, or a readable error page), and a log line
 * under the same correlation id names `reason`.
 */
export async function expectRefused(fixture: BrokerFixture, outcome: Outcome, reason: string): Promise<void> {
  const { response } = outcome;
  expect(response.status, "never a 5xx").toBeLessThan(500);
  if (outcome.statusCode !== undefined) {
    expect(outcome.statusCode).not.toBe(STATUS.success);
    const answer = readSpAnswer(response.text);
    expect(answer.xml).not.toContain("Assertion");
  } else {
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.text).toMatch(/correlation id/i);
    expect(response.text).not.toMatch(/at .*\.[jt]s:\d+/);
  }
  const reasons = await reasonsFor(fixture, outcome.correlationId);
  expect(reasons, `log reasons under ${outcome.correlationId}`).toContain(reason);
}

export async function expectAccepted(outcome: Outcome): Promise<Document> {
  expect(outcome.response.status).toBe(200);
  expect(outcome.statusCode).toBe(STATUS.success);
  return readSpAnswer(outcome.response.text).document;
}

/** Starts a login, builds the attack for its request ID, posts it to the ACS. */
export async function tryAtAcs(fixture: BrokerFixture, make: (requestId: string, keys: FixtureKeys) => Promise<string> | string): Promise<Outcome> {
  const login = await startLogin(fixture);
  const xml = await make(login.upstreamRequestId, fixture.keys);
  return postResponse(login.agent, xml);
}

/** Whether xml-crypto alone would accept the signature enveloped in the element with `id` (see xml-crypto-alone.ts). */
export function libraryAccepts(xml: string, id: string, certificatePem: string): boolean {
  const target = Array.from(dom(xml).getElementsByTagName("*") as unknown as ArrayLike<Element>).find((e) => e.getAttribute("ID") === id);
  return xmlCryptoAccepts(xml, target, certificatePem);
}

export const OTHER_IDP = {
  id: "anden-kommune",
  entityId: "https://idp.anden-kommune.test/adfs",
  ssoUrl: "https://idp.anden-kommune.test/sso",
  cvr: "11223344",
} as const;

export interface TwoMunicipalities {
  fixture: BrokerFixture;
  /** The signing key of the second, registered municipality (a legitimate party that may turn hostile). */
  otherIdpKey: KeyMaterial;
}

/**
 * A broker with two registered municipalities: the usual test IdP, and
 * "Anden Kommune" with its own key and CVR. Used for attacks by one
 * registered party against another's logins or CVR.
 */
export async function createTwoMunicipalityFixture(options: FixtureOptions = {}): Promise<TwoMunicipalities> {
  const keys = await fixtureKeys();
  const otherIdpKey = await testKey("idp-other");
  const dir = mkdtempSync(join(tmpdir(), "broker-two-idps-"));
  const idpA = join(dir, "idp-a.xml");
  const idpB = join(dir, "idp-b.xml");
  writeFileSync(idpA, idpMetadataXml({ entityId: IDP_ENTITY_ID, signing: keys.idpSigning, ssoUrl: IDP_SSO_URL, bindings: [BINDING.redirect] }));
  writeFileSync(idpB, idpMetadataXml({ entityId: OTHER_IDP.entityId, signing: otherIdpKey, ssoUrl: OTHER_IDP.ssoUrl, bindings: [BINDING.redirect] }));
  const fixture = await createBrokerFixture({
    ...options,
    config: {
      organisations: [
        { cvr: MUNICIPALITY_CVR, name: "Test Kommune" },
        { cvr: OTHER_IDP.cvr, name: "Anden Kommune" },
      ],
      identityProviders: [
        { id: "test-kommune", displayName: "Test Kommune", metadata: idpA, cvrs: [MUNICIPALITY_CVR], ...options.idp },
        { id: OTHER_IDP.id, displayName: "Anden Kommune", metadata: idpB, cvrs: [OTHER_IDP.cvr] },
      ],
      ...options.config,
    },
  });
  return { fixture, otherIdpKey };
}
