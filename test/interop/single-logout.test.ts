/**
 * Interop, Single Logout (its own world of peers, harness/suite.ts):
 *
 *   D. A person logged in at Shibboleth SP 3 through the broker at SimpleSAMLphp 1.19 logs out at Shibboleth
 *      (/Shibboleth.sso/Logout). Shibboleth's signed LogoutRequest reaches the broker; the broker sends its
 *      own signed LogoutRequest to SimpleSAMLphp's SingleLogoutService at top level, verifies SimpleSAMLphp's
 *      signed LogoutResponse, shows its summary, and its "Back to the system" link carries the broker's signed
 *      LogoutResponse to Shibboleth, which accepts it. Afterwards no party has a session. With Shibboleth's
 *      default (asynchronous) logout, the request asks for no answer: the broker logs out everywhere and sends
 *      none.
 *
 * Run with `npm run test:interop`; see README.md in this folder.
 */
import { readFileSync } from "node:fs";
import { inflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decodeEntities, type ScriptedBrowser } from "./harness/browser.js";
import { FAGSYSTEM, MUNICIPALITY, TEST_USER } from "./harness/environment.js";
import { NS, children, parse } from "./harness/xmlsec.js";
import { ALG, encryptionAlgorithms } from "./harness/broker-response.js";
import { EXPECTED_SHIBD_WARNINGS } from "./harness/shibboleth.js";
import { describeLogin, loginAtShibboleth } from "./harness/shibboleth-login.js";
import { diagnosed, readLog, useInteropEnvironment, world } from "./harness/suite.js";

const X509_SUBJECT_NAME = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName";
const SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";
const ASYNC_SLO = "urn:oasis:names:tc:SAML:2.0:protocol:ext:async-slo";

useInteropEnvironment();

type Carried = ScriptedBrowser["samlMessages"][number];

/** The XML of a message the browser carried (HTTP-Redirect: inflated; HTTP-POST: already decoded). */
function xmlOf(message: Carried | undefined): string {
  if (!message) return "";
  return message.method === "GET" ? inflateRawSync(Buffer.from(message.value, "base64")).toString("utf8") : message.value;
}

/** The query of the hop that carried a message by HTTP-Redirect (SigAlg, Signature). */
function redirectQuery(browser: ScriptedBrowser, to: string, field: string): URLSearchParams {
  const hop = browser.hops.find((h) => h.method === "GET" && h.url.startsWith(`${to}?`) && new URL(h.url).searchParams.has(field));
  return new URL(hop?.url ?? "http://invalid/").searchParams;
}

function text(root: Element, ns: string, name: string): string | undefined {
  return children(root, ns, name)[0]?.textContent ?? undefined;
}

function statusOf(root: Element): string | null | undefined {
  return children(children(root, NS.samlp, "Status")[0]!, NS.samlp, "StatusCode")[0]?.getAttribute("Value");
}

/** The parties on the broker's logout summary page, and whether each is marked logged out. */
function summaryEntries(body: string): Map<string, string | undefined> {
  return new Map([...body.matchAll(/<li data-logged-out="(yes|no)">([^<:]+):/g)].map((m) => [decodeEntities(m[2] ?? ""), m[1]]));
}

interface BrokerEvent {
  event?: string;
  party?: string;
  sessionFound?: boolean;
  asynchronous?: boolean;
  complete?: boolean;
  results?: Array<{ party: string; channel: string; result: string }>;
}

async function brokerEvents(event: string): Promise<BrokerEvent[]> {
  return (await readLog(world().broker.logFiles["broker log"]!))
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as BrokerEvent)
    .filter((e) => e.event === event);
}

async function transactionLines(kind: "Logout.Request" | "Logout.Response"): Promise<string[]> {
  return (await readLog(world().sp.logFiles["shibd transaction.log"]!)).split("\n").filter((line) => line.includes(`|Shibboleth-TRANSACTION.${kind}|`));
}

describe("D: Single Logout begun at Shibboleth SP 3, through the broker, at SimpleSAMLphp 1.19", () => {
  it("logs the person out at SimpleSAMLphp and the broker, and Shibboleth accepts the broker's LogoutResponse", async () => {
    await diagnosed("Scenario D (Single Logout)", async () => {
      const { sp, broker, idp } = world();
      const login = await loginAtShibboleth();
      expect(login.page.status, describeLogin(login)).toBe(200);
      expect(login.page.url).toBe(sp.protectedUrl);
      const { browser } = login;
      const carriedBefore = browser.samlMessages.length;
      const brokerSlo = `${broker.baseUrl}/saml/slo`;
      const idpSlo = `${idp.baseUrl}/saml2/idp/SingleLogoutService.php`;
      const spSlo = `${sp.baseUrl}/Shibboleth.sso/SLO/Redirect`;

      // Shibboleth -> broker -> SimpleSAMLphp -> broker: the broker's summary page
      const summary = await browser.navigate(`${sp.baseUrl}/Shibboleth.sso/Logout`);
      const trail = `${browser.describeHops()}\nfinal page ${summary.status} ${summary.url}:\n${summary.body.slice(0, 3000)}`;
      expect(summary.status, trail).toBe(200);
      expect(summary.url.startsWith(`${brokerSlo}?`), trail).toBe(true);
      expect(summary.body).toContain("<h1>Du er logget ud / You are logged out</h1>");
      const entries = summaryEntries(summary.body);
      expect(entries.get(MUNICIPALITY.displayName), trail).toBe("yes");
      expect(entries.get(FAGSYSTEM.displayName), trail).toBe("yes");

      const carried = browser.samlMessages.slice(carriedBefore);
      // Shibboleth's LogoutRequest to the broker: signed, with the SessionIndex the broker gave it and the NameID
      // encrypted to the broker (Shibboleth's default over the browser), which the broker decrypted and matched
      const spRequestMessage = carried.find((m) => m.field === "SAMLRequest" && m.to === brokerSlo);
      const spRequest = parse(xmlOf(spRequestMessage)).documentElement!;
      expect(spRequest.localName, trail).toBe("LogoutRequest");
      expect(text(spRequest, NS.saml, "Issuer")).toBe(sp.entityId);
      expect(spRequest.getAttribute("Destination")).toBe(brokerSlo);
      expect(children(spRequest, NS.saml, "NameID")).toHaveLength(0);
      expect(children(spRequest, NS.saml, "EncryptedID")).toHaveLength(1);
      // ... with the algorithms the broker's IdP metadata lists (OIOSAML 3)
      expect(encryptionAlgorithms(xmlOf(spRequestMessage), "EncryptedID")).toEqual(expect.arrayContaining([ALG.aes256gcm, ALG.rsaOaep11]));
      expect(text(spRequest, NS.samlp, "SessionIndex")).toBeTruthy();
      // the Asynchronous extension would tell the broker not to answer; the harness turns it off
      expect(children(spRequest, NS.samlp, "Extensions")).toHaveLength(0);

      // the broker's LogoutRequest to SimpleSAMLphp: HTTP-Redirect, signed, the NameID and session SimpleSAMLphp gave
      const toIdp = carried.find((m) => m.field === "SAMLRequest" && m.to === idpSlo);
      expect(toIdp?.method, trail).toBe("GET");
      const idpQuery = redirectQuery(browser, idpSlo, "SAMLRequest");
      expect(idpQuery.get("SigAlg")).toBe(ALG.rsaSha256);
      expect(idpQuery.get("Signature")).toBeTruthy();
      const idpRequest = parse(xmlOf(toIdp)).documentElement!;
      expect(text(idpRequest, NS.saml, "Issuer")).toBe(broker.entityId);
      expect(idpRequest.getAttribute("Destination")).toBe(idpSlo);
      const nameId = children(idpRequest, NS.saml, "NameID")[0];
      expect(nameId?.getAttribute("Format")).toBe(X509_SUBJECT_NAME);
      expect(nameId?.textContent).toBe(`C=DK,O=${MUNICIPALITY.cvr},CN=Test Testesen,Serial=${TEST_USER.uuid}`);
      expect(text(idpRequest, NS.samlp, "SessionIndex")).toBeTruthy();

      // SimpleSAMLphp's answer to the broker: signed (sign.logout), Success, for the broker's request
      const fromIdp = carried.find((m) => m.field === "SAMLResponse" && m.to === brokerSlo);
      const idpResponse = parse(xmlOf(fromIdp)).documentElement!;
      expect(idpResponse.localName).toBe("LogoutResponse");
      expect(text(idpResponse, NS.saml, "Issuer")).toBe(idp.entityId);
      expect(idpResponse.getAttribute("InResponseTo")).toBe(idpRequest.getAttribute("ID"));
      expect(statusOf(idpResponse)).toBe(SUCCESS);
      expect(redirectQuery(browser, brokerSlo, "SAMLResponse").get("Signature")).toBeTruthy();

      const sspLog = await readLog(idp.logFiles["SimpleSAMLphp log"]!);
      expect(sspLog.includes(`Received SAML 2.0 LogoutRequest from: '${broker.entityId}'`), "SimpleSAMLphp logged the broker's LogoutRequest").toBe(true);
      expect(sspLog.includes(`Sending logout response to SP '${broker.entityId}'`), "SimpleSAMLphp logged its full (not partial) answer").toBe(true);
      expect(sspLog.split("\n").filter((line) => / (WARNING|ERROR|CRITICAL|ALERT|EMERGENCY) /.test(line))).toEqual([]);

      expect(await brokerEvents("logout_requested")).toEqual([expect.objectContaining({ party: "shibboleth-fagsystem", sessionFound: true, asynchronous: false })]);
      expect(await brokerEvents("logout_refused")).toEqual([]);
      const completed = await brokerEvents("logout_completed");
      expect(completed).toHaveLength(1);
      expect(completed[0]).toMatchObject({ complete: true, results: [{ party: MUNICIPALITY.id, channel: "top", result: "ok" }] });

      // "Back to the system": the broker's signed LogoutResponse, by HTTP-Redirect, to Shibboleth
      const onward = /<a href="([^"]+)" id="logout-continue">Tilbage til systemet \/ Back to the system<\/a>/.exec(summary.body)?.[1];
      expect(onward, summary.body).toBeTruthy();
      const back = await browser.navigate(decodeEntities(onward!));
      const backTrail = `${browser.describeHops()}\nfinal page ${back.status} ${back.url}:\n${back.body.slice(0, 3000)}`;
      const toSp = browser.samlMessages.find((m) => m.field === "SAMLResponse" && m.to === spSlo);
      const brokerResponse = parse(xmlOf(toSp)).documentElement!;
      expect(brokerResponse.localName, backTrail).toBe("LogoutResponse");
      expect(text(brokerResponse, NS.saml, "Issuer")).toBe(broker.entityId);
      expect(brokerResponse.getAttribute("Destination")).toBe(spSlo);
      expect(brokerResponse.getAttribute("InResponseTo")).toBe(spRequest.getAttribute("ID"));
      expect(statusOf(brokerResponse)).toBe(SUCCESS);
      expect(redirectQuery(browser, spSlo, "SAMLResponse").get("SigAlg")).toBe(ALG.rsaSha256);
      if (spRequestMessage?.relayState !== undefined) expect(toSp?.relayState).toBe(spRequestMessage.relayState);

      // Shibboleth accepted it: its global logout page and its transaction log say so, and it logged no complaint
      expect(back.url.startsWith(`${spSlo}?`), backTrail).toBe(true);
      expect(back.status, backTrail).toBe(200);
      expect(back.body, backTrail).toContain("<h1>Global Logout</h1>");
      expect(back.body, backTrail).toMatch(/Status of Global Logout:<\/strong>\s*Logout completed successfully/);
      expect(await transactionLines("Logout.Request")).toHaveLength(1);
      const answered = await transactionLines("Logout.Response");
      expect(answered).toHaveLength(1);
      expect(answered[0]).toContain(`|${broker.entityId}|`);
      expect(answered[0]).toContain("|urn:oasis:names:tc:SAML:2.0:status:Success||global|");
      const shibd = await readLog(sp.logFiles["shibd.log"]!);
      expect(shibd.split("\n").filter((line) => / (ERROR|CRIT|FATAL) /.test(line))).toEqual([]);
      for (const log of ["shibd_warn.log", "mod_shib native.log"]) {
        const unexpected = (await readLog(sp.logFiles[log]!)).split("\n").filter((line) => / (WARN|ERROR|CRIT|FATAL) /.test(line) && !EXPECTED_SHIBD_WARNINGS.some((p) => p.test(line)));
        expect(unexpected, log).toEqual([]);
      }

      // no session anywhere: the protected page sends the person to the broker again ...
      const again = await browser.request("GET", sp.protectedUrl);
      expect(again.status).toBe(302);
      expect(again.location?.startsWith(`${broker.baseUrl}/`), again.location).toBe(true);
      expect((await browser.request("GET", `${sp.baseUrl}/Shibboleth.sso/Session`)).body).toContain("A valid session was not found.");
      // ... and the broker and SimpleSAMLphp ask for the password again (no SSO session left at either)
      const relogin = await browser.login(sp.protectedUrl, { username: TEST_USER.username, password: TEST_USER.password, municipality: MUNICIPALITY.id });
      expect(relogin.url, browser.describeHops()).toBe(sp.protectedUrl);
      const passwordPosts = browser.hops.filter((h) => h.method === "POST" && h.sent?.["password"] !== undefined);
      expect(passwordPosts, browser.describeHops()).toHaveLength(2);

      // negative control: SimpleSAMLphp checks the broker's signature (validate.logout); without it, it refuses
      const signed = browser.hops.find((h) => h.method === "GET" && h.url.startsWith(`${idpSlo}?SAMLRequest=`))!.url;
      const unsigned = new URL(signed);
      unsigned.searchParams.delete("Signature");
      unsigned.searchParams.delete("SigAlg");
      const refused = await browser.request("GET", unsigned.toString());
      // SimpleSAMLphp's error page (HTTP 200 under php -S), no answer to the broker
      expect(refused.location).toBeUndefined();
      expect(refused.body).not.toContain("SAMLResponse");
      expect(await readLog(idp.logFiles["SimpleSAMLphp log"]!)).toContain("Validation of received messages enabled, but no signature found on message.");
    });
  });

  it("with Shibboleth's default (asynchronous) logout, logs the person out everywhere and sends Shibboleth no LogoutResponse", async () => {
    await diagnosed("Scenario D (asynchronous logout)", async () => {
      const { sp, broker, idp } = world();
      await sp.stop();
      await sp.configure(broker.entityId, readFileSync(broker.signingCertPath, "utf8"), { asynchronousLogout: true });
      await sp.start();
      const login = await loginAtShibboleth();
      expect(login.page.status, describeLogin(login)).toBe(200);
      const { browser } = login;
      const carriedBefore = browser.samlMessages.length;
      const brokerSlo = `${broker.baseUrl}/saml/slo`;
      const receivedBefore = (await readLog(idp.logFiles["SimpleSAMLphp log"]!)).split(`Received SAML 2.0 LogoutRequest from: '${broker.entityId}'`).length;

      const summary = await browser.navigate(`${sp.baseUrl}/Shibboleth.sso/Logout`);
      const trail = `${browser.describeHops()}\nfinal page ${summary.status} ${summary.url}:\n${summary.body.slice(0, 3000)}`;
      const spRequest = parse(xmlOf(browser.samlMessages.slice(carriedBefore).find((m) => m.field === "SAMLRequest" && m.to === brokerSlo))).documentElement!;
      expect(spRequest.localName, trail).toBe("LogoutRequest");
      expect(children(children(spRequest, NS.samlp, "Extensions")[0]!, ASYNC_SLO, "Asynchronous")).toHaveLength(1);

      expect(summary.status, trail).toBe(200);
      expect(summary.url.startsWith(`${brokerSlo}?`), trail).toBe(true);
      expect(summary.body).toContain("<h1>Du er logget ud / You are logged out</h1>");
      expect(summaryEntries(summary.body).get(MUNICIPALITY.displayName), trail).toBe("yes");
      // no answer for Shibboleth: no link or form on the summary, nothing carried to Shibboleth
      expect(summary.body).not.toContain('id="logout-continue"');
      expect(browser.samlMessages.slice(carriedBefore).filter((m) => m.field === "SAMLResponse" && m.to.startsWith(sp.baseUrl))).toEqual([]);
      expect((await brokerEvents("logout_requested")).at(-1)).toMatchObject({ party: "shibboleth-fagsystem", sessionFound: true, asynchronous: true });
      expect((await brokerEvents("logout_completed")).at(-1)).toMatchObject({ complete: true, results: [{ party: MUNICIPALITY.id, channel: "top", result: "ok" }] });
      const received = (await readLog(idp.logFiles["SimpleSAMLphp log"]!)).split(`Received SAML 2.0 LogoutRequest from: '${broker.entityId}'`).length;
      expect(received - receivedBefore, "SimpleSAMLphp received the broker's LogoutRequest").toBe(1);

      // shibd ended its session when it sent the request, and expects nothing back
      expect(await transactionLines("Logout.Request")).toHaveLength(2);
      expect(await transactionLines("Logout.Response")).toHaveLength(1);
      const again = await browser.request("GET", sp.protectedUrl);
      expect(again.status).toBe(302);
      expect(again.location?.startsWith(`${broker.baseUrl}/`), again.location).toBe(true);
    });
  });
});
