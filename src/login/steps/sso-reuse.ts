/**
 * Single sign-on across fagsystemer: a browser that already authenticated
 * through the broker is answered without a new trip to the IdP when
 *   - the party did not force authentication,
 *   - the session is younger than timing.ssoMaxAgeSeconds (0 disables SSO),
 *   - the municipality is the same (a hint naming another one wins),
 *   - and the rows after authentication, run again for the new party on the
 *     stored upstream results, accept it (its own level requirement and
 *     checks; a refusal there declines the session, see login-flow.ts).
 * A step-up in the session counts while it is younger than
 * nemlogin.stepUpMaxAgeSeconds; when the session lacks a step-up the party
 * needs, the step-up row sends the person to NemLog-in only.
 */
import type { Row } from "../flow-types.js";
import { forDownstream } from "../login-unavailable.js";
import { upstreamsForReuse } from "./step-up.js";
import { expiredMetadata, METADATA_EXPIRED } from "../../trust/metadata-validity.js";
import { isSamlIdp } from "../../trust/registry.js";

export const ssoReuse: Row["run"] = async (state) => {
  const { request, broker } = state;
  if (request.forceAuthn || !state.sessions.enabled || state.ssoSessionId === undefined) return state;
  const sessionId = state.ssoSessionId;
  const session = await forDownstream(request.downstream, () => state.sessions.find(sessionId));
  if (!session) return state;
  const hint = request.municipalityHint;
  const hinted = hint === undefined ? undefined : broker.registry.identityProviderForHint(hint);
  if ((hint !== undefined && hinted?.id !== session.idpId) || !broker.registry.identityProvider(session.idpId)) {
    broker.log.info({ correlationId: request.correlationId, event: "sso_declined", reason: "sso_other_municipality", sp: request.downstream.partyId }, "SSO session is for another municipality");
    return state;
  }
  const sessionIdp = broker.registry.identityProvider(session.idpId)!;
  const expired = isSamlIdp(sessionIdp) ? expiredMetadata("municipal-idp", sessionIdp, broker.now()) : undefined;
  if (expired) {
    // The session was proved by a party no longer trusted: the login starts afresh (and is refused there, naming it).
    broker.log.info({ correlationId: request.correlationId, event: "sso_declined", reason: METADATA_EXPIRED, detail: expired, sp: request.downstream.partyId }, "SSO session's IdP is no longer trusted");
    return state;
  }
  return { ...state, entry: "sso", session, upstreams: upstreamsForReuse(broker, request, session.upstreams) };
};
