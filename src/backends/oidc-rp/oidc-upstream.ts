/**
 * The broker as OpenID Connect relying party toward a municipal IdP (Entra
 * ID): send the person to the OP's authorization endpoint (code + PKCE S256,
 * state, nonce), redeem the code, verify the ID token (openid-client:
 * signature from the OP's JWKS with allow-listed algorithms, iss, aud, azp,
 * exp/iat within the clock skew, nonce), check the tenant, and return an
 * UpstreamResult with neutral claims (profiles/oidc-idp-claims.ts).
 */
import { createHash, randomBytes } from "node:crypto";
import * as oidc from "openid-client";
import type { BrokerContext } from "../../broker-context.js";
import type { IdentityProvider, OidcIdentityProvider } from "../../trust/registry.js";
import type { LoginRequest } from "../../model/login-request.js";
import type { UpstreamResult } from "../../model/upstream-result.js";
import type { Refusal } from "../../model/login-error.js";
import { withBinding } from "../../model/interaction.js";
import { PageError } from "../../model/login-error.js";
import { newId, type AwaitingUpstream, type LoginStateRepository } from "../../login/login-state.js";
import { UpstreamFailure, type MunicipalUpstream, type ReceivedAnswer, type StartedUpstream } from "../../login/ports.js";
import { StoreUnavailableError } from "../../store/state-store.js";
import { readOidcIdentity } from "../../profiles/oidc-idp-claims.js";
import { subjectKind } from "../../profiles/robot.js";
import { nistClassRef, nsisClassRef, type LevelRequirement } from "../../profiles/levels.js";
import { UNTIMED, type PhaseTimer } from "../../observability/login-timings.js";
import { OidcDiscovery } from "./oidc-discovery.js";

const UNUSABLE_ANSWER = "Svaret fra kommunens login kunne ikke bruges. / The answer from the municipal login could not be used.";

/** What the broker keeps for the answer besides the login state: the PKCE verifier and the nonce. */
interface PendingOidc {
  verifier: string;
  nonce: string;
}

/** The acr_values a requirement is sent as to an OP registered with `sendAcrValues` (the NSIS class URL or the NIST class); undefined for none. */
export function acrValuesFor(required: LevelRequirement, sendAcrValues: boolean): string | undefined {
  if (!sendAcrValues) return undefined;
  if (required.kind === "nsis") return nsisClassRef(required.minimum);
  if (required.kind === "nist") return nistClassRef(required.minimum);
  return undefined;
}

/** The neutral refusal for an error the OP sent back. */
function refusalOf(error: string): Refusal {
  switch (error) {
    case "access_denied":
      return "denied";
    case "login_required":
    case "interaction_required":
      return "interaction_required";
    default:
      return "authentication_failed";
  }
}

export class OidcUpstream implements MunicipalUpstream {
  /** Each OIDC IdP's discovered configuration (also used by its logout). */
  readonly discovery: OidcDiscovery;

  constructor(
    private readonly broker: BrokerContext,
    private readonly states: LoginStateRepository,
  ) {
    this.discovery = new OidcDiscovery(broker);
  }

  get callbackUrl(): string {
    return `${this.broker.urls.base}/oidc-rp/callback`;
  }

  async start(found: IdentityProvider, request: LoginRequest, completed: UpstreamResult[] = []): Promise<StartedUpstream> {
    if (found.protocol !== "oidc") throw new Error(`IdP ${found.id} is not registered over OpenID Connect`);
    const idp: OidcIdentityProvider = found;
    const config = await this.discovery.configuration(idp);
    const state = newId();
    const pending: PendingOidc = { verifier: oidc.randomPKCECodeVerifier(), nonce: oidc.randomNonce() };
    const bind = await this.states.saveAwaiting({ request, upstreamId: idp.id, upstreamKind: "municipal-idp", upstreamRequestId: state, completed });
    await this.broker.store.put(pendingKey(state), JSON.stringify(pending), this.broker.config.timing.loginTtlSeconds);
    const parameters: Record<string, string> = {
      redirect_uri: this.callbackUrl,
      scope: idp.policy.scopes.join(" "),
      state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: "S256",
      response_mode: idp.policy.responseMode,
    };
    if (request.forceAuthn) {
      parameters["prompt"] = "login";
      parameters["max_age"] = "0";
    }
    const acr = acrValuesFor(request.requiredLevel, idp.policy.sendAcrValues);
    if (acr !== undefined) parameters["acr_values"] = acr;
    return { upstreamRequestId: state, interaction: withBinding({ kind: "redirect", url: oidc.buildAuthorizationUrl(config, parameters).href }, bind, this.callbackUrl) };
  }

  /** The OP's answer at the callback (query or form_post): the login it belongs to and what the IdP proved. */
  async receive(params: Record<string, string>, timer: PhaseTimer = UNTIMED): Promise<ReceivedAnswer> {
    const stateId = params["state"];
    if (!stateId || stateId.length > 256) throw new PageError(400, "oidc_state_missing", "the OP's answer carries no usable state", UNUSABLE_ANSWER);
    // Read, not taken: a forged answer must not end someone else's login; taken once after every check.
    const state = await timer.time("store", () => this.states.peekAwaiting(stateId));
    if (!state) throw new PageError(400, "unknown_login", "no login is waiting for this answer (expired, finished, replayed, or never started here)", UNUSABLE_ANSWER);
    try {
      return await this.verify(state, params, timer);
    } catch (error) {
      if (error instanceof UpstreamFailure) throw error;
      if (error instanceof oidc.AuthorizationResponseError) throw new UpstreamFailure(state, `oidc_${error.error}`.slice(0, 64), `the OP answered ${error.error}: ${error.error_description ?? ""}`.slice(0, 300), refusalOf(error.error));
      if (error instanceof oidc.ResponseBodyError) throw new UpstreamFailure(state, "oidc_token_error", `the OP's token endpoint answered ${error.error}: ${error.error_description ?? ""}`.slice(0, 300));
      const unexpected = error as Error & { code?: string };
      if (unexpected instanceof StoreUnavailableError) throw new UpstreamFailure(state, "store_unavailable", unexpected.message, "failed", unexpected);
      // openid-client's checks (signature, iss, aud, azp, exp, nonce, ...) and network failures.
      const reason = unexpected.code === "OAUTH_TIMEOUT" || /fetch failed|timeout|ECONNREFUSED/i.test(unexpected.message) ? "oidc_op_unreachable" : "oidc_id_token_invalid";
      throw new UpstreamFailure(state, reason, `${unexpected.code ? `${unexpected.code}: ` : ""}${unexpected.message}`.slice(0, 300));
    }
  }

  private async verify(state: AwaitingUpstream, params: Record<string, string>, timer: PhaseTimer): Promise<ReceivedAnswer> {
    const found = this.broker.registry.identityProvider(state.upstreamId);
    if (!found || found.protocol !== "oidc") throw new UpstreamFailure(state, "idp_gone", `IdP ${state.upstreamId} is no longer registered over OpenID Connect`);
    const idp = found;
    const rawPending = await this.broker.store.get(pendingKey(state.upstreamRequestId));
    if (rawPending === undefined) throw new UpstreamFailure(state, "unknown_login", "the login's PKCE verifier and nonce are gone (expired)");
    const pending = JSON.parse(rawPending) as PendingOidc;
    const config = await this.discovery.configuration(idp);
    const callback = new URL(this.callbackUrl);
    for (const [name, value] of Object.entries(params)) callback.searchParams.set(name, value);
    const tokens = await timer.time("verify", () =>
      oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: pending.verifier, expectedState: state.upstreamRequestId, expectedNonce: pending.nonce, idTokenExpected: true }),
    );
    const claims = tokens.claims();
    if (!claims) throw new UpstreamFailure(state, "oidc_id_token_missing", "the OP returned no ID token");
    if (idp.policy.tenant !== undefined && claims["tid"] !== idp.policy.tenant) {
      throw new UpstreamFailure(state, "oidc_wrong_tenant", `the ID token is for tenant ${String(claims["tid"]).slice(0, 64)}, not the registered ${idp.policy.tenant}`);
    }
    const reading = readOidcIdentity(claims, { profile: idp.policy.claimProfile, level: idp.policy.level, cvr: idp.cvr, groupRoles: idp.policy.groupRoles });
    const tokenId = typeof claims["jti"] === "string" ? claims["jti"] : createHash("sha256").update(tokens.id_token ?? randomBytes(16)).digest("base64url");
    const ttl = Math.max(60, (typeof claims.exp === "number" ? claims.exp - Math.floor(this.broker.now() / 1000) : 0) + this.broker.config.timing.clockSkewSeconds);
    if (await timer.time("store", () => this.broker.store.seenBefore(`oidc-idtoken:${idp.id}:${tokenId}`, ttl))) {
      throw new UpstreamFailure(state, "assertion_replayed", "this ID token has been used before");
    }
    if (!(await timer.time("store", () => this.states.takeAwaiting(state.upstreamRequestId)))) {
      throw new UpstreamFailure(state, "login_already_completed", "this login was completed by another answer");
    }
    await this.broker.store.take(pendingKey(state.upstreamRequestId));
    const authTime = typeof claims.auth_time === "number" ? claims.auth_time : claims.iat;
    const result: UpstreamResult = {
      kind: "municipal-idp",
      upstreamId: idp.id,
      issuer: claims.iss,
      nameId: reading.ok ? reading.nameId : claims.sub,
      nameIdFormat: undefined,
      claims: reading.ok
        ? {
            readable: true,
            identity: {
              person: reading.person,
              cvr: undefined,
              subject: subjectKind(idp.policy.robot, reading.nameId, reading.attributes),
              privileges: reading.privileges === undefined ? { sent: "none" } : { sent: "oio-bpp", encoded: reading.privileges },
            },
          }
        : { readable: false, reason: reading.reason, detail: reading.detail },
      attributes: reading.ok ? reading.attributes : [],
      level: reading.ok ? reading.level : {},
      authnInstant: new Date(authTime * 1000).toISOString(),
      sessionIndex: typeof claims["sid"] === "string" ? claims["sid"] : undefined,
      assertionId: tokenId,
    };
    return { state, result };
  }
}

function pendingKey(state: string): string {
  return `oidc-rp:${state}`;
}
