/** Jobs the load-generator process runs, and what it reports back. */

/** Post prepared IdP responses to the brokers' ACS endpoints (round-robin over `targets`). */
export interface AcsJob {
  kind: "acs";
  targets: string[];
  /** File with one form body per line (prepared before timing starts). */
  bodiesFile: string;
  from: number;
  count: number;
  /** Requests in flight at most (closed loop when `ratePerSec` is unset). */
  concurrency: number;
  /** Open loop: start one request every 1/rate seconds; latency counts from the planned start. */
  ratePerSec?: number;
  timeoutMs: number;
}

/** Whole logins through the demo parties: fagsystem → broker → IdP → broker → fagsystem. */
export interface WholeLoginJob {
  kind: "whole";
  spUrl: string;
  user: string;
  count: number;
  /** Logins in flight at most. */
  concurrency: number;
  /** Open loop: start one login every 1/rate seconds (the soak); unset: closed loop. */
  ratePerSec?: number;
  timeoutMs: number;
}

/** Whole OIDC logins: authorize → broker → IdP → broker → code at the client → token. */
export interface OidcLoginJob {
  kind: "oidc";
  /** The broker's OIDC issuer. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** The municipality hint (skips the chooser, as a fagsystem that knows its municipality does). */
  municipality: string;
  user: string;
  count: number;
  concurrency: number;
  timeoutMs: number;
}

export type LoadJob = AcsJob | WholeLoginJob | OidcLoginJob;

export const OIDC_LOGIN_STEPS = ["authorize", "interaction", "idpSso", "idpLogin", "brokerAcs", "finish", "resume", "token"] as const;
export type OidcLoginStep = (typeof OIDC_LOGIN_STEPS)[number];

export const WHOLE_LOGIN_STEPS = ["spLogin", "brokerSso", "idpSso", "idpLogin", "brokerAcs", "spAcs"] as const;
export type WholeLoginStep = (typeof WHOLE_LOGIN_STEPS)[number];

export interface LoadResult {
  completed: number;
  failed: number;
  /** The first few failures, for the report. */
  failures: string[];
  elapsedMs: number;
  /** Latency of every completed request (ACS) or login (whole), in completion order. */
  latenciesMs: number[];
  /** Whole logins: latency of each step, per login. */
  stepsMs?: Partial<Record<WholeLoginStep | OidcLoginStep, number[]>>;
}
