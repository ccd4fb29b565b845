/**
 * Fuzz harness for the ACS and SSO endpoints: fast-check arbitraries that
 * describe a list of mutations, applied to real, freshly signed messages
 * (IdP Responses in several signature and encryption shapes, and a
 * fagsystem's AuthnRequest over both bindings), sent to the real in-process
 * broker.
 *
 * Properties checked on every case:
 * - never accepted with anything the IdP did not sign: a forged marker put
 *   into the message never reaches the fagsystem, and an accepted plain
 *   message still verifies under xml-crypto alone (an independent check);
 * - the browser is only ever sent to the registered IdP or the registered
 *   ACS, and a redirect request whose signed parameters changed is never
 *   accepted;
 * - never a 5xx without a correlation id, never an unhandled rejection;
 * - memory stays bounded over the run.
 *
 * Used by test/security/fuzz.test.ts (bounded, seeded, in CI) and by
 * scripts/fuzz.ts (`npm run fuzz -- --runs N`). No test-runner imports here.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import request from "supertest";
import { DOMParser } from "@xmldom/xmldom";
import { SignedXml } from "xml-crypto";
import { createBrokerFixture, BROKER_BASE, SP_ACS_URL, type BrokerFixture } from "../../support/broker-fixture.js";
import { defaultAttributes, idpResponse, openBrokerAssertion, readSpAnswer, spRedirectRequest, startLogin, testId, spAuthnRequestXml } from "../../support/saml-peers.js";
import { OIOSAML3 } from "../../../src/profiles/oiosaml3-attributes.js";
import { encodeRedirect } from "../../../src/saml/redirect-binding.js";
import { SIGNATURE_ALGORITHM } from "../../../src/saml/algorithms.js";
import { signEnveloped } from "../../../src/saml/sign.js";
import { encodePostMessage } from "../../../src/saml/post-binding.js";
import { serializeXml } from "../../../src/xml/xml-parser.js";
import { STATUS } from "../../../src/saml/namespaces.js";

export const FORGED = "Mallory-Forged";

/** Tokens that have broken SAML stacks: markup, entities, algorithm URIs, IDs, namespaces. */
const TOKENS: readonly string[] = [
  "<!---->",
  "<!--x-->",
  "<?pi data?>",
  '<!DOCTYPE r [<!ENTITY e "x">]>',
  '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
  "&e;",
  "&amp;",
  "&#0;",
  "]]>",
  "<![CDATA[x]]>",
  `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_forged" Version="2.0"><saml:Issuer>https://idp.kommune.test/adfs</saml:Issuer><saml:Subject><saml:NameID>${FORGED}</saml:NameID></saml:Subject></saml:Assertion>`,
  `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/></ds:Signature>`,
  `<ds:SignatureMethod xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/>`,
  `<ds:CanonicalizationMethod xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#WithComments"/>`,
  '<x:w xmlns:x="urn:x">',
  "</x:w>",
  '<samlp:Extensions xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>',
  '<saml:Advice xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/>',
  "\u0000",
  "\uFEFF",
  "\uD800",
  "<",
  ">",
  '"',
  "'",
  " ".repeat(64),
  "A".repeat(4096),
];

/** Attribute values worth trying anywhere an attribute is. */
const VALUES: readonly string[] = [
  "",
  "_forged",
  "#_forged",
  "https://evil.example/acs",
  "urn:oasis:names:tc:SAML:2.0:status:Success",
  "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
  "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
  "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
  "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
  "http://www.w3.org/2000/09/xmldsig#sha1",
  "http://www.w3.org/TR/1999/REC-xpath-19991116",
  "urn:oasis:names:tc:SAML:2.0:assertion",
  "urn:evil",
  "1.1",
  "2099-01-01T00:00:00Z",
  "1970-01-01T00:00:00Z",
  "not a time",
  FORGED,
];

export type Mutation =
  | { kind: "flipByte"; at: number; value: number }
  | { kind: "deleteRange"; at: number; length: number }
  | { kind: "duplicateRange"; at: number; length: number }
  | { kind: "truncate"; at: number }
  | { kind: "insertToken"; at: number; token: number }
  | { kind: "duplicateElement"; element: number; target: number }
  | { kind: "moveElement"; element: number; target: number }
  | { kind: "removeElement"; element: number }
  | { kind: "wrapElement"; element: number }
  | { kind: "setAttribute"; element: number; attribute: number; value: number }
  | { kind: "forgeText"; element: number }
  | { kind: "forgedCopy"; element: number; target: number };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const index = fc.nat({ max: 10_000 });

export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flipByte" as const), at: position, value: fc.integer({ min: 0, max: 127 }) }),
  fc.record({ kind: fc.constant("deleteRange" as const), at: position, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant("duplicateRange" as const), at: position, length: fc.integer({ min: 1, max: 512 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: position }),
  fc.record({ kind: fc.constant("insertToken" as const), at: position, token: fc.nat({ max: TOKENS.length - 1 }) }),
  fc.record({ kind: fc.constant("duplicateElement" as const), element: index, target: index }),
  fc.record({ kind: fc.constant("moveElement" as const), element: index, target: index }),
  fc.record({ kind: fc.constant("removeElement" as const), element: index }),
  fc.record({ kind: fc.constant("wrapElement" as const), element: index }),
  fc.record({ kind: fc.constant("setAttribute" as const), element: index, attribute: index, value: fc.nat({ max: VALUES.length - 1 }) }),
  fc.record({ kind: fc.constant("forgeText" as const), element: index }),
  fc.record({ kind: fc.constant("forgedCopy" as const), element: index, target: index }),
);

/** Mutations that act on elements weigh more: they are what wrapping attacks are made of. */
export const mutationsArbitrary = fc.array(mutationArbitrary, { minLength: 1, maxLength: 4 });

function lenientDom(xml: string, warningsFail = false): Document | undefined {
  let failed = false;
  try {
    const doc = new DOMParser({
      errorHandler: { warning: () => (failed ||= warningsFail), error: () => (failed = true), fatalError: () => (failed = true) },
    }).parseFromString(xml, "text/xml") as unknown as Document;
    return failed || !doc.documentElement ? undefined : doc;
  } catch {
    return undefined;
  }
}

function elementsOf(doc: Document): Element[] {
  return Array.from(doc.getElementsByTagName("*") as unknown as ArrayLike<Element>);
}

/** Applies one mutation. Element mutations need well-formed input and are skipped otherwise. */
export function applyMutation(xml: string, mutation: Mutation): string {
  const at = (fraction: number) => Math.floor(fraction * (xml.length + 1));
  switch (mutation.kind) {
    case "flipByte": {
      const i = Math.min(at(mutation.at), xml.length - 1);
      return xml.slice(0, i) + String.fromCharCode(mutation.value) + xml.slice(i + 1);
    }
    case "deleteRange": {
      const i = at(mutation.at);
      return xml.slice(0, i) + xml.slice(i + mutation.length);
    }
    case "duplicateRange": {
      const i = at(mutation.at);
      return xml.slice(0, i) + xml.slice(i, i + mutation.length) + xml.slice(i);
    }
    case "truncate":
      return xml.slice(0, at(mutation.at));
    case "insertToken": {
      // Insert at a markup boundary so the token lands between or inside elements, not mid-name.
      const i = at(mutation.at);
      const boundary = xml.indexOf(">", i);
      const where = boundary < 0 ? xml.length : boundary + 1;
      return xml.slice(0, where) + TOKENS[mutation.token]! + xml.slice(where);
    }
    default:
      try {
        return applyElementMutation(xml, mutation);
      } catch {
        // A move the DOM itself refuses (a second root, say): leave the message as it was.
        return xml;
      }
  }
}

function applyElementMutation(xml: string, mutation: Exclude<Mutation, { kind: "flipByte" | "deleteRange" | "duplicateRange" | "truncate" | "insertToken" }>): string {
  const doc = lenientDom(xml);
  if (!doc) return xml;
  const elements = elementsOf(doc);
  const pick = (i: number) => elements[i % elements.length]!;
  const element = pick(mutation.element);
  switch (mutation.kind) {
    case "duplicateElement": {
      const target = pick(mutation.target);
      if (element.contains?.(target) || element === target) return xml;
      target.appendChild(element.cloneNode(true));
      break;
    }
    case "moveElement": {
      const target = pick(mutation.target);
      if (element === doc.documentElement || element === target || isAncestor(element, target)) return xml;
      target.appendChild(element);
      break;
    }
    case "removeElement":
      if (element === doc.documentElement) return xml;
      element.parentNode!.removeChild(element);
      break;
    case "wrapElement": {
      const wrapper = doc.createElementNS("urn:x", "x:w");
      if (element === doc.documentElement) {
        doc.replaceChild(wrapper, element);
      } else {
        element.parentNode!.replaceChild(wrapper, element);
      }
      wrapper.appendChild(element);
      break;
    }
    case "setAttribute": {
      const attributes = element.attributes;
      const value = VALUES[mutation.value]!;
      if (attributes.length === 0) element.setAttribute("ID", value);
      else attributes.item(mutation.attribute % attributes.length)!.value = value;
      break;
    }
    case "forgedCopy": {
      // The signature-wrapping move: an unsigned, forged copy of an element placed somewhere else.
      const target = pick(mutation.target);
      if (isAncestor(element, target) || element === target) return xml;
      const copy = element.cloneNode(true) as Element;
      for (const signature of Array.from(copy.getElementsByTagNameNS("*", "Signature") as unknown as ArrayLike<Element>)) signature.parentNode?.removeChild(signature);
      if (copy.hasAttribute("ID")) copy.setAttribute("ID", `_forged${mutation.target}`);
      for (const text of Array.from(copy.getElementsByTagNameNS("*", "NameID") as unknown as ArrayLike<Element>)) text.textContent = `C=DK,O=29189846,CN=${FORGED},Serial=666`;
      if (target === doc.documentElement) target.appendChild(copy);
      else target.parentNode?.insertBefore(copy, target);
      break;
    }
    case "forgeText": {
      const textBearing = elements.filter((e) => e.childNodes.length === 1 && e.firstChild!.nodeType === 3);
      if (textBearing.length === 0) return xml;
      const target = textBearing[mutation.element % textBearing.length]!;
      target.firstChild!.nodeValue = target.localName === "NameID" ? `C=DK,O=29189846,CN=${FORGED},Serial=666` : FORGED;
      break;
    }
  }
  return serializeXml(doc);
}

function isAncestor(ancestor: Element, node: Node): boolean {
  for (let n: Node | null = node.parentNode; n; n = n.parentNode) if (n === ancestor) return true;
  return false;
}

/** Whether xml-crypto alone accepts the signature enveloped in the first element named `localName` (any namespace). */
function independentlyVerified(xml: string, localName: string, certificatePem: string): boolean {
  // What xmldom warns about the broker refuses anyway; xml-crypto would print the warnings.
  const doc = lenientDom(xml, true);
  if (!doc) return false;
  const element = elementsOf(doc).find((e) => e.localName === localName);
  const signature = element && Array.from(element.childNodes).find((n) => n.nodeType === 1 && (n as Element).localName === "Signature");
  if (!signature) return false;
  try {
    const verifier = new SignedXml({ publicCert: certificatePem, getCertFromKeyInfo: () => null });
    verifier.loadSignature(signature as Element);
    return verifier.checkSignature(xml);
  } catch {
    return false;
  }
}

export interface FuzzTarget {
  /** IdP policy requireSignedAssertion: true (OIOSAML 3). */
  fixture: BrokerFixture;
  /** The same broker shape with requireSignedAssertion: false (a signed Response is enough). */
  lax: BrokerFixture;
  unhandled: unknown[];
  stats: { cases: number; accepted: number; refused: number; serverErrors: number; statuses: Map<number, number> };
  close(): void;
}

export async function createFuzzTarget(): Promise<FuzzTarget> {
  const fixture = await createBrokerFixture({ config: { log: { level: "warn" } } });
  const lax = await createBrokerFixture({ config: { log: { level: "warn" } }, idp: { requireSignedAssertion: false } });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  return {
    fixture,
    lax,
    unhandled,
    stats: { cases: 0, accepted: 0, refused: 0, serverErrors: 0, statuses: new Map() },
    close: () => process.off("unhandledRejection", onUnhandled),
  };
}

/** The IdP message shapes a mutation starts from. */
export const ACS_SEEDS = ["signed-assertion", "signed-assertion-encrypted", "signed-assertion-and-response", "signed-response-only", "error-response-signed"] as const;
export type AcsSeed = (typeof ACS_SEEDS)[number];

async function seedResponse(target: FuzzTarget, seed: AcsSeed, requestId: string): Promise<string> {
  const keys = target.fixture.keys;
  const attributes = defaultAttributes({ [OIOSAML3.fullName]: "Anna Andersen" });
  switch (seed) {
    case "signed-assertion":
      return idpResponse(keys, { requestId, encryptFor: null, attributes });
    case "signed-assertion-encrypted":
      return idpResponse(keys, { requestId, attributes });
    case "signed-assertion-and-response":
      return idpResponse(keys, { requestId, encryptFor: null, attributes, signResponseWith: keys.idpSigning });
    case "signed-response-only":
      return idpResponse(keys, { requestId, encryptFor: null, attributes, signAssertionWith: null, signResponseWith: keys.idpSigning });
    case "error-response-signed":
      return idpResponse(keys, { requestId, status: STATUS.responder, subStatus: STATUS.authnFailed, signResponseWith: keys.idpSigning });
  }
}

function record(target: FuzzTarget, status: number): void {
  target.stats.cases += 1;
  target.stats.statuses.set(status, (target.stats.statuses.get(status) ?? 0) + 1);
  if (status >= 500) target.stats.serverErrors += 1;
}

function checkCommon(target: FuzzTarget, response: request.Response): void {
  record(target, response.status);
  const correlationId = response.headers["x-correlation-id"] as string | undefined;
  if (response.status >= 500) {
    assert.ok(correlationId, `a ${response.status} without a correlation id`);
    assert.ok(response.text.includes(correlationId), `a ${response.status} page that does not show its correlation id`);
  }
  assert.ok(!/at .*\.[jt]s:\d+/.test(response.text), "a stack trace reached the browser");
  assert.equal(target.unhandled.length, 0, `unhandled rejection: ${String(target.unhandled[0])}`);
}

/** Mostly base64 as the binding wants (raw XML in the field now and then), so most cases reach the XML checks. */
export const acsCaseArbitrary = fc.record({
  seed: fc.constantFrom(...ACS_SEEDS),
  mutations: mutationsArbitrary,
  base64: fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }),
  laxPolicy: fc.boolean(),
});
export type AcsCase = { seed: AcsSeed; mutations: Mutation[]; base64: boolean; laxPolicy?: boolean };

/** One ACS case: a fresh login, a genuine IdP message for it, mutated, posted. */
export async function runAcsCase(target: FuzzTarget, input: AcsCase): Promise<void> {
  const broker = input.laxPolicy ? target.lax : target.fixture;
  const login = await startLogin(broker);
  const genuine = await seedResponse(target, input.seed, login.upstreamRequestId);
  const mutated = input.mutations.reduce(applyMutation, genuine);
  const field = input.base64 ? encodePostMessage(mutated) : mutated;
  const started = Date.now();
  const response = await login.agent.post("/saml/acs").type("form").send({ SAMLResponse: field });
  assert.ok(Date.now() - started < 5_000, "the ACS took more than 5 s");
  checkCommon(target, response);
  const isAnswer = response.status === 200 && response.text.includes('name="SAMLResponse"');
  if (!isAnswer) {
    target.stats.refused += 1;
    assert.ok(response.status >= 400, `neither an answer nor an error page: ${response.status}`);
    return;
  }
  const answer = readSpAnswer(response.text);
  assert.equal(answer.url, SP_ACS_URL, "answered somewhere other than the registered ACS");
  if (answer.statusCode !== STATUS.success) {
    target.stats.refused += 1;
    assert.ok(!answer.xml.includes("Assertion"), "an error answer carried an assertion");
    return;
  }
  target.stats.accepted += 1;
  const assertion = serializeXml(await openBrokerAssertion(answer, broker.keys));
  assert.ok(!assertion.includes(FORGED), "forged content reached the fagsystem");
  assert.ok(assertion.includes("Anna Andersen"), "the accepted identity is not the one the IdP signed");
  assert.notEqual(input.seed, "error-response-signed", "an error Response was turned into a login");
  if (input.seed !== "signed-assertion-encrypted") {
    const cert = target.fixture.keys.idpSigning.certificatePem;
    assert.ok(
      independentlyVerified(mutated, "Assertion", cert) || independentlyVerified(mutated, "Response", cert),
      "accepted a message whose signatures xml-crypto alone does not verify",
    );
  }
}


export type SsoMode = "redirect-resigned" | "post-enveloped" | "redirect-query";
export const ssoCaseArbitrary = fc.record({ mode: fc.constantFrom<SsoMode>("redirect-resigned", "post-enveloped", "redirect-query"), mutations: mutationsArbitrary });
export type SsoCase = { mode: SsoMode; mutations: Mutation[] };

/** The parameters the detached signature covers (the Signature parameter itself may vary in encoding, e.g. whitespace in base64). */
const SIGNED_PARAMS = ["SAMLRequest", "RelayState", "SigAlg"];

function rawParams(query: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of query.split("&")) {
    const eq = part.indexOf("=");
    const name = eq < 0 ? part : part.slice(0, eq);
    out.set(name, [...(out.get(name) ?? []), eq < 0 ? "" : part.slice(eq + 1)]);
  }
  return out;
}

/** One SSO case: a fagsystem's AuthnRequest, mutated, sent by one of three routes. */
export async function runSsoCase(target: FuzzTarget, input: SsoCase): Promise<void> {
  const { keys, app } = target.fixture;
  const id = testId();
  let response: request.Response;
  let signedPartsChanged = false;
  if (input.mode === "redirect-resigned") {
    // A valid detached signature over mutated XML: exercises the parser and every request check.
    const xml = input.mutations.reduce(applyMutation, spAuthnRequestXml(id));
    const url = encodeRedirect(`${BROKER_BASE}/saml/sso?municipality=test-kommune`, "SAMLRequest", xml, "rs", { privateKey: keys.spSigning.privateKey, algorithm: SIGNATURE_ALGORITHM.rsaSha256 });
    response = await request(app).get(url.slice(BROKER_BASE.length));
  } else if (input.mode === "post-enveloped") {
    const genuine = signEnveloped(spAuthnRequestXml(id), id, true, { key: keys.spSigning });
    const mutated = input.mutations.reduce(applyMutation, genuine);
    signedPartsChanged = !independentlyVerified(mutated, "AuthnRequest", keys.spSigning.certificatePem);
    response = await request(app).post("/saml/sso?municipality=test-kommune").type("form").send({ SAMLRequest: encodePostMessage(mutated) });
  } else {
    // Mutations of the query string of a genuine signed redirect.
    const { path } = spRedirectRequest(keys, { id });
    const query = path.slice(path.indexOf("?") + 1);
    // Percent-encode what a URL cannot carry as is, so the broker sees exactly the mutated octets
    // (an HTTP client would otherwise strip or reject them before they are sent).
    const mutated = input.mutations
      .reduce(applyMutation, query)
      .replace(/[^\x21-\x7e]|#/gu, (c) => [...Buffer.from(c, "utf8")].map((b) => `%${b.toString(16).padStart(2, "0").toUpperCase()}`).join(""));
    const before = rawParams(query);
    const after = rawParams(mutated);
    signedPartsChanged = SIGNED_PARAMS.some((name) => JSON.stringify(before.get(name)) !== JSON.stringify(after.get(name)));
    response = await request(app).get(`/saml/sso?${mutated}`);
  }
  checkCommon(target, response);
  if (response.status === 303) {
    target.stats.accepted += 1;
    assert.equal(new URL(response.headers["location"] as string).host, "idp.kommune.test", "sent the browser somewhere other than the registered IdP");
    assert.ok(!signedPartsChanged, "accepted a request whose signed parts were changed");
    return;
  }
  if (response.status === 200 && response.text.includes('name="SAMLResponse"')) {
    target.stats.refused += 1;
    const answer = readSpAnswer(response.text);
    assert.equal(answer.url, SP_ACS_URL, "answered somewhere other than the registered ACS");
    assert.notEqual(answer.statusCode, STATUS.success);
    return;
  }
  target.stats.refused += 1;
  assert.ok(response.status === 200 || response.status >= 400, `unexpected status ${response.status}`);
}

export interface FuzzRunOptions {
  runs: number;
  seed: number;
  /** Called after each property with what it saw. */
  report?: (name: string, target: FuzzTarget, heapGrowthBytes: number) => void;
}

/** Runs both properties; throws (with fast-check's counterexample and seed) on the first failure. */
export async function runFuzz(options: FuzzRunOptions): Promise<void> {
  const target = await createFuzzTarget();
  try {
    const heapBefore = process.memoryUsage().heapUsed;
    const acsRuns = Math.ceil(options.runs / 2);
    await fc.assert(fc.asyncProperty(acsCaseArbitrary, (input) => runAcsCase(target, input)), { numRuns: acsRuns, seed: options.seed, endOnFailure: true });
    options.report?.("acs", target, process.memoryUsage().heapUsed - heapBefore);
    target.stats = { cases: 0, accepted: 0, refused: 0, serverErrors: 0, statuses: new Map() };
    await fc.assert(fc.asyncProperty(ssoCaseArbitrary, (input) => runSsoCase(target, input)), { numRuns: options.runs - acsRuns, seed: options.seed + 1, endOnFailure: true });
    const growth = process.memoryUsage().heapUsed - heapBefore;
    options.report?.("sso", target, growth);
    assert.ok(growth < 256 * 1024 * 1024, `heap grew by ${Math.round(growth / 1048576)} MiB over the run`);
    assert.equal(target.unhandled.length, 0, "unhandled rejections during the run");
  } finally {
    target.close();
  }
}

