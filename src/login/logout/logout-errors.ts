/** What a received logout message comes to: accepted (the session to end and whom to answer), or refused, with or without an answer to the party. */
import type { Interaction } from "../../model/interaction.js";
import type { FoundSession } from "../sso-session.js";
import type { LogoutInitiator } from "./logout-ports.js";

export interface AcceptedLogout {
  initiator: LogoutInitiator;
  initiatorName: string;
  /** The session to end; undefined when none is left (expired, or already logged out): the party is answered Success. */
  found: FoundSession | undefined;
}

/** Refused before the sender is trusted: only a page for the person. */
export class LogoutRejected extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = "LogoutRejected";
  }
}

/** Refused after the signature held: the party is told (when its metadata has an endpoint for the answer). */
export class LogoutRefused extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly answer: Interaction | undefined,
    /** The refused request's ID, for an answer on the back channel. */
    readonly inResponseTo: string,
  ) {
    super(message);
    this.name = "LogoutRefused";
  }
}
