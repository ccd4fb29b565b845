/**
 * URIs the tests share, written out rather than taken from the broker: the
 * test municipality's job-function roles, the test fagsystem's user-system
 * roles, KOMBIT's constraint types, and the AuthnContextClassRefs of levels.
 */

/** Job-function roles as the municipal IdP (or its attribute service) sends them. */
export const JOB_ROLE = {
  caseworker: "http://kommune.test/roles/jobrole/sagsbehandler/1",
  manager: "http://kommune.test/roles/jobrole/leder/1",
  canteen: "http://kommune.test/roles/jobrole/kantine/1",
  robot: "http://kommune.test/roles/jobrole/robot/1",
  /** owned by the neighbour municipality and delegated to the test municipality */
  substitute: "http://nabo.test/roles/jobrole/vikar/1",
  /** owned by a municipality that delegates nothing */
  strangers: "http://fremmed.test/roles/jobrole/sagsbehandler/1",
  /** owned by another municipality */
  delegated: "http://anden-kommune.test/roles/jobrole/delegeret/1",
} as const;

/** The test fagsystem's own user-system roles. */
export const USER_SYSTEM_ROLE = {
  caseHandling: "http://fagsystem.test/roles/usersystemrole/sagsbehandling/1",
  approval: "http://fagsystem.test/roles/usersystemrole/godkendelse/1",
  read: "http://fagsystem.test/roles/usersystemrole/laesning/1",
  batch: "http://fagsystem.test/roles/usersystemrole/batch/1",
  caseworker: "http://fagsystem.test/roles/usersystemrole/sagsbehandler/1",
  admin: "http://fagsystem.test/roles/usersystemrole/admin/1",
} as const;

/** KOMBIT's constraint types. */
export const CONSTRAINT = {
  kle: "http://sts.kombit.dk/constraints/KLE/1",
  kleParametric: "http://sts.kombit.dk/constraints/KLE/1/parametric",
  orgUnit: "http://sts.kombit.dk/constraints/orgenhed/1",
} as const;

/** AuthnContextClassRefs of levels: NSIS (OIOSAML 3) and NIST AssuranceLevel (OIOSAML 2, KOMBIT). */
export const LEVEL_CLASS = {
  nsis: (level: string) => `https://data.gov.dk/concept/core/nsis/loa/${level}`,
  nist: (level: number) => `urn:dk:gov:saml:attribute:AssuranceLevel:${level}`,
} as const;
