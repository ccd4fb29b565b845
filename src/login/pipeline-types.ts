import type { BrokerContext } from "../broker-context.js";
import type { LoginPorts } from "./ports.js";
import type { Identity } from "../model/identity.js";
import type { LoginRequest } from "../model/login-request.js";
import type { UpstreamResult } from "../model/upstream-result.js";
import type { NsisLevel } from "../profiles/levels.js";

/** What the steps after authentication work on. */
export interface LoginContext {
  broker: BrokerContext;
  ports: LoginPorts;
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
  /** Which further upstream (a key of LoginPorts.furtherUpstreams). */
  upstream: string;
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

export interface NamedStep {
  name: string;
  run: LoginStep;
}
