/**
 * A fagsystem as a participant of the SSO session: the NameID and
 * SessionIndex the broker sent it, which its LogoutRequest will name and a
 * LogoutRequest to it must carry.
 */
import type { SessionParticipant } from "../../model/session-participant.js";
import type { ServiceProvider } from "../../trust/registry.js";
import { SAML_FRONTEND } from "./saml-reply.js";

export interface SamlParticipantHandle {
  entityId: string;
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string;
}

/** What a fagsystem's LogoutRequest is looked up by: its entityID and the SessionIndex it was given. */
export function samlLookupKey(entityId: string, sessionIndex: string): string {
  return `saml-sp\u0000${entityId}\u0000${sessionIndex}`;
}

export function samlParticipant(sp: ServiceProvider, nameId: { value: string; format: string }, sessionIndex: string): SessionParticipant {
  const handle: SamlParticipantHandle = { entityId: sp.metadata.entityId, nameId: nameId.value, nameIdFormat: nameId.format, sessionIndex };
  return { frontend: SAML_FRONTEND, partyId: sp.id, handle: { ...handle }, lookupKey: samlLookupKey(sp.metadata.entityId, sessionIndex) };
}

/** The handle back, or undefined when the participant is not a complete SAML one. */
export function samlHandleOf(participant: SessionParticipant): SamlParticipantHandle | undefined {
  const { entityId, nameId, nameIdFormat, sessionIndex } = participant.handle;
  if (participant.frontend !== SAML_FRONTEND || !entityId || !nameId || !nameIdFormat || !sessionIndex) return undefined;
  return { entityId, nameId, nameIdFormat, sessionIndex };
}
