/**
 * One setting from the environment: the variable itself, or the file named by
 * `<NAME>_FILE` (a mounted secret, e.g. /run/secrets/cookie-secret), never
 * both. The file's trailing line break is dropped. Errors name the variable
 * and the file, never the value.
 */
import { readFileSync } from "node:fs";

export class EnvironmentValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EnvironmentValueError";
  }
}

export function readEnvironmentValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const direct = env[name];
  const file = env[`${name}_FILE`];
  const hasDirect = direct !== undefined && direct !== "";
  const hasFile = file !== undefined && file !== "";
  if (hasDirect && hasFile) throw new EnvironmentValueError(`set ${name} or ${name}_FILE, not both`);
  if (hasDirect) return direct;
  if (!hasFile) return undefined;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new EnvironmentValueError(`${name}_FILE: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? "unreadable"}`);
  }
  const value = text.replace(/\r?\n$/, "");
  if (value === "") throw new EnvironmentValueError(`${name}_FILE: ${file} is empty`);
  return value;
}
