/**
 * The runtime stage of the Dockerfile, read from the Dockerfile itself so the
 * test that reproduces it without a container engine stays in step with the
 * image: what it copies, its environment, its command and its health check.
 */
import { readFileSync } from "node:fs";

export interface RuntimeStage {
  /** Sources of its COPY instructions (`--from=build` ones marked as such). */
  copies: string[];
  env: Record<string, string>;
  cmd: string[];
  healthcheck: string[];
  user: string | undefined;
  installCommand: string;
}

/** Instructions of one stage, continuation lines joined, comments dropped. */
function instructions(dockerfile: string, stage: string): string[] {
  const joined = dockerfile.replace(/\\\n\s*/g, " ");
  const lines = joined.split("\n").map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("#"));
  const start = lines.findIndex((line) => new RegExp(`^FROM \\S+ AS ${stage}$`, "i").test(line));
  if (start < 0) throw new Error(`the Dockerfile has no stage ${stage}`);
  const end = lines.findIndex((line, index) => index > start && /^FROM /i.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

function parseEnv(rest: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of rest.split(/\s+/)) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new Error(`ENV ${rest}: only KEY=VALUE pairs are understood`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

export function readRuntimeStage(path: string): RuntimeStage {
  const stage: RuntimeStage = { copies: [], env: {}, cmd: [], healthcheck: [], user: undefined, installCommand: "" };
  for (const line of instructions(readFileSync(path, "utf8"), "runtime")) {
    const [keyword = "", ...words] = line.split(/\s+/);
    const rest = line.slice(keyword.length).trim();
    switch (keyword.toUpperCase()) {
      case "ENV":
        Object.assign(stage.env, parseEnv(rest));
        break;
      case "COPY":
        stage.copies.push(...(words[0]?.startsWith("--from=") ? [`${words[0]} ${words.slice(1, -1).join(" ")}`] : words.slice(0, -1)));
        break;
      case "CMD":
        stage.cmd = JSON.parse(rest) as string[];
        break;
      case "HEALTHCHECK":
        stage.healthcheck = JSON.parse(rest.slice(rest.indexOf("CMD") + 3).trim()) as string[];
        break;
      case "USER":
        stage.user = rest;
        break;
      case "RUN":
        stage.installCommand = rest;
        break;
    }
  }
  return stage;
}
