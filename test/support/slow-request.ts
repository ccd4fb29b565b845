/**
 * An HTTP request sent in two parts over a raw socket: the headers and the
 * first half of the body now, the rest when the test says. It keeps a request
 * in flight for as long as a test needs (within the server's request timeout).
 */
import { createConnection, type Socket } from "node:net";
import { once } from "node:events";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface SlowRequest {
  /** Sends the rest of the body and resolves with the response. */
  finish(): Promise<RawResponse>;
  /** Resolves when the server closed the connection without a response, rejects on a response. */
  closedUnanswered(): Promise<void>;
}

function parseResponse(raw: string): RawResponse {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) throw new Error(`no complete response: ${raw.slice(0, 200)}`);
  const [statusLine = "", ...headerLines] = raw.slice(0, end).split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const at = line.indexOf(":");
    headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  return { status: Number(statusLine.split(" ")[1]), headers, body: raw.slice(end + 4) };
}

export async function startSlowPost(url: string, path: string, form: string): Promise<SlowRequest> {
  const { hostname, port } = new URL(url);
  const socket: Socket = createConnection({ host: hostname, port: Number(port) });
  await once(socket, "connect");
  let received = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => (received += chunk));
  const ended = new Promise<string>((resolve) => socket.once("close", () => resolve(received)));
  const body = Buffer.from(form);
  const half = Math.floor(body.length / 2);
  socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
  socket.write(body.subarray(0, half));
  return {
    async finish() {
      socket.write(body.subarray(half));
      return parseResponse(await ended);
    },
    async closedUnanswered() {
      const raw = await ended;
      if (raw !== "") throw new Error(`the server answered: ${raw.slice(0, 200)}`);
    },
  };
}
