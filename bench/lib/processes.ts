/**
 * Benchmark child processes: the broker, the load generator and the demo
 * parties each run in their own Node process (TypeScript through tsx), and
 * talk to the orchestrator over the IPC channel with small request/answer
 * messages. Every child is bounded: it must report ready in time, every call
 * has a deadline, and a child that outlives its parent exits by itself.
 */
import { fork, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, isAbsolute, join } from "node:path";

const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const HERE = dirname(fileURLToPath(import.meta.url));

interface Call {
  id: number;
  method: string;
  params: unknown;
}
type Answer = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };
type ChildMessage = Answer | { ready: unknown } | { failed: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

export class BenchChild<Ready = unknown> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  private stderr = "";
  private exited = false;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly ready: Ready,
  ) {
    child.on("message", (message: unknown) => {
      if (!isObject(message) || typeof message["id"] !== "number") return;
      const answer = message as Answer;
      const waiting = this.pending.get(answer.id);
      if (!waiting) return;
      this.pending.delete(answer.id);
      clearTimeout(waiting.timer);
      if (answer.ok) waiting.resolve(answer.value);
      else waiting.reject(new Error(`${name}: ${answer.error}`));
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    child.once("exit", (code, signal) => {
      this.exited = true;
      for (const [, waiting] of this.pending) {
        clearTimeout(waiting.timer);
        waiting.reject(new Error(`${name} exited (${signal ?? code}) ${this.stderr.trim().slice(-800)}`));
      }
      this.pending.clear();
      LIVE.delete(this.child);
    });
  }

  /**
   * Starts `bench/lib/<entry>` with `args` (and Node flags `nodeFlags`) and waits until it reports ready.
   * An absolute `.js` entry (a compiled child) runs as plain JavaScript, without tsx.
   */
  static async start<R>(name: string, entry: string, args: string[], nodeFlags: string[] = [], readyTimeoutMs = 60_000): Promise<BenchChild<R>> {
    const compiled = isAbsolute(entry) && entry.endsWith(".js");
    const child = fork(compiled ? entry : join(HERE, entry), args, {
      execArgv: compiled ? nodeFlags : [...nodeFlags, "--import", TSX_LOADER],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: { ...process.env, NODE_ENV: "production" },
    });
    LIVE.add(child);
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const ready = await new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`${name} did not start within ${readyTimeoutMs} ms ${stderr.trim().slice(-800)}`));
      }, readyTimeoutMs);
      const onMessage = (message: ChildMessage) => {
        if (!isObject(message)) return;
        if ("ready" in message) {
          clearTimeout(timer);
          child.off("message", onMessage);
          resolve(message.ready as R);
        } else if ("failed" in message) {
          clearTimeout(timer);
          reject(new Error(`${name} failed to start: ${String(message.failed)}`));
        }
      };
      child.on("message", onMessage);
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited while starting (${signal ?? code}) ${stderr.trim().slice(-800)}`));
      });
    });
    return new BenchChild<R>(name, child, ready);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  call<T>(method: string, params: unknown = null, timeoutMs = 120_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} is not running`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: ${method} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      const call: Call = { id, method, params };
      this.child.send(call);
    });
  }

  /** Asks the child to stop; kills it when it does not exit within `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.call("stop", null, graceMs).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await gone;
    clearTimeout(timer);
  }
}

const LIVE = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of LIVE) child.kill("SIGKILL");
});

export type Handlers = Record<string, (params: never) => unknown>;

/**
 * The child's side: reports `ready` (or the start-up failure), answers calls,
 * and exits when the orchestrator goes away or asks it to stop.
 */
export function serveChild(start: () => Promise<{ ready: unknown; handlers: Handlers; stop: () => Promise<void> }>): void {
  const send = (message: ChildMessage) => process.send?.(message);
  process.once("disconnect", () => process.exit(0));
  start().then(
    ({ ready, handlers, stop }) => {
      process.on("message", (message: Call) => {
        if (!isObject(message) || typeof message.id !== "number") return;
        if (message.method === "stop") {
          stop().finally(() => {
            send({ id: message.id, ok: true, value: null });
            setImmediate(() => process.exit(0));
          });
          return;
        }
        const handler = handlers[message.method];
        if (!handler) {
          send({ id: message.id, ok: false, error: `unknown method ${message.method}` });
          return;
        }
        Promise.resolve()
          .then(() => handler(message.params as never))
          .then(
            (value) => send({ id: message.id, ok: true, value: value ?? null }),
            (error: unknown) => send({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
          );
      });
      send({ ready });
    },
    (error: unknown) => {
      send({ failed: error instanceof Error ? error.message : String(error) });
      setImmediate(() => process.exit(1));
    },
  );
}
