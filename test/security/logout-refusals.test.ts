/**
 * Logout messages that must end nobody's session (SECURITY.md, class 20):
 * unsigned, signed with a key not in the sender's metadata, from an unknown
 * party, replayed, too old, expired, sent elsewhere, or naming another
 * person. Each is refused with its reason in the log; the browser's SSO
 * session still answers the next login afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLogLines } from "../support/log-lines.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { deflateRawSync } from "node:zlib";
import type { RunningDemo } from "../../src/demo/run-demo.js";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";
import { Browser, unescapeHtml } from "../demo/demo-browser.js";
import { ASYNC_SLO_NS, buildLogoutRequest } from "../../src/saml/logout-messages.js";
import { encodeRedirect } from "../../src/saml/redirect-binding.js";
import { SIGNATURE_ALGORITHM } from "../../src/saml/algorithms.js";
import { samlInstant } from "../../src/saml/saml-time.js";
import { NAMEID_FORMAT } from "../../src/saml/namespaces.js";

describe("logout messages that end nobody's session", () => {
  let instance: DemoInstance;
  let demo: RunningDemo;
  let brokerUrl: string;
  let spKey: KeyObject;
  const { destination, lines } = captureLogLines();
  let browser: Browser;
  let hanne: string;
  let counter = 0;

  beforeAll(async () => {
    instance = await startDemoInstance({ logDestination: destination, logLevel: "info" });
    ({ demo, brokerUrl } = instance);
    spKey = createPrivateKey(readFileSync(join(instance.workDir, "keys", "demo-sp-signing.key.pem")));
    // Hanne is logged in to the demo fagsystem; her browser holds the broker's SSO session.
    browser = new Browser();
    const chooser = await browser.follow(await browser.get(`${demo.spUrl}/login?municipality=demo-kommune`));
    const toBroker = await browser.submit(chooser, { user: "hanne" });
    const result = await browser.submit(await browser.submit(toBroker));
    hanne = unescapeHtml(/NameID: <code>([^<]+)<\/code>/.exec(result.body)?.[1] ?? "");
    expect(hanne).toMatch(/^https:\/\/data\.gov\.dk\/model\/core\/eid\/professional\/uuid\//);
  });

  afterAll(async () => {
    await instance?.stop();
  });

  interface Crafted {
    id?: string;
    issuer?: string;
    nameId?: string;
    destination?: string;
    issuedAt?: number;
    notOnOrAfter?: number;
    key?: KeyObject | null;
    /** With the aslo:Asynchronous extension: the fagsystem wants no answer. */
    asynchronous?: boolean;
  }

  function logoutUrl(crafted: Crafted = {}): string {
    const now = Date.now();
    const xml = buildLogoutRequest({
      id: crafted.id ?? `_refusal-${++counter}`,
      issueInstant: samlInstant(crafted.issuedAt ?? now),
      notOnOrAfter: samlInstant(crafted.notOnOrAfter ?? now + 60_000),
      issuer: crafted.issuer ?? `${demo.spUrl}/sp`,
      destination: crafted.destination ?? `${brokerUrl}/saml/slo`,
      nameId: crafted.nameId ?? hanne,
      nameIdFormat: NAMEID_FORMAT.persistent,
      sessionIndex: undefined,
    }).replace("<saml:NameID", crafted.asynchronous ? `<samlp:Extensions><aslo:Asynchronous xmlns:aslo="${ASYNC_SLO_NS}"/></samlp:Extensions><saml:NameID` : "<saml:NameID");
    if (crafted.key === null) return `${brokerUrl}/saml/slo?SAMLRequest=${encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString("base64"))}`;
    return encodeRedirect(`${brokerUrl}/saml/slo`, "SAMLRequest", xml, undefined, { privateKey: crafted.key ?? spKey, algorithm: SIGNATURE_ALGORITHM.rsaSha256 });
  }

  /** The refusal's log line, and proof the session survived: the next login is answered without the IdP. */
  async function expectRefused(url: string, reason: string): Promise<string> {
    const before = lines.length;
    const page = await browser.get(url);
    expect(page.status === 400 || page.status === 200).toBe(true);
    expect(page.body).toContain("Logout mislykkedes / Logout failed");
    expect(page.body).toContain(`(${reason})`);
    const logged = lines.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.some((l) => l["event"] === "logout_refused" && l["reason"] === reason)).toBe(true);
    expect(logged.some((l) => l["event"] === "logout_started")).toBe(false);
    const next = await browser.follow(await browser.get(`${demo.spUrl}/login?municipality=demo-kommune`));
    expect(next.url.startsWith(demo.idpUrl)).toBe(false);
    expect(next.body).toContain(`action="${demo.spUrl}/acs"`);
    return page.body;
  }

  it("refuses an unsigned LogoutRequest", async () => {
    await expectRefused(logoutUrl({ key: null }), "signature_missing");
  });

  it("refuses a LogoutRequest signed with a key that is not in the fagsystem's metadata", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    await expectRefused(logoutUrl({ key: privateKey }), "signature_invalid");
  });

  it("refuses a LogoutRequest from a party that is not registered", async () => {
    await expectRefused(logoutUrl({ issuer: "https://stranger.example/sp" }), "unknown_party");
  });

  it("refuses a LogoutRequest sent to another address, too old, or past its NotOnOrAfter, and tells the fagsystem", async () => {
    const body = await expectRefused(logoutUrl({ destination: "https://elsewhere.example/slo" }), "destination_mismatch");
    // Signed and from the fagsystem: it gets a signed LogoutResponse saying no, carried by the button.
    expect(body).toContain(`href="${demo.spUrl}/slo?SAMLResponse=`);
    const answer = await browser.get(unescapeHtml(/<a href="([^"]+)" id="logout-continue"/.exec(body)?.[1] ?? ""));
    expect(answer.body).toContain("urn:oasis:names:tc:SAML:2.0:status:Requester / urn:oasis:names:tc:SAML:2.0:status:RequestDenied");
    await expectRefused(logoutUrl({ issuedAt: Date.now() - 3_600_000, notOnOrAfter: Date.now() + 60_000 }), "request_too_old");
    await expectRefused(logoutUrl({ notOnOrAfter: Date.now() - 3_600_000 }), "request_expired");
  });

  it("refuses an asynchronous LogoutRequest (aslo:Asynchronous) without answering the fagsystem, as it asked", async () => {
    const body = await expectRefused(logoutUrl({ destination: "https://elsewhere.example/slo", asynchronous: true }), "destination_mismatch");
    expect(body).not.toContain("logout-continue");
    expect(body).not.toContain("SAMLResponse");
  });

  it("refuses a LogoutRequest naming another person's session, and the same request again as a replay", async () => {
    const url = logoutUrl({ id: "_replayed-once", nameId: "https://data.gov.dk/model/core/eid/professional/uuid/00000000-0000-4000-8000-000000000000" });
    await expectRefused(url, "logout_wrong_person");
    await expectRefused(url, "request_replayed");
  });
});
