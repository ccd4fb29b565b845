/**
 * A REST attribute service in the shape municipal role catalogues expose
 * (OS2rollekatalog: `GET {base}/api/user/{userId}/roles?system={systemId}`
 * with header `ApiKey`). Authenticated by an API key from the environment or
 * by mutual TLS. 404 means the service does not know the user.
 */
import type { BppLimits } from "../../profiles/bpp-codec.js";
import { boundedRequest, type TlsMaterial } from "./bounded-http.js";
import { readRestAnswer, type RestFormat } from "./rest-answer.js";
import { AttributeServiceError, type PrivilegeAnswer, type PrivilegeQuery, type PrivilegeResolver } from "./types.js";

export interface RestResolverSettings {
  serviceId: string;
  baseUrl: string;
  path: string;
  systemParameter: string;
  format: RestFormat;
  /** Header name and the key itself (read from the environment by the caller). */
  apiKey: { header: string; value: string } | undefined;
  tls: TlsMaterial | undefined;
  timeoutMs: number;
  maxResponseBytes: number;
  bppLimits: BppLimits;
}

export class RestPrivilegeResolver implements PrivilegeResolver {
  readonly serviceId: string;

  constructor(private readonly settings: RestResolverSettings) {
    this.serviceId = settings.serviceId;
  }

  /** The request URL: the user id URL-encoded into the path, the system and forwarded claims as query parameters. */
  url(query: PrivilegeQuery): URL {
    const base = this.settings.baseUrl.replace(/\/+$/, "");
    const url = new URL(base + this.settings.path.replace("{userId}", encodeURIComponent(query.userId)));
    url.searchParams.append(this.settings.systemParameter, query.systemId);
    for (const claim of query.claims) for (const value of claim.values) url.searchParams.append(claim.parameter, value);
    return url;
  }

  async resolve(query: PrivilegeQuery): Promise<PrivilegeAnswer> {
    const headers: Record<string, string> = { accept: "application/json", "x-correlation-id": query.correlationId };
    if (this.settings.apiKey) headers[this.settings.apiKey.header.toLowerCase()] = this.settings.apiKey.value;
    const response = await boundedRequest({
      method: "GET",
      url: this.url(query),
      headers,
      timeoutMs: this.settings.timeoutMs,
      maxResponseBytes: this.settings.maxResponseBytes,
      tls: this.settings.tls,
    });
    if (response.status === 404) return { kind: "unknown-user" };
    if (response.status !== 200) {
      throw new AttributeServiceError("http_status", `answered HTTP ${response.status}`, response.status >= 500 || response.status === 429);
    }
    const type = String(response.headers["content-type"] ?? "");
    if (!/^application\/([a-z.+-]*\+)?json\b/i.test(type)) throw new AttributeServiceError("malformed", `answer is ${type || "untyped"}, not JSON`);
    return { kind: "privileges", decoded: readRestAnswer(response.body, this.settings.format, query.cvr, this.settings.bppLimits) };
  }
}
