/** Reading audit records back from JSON-lines text for one correlation id (lines that are not such records are skipped). */
export function findAuditRecords<T extends { correlationId: string }>(jsonLines: string, correlationId: string, isRecord: (value: unknown) => value is T): T[] {
  const out: T[] = [];
  for (const line of jsonLines.split("\n")) {
    if (!line.includes(correlationId)) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    if (isRecord(parsed) && parsed.correlationId === correlationId) out.push(parsed);
  }
  return out;
}
