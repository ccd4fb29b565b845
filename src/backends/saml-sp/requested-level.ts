import { nistClassRef, nsisClassRef, type LevelRequirement } from "../../profiles/levels.js";

/** RequestedAuthnContext classes for a requirement: the NSIS class URL or the NIST AssuranceLevel class. */
export function requestedClassRefsFor(requirement: LevelRequirement): string[] {
  switch (requirement.kind) {
    case "none":
      return [];
    case "nsis":
      return [nsisClassRef(requirement.minimum)];
    case "nist":
      return [nistClassRef(requirement.minimum)];
  }
}
