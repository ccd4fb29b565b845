/** A fagsystem's configured level (`requiredLevel` in config) as a LevelRequirement. */
import type { DownstreamPolicy } from "./schema.js";
import type { LevelRequirement } from "../profiles/levels.js";

export function requirementOf(policy: Pick<DownstreamPolicy, "requiredLevel">): LevelRequirement {
  const configured = policy.requiredLevel;
  if (configured === "none") return { kind: "none" };
  return "nsis" in configured ? { kind: "nsis", minimum: configured.nsis } : { kind: "nist", minimum: configured.nist };
}
