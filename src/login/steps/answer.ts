/** Answers the downstream party through the frontend that decoded its request, and logs the login once. */
import type { Row } from "../flow-types.js";
import { LoginError } from "../../model/login-error.js";
import { mappedIdentity } from "./municipal-upstream.js";
import { recordLogin } from "../login-record.js";

export const answer: Row["run"] = async (state) => {
  const { request, broker } = state;
  const identity = mappedIdentity(state);
  const frontend = state.ports.frontends[request.downstream.frontend];
  if (!frontend) throw new LoginError("frontend_gone", `no frontend ${request.downstream.frontend} is wired`);
  const interaction = await frontend.answer(request, identity, state.timer);
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
