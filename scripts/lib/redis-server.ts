/**
 * A real Redis for the tests and the benchmark: REDIS_URL when set, otherwise a throwaway
 * redis-server on a free loopback port with no persistence, stopped in
 * afterAll. A missing redis-server fails loudly; tests are never skipped.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer, createConnection } from "node:net";
import { randomBytes } from "node:crypto";

export interface TestRedis {
  url: string;
  /** A prefix no other test file uses, so files can share a REDIS_URL. */
  prefix: string;
  /** True when this process started the server (and can stop and restart it). */
  owned: boolean;
  stop(): Promise<void>;
}

export interface OwnedRedis extends TestRedis {
  owned: true;
  port: number;
  /** Starts the server again on the same port (after stop). */
  restart(): Promise<void>;
  /** The server's process id (to pause it with SIGSTOP). */
  pid(): number;
}

const WAIT_MS = 10_000;

export function redisServerBinary(): string {
  const binary = process.env["REDIS_SERVER_BIN"] ?? "redis-server";
  const probe = spawnSync(binary, ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `redis-server is needed for these tests and was not found (${binary}). Install it (Debian: apt-get install -y redis-server; scripts/ensure-test-deps.sh does this) or set REDIS_URL to a Redis to use.`,
    );
  }
  return binary;
}

/**
 * Ports handed out here come from below the kernel's ephemeral range
 * (32768–60999 on Linux), chosen at random and checked free: a port from the
 * ephemeral range can be taken by any outgoing connection between the check
 * and the moment the server binds it, which under a busy parallel test run
 * happens. Below that range only another explicit choice can collide.
 */
const CHOSEN_PORTS = { min: 20_000, max: 32_000 };
const handedOut = new Set<number>();

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = CHOSEN_PORTS.min + Math.floor(Math.random() * (CHOSEN_PORTS.max - CHOSEN_PORTS.min));
    if (handedOut.has(port)) continue;
    if (await bindable(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port between ${CHOSEN_PORTS.min} and ${CHOSEN_PORTS.max}`);
}

/** Sends PING over a plain socket; resolves true on +PONG. */
function pingOnce(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = WAIT_MS, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

export interface RedisLaunchOptions {
  /** A config file to start from (written for this port), e.g. for a sentinel. */
  configFile?: (port: number) => string;
  /** More arguments, e.g. for cluster mode. */
  extraArgs?: (port: number) => string[];
}

async function launch(binary: string, port: number, options: RedisLaunchOptions): Promise<ChildProcess> {
  const args = [
    ...(options.configFile ? [options.configFile(port)] : []),
    ...["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"],
    ...(options.extraArgs ? options.extraArgs(port) : []),
  ];
  const child = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
  // Never leave a server behind, even when the process ends without stopping it.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  child.once("exit", () => process.off("exit", killOnExit));
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let running = true;
  const gone = exited(child).then(() => {
    running = false;
    return false;
  });
  const up = waitFor(`redis-server on port ${port}`, async () => !running || (await pingOnce(port))).then(
    () => running,
    () => false,
  );
  if (!(await Promise.race([up, gone]))) {
    await terminate(child);
    throw new Error(`redis-server did not start on port ${port}: ${stderr.slice(0, 400)}`);
  }
  return child;
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await done;
  clearTimeout(timer);
}

/** Starts a redis-server this process owns, on a free port. */
export async function startOwnedRedis(options: RedisLaunchOptions = {}): Promise<OwnedRedis> {
  const binary = redisServerBinary();
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    try {
      child = await launch(binary, port, options);
    } catch (error) {
      if (attempt === 4) throw error;
    }
  }
  let current: ChildProcess | undefined = child;
  return {
    url: `redis://127.0.0.1:${port}`,
    prefix: `test:${randomBytes(6).toString("hex")}:`,
    owned: true,
    port,
    async stop() {
      if (current) await terminate(current);
      current = undefined;
    },
    async restart() {
      if (current) await terminate(current);
      current = await launch(binary, port, options);
    },
    pid() {
      if (!current?.pid) throw new Error("redis-server is not running");
      return current.pid;
    },
  };
}

/** REDIS_URL when set, otherwise a throwaway server. */
export async function startTestRedis(): Promise<TestRedis> {
  const external = process.env["REDIS_URL"];
  if (external) return { url: external, prefix: `test:${randomBytes(6).toString("hex")}:`, owned: false, stop: async () => {} };
  return startOwnedRedis();
}
