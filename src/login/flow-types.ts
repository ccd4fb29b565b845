/** The types of the login table (login-flow.ts): what a row sees and what it may answer. */
import type { Interaction } from "../model/interaction.js";
import type { IdentityProvider } from "../trust/registry.js";
import type { PhaseTimer } from "../observability/login-timings.js";
import type { LoginContext } from "./pipeline-types.js";
import type { SsoSession, SsoSessionRepository } from "./sso-session.js";
import type { LoginStateRepository } from "./login-state.js";

/**
 * How the login entered the table:
 * - fresh: a downstream party's request (or the chooser's answer);
 * - sso: answered from the browser's SSO session, no upstream trip;
 * - resume: an upstream answered (the municipal IdP, or a further step).
 */
export type Entry = "fresh" | "sso" | "resume";

export interface FlowState extends LoginContext {
  entry: Entry;
  timer: PhaseTimer;
  /** The one login-state repository (sealing earlier upstream results with the broker's secret). */
  states: LoginStateRepository;
  sessions: SsoSessionRepository;
  /** The browser's SSO session id (cookie), if any. */
  ssoSessionId: string | undefined;
  /** The session found for it, while the sso entry is being tried. */
  session: SsoSession | undefined;
  /** The browser's remembered municipality (cookie), if any. */
  rememberedIdpId: string | undefined;
  /** The municipality chosen (by hint, cookie, address or the chooser). */
  idp: IdentityProvider | undefined;
  /** Whether the choice should be remembered in the browser. */
  rememberChoice: boolean;
  /** A new SSO session started by this login, for the cookie. */
  newSsoSessionId: string | undefined;
}

/** A row that ends this request: what the browser is told to do next. */
export interface Stop {
  stop: Interaction;
}

export type RowResult = FlowState | Stop;

export interface Row {
  name: string;
  /** The entries this row runs on. */
  on: readonly Entry[];
  run: (state: FlowState) => RowResult | Promise<RowResult>;
}

export function isStop(result: RowResult): result is Stop {
  return (result as Partial<Stop>).stop !== undefined;
}
