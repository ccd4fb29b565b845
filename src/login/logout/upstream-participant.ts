/** An upstream of the SSO session (the municipal IdP, NemLog-in) as a party to log out: what its LogoutRequest must name. */
import type { SessionParticipant } from "../../model/session-participant.js";
import type { UpstreamResult } from "../../model/upstream-result.js";

export const UPSTREAM_PARTICIPANT = "upstream";

export function upstreamParticipant(result: UpstreamResult): SessionParticipant {
  const handle: Record<string, string> = { kind: result.kind, issuer: result.issuer, nameId: result.nameId };
  if (result.nameIdFormat !== undefined) handle["nameIdFormat"] = result.nameIdFormat;
  if (result.sessionIndex !== undefined) handle["sessionIndex"] = result.sessionIndex;
  return { frontend: UPSTREAM_PARTICIPANT, partyId: result.upstreamId, handle, lookupKey: undefined };
}
