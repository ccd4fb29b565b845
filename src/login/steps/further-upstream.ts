/**
 * A step that needs one more upstream authentication (step-up): the person
 * is sent to that upstream, looked up by name in the ports' table, with the
 * results so far waiting (sealed) in the login state.
 */
import type { RowResult, FlowState } from "../flow-types.js";
import type { UpstreamNeeded } from "../pipeline-types.js";
import { LoginError } from "../../model/login-error.js";
import { forDownstream } from "../login-unavailable.js";

export async function toFurtherUpstream(state: FlowState, need: UpstreamNeeded): Promise<RowResult> {
  const { request, broker } = state;
  const upstream = state.ports.furtherUpstreams[need.upstream];
  if (!upstream) throw new LoginError(`${need.upstream}_gone`, `the further upstream ${need.upstream} is not configured`);
  if (state.entry === "sso") {
    broker.log.info({ correlationId: request.correlationId, event: "sso_step_up", sp: request.downstream.partyId, idp: state.session?.idpId, requested: need.level }, "SSO session lacks the level; stepping up without a new municipal login");
  }
  const started = await forDownstream(request.downstream, () => upstream.start(need.level, request, state.upstreams));
  broker.log.info(
    {
      correlationId: request.correlationId,
      event: "login_step_up",
      upstream: need.upstream,
      requested: need.level,
      detail: need.reason,
      sp: request.downstream.partyId,
      upstreamRequestId: started.upstreamRequestId,
    },
    "sending the person to a further upstream for step-up",
  );
  return { stop: started.interaction };
}
