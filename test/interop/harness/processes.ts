/**
 * Every long-running peer process runs in its own process group (setsid), with its output in a log file, so
 * that stopping it stops its workers and children too (php -S workers, apache2 children) and nothing started
 * by the suite outlives it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";

export interface PeerProcess {
  name: string;
  pid: number;
  logFile: string;
  /** Exit code or signal once the group leader has exited. */
  exited: string | undefined;
  alive(): boolean;
}

interface Tracked extends PeerProcess {
  child: ChildProcess;
  done: Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ProcessGroups {
  private readonly running = new Map<string, Tracked>();
  /** Last resort if the test process ends without stopping its peers (a killed worker, a crash). */
  private readonly onExit = () => {
    for (const tracked of this.running.values()) signalGroup(tracked.pid, "SIGKILL");
  };

  constructor() {
    process.once("exit", this.onExit);
  }

  /** Starts `command` as the leader of a new process group; stdout and stderr go to `logFile`. */
  start(name: string, command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; logFile: string }): PeerProcess {
    if (this.running.has(name)) throw new Error(`${name} is already running`);
    mkdirSync(dirname(options.logFile), { recursive: true });
    const fd = openSync(options.logFile, "a");
    let child: ChildProcess;
    try {
      child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, detached: true, stdio: ["ignore", fd, fd] });
    } finally {
      closeSync(fd);
    }
    if (child.pid === undefined) throw new Error(`${name}: ${command} could not be started`);
    const tracked: Tracked = {
      name,
      pid: child.pid,
      logFile: options.logFile,
      exited: undefined,
      child,
      alive: () => tracked.exited === undefined,
      done: new Promise<void>((resolve) => {
        child.once("exit", (code, signal) => {
          tracked.exited = signal ?? String(code);
          resolve();
        });
        child.once("error", (error) => {
          tracked.exited = `error: ${error.message}`;
          resolve();
        });
      }),
    };
    this.running.set(name, tracked);
    return tracked;
  }

  /** SIGTERM to the whole group, then SIGKILL if it has not gone within `graceMs`. */
  async stop(name: string, graceMs = 5_000): Promise<void> {
    const tracked = this.running.get(name);
    if (!tracked) return;
    this.running.delete(name);
    signalGroup(tracked.pid, "SIGTERM");
    const gone = await Promise.race([tracked.done.then(() => true), sleep(graceMs).then(() => false)]);
    // the leader may be gone while members of its group (workers, children) are still shutting down
    const deadline = Date.now() + (gone ? 2_000 : 0);
    while (groupExists(tracked.pid) && Date.now() < deadline) await sleep(50);
    if (groupExists(tracked.pid)) signalGroup(tracked.pid, "SIGKILL");
    await Promise.race([tracked.done, sleep(1_000)]);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((name) => this.stop(name)));
    process.removeListener("exit", this.onExit);
  }

  names(): string[] {
    return [...this.running.keys()];
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is already gone
  }
}

function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
