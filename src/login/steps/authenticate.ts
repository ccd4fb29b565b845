/** Sends the person to the chosen municipality's IdP, through the upstream its registration names. */
import type { Row } from "../flow-types.js";
import { LoginError } from "../../model/login-error.js";
import { forDownstream } from "../login-unavailable.js";

export const authenticate: Row["run"] = async (state) => {
  const { request, broker, idp } = state;
  if (!idp) throw new LoginError("no_municipality", "no municipality was chosen before authentication");
  const upstream = state.ports.municipalUpstream(idp);
  const started = await forDownstream(request.downstream, () => upstream.start(idp, request, []));
  broker.log.info(
    { correlationId: request.correlationId, event: "login_upstream", idp: idp.id, sp: request.downstream.partyId, upstreamRequestId: started.upstreamRequestId },
    "sending the person to the municipal IdP",
  );
  return { stop: started.interaction };
};
