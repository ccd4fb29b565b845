/** Starts an SSO session after an upstream authentication, so the next fagsystem is answered without one. */
import type { Row } from "../flow-types.js";
import { StoreUnavailableError } from "../../store/state-store.js";

export const rememberSession: Row["run"] = async (state) => {
  const municipal = state.upstreams.find((u) => u.kind === "municipal-idp");
  if (!state.sessions.enabled || !municipal) return state;
  try {
    const newSsoSessionId = await state.timer.time("store", () => state.sessions.create(municipal.upstreamId, state.upstreams));
    // The browser's earlier session hands its fagsystemer on: one logout must still reach them.
    const prior = state.request.priorSsoSessionId;
    if (newSsoSessionId !== undefined && prior !== undefined && prior !== newSsoSessionId) await state.timer.time("store", () => state.sessions.carryOver(prior, newSsoSessionId));
    return { ...state, newSsoSessionId };
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    // The login itself is complete; only the convenience of SSO is lost.
    state.broker.log.warn({ correlationId: state.request.correlationId, reason: "store_unavailable", detail: error.message }, "could not save the SSO session");
    return state;
  }
};
