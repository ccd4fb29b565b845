/** Answers the downstream party through the frontend that decoded its request, and logs the login once. */
import type { Row } from "../flow-types.js";
import { LoginError } from "../../model/login-error.js";
import { mappedIdentity } from "./municipal-upstream.js";
import { recordLogin } from "../login-record.js";
import { StoreUnavailableError } from "../../store/state-store.js";
import type { FlowState } from "../flow-types.js";
import type { SessionParticipant } from "../../model/session-participant.js";

export const answer: Row["run"] = async (state) => {
  const { request, broker } = state;
  const identity = mappedIdentity(state);
  const frontend = state.ports.frontends[request.downstream.frontend];
  if (!frontend) throw new LoginError("frontend_gone", `no frontend ${request.downstream.frontend} is wired`);
  const { interaction, participant } = await frontend.answer(request, identity, state.timer);
  if (participant) await joinSession(state, participant);
  const municipal = state.upstreams.find((u) => u.kind === "municipal-idp");
  broker.log.info(
    {
      correlationId: request.correlationId,
      event: "login_succeeded",
      sso: state.entry === "sso",
      sp: request.downstream.partyId,
      idp: municipal?.upstreamId,
      cvr: identity.organisation.cvr,
      loa: identity.level,
      ...(state.session ? { authenticatedAt: new Date(state.session.authenticatedAt).toISOString() } : {}),
      evidence: identity.evidence.map((e) => e.assertionId),
    },
    state.entry === "sso" ? "login answered from the SSO session" : "login succeeded",
  );
  await recordLogin({ broker, request, entry: state.entry, upstreams: state.upstreams, identity });
  return { stop: interaction };
};

/** The party joins the browser's SSO session, so a logout reaches it. Losing this loses only that, never the login. */
async function joinSession(state: FlowState, participant: SessionParticipant): Promise<void> {
  const sessionId = state.newSsoSessionId ?? (state.entry === "sso" ? state.ssoSessionId : undefined);
  if (sessionId === undefined) return;
  try {
    await state.timer.time("store", () => state.sessions.addParticipant(sessionId, participant));
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    state.broker.log.warn({ correlationId: state.request.correlationId, reason: "store_unavailable", detail: error.message }, "could not record the fagsystem in the SSO session");
  }
}
