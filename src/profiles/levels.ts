/**
 * Assurance levels: NSIS (Low, Substantial, High) and the older NIST-style
 * levels 1–4 (OIOSAML 2 "AssuranceLevel"), side by side. Pure functions.
 *
 * A NIST level never proves an NSIS level. An NSIS level proves a NIST level
 * through a configurable table (default, as the OIOSAML reference library:
 * Low → 2, Substantial → 3, High → 3).
 */
export const NSIS_LEVELS = ["Low", "Substantial", "High"] as const;
export type NsisLevel = (typeof NSIS_LEVELS)[number];
export const NIST_LEVELS = [1, 2, 3, 4] as const;
export type NistLevel = (typeof NIST_LEVELS)[number];

export const NSIS_LOA_CLASS_PREFIX = "https://data.gov.dk/concept/core/nsis/loa/";
export const NIST_CLASS_PREFIX = "urn:dk:gov:saml:attribute:AssuranceLevel:";
export const ADFS_MULTIPLE_AUTHN_CLASS = "http://schemas.microsoft.com/claims/multipleauthn";

/** What an upstream actually delivered. Either part may be absent. */
export interface ReachedLevel {
  nsis?: NsisLevel;
  nist?: NistLevel;
}

export type LevelRequirement =
  | { kind: "none" }
  | { kind: "nsis"; minimum: NsisLevel }
  | { kind: "nist"; minimum: NistLevel };

export type NistFromNsisTable = Record<NsisLevel, NistLevel>;
export const DEFAULT_NIST_FROM_NSIS: NistFromNsisTable = { Low: 2, Substantial: 3, High: 3 };

export function nsisRank(level: NsisLevel): number {
  return NSIS_LEVELS.indexOf(level);
}

export function isNsisLevel(value: string): value is NsisLevel {
  return (NSIS_LEVELS as readonly string[]).includes(value);
}

export function parseNistLevel(value: string): NistLevel | undefined {
  const trimmed = value.trim();
  if (!/^[1-4]$/.test(trimmed)) return undefined;
  return Number(trimmed) as NistLevel;
}

export function nsisClassRef(level: NsisLevel): string {
  return `${NSIS_LOA_CLASS_PREFIX}${level}`;
}

export function nistClassRef(level: NistLevel): string {
  return `${NIST_CLASS_PREFIX}${level}`;
}

/** Reads an AuthnContextClassRef into a level, or undefined when it names neither kind. */
export function levelFromClassRef(classRef: string): ReachedLevel {
  if (classRef.startsWith(NSIS_LOA_CLASS_PREFIX)) {
    const word = classRef.slice(NSIS_LOA_CLASS_PREFIX.length);
    return isNsisLevel(word) ? { nsis: word } : {};
  }
  if (classRef.startsWith(NIST_CLASS_PREFIX)) {
    const nist = parseNistLevel(classRef.slice(NIST_CLASS_PREFIX.length));
    return nist ? { nist } : {};
  }
  return {};
}

/** The NIST level a reached level proves: its own NIST level, or the one its NSIS level maps to. */
export function effectiveNist(reached: ReachedLevel, table: NistFromNsisTable = DEFAULT_NIST_FROM_NSIS): NistLevel | undefined {
  const fromNsis = reached.nsis ? table[reached.nsis] : undefined;
  if (reached.nist && fromNsis) return Math.max(reached.nist, fromNsis) as NistLevel;
  return reached.nist ?? fromNsis;
}

export function satisfies(reached: ReachedLevel, required: LevelRequirement, table: NistFromNsisTable = DEFAULT_NIST_FROM_NSIS): boolean {
  switch (required.kind) {
    case "none":
      return true;
    case "nsis":
      return reached.nsis !== undefined && nsisRank(reached.nsis) >= nsisRank(required.minimum);
    case "nist": {
      const nist = effectiveNist(reached, table);
      return nist !== undefined && nist >= required.minimum;
    }
  }
}

export function describeRequirement(required: LevelRequirement): string {
  switch (required.kind) {
    case "none":
      return "no level";
    case "nsis":
      return `NSIS ${required.minimum}`;
    case "nist":
      return `NIST level ${required.minimum}`;
  }
}
