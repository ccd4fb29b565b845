/**
 * OIDC whole logins as the load generator runs them: a browser (cookies per
 * login) and a client (code + PKCE S256, client_secret_basic) against the
 * broker, the demo IdP answering upstream. Each step is timed.
 */
import { createHash, randomBytes } from "node:crypto";
import { formBody, readAutoPost, type HttpAnswer, type HttpClient } from "./http-client.js";
import { OIDC_LOGIN_STEPS, type LoadResult, type OidcLoginJob, type OidcLoginStep } from "./load-jobs.js";

class Jar {
  private readonly cookies = new Map<string, string>();

  take(answer: HttpAnswer): HttpAnswer {
    for (const header of answer.setCookies) {
      const [pair = ""] = header.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      if (/max-age=0/i.test(header) || /expires=Thu, 01 Jan 1970/i.test(header)) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1).trim());
    }
    return answer;
  }

  header(): Record<string, string> {
    return this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ") };
  }
}

const random = () => randomBytes(24).toString("base64url");

export async function oidcLogin(client: HttpClient, job: OidcLoginJob, times: Partial<Record<OidcLoginStep, number>>): Promise<void> {
  const jar = new Jar();
  const step = async (name: OidcLoginStep, url: string, method: "GET" | "POST", body?: string, headers: Record<string, string> = {}) => {
    const start = performance.now();
    const answer = jar.take(await client.send(url, method, body, job.timeoutMs, { ...jar.header(), ...headers }));
    times[name] = performance.now() - start;
    return answer;
  };
  const expect = (ok: boolean, what: string, answer: HttpAnswer) => {
    if (!ok) throw new Error(`${what} answered ${answer.status}: ${answer.body.replace(/\s+/g, " ").slice(0, 200)}`);
  };
  const verifier = randomBytes(32).toString("base64url");
  const state = random();
  const authorize = new URL(`${job.issuer}/auth`);
  for (const [name, value] of Object.entries({
    client_id: job.clientId,
    response_type: "code",
    scope: "openid",
    redirect_uri: job.redirectUri,
    state,
    nonce: random(),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    municipality: job.municipality,
  })) {
    authorize.searchParams.set(name, value);
  }
  const toInteraction = await step("authorize", authorize.href, "GET");
  expect(toInteraction.status === 303 && !!toInteraction.location, "authorize", toInteraction);
  const toIdp = await step("interaction", new URL(toInteraction.location!, job.issuer).href, "GET");
  expect(toIdp.status === 303 && !!toIdp.location, "interaction", toIdp);
  // Browsers keep cookies per host, not per port: the demo IdP on 127.0.0.1 sees the broker's, as it would.
  const idpPage = await step("idpSso", toIdp.location!, "GET");
  const requestKey = /name="request" value="([^"]+)"/.exec(idpPage.body)?.[1];
  expect(idpPage.status === 200 && !!requestKey, "IdP SSO", idpPage);
  const idpAnswer = await step("idpLogin", new URL("/login", toIdp.location!).href, "POST", formBody({ request: requestKey!, user: job.user }));
  expect(idpAnswer.status === 200, "IdP login", idpAnswer);
  const toAcs = readAutoPost(idpAnswer.body);
  const acs = await step("brokerAcs", toAcs.action, "POST", formBody(toAcs.fields));
  expect(acs.status === 200, "broker ACS", acs);
  const toFinish = readAutoPost(acs.body);
  expect(toFinish.action.includes("/oidc/interaction/"), "broker ACS (no finish form)", acs);
  const finished = await step("finish", toFinish.action, "POST", formBody(toFinish.fields));
  expect(finished.status === 303 && !!finished.location, "finish", finished);
  const toClient = await step("resume", new URL(finished.location!, job.issuer).href, "GET");
  expect(toClient.status === 303 && !!toClient.location?.startsWith(job.redirectUri), "resume", toClient);
  const callback = new URL(toClient.location!);
  const code = callback.searchParams.get("code");
  if (!code || callback.searchParams.get("state") !== state) throw new Error(`no code for the client: ${toClient.location}`);
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(job.clientId)}:${encodeURIComponent(job.clientSecret)}`).toString("base64")}`;
  const tokens = await step("token", `${job.issuer}/token`, "POST", formBody({ grant_type: "authorization_code", code, redirect_uri: job.redirectUri, code_verifier: verifier }), {
    authorization: basic,
  });
  expect(tokens.status === 200 && tokens.body.includes('"id_token"'), "token", tokens);
}

export async function runOidcLogins(job: OidcLoginJob, client: HttpClient): Promise<Omit<LoadResult, "elapsedMs">> {
  const result: Omit<LoadResult, "elapsedMs"> = { completed: 0, failed: 0, failures: [], latenciesMs: [], stepsMs: Object.fromEntries(OIDC_LOGIN_STEPS.map((s) => [s, [] as number[]])) };
  const deadline = performance.now() + job.timeoutMs;
  let next = 0;
  const worker = async () => {
    while (next < job.count && performance.now() < deadline) {
      next += 1;
      const times: Partial<Record<OidcLoginStep, number>> = {};
      const begin = performance.now();
      try {
        await oidcLogin(client, job, times);
        result.completed += 1;
        result.latenciesMs.push(performance.now() - begin);
        for (const name of OIDC_LOGIN_STEPS) result.stepsMs![name]!.push(times[name] ?? 0);
      } catch (error) {
        result.failed += 1;
        if (result.failures.length < 5) result.failures.push((error as Error).message.slice(0, 300));
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  return result;
}
