/**
 * Assurance levels: NSIS (Low < Substantial < High) and the older NIST-style
 * levels 1–4 (OIOSAML 2 "AssuranceLevel"), side by side. Pure functions.
 *
 * Rules (docs/policy.md):
 * - A NIST level never proves an NSIS level.
 * - An NSIS level proves NIST levels through one configurable conversion
 *   table. The default is KOMBIT's: a NIST requirement of 1 or 2 is met by
 *   NSIS Low, 3 by Substantial, 4 by High. Seen from the NSIS side that is
 *   Low → 2, Substantial → 3, High → 4 (`NistFromNsisTable`). The OIOSAML
 *   reference library's table (Low → 2, Substantial → 3, High → 3) is
 *   available as OIOSAML_REFERENCE_NIST_FROM_NSIS.
 * - The same table decides what satisfies a requirement and which NIST level
 *   is asserted downstream for an NSIS login, so nothing is asserted that the
 *   upstream did not prove.
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

/** For each NSIS level, the highest NIST level it proves (undefined: none). */
export type NistFromNsisTable = Record<NsisLevel, NistLevel | undefined>;

/**
 * For each NIST requirement, the lowest NSIS level that satisfies it, or
 * "never" when no NSIS level does: how KOMBIT writes its conversion (and our config).
 */
export type NsisForNistTable = Record<"1" | "2" | "3" | "4", NsisLevel | "never">;

export const KOMBIT_NSIS_FOR_NIST: Readonly<NsisForNistTable> = { 1: "Low", 2: "Low", 3: "Substantial", 4: "High" };
/** The OIOSAML reference library's conversion written the same way: no NSIS level meets NIST 4. */
export const OIOSAML_REFERENCE_NSIS_FOR_NIST: Readonly<NsisForNistTable> = { 1: "Low", 2: "Low", 3: "Substantial", 4: "never" };
/** KOMBIT's conversion seen from the NSIS side (the default). */
export const DEFAULT_NIST_FROM_NSIS: Readonly<NistFromNsisTable> = { Low: 2, Substantial: 3, High: 4 };
/** The OIOSAML reference library's table (High proves only NIST 3). */
export const OIOSAML_REFERENCE_NIST_FROM_NSIS: Readonly<NistFromNsisTable> = { Low: 2, Substantial: 3, High: 3 };

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

/** Reads an AuthnContextClassRef into a level, or {} when it names neither kind. */
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

function rankOrNever(level: NsisLevel | "never"): number {
  return level === "never" ? NSIS_LEVELS.length : nsisRank(level);
}

export function isMonotoneNsisForNist(table: NsisForNistTable): boolean {
  return rankOrNever(table[1]) <= rankOrNever(table[2]) && rankOrNever(table[2]) <= rankOrNever(table[3]) && rankOrNever(table[3]) <= rankOrNever(table[4]);
}

/** Turns the configured NIST → NSIS conversion into the NSIS → NIST view used by the rules below. */
export function nistFromNsisTable(nsisForNist: NsisForNistTable): NistFromNsisTable {
  const proves = (level: NsisLevel): NistLevel | undefined => {
    let best: NistLevel | undefined;
    for (const nist of NIST_LEVELS) if (rankOrNever(nsisForNist[nist]) <= nsisRank(level)) best = nist;
    return best;
  };
  return { Low: proves("Low"), Substantial: proves("Substantial"), High: proves("High") };
}

/** The NIST level a reached level proves: its own NIST level, or the one its NSIS level maps to, whichever is higher. */
export function effectiveNist(reached: ReachedLevel, table: Readonly<NistFromNsisTable> = DEFAULT_NIST_FROM_NSIS): NistLevel | undefined {
  const fromNsis = reached.nsis ? table[reached.nsis] : undefined;
  if (reached.nist && fromNsis) return Math.max(reached.nist, fromNsis) as NistLevel;
  return reached.nist ?? fromNsis;
}

export function satisfies(reached: ReachedLevel, required: LevelRequirement, table: Readonly<NistFromNsisTable> = DEFAULT_NIST_FROM_NSIS): boolean {
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

/** The lowest NSIS level that proves NIST level `nist`, or undefined when none does. */
export function lowestNsisProving(nist: NistLevel, table: Readonly<NistFromNsisTable> = DEFAULT_NIST_FROM_NSIS): NsisLevel | undefined {
  return NSIS_LEVELS.find((level) => (table[level] ?? 0) >= nist);
}

/**
 * The stricter of two requirements: a login satisfies the result exactly when
 * it satisfies both. Undefined when no login can (an NSIS requirement joined
 * with a NIST level that no NSIS level proves).
 */
export function stricterRequirement(a: LevelRequirement, b: LevelRequirement, table: Readonly<NistFromNsisTable> = DEFAULT_NIST_FROM_NSIS): LevelRequirement | undefined {
  if (a.kind === "none") return b;
  if (b.kind === "none") return a;
  if (a.kind === "nist" && b.kind === "nist") return { kind: "nist", minimum: Math.max(a.minimum, b.minimum) as NistLevel };
  if (a.kind === "nsis" && b.kind === "nsis") return nsisRank(a.minimum) >= nsisRank(b.minimum) ? a : b;
  const nsis = a.kind === "nsis" ? a : (b as { kind: "nsis"; minimum: NsisLevel });
  const nist = a.kind === "nist" ? a : (b as { kind: "nist"; minimum: NistLevel });
  const needed = lowestNsisProving(nist.minimum, table);
  if (needed === undefined) return undefined;
  return nsisRank(needed) > nsisRank(nsis.minimum) ? { kind: "nsis", minimum: needed } : nsis;
}

export type RequestedRequirement = { ok: true; requirement: LevelRequirement } | { ok: false; reason: string };

/**
 * What a fagsystem's RequestedAuthnContext asks for. `minimum` and `exact`
 * (SAML's default) are read as a minimum; `better` as one level above;
 * `maximum` is a ceiling the broker does not lower logins to, so it adds no
 * requirement. Unknown classes are ignored. Several classes mean "any of
 * these": the weakest counts (NIST classes before NSIS classes when both are
 * listed, as a NIST requirement admits more logins).
 */
export function requestedRequirement(classRefs: readonly string[], comparison: string): RequestedRequirement {
  if (comparison === "maximum") return { ok: true, requirement: { kind: "none" } };
  if (!["minimum", "exact", "better"].includes(comparison)) return { ok: false, reason: `RequestedAuthnContext Comparison ${comparison.slice(0, 40)} is not minimum, exact, better or maximum` };
  const levels = classRefs.map(levelFromClassRef);
  const nists = levels.map((l) => l.nist).filter((n): n is NistLevel => n !== undefined);
  const nsises = levels.map((l) => l.nsis).filter((n): n is NsisLevel => n !== undefined);
  const better = comparison === "better";
  if (nists.length > 0) {
    const weakest = Math.min(...nists) + (better ? 1 : 0);
    if (weakest > 4) return { ok: false, reason: "no NIST level is better than 4" };
    return { ok: true, requirement: { kind: "nist", minimum: weakest as NistLevel } };
  }
  if (nsises.length > 0) {
    const rank = Math.min(...nsises.map(nsisRank)) + (better ? 1 : 0);
    const level = NSIS_LEVELS[rank];
    if (level === undefined) return { ok: false, reason: "no NSIS level is better than High" };
    return { ok: true, requirement: { kind: "nsis", minimum: level } };
  }
  return { ok: true, requirement: { kind: "none" } };
}

/** The highest levels an IdP can deliver (its registration). `nsis` undefined: it cannot deliver NSIS levels. */
export interface LevelCeiling {
  nist: NistLevel;
  nsis: NsisLevel | undefined;
}

/** Caps what an upstream asserted to what it is registered to deliver. */
export function capLevel(reached: ReachedLevel, ceiling: LevelCeiling): { level: ReachedLevel; capped: boolean } {
  const level: ReachedLevel = {};
  let capped = false;
  if (reached.nsis !== undefined) {
    if (ceiling.nsis === undefined) capped = true;
    else if (nsisRank(reached.nsis) > nsisRank(ceiling.nsis)) {
      level.nsis = ceiling.nsis;
      capped = true;
    } else level.nsis = reached.nsis;
  }
  if (reached.nist !== undefined) {
    if (reached.nist > ceiling.nist) capped = true;
    level.nist = Math.min(reached.nist, ceiling.nist) as NistLevel;
  }
  return { level, capped };
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

export function describeLevel(reached: ReachedLevel): string {
  return [reached.nsis && `NSIS ${reached.nsis}`, reached.nist && `NIST level ${reached.nist}`].filter(Boolean).join(", ") || "no level";
}
