/**
 * Robots (RPA system users) log in at their municipality's IdP like people.
 * Each IdP's registration says how a robot shows in its assertions; a robot
 * may reach fagsystemer that require a NIST level, never one that requires an
 * NSIS level (NSIS does not allow robots through the user interface). Pure.
 */
import type { RawAttribute } from "./person.js";
import type { LevelRequirement } from "./levels.js";

export interface RobotRecognition {
  attribute?: { name: string; value: string } | undefined;
  nameIdPattern?: string | undefined;
}

export type SubjectKind = "person" | "robot";

export function subjectKind(recognition: RobotRecognition | undefined, nameId: string, attributes: readonly RawAttribute[]): SubjectKind {
  if (!recognition) return "person";
  const byAttribute = recognition.attribute;
  if (byAttribute && attributes.some((a) => a.name === byAttribute.name && a.values.some((v) => v.trim() === byAttribute.value))) return "robot";
  if (recognition.nameIdPattern !== undefined && new RegExp(recognition.nameIdPattern).test(nameId)) return "robot";
  return "person";
}

/** Whether a subject of this kind may log in under this requirement. */
export function robotAllowed(kind: SubjectKind, requirement: LevelRequirement): boolean {
  return kind === "person" || requirement.kind !== "nsis";
}
