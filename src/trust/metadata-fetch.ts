/**
 * One conditional GET of a party's metadata URL, bounded: a deadline for the
 * whole exchange, a cap on the document's size (counted while it streams),
 * UTF-8 text only. With the validators of the last accepted copy
 * (ETag, Last-Modified) the server may answer 304: nothing changed.
 */
export interface Validators {
  etag?: string | undefined;
  lastModified?: string | undefined;
}

export type FetchedMetadata = { kind: "unchanged" } | { kind: "fetched"; xml: string; validators: Validators };

export class MetadataFetchError extends Error {
  constructor(
    /** unreachable | timeout | http_status | too_large | not_text */
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = "MetadataFetchError";
  }
}

export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
}

/** The body, refused (too_large) as soon as more than `maxBytes` have arrived. */
export async function readBounded(body: ReadableStream<Uint8Array>, maxBytes: number, what = "metadata"): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new MetadataFetchError("too_large", `${what} is larger than ${maxBytes} bytes`);
    }
    chunks.push(Buffer.from(value));
  }
}

export async function fetchMetadata(url: string, validators: Validators, limits: FetchLimits): Promise<FetchedMetadata> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  const headers: Record<string, string> = { accept: "application/samlmetadata+xml, application/xml, text/xml" };
  if (validators.etag !== undefined) headers["if-none-match"] = validators.etag;
  if (validators.lastModified !== undefined) headers["if-modified-since"] = validators.lastModified;
  try {
    const response = await fetch(url, { headers, signal, redirect: "error" });
    if (response.status === 304) {
      await response.body?.cancel();
      return { kind: "unchanged" };
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new MetadataFetchError("http_status", `HTTP ${response.status}`);
    }
    const declared = Number(response.headers.get("content-length") ?? "0");
    if (declared > limits.maxBytes) {
      await response.body?.cancel();
      throw new MetadataFetchError("too_large", `metadata is larger than ${limits.maxBytes} bytes (Content-Length ${declared})`);
    }
    const bytes = response.body ? await readBounded(response.body, limits.maxBytes) : Buffer.alloc(0);
    let xml: string;
    try {
      xml = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new MetadataFetchError("not_text", "metadata is not UTF-8 text");
    }
    return { kind: "fetched", xml, validators: { etag: response.headers.get("etag") ?? undefined, lastModified: response.headers.get("last-modified") ?? undefined } };
  } catch (error) {
    if (error instanceof MetadataFetchError) throw error;
    if (signal.aborted) throw new MetadataFetchError("timeout", `no answer within ${limits.timeoutMs} ms`);
    const cause = (error as { cause?: { code?: string } }).cause;
    throw new MetadataFetchError("unreachable", `cannot fetch metadata${cause?.code ? ` (${cause.code})` : ""}: ${(error as Error).message.slice(0, 200)}`);
  }
}
