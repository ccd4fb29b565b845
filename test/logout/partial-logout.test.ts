/**
 * A party that does not answer does not hold the logout up: a fagsystem on
 * the SOAP back channel that accepts the connection and never answers is
 * recorded as not logged out when the configured wait is over, the others are
 * logged out, and the fagsystem that began gets PartialLogout.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server, type Socket } from "node:net";
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { RunningDemo } from "../../src/demo/run-demo.js";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";
import { Browser, unescapeHtml } from "../demo/demo-browser.js";
import { spMetadataXml } from "../../src/demo/demo-metadata.js";
import { buildAuthnRequest } from "../../src/saml/authn-request.js";
import { encodeRedirect } from "../../src/saml/redirect-binding.js";
import { SIGNATURE_ALGORITHM } from "../../src/saml/algorithms.js";
import { samlInstant } from "../../src/saml/saml-time.js";
import { testKey } from "../support/keys.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";

describe("partial logout: a fagsystem that never answers", () => {
  let instance: DemoInstance;
  let demo: RunningDemo;
  let brokerUrl: string;
  let silent: Server;
  const sockets: Socket[] = [];
  let silentKey: KeyMaterial;
  const silentEntityId = "https://silent-fagsystem.example/sp";

  beforeAll(async () => {
    // Accepts the SOAP call's connection, reads it, and never answers.
    silent = createServer((socket) => {
      sockets.push(socket);
      socket.on("data", () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    silentKey = await testKey("silent-fagsystem");
    instance = await startDemoInstance({
      configure: (config) => {
        const metadata = join(config.serviceProviders[0]!.metadata, "..", "silent-fagsystem.xml");
        mkdirSync(join(metadata, ".."), { recursive: true });
        writeFileSync(metadata, spMetadataXml({ entityId: silentEntityId, signing: silentKey, acsUrls: ["https://silent-fagsystem.example/acs"], sloSoapUrl: `http://127.0.0.1:${port}/soap` }));
        const template = config.serviceProviders[0]!;
        return {
          ...config,
          timing: { ...config.timing, logoutBackChannelSeconds: 1 },
          serviceProviders: [...config.serviceProviders, { ...template, id: "silent-fagsystem", displayName: "Tavst fagsystem", metadata, encryptAssertions: false }],
        };
      },
    });
    ({ demo, brokerUrl } = instance);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
    await instance?.stop();
  });

  it("goes on after the wait, logs out the others, and answers the fagsystem that began with PartialLogout", async () => {
    const browser = new Browser();
    const chooser = await browser.follow(await browser.get(`${demo.spUrl}/login?municipality=demo-kommune`));
    await browser.submit(await browser.submit(await browser.submit(chooser, { user: "hanne" })));
    // The silent fagsystem is answered from the same SSO session (the answer goes to its ACS; the browser need not deliver it).
    const authn = buildAuthnRequest({
      id: "_silent-login",
      issueInstant: samlInstant(Date.now()),
      issuer: silentEntityId,
      destination: `${brokerUrl}/saml/sso`,
      acsUrl: undefined,
      forceAuthn: false,
      isPassive: false,
      requesterId: undefined,
      requestedClassRefs: [],
    });
    const answered = await browser.follow(await browser.get(encodeRedirect(`${brokerUrl}/saml/sso`, "SAMLRequest", authn, undefined, { privateKey: silentKey.privateKey, algorithm: SIGNATURE_ALGORITHM.rsaSha256 })));
    expect(answered.body).toContain('action="https://silent-fagsystem.example/acs"');

    const started = Date.now();
    const summary = await browser.follow(await browser.post(`${demo.spUrl}/logout`, {}));
    const took = Date.now() - started;
    expect(sockets.length).toBeGreaterThanOrEqual(1);
    expect(took).toBeGreaterThanOrEqual(900);
    expect(summary.body).toContain("Du er måske ikke logget helt ud / You may not be fully logged out");
    expect(summary.body).toContain('<li data-logged-out="no">Tavst fagsystem:');
    expect(summary.body).toContain('<li data-logged-out="yes">Demo Kommune:');

    const back = unescapeHtml(/<a href="([^"]+)" id="logout-continue"/.exec(summary.body)?.[1] ?? "");
    const atSp = await browser.follow(await browser.get(back));
    expect(atSp.body).toContain("<h1>Delvist logget ud / Partly logged out</h1>");
    expect(atSp.body).toContain("urn:oasis:names:tc:SAML:2.0:status:Success / urn:oasis:names:tc:SAML:2.0:status:PartialLogout");
  });
});
