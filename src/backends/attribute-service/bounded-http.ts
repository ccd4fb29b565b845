/**
 * One HTTP exchange with an attribute service, bounded: a deadline for the
 * whole exchange (AbortSignal), a cap on the answer's size (counted while it
 * streams, never buffered beyond the cap), optional client certificate and a
 * pinned CA for mutual TLS. Failures become AttributeServiceError.
 */
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import { AttributeServiceError } from "./types.js";

export interface TlsMaterial {
  cert: string;
  key: string;
  ca: string;
}

export interface BoundedRequest {
  method: "GET" | "POST";
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxResponseBytes: number;
  tls?: TlsMaterial | undefined;
}

export interface BoundedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export function boundedRequest(input: BoundedRequest): Promise<BoundedResponse> {
  const signal = AbortSignal.timeout(input.timeoutMs);
  const https = input.url.protocol === "https:";
  if (!https && input.url.protocol !== "http:") return Promise.reject(new AttributeServiceError("misconfigured", `unsupported URL scheme ${input.url.protocol}`));
  const headers: Record<string, string> = { ...input.headers };
  if (input.body !== undefined) headers["content-length"] = String(Buffer.byteLength(input.body, "utf8"));
  return new Promise<BoundedResponse>((resolve, reject) => {
    let settled = false;
    const fail = (error: AttributeServiceError) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    const options = {
      method: input.method,
      headers,
      signal,
      ...(https && input.tls ? { cert: input.tls.cert, key: input.tls.key, ca: input.tls.ca } : {}),
    };
    const request = (https ? httpsRequest : httpRequest)(input.url, options, (response) => {
      const declared = Number(response.headers["content-length"] ?? "0");
      if (declared > input.maxResponseBytes) {
        response.destroy();
        fail(new AttributeServiceError("malformed", `answer is larger than ${input.maxResponseBytes} bytes (Content-Length ${declared})`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > input.maxResponseBytes) {
          response.destroy();
          fail(new AttributeServiceError("malformed", `answer is larger than ${input.maxResponseBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on("end", () => {
        if (settled) return;
        let body: string;
        try {
          body = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
        } catch {
          fail(new AttributeServiceError("malformed", "answer is not UTF-8 text"));
          return;
        }
        settled = true;
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
      });
      response.on("error", (error) => fail(classify(error, signal, input.timeoutMs)));
    });
    request.on("error", (error) => fail(classify(error, signal, input.timeoutMs)));
    if (input.body !== undefined) request.write(input.body);
    request.end();
  });
}

function classify(error: Error, signal: AbortSignal, timeoutMs: number): AttributeServiceError {
  if (signal.aborted) return new AttributeServiceError("timeout", `no answer within ${timeoutMs} ms`);
  const code = (error as NodeJS.ErrnoException).code;
  return new AttributeServiceError("unreachable", `cannot reach the service${code ? ` (${code})` : ""}: ${error.message.split("\n")[0]?.slice(0, 200) ?? ""}`);
}
