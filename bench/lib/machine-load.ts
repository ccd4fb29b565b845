/**
 * How busy the machine was while a part ran, and how much of that was the
 * benchmark itself (this process and every process below it: brokers, load
 * generator, demo parties, Redis). A part during which other processes took
 * more than NOISY_SHARE of the machine is marked noisy: its throughput and
 * latency say more about the neighbours than about the broker (CPU per login
 * is affected least).
 */
import { readFileSync, readdirSync } from "node:fs";
import { cpus } from "node:os";

/** Other processes may use at most this share of all cores before a part is called noisy. */
export const NOISY_SHARE = 0.15;

const TICKS_PER_SECOND = 100;

interface Snapshot {
  /** Busy and total ticks of the whole machine (/proc/stat). */
  busyTicks: number;
  totalTicks: number;
  /** CPU ticks of the benchmark's process tree so far, by pid (a process that ended keeps its last reading). */
  treeTicks: Map<number, number>;
}

export interface PartLoad {
  part: string;
  seconds: number;
  /** Cores kept busy on average: by anything, by the benchmark's processes, by the others. */
  machineCores: number;
  benchCores: number;
  otherCores: number;
  noisy: boolean;
}

function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n").find((l) => l.startsWith("cpu "));
    const fields = (line ?? "").trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return total > 0 ? { busy: total - idle, total } : undefined;
  } catch {
    return undefined;
  }
}

/** utime + stime and parent pid of every process, from /proc (a child's time is counted under its own pid, sampled while it lives). */
function processTable(): Map<number, { ppid: number; ticks: number }> {
  const table = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      table.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended while we read.
    }
  }
  return table;
}

function treeTicks(root: number, previous: Map<number, number>): Map<number, number> {
  const table = processTable();
  const inTree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, { ppid }] of table) {
      if (!inTree.has(pid) && inTree.has(ppid)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  const out = new Map(previous);
  for (const pid of inTree) out.set(pid, table.get(pid)?.ticks ?? out.get(pid) ?? 0);
  return out;
}

/** Watches the machine while parts run; `measure` wraps one part. Without /proc (not Linux) it records nothing. */
export class MachineLoad {
  readonly parts: PartLoad[] = [];
  private known = new Map<number, number>();

  async measure<T>(part: string, run: () => Promise<T>): Promise<T> {
    const start = this.snapshot();
    const startedAt = Date.now();
    // Processes appear and go while a part runs: the tree is sampled along the way so their CPU is counted.
    const sampler = setInterval(() => {
      this.known = treeTicks(process.pid, this.known);
    }, 500);
    try {
      return await run();
    } finally {
      clearInterval(sampler);
      const end = this.snapshot();
      if (start && end) this.parts.push(loadBetween(part, start, end, (Date.now() - startedAt) / 1000));
    }
  }

  private snapshot(): Snapshot | undefined {
    const machine = machineTicks();
    if (!machine) return undefined;
    this.known = treeTicks(process.pid, this.known);
    return { busyTicks: machine.busy, totalTicks: machine.total, treeTicks: new Map(this.known) };
  }
}

function loadBetween(part: string, start: Snapshot, end: Snapshot, seconds: number): PartLoad {
  const cores = cpus().length;
  const totalDelta = end.totalTicks - start.totalTicks;
  const machineCores = totalDelta > 0 ? ((end.busyTicks - start.busyTicks) / totalDelta) * cores : 0;
  let benchTicks = 0;
  for (const [pid, ticks] of end.treeTicks) benchTicks += ticks - (start.treeTicks.get(pid) ?? 0);
  const benchCores = seconds > 0 ? benchTicks / TICKS_PER_SECOND / seconds : 0;
  const otherCores = Math.max(0, machineCores - benchCores);
  const round = (n: number) => Math.round(n * 100) / 100;
  return { part, seconds: round(seconds), machineCores: round(machineCores), benchCores: round(benchCores), otherCores: round(otherCores), noisy: otherCores > NOISY_SHARE * cores };
}
