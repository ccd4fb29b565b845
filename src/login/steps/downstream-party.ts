/** The downstream party of this login and its current registration. */
import type { LoginContext } from "../pipeline-types.js";
import type { DownstreamParty } from "../../trust/registry.js";
import { LoginError } from "../../model/login-error.js";

export function downstreamParty(context: LoginContext): DownstreamParty {
  const party = context.broker.registry.downstreamParty(context.request.downstream.partyId);
  if (!party) throw new LoginError("sp_gone", `downstream party ${context.request.downstream.partyId} is no longer registered`);
  return party;
}
