import type { BrokerContext } from "../broker-context.js";
import type { Identity, LoginRequest, UpstreamResult } from "./types.js";

/** What the steps after authentication work on. */
export interface LoginContext {
  broker: BrokerContext;
  request: LoginRequest;
  upstreams: UpstreamResult[];
  identity: Identity | undefined;
}

/** One step with one job: returns the (possibly enriched) context or throws LoginError. */
export type LoginStep = (context: LoginContext) => LoginContext | Promise<LoginContext>;

export interface NamedStep {
  name: string;
  run: LoginStep;
}
