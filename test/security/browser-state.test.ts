/**
 * Attack catalogue, class 26: what the browser carries. Login state is kept
 * server-side; the browser holds only a random chooser binding
 * (broker_login_bind), the HMAC-signed remembered municipality
 * (broker_municipality) and the HMAC-signed SSO session id (broker_sso). A
 * tampered, truncated, foreign or swapped value is treated as absent (fail
 * closed) and logged with reason cookie_invalid; a chooser form without its
 * browser's binding is refused. (test/sso.test.ts covers an SSO cookie
 * replayed in another browser and a tampered one.)
 */
import { beforeAll, describe, expect, it } from "vitest";
import request from "supertest";
import type { Agent } from "supertest";
import { createBrokerFixture, type BrokerFixture } from "../support/broker-fixture.js";
import { idpResponse, postToAcs, readSpAnswer, spRedirectRequest, upstreamRequestFrom } from "../support/saml-peers.js";
import { signCookieValue } from "../../src/http/cookies.js";
import { SSO_COOKIE } from "../../src/http/sso-cookie.js";
import { STATUS } from "../../src/saml/namespaces.js";
import { reasonsFor } from "./support/attack-kit.js";

const MUNICIPALITY_COOKIE = "broker_municipality";
const BINDING_COOKIE = "broker_login_bind";

function cookieValue(setCookie: string[] | undefined, name: string): string | undefined {
  const line = (setCookie ?? []).find((c) => c.startsWith(`${name}=`));
  return line ? decodeURIComponent(line.split(";")[0]!.slice(name.length + 1)) : undefined;
}

describe("browser state", () => {
  let fixture: BrokerFixture;
  beforeAll(async () => {
    fixture = await createBrokerFixture({ config: { secureCookies: "never" } });
  });

  /** Starts a login with no municipality hint, sending `cookie`; returns the response. */
  const startWithCookie = (cookie: string) => request(fixture.app).get(spRedirectRequest(fixture.keys, {}, "").path).set("Cookie", cookie);

  describe("the remembered municipality (broker_municipality)", () => {
    it("uses a genuine cookie to skip the chooser (control)", async () => {
      const response = await startWithCookie(`${MUNICIPALITY_COOKIE}=${encodeURIComponent(signCookieValue("test-kommune", fixture.broker.cookieSecret, MUNICIPALITY_COOKIE))}`);
      expect(response.status).toBe(303);
    });

    const BAD: Array<[string, (secret: string) => string]> = [
      ["a value changed under its MAC", (secret) => signCookieValue("test-kommune", secret, MUNICIPALITY_COOKIE).replace("test-kommune", "anden-kommune")],
      ["a truncated MAC", (secret) => signCookieValue("test-kommune", secret, MUNICIPALITY_COOKIE).slice(0, -3)],
      ["a value without MAC", () => "test-kommune"],
      ["a MAC made with another deployment's secret", () => signCookieValue("test-kommune", "another-deployment-secret-0123456789abcdef", MUNICIPALITY_COOKIE)],
      ["a MAC made for another cookie", (secret) => signCookieValue("test-kommune", secret, SSO_COOKIE)],
      ["an over-long value", (secret) => signCookieValue("x".repeat(2000), secret, MUNICIPALITY_COOKIE)],
    ];
    for (const [name, make] of BAD) {
      it(`ignores and logs ${name}: the person gets the chooser`, async () => {
        const response = await startWithCookie(`${MUNICIPALITY_COOKIE}=${encodeURIComponent(make(fixture.broker.cookieSecret))}`);
        expect(response.status).toBe(200);
        expect(response.text).toContain('name="login"');
        expect(response.headers["location"]).toBeUndefined();
        expect(await reasonsFor(fixture, response.headers["x-correlation-id"] as string)).toContain("cookie_invalid");
      });
    }
  });

  describe("the chooser binding (broker_login_bind)", () => {
    async function chooser(agent: Agent): Promise<{ loginId: string; binding: string }> {
      const response = await agent.get(spRedirectRequest(fixture.keys, {}, "").path);
      expect(response.status).toBe(200);
      return { loginId: /name="login" value="([^"]+)"/.exec(response.text)![1]!, binding: cookieValue(response.headers["set-cookie"] as unknown as string[], BINDING_COOKIE)! };
    }

    async function choose(loginId: string, cookie: string | undefined): Promise<request.Response> {
      const post = request(fixture.app).post("/login/choose").type("form");
      if (cookie !== undefined) post.set("Cookie", `${BINDING_COOKIE}=${cookie}`);
      return post.send({ login: loginId, idp: "test-kommune" });
    }

    it("continues with the browser's own binding (control)", async () => {
      const { loginId, binding } = await chooser(request.agent(fixture.app));
      expect((await choose(loginId, binding)).status).toBe(303);
    });

    it("refuses a chooser form without the binding cookie (sent from another browser)", async () => {
      const { loginId } = await chooser(request.agent(fixture.app));
      const response = await choose(loginId, undefined);
      expect(response.status).toBe(403);
      expect(await reasonsFor(fixture, response.headers["x-correlation-id"] as string)).toContain("chooser_binding_mismatch");
    });

    it("refuses a binding swapped in from another login", async () => {
      const mine = await chooser(request.agent(fixture.app));
      const theirs = await chooser(request.agent(fixture.app));
      const response = await choose(mine.loginId, theirs.binding);
      expect(response.status).toBe(403);
      expect(await reasonsFor(fixture, response.headers["x-correlation-id"] as string)).toContain("chooser_binding_mismatch");
      // The refused attempt did not consume the login: its own browser can still continue.
      expect((await choose(mine.loginId, mine.binding)).status).toBe(303);
    });

    it("refuses a truncated binding", async () => {
      const { loginId, binding } = await chooser(request.agent(fixture.app));
      const response = await choose(loginId, binding.slice(0, -1));
      expect(response.status).toBe(403);
      expect(await reasonsFor(fixture, response.headers["x-correlation-id"] as string)).toContain("chooser_binding_mismatch");
    });

    it("refuses a chooser form used twice", async () => {
      const { loginId, binding } = await chooser(request.agent(fixture.app));
      expect((await choose(loginId, binding)).status).toBe(303);
      const again = await choose(loginId, binding);
      expect(again.status).toBe(400);
      expect(await reasonsFor(fixture, again.headers["x-correlation-id"] as string)).toContain("unknown_login");
    });
  });

  describe("the SSO session (broker_sso)", () => {
    /** Logs in once through the IdP; returns the SSO cookie value the broker set. */
    async function sessionCookie(): Promise<string> {
      const agent = request.agent(fixture.app);
      const started = await agent.get(spRedirectRequest(fixture.keys).path);
      const upstream = upstreamRequestFrom(started.headers["location"] as string);
      const done = await postToAcs(agent, await idpResponse(fixture.keys, { requestId: upstream.id }));
      expect(readSpAnswer(done.text).statusCode).toBe(STATUS.success);
      const value = cookieValue(done.headers["set-cookie"] as unknown as string[], SSO_COOKIE);
      expect(value).toBeDefined();
      return value!;
    }

    const askWith = (cookie: string) => request(fixture.app).get(spRedirectRequest(fixture.keys).path).set("Cookie", `${SSO_COOKIE}=${encodeURIComponent(cookie)}`);

    it("answers from a genuine session without the IdP (control)", async () => {
      const response = await askWith(await sessionCookie());
      expect(response.status).toBe(200);
      expect(readSpAnswer(response.text).statusCode).toBe(STATUS.success);
    });

    const BAD: Array<[string, (genuine: string, secret: string) => string]> = [
      ["a truncated session cookie", (genuine) => genuine.slice(0, -2)],
      ["a session id changed under its MAC", (genuine) => `${genuine[0] === "A" ? "B" : "A"}${genuine.slice(1)}`],
      ["the municipality cookie's signed value swapped into the session cookie", (_g, secret) => signCookieValue("test-kommune", secret, MUNICIPALITY_COOKIE)],
    ];
    for (const [name, make] of BAD) {
      it(`goes to the IdP and logs for ${name}`, async () => {
        const response = await askWith(make(await sessionCookie(), fixture.broker.cookieSecret));
        expect(response.status).toBe(303);
        expect(new URL(response.headers["location"] as string).host).toBe("idp.kommune.test");
        expect(await reasonsFor(fixture, response.headers["x-correlation-id"] as string)).toContain("cookie_invalid");
      });
    }
  });
});
