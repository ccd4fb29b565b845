import type { BrokerContext } from "../broker-context.js";
import type { Identity, LoginRequest, UpstreamResult } from "./types.js";
import type { NsisLevel } from "../profiles/levels.js";

/** What the steps after authentication work on. */
export interface LoginContext {
  broker: BrokerContext;
  request: LoginRequest;
  upstreams: UpstreamResult[];
  identity: Identity | undefined;
}

/**
 * A step's decision that the login needs one more upstream authentication
 * before it can go on (step-up): the pipeline stops, the person is sent to
 * that upstream, and when it answers the steps run again on all the results.
 */
export interface UpstreamNeeded {
  kind: "upstream-needed";
  upstream: "nemlogin";
  /** The NSIS level to request. */
  level: NsisLevel;
  /** Why, for the log. */
  reason: string;
}

export type StepResult = LoginContext | UpstreamNeeded;

export function isUpstreamNeeded(result: StepResult): result is UpstreamNeeded {
  return (result as Partial<UpstreamNeeded>).kind === "upstream-needed";
}

/** One step with one job: returns the (possibly enriched) context, says a further upstream step is needed, or throws LoginError. */
export type LoginStep = (context: LoginContext) => StepResult | Promise<StepResult>;

/** How the steps ended: an identity to answer with, or a further upstream step first. */
export type PipelineOutcome =
  | { kind: "identity"; context: LoginContext; identity: Identity }
  | { kind: "upstream-needed"; context: LoginContext; need: UpstreamNeeded };

export interface NamedStep {
  name: string;
  run: LoginStep;
}
