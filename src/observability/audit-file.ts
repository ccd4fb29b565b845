/**
 * The audit file: JSON lines appended one at a time (in order, never two at
 * once), rotated when it would grow past `rotateBytes` or when the UTC day
 * changes, and rotated files pruned once they are older than `retentionDays`.
 * A rotated file is named after the moment it was closed:
 * `audit.jsonl.20261205T074700Z` (with `-2`, `-3`, ... if that name is taken).
 */
import { appendFile, mkdir, readdir, rename, stat, unlink } from "node:fs/promises";
import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";

export interface AuditFileSettings {
  file: string;
  rotateBytes: number;
  rotateDaily: boolean;
  retentionDays: number;
}

const ROTATED = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:-\d+)?$/;
const DAY_MS = 86_400_000;

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** When a rotated file was closed, from its name; undefined for other files. */
function closedAt(name: string, prefix: string): number | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const match = ROTATED.exec(name.slice(prefix.length));
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
}

/** The rotated files of `file`, oldest first, then `file` itself: what `explain` reads. */
export function auditFilesOf(file: string): string[] {
  const prefix = `${basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(file));
  } catch {
    return [file];
  }
  const rotated = names.filter((name) => closedAt(name, prefix) !== undefined).sort();
  return [...rotated.map((name) => join(dirname(file), name)), file];
}

export class AuditFile {
  private queue: Promise<unknown> = Promise.resolve();
  private size: number | undefined;
  private day: string | undefined;

  constructor(
    private readonly settings: AuditFileSettings,
    private readonly now: () => number,
  ) {}

  /** Appends one line; rejects when it could not be written. Lines are written in the order they were given. */
  write(line: string): Promise<void> {
    const written = this.queue.then(() => this.writeNow(`${line}\n`));
    this.queue = written.catch(() => undefined);
    return written;
  }

  private async writeNow(text: string): Promise<void> {
    const { file } = this.settings;
    const now = this.now();
    if (this.size === undefined || this.day === undefined) {
      await mkdir(dirname(file), { recursive: true });
      const existing = await stat(file).catch(() => undefined);
      this.size = existing?.size ?? 0;
      this.day = utcDay(existing ? existing.mtimeMs : now);
      await this.prune(now);
    }
    const bytes = Buffer.byteLength(text);
    const tooBig = this.size > 0 && this.size + bytes > this.settings.rotateBytes;
    const newDay = this.settings.rotateDaily && this.size > 0 && this.day !== utcDay(now);
    if (tooBig || newDay) {
      await this.rotate(now);
      await this.prune(now);
    }
    await appendFile(file, text, { encoding: "utf8", mode: 0o640 });
    this.size += bytes;
    this.day = utcDay(now);
  }

  private async rotate(now: number): Promise<void> {
    const { file } = this.settings;
    let target = `${file}.${stamp(now)}`;
    for (let n = 2; existsSync(target); n++) target = `${file}.${stamp(now)}-${n}`;
    await rename(file, target);
    this.size = 0;
  }

  /** Deletes rotated files closed more than retentionDays ago. */
  private async prune(now: number): Promise<void> {
    const { file, retentionDays } = this.settings;
    const prefix = `${basename(file)}.`;
    for (const name of await readdir(dirname(file))) {
      const closed = closedAt(name, prefix);
      if (closed !== undefined && now - closed > retentionDays * DAY_MS) await unlink(join(dirname(file), name));
    }
  }
}
