/**
 * The environments a deployment can serve. One deployment serves one
 * environment; production is the default, so a configuration that does not
 * say gets the strictest rules.
 */
export const BROKER_ENVIRONMENTS = ["production", "external-test", "test", "demo", "development"] as const;

export type BrokerEnvironment = (typeof BROKER_ENVIRONMENTS)[number];

export function isProduction(environment: BrokerEnvironment): boolean {
  return environment === "production";
}
