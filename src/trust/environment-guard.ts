/**
 * Keeps production and test trust apart. A production broker must not trust
 * a known test party (a test IdP would let anyone log in as anyone), and a
 * non-production broker must not trust production NemLog-in (real people's
 * logins in a test system). Checked at start on every upstream and
 * downstream entityID the metadata names; a violation stops start-up.
 */
import { ConfigError } from "../config/load-config.js";
import { isProduction, type BrokerEnvironment } from "../config/environments.js";

/** NemLog-in's entityIDs (DOMAIN.md). */
export const NEMLOGIN_PRODUCTION_ENTITY_ID = "https://saml.nemlog-in.dk";
export const NEMLOGIN_TEST_ENTITY_ID = "https://saml.test-nemlog-in.dk/";

/** Parties that exist only for testing, by entityID, with what they are. */
const KNOWN_TEST_PARTIES = new Map<string, string>([[normalise(NEMLOGIN_TEST_ENTITY_ID), "NemLog-in's test environment"]]);

/** Parties that are production only. */
const KNOWN_PRODUCTION_PARTIES = new Map<string, string>([[normalise(NEMLOGIN_PRODUCTION_ENTITY_ID), "production NemLog-in"]]);

/** entityIDs compared without case and without a trailing slash, so a variant spelling cannot slip through. */
function normalise(entityId: string): string {
  return entityId.trim().toLowerCase().replace(/\/+$/, "");
}

export interface RegisteredEntity {
  /** Where in the configuration, e.g. "nemlogin" or "identityProviders[0] (aarhus)". */
  where: string;
  entityId: string;
}

export function checkEnvironment(environment: BrokerEnvironment, entities: readonly RegisteredEntity[]): void {
  for (const { where, entityId } of entities) {
    const key = normalise(entityId);
    const test = KNOWN_TEST_PARTIES.get(key);
    if (isProduction(environment) && test !== undefined) {
      throw new ConfigError(
        `${where}: ${entityId} is ${test}, and this is a production configuration (environment: production). ` +
          "Run test parties in a separate deployment with environment: test (or external-test).",
      );
    }
    const production = KNOWN_PRODUCTION_PARTIES.get(key);
    if (!isProduction(environment) && production !== undefined) {
      throw new ConfigError(
        `${where}: ${entityId} is ${production}, and this configuration is environment: ${environment}. ` +
          "Only a production deployment (environment: production) may trust it.",
      );
    }
  }
}
