/**
 * The audit file on a real filesystem: lines in order, rotation by size and
 * by UTC day, rotated files pruned after the retention, and `explain` reading
 * the rotated files with the current one.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuditFile, auditFilesOf } from "../../src/observability/audit-file.js";
import { explainCommand } from "../../src/cli/explain.js";

const root = mkdtempSync(join(tmpdir(), "broker-audit-file-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const DAY = 86_400_000;
const START = Date.UTC(2026, 11, 5, 10, 0, 0);

function folder(name: string): string {
  return join(root, name);
}

function clock(start: number): { now: () => number; advance: (ms: number) => void } {
  let at = start;
  return { now: () => at, advance: (ms) => (at += ms) };
}

describe("the audit file", () => {
  it("keeps every line, in the order given, when writes overlap", async () => {
    const file = join(folder("order"), "audit.jsonl");
    const audit = new AuditFile({ file, rotateBytes: 1 << 20, rotateDaily: true, retentionDays: 180 }, () => START);
    await Promise.all(Array.from({ length: 50 }, (_, i) => audit.write(JSON.stringify({ i }))));
    expect(readFileSync(file, "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { i: number }).i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("rotates before a line would take the file past rotateBytes", async () => {
    const file = join(folder("size"), "audit.jsonl");
    const audit = new AuditFile({ file, rotateBytes: 1024, rotateDaily: false, retentionDays: 180 }, clock(START).now);
    const line = "x".repeat(300);
    for (let i = 0; i < 7; i++) await audit.write(line);
    const files = auditFilesOf(file);
    // 3 lines of 301 bytes fit in 1024; the 4th and 7th start new files.
    expect(files).toHaveLength(3);
    expect(files.at(-1)).toBe(file);
    expect(files.map((f) => readFileSync(f, "utf8").split("\n").filter(Boolean).length)).toEqual([3, 3, 1]);
    for (const f of files) expect(readFileSync(f).length).toBeLessThanOrEqual(1024);
    expect(files[0]).toMatch(/audit\.jsonl\.20261205T100000Z$/);
    expect(files[1]).toMatch(/audit\.jsonl\.20261205T100000Z-2$/);
  });

  it("rotates when the UTC day changes", async () => {
    const file = join(folder("daily"), "audit.jsonl");
    const time = clock(START);
    const audit = new AuditFile({ file, rotateBytes: 1 << 20, rotateDaily: true, retentionDays: 180 }, time.now);
    await audit.write('{"day":1}');
    time.advance(DAY);
    await audit.write('{"day":2}');
    const files = auditFilesOf(file);
    expect(files).toHaveLength(2);
    expect(readFileSync(files[0]!, "utf8")).toBe('{"day":1}\n');
    expect(readFileSync(file, "utf8")).toBe('{"day":2}\n');
  });

  it("deletes rotated files closed more than retentionDays ago, and nothing else", async () => {
    const dir = folder("retention");
    const file = join(dir, "audit.jsonl");
    const time = clock(START);
    const audit = new AuditFile({ file, rotateBytes: 1 << 20, rotateDaily: true, retentionDays: 2 }, time.now);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "unrelated.txt"), "kept");
    for (let day = 0; day < 5; day++) {
      await audit.write(JSON.stringify({ day }));
      time.advance(DAY);
    }
    // Day d's file was closed on day d + 1. At the last write (day 4) day 0's, closed 3 days before, is gone;
    // day 1's, closed exactly 2 days before, is kept.
    const rotated = auditFilesOf(file).slice(0, -1).map((f) => readFileSync(f, "utf8").trim());
    expect(rotated).toEqual(['{"day":1}', '{"day":2}', '{"day":3}']);
    expect(readdirSync(dir)).toContain("unrelated.txt");
  });

  it("is read by explain across its rotated files", async () => {
    const file = join(folder("explain"), "audit.jsonl");
    const time = clock(START);
    const audit = new AuditFile({ file, rotateBytes: 1 << 20, rotateDaily: true, retentionDays: 180 }, time.now);
    const record = (correlationId: string) =>
      JSON.stringify({ kind: "login", at: new Date(time.now()).toISOString(), correlationId, outcome: "succeeded", entry: "resume", sp: "sp", idp: "idp", levelAsked: { kind: "any" }, privilegesReleased: 0, evidence: [] });
    await audit.write(record("yesterday"));
    time.advance(DAY);
    await audit.write(record("today"));
    expect(auditFilesOf(file)).toHaveLength(2);
    expect(explainCommand("yesterday", file)).toBe(0);
    expect(explainCommand("today", file)).toBe(0);
  });

  it("rejects a line it cannot write", async () => {
    const notAFolder = join(root, "not-a-folder");
    writeFileSync(notAFolder, "");
    const audit = new AuditFile({ file: join(notAFolder, "audit.jsonl"), rotateBytes: 1 << 20, rotateDaily: true, retentionDays: 180 }, () => START);
    await expect(audit.write("{}")).rejects.toThrow();
    // The next write is tried again (and fails again), not stuck behind the first.
    await expect(audit.write("{}")).rejects.toThrow();
  });
});
