/**
 * The CPR rule on the OIDC frontend: the demo IdP sends Hanne's CPR number
 * (dk:gov:saml:attribute:CprNumberIdentifier); no OIDC client, whatever its
 * profile (KOMBIT, KOMBIT_WITHOUT_PERSONAL_DATA), finds it in the ID token,
 * the access token or userinfo, and the broker's log never shows it. SEB is
 * a SAML service provider: an OIDC client cannot be registered with its profile.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLogLines } from "../support/log-lines.js";
import * as oidc from "openid-client";
import { startOidcDemo, type OidcDemo } from "../support/oidc-demo.js";
import { Browser, personLogsIn } from "../support/oidc-test-client.js";
import { OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { oidcClientSchema } from "../../src/config/oidc-client-schema.js";

const HANNE_CPR = "1502794412";

describe("the CPR rule over the OIDC frontend", () => {
  let demo: OidcDemo;
  const { destination, lines } = captureLogLines();

  beforeAll(async () => {
    demo = await startOidcDemo({
      logDestination: destination,
      // test-secret gets the profile without personal data; test-nsis keeps KOMBIT.
      configure: (config) => ({ ...config, oidcClients: config.oidcClients.map((c) => (c.id === "test-secret" ? { ...c, attributeProfile: "KOMBIT_WITHOUT_PERSONAL_DATA" as const } : c)) }),
    });
  }, 120_000);

  afterAll(async () => {
    await demo?.stop();
  });

  for (const [clientId, profile] of [["test-nsis", "KOMBIT"], ["test-secret", "KOMBIT_WITHOUT_PERSONAL_DATA"]] as const) {
    it(`${profile} (${clientId}): no CPR in the ID token, the access token or userinfo, nor in the log`, async () => {
      const rp = demo.rp(clientId);
      const start = await rp.start();
      const callback = await personLogsIn(new Browser(), start.url, "demo-kommune", "hanne", demo.redirectUri);
      const tokens = await rp.redeem(start, callback.url);
      const claims = tokens.claims()!;
      expect(claims[OIOSAML3.cvr]).toBe("29189846");
      expect(JSON.stringify(claims)).not.toContain(HANNE_CPR);
      expect(tokens.access_token).not.toContain(HANNE_CPR);
      expect(Buffer.from(tokens.access_token.split(".")[1] ?? "", "base64url").toString("utf8")).not.toContain(HANNE_CPR);
      const userinfo = await oidc.fetchUserInfo(await rp.config(), tokens.access_token, claims.sub);
      expect(userinfo[OIOSAML3.cvr]).toBe("29189846");
      expect(JSON.stringify(userinfo)).not.toContain(HANNE_CPR);
      expect(Object.keys(userinfo).filter((k) => /cpr/i.test(k))).toEqual([]);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.join("\n")).not.toContain(HANNE_CPR);
    });
  }

  it("refuses to register an OIDC client with the SEB profile", () => {
    const parsed = oidcClientSchema.safeParse({ id: "seb-oidc", clientId: "seb-oidc", redirectUris: ["https://seb.example/cb"], attributeProfile: "SEB" });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join("."))).toContain("attributeProfile");
  });
});
