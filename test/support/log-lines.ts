/** A destination for the broker's log that keeps every line (as text), for tests that read the log of a run. */
import { Writable } from "node:stream";

export interface CapturedLog {
  destination: Writable;
  /** Every non-empty line written so far, in order. */
  lines: string[];
}

export function captureLogLines(): CapturedLog {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim() !== "") lines.push(line);
      callback();
    },
  });
  return { destination, lines };
}
