/**
 * The broker's attribute services, built from configuration once per broker:
 * secrets from the environment, TLS files and metadata read, a resolver per
 * service. A service whose configuration cannot be used is kept as that
 * failure, so every login that needs it fails closed with the reason.
 */
import { readFileSync } from "node:fs";
import { EnvironmentValueError, readEnvironmentValue } from "../../config/environment-value.js";
import { XmlError } from "../../xml/xml-error.js";
import type { BrokerContext } from "../../broker-context.js";
import { DEFAULT_BPP_LIMITS, type BppLimits } from "../../profiles/bpp-codec.js";
import type { AttributeServiceConfig, UserIdentifierChoice } from "../../config/attribute-service-schema.js";
import { readAttributeAuthorityMetadata } from "./attribute-authority-metadata.js";
import { AttributeQueryResolver } from "./attribute-query-resolver.js";
import type { TlsMaterial } from "./bounded-http.js";
import { RestPrivilegeResolver } from "./rest-resolver.js";
import { AttributeServiceError, type PrivilegeResolver } from "./types.js";

export interface RegisteredAttributeService {
  config: AttributeServiceConfig;
  resolver: PrivilegeResolver | AttributeServiceError;
}

const built = new WeakMap<BrokerContext, Map<string, RegisteredAttributeService>>();

function readTls(files: { cert: string; key: string; ca: string } | undefined): TlsMaterial | undefined {
  if (!files) return undefined;
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path, "utf8");
    } catch (error) {
      throw new AttributeServiceError("misconfigured", `cannot read mutual TLS ${what} ${path}: ${(error as Error).message}`);
    }
  };
  return { cert: read(files.cert, "certificate"), key: read(files.key, "key"), ca: read(files.ca, "CA") };
}

function bppLimitsFor(service: AttributeServiceConfig): BppLimits {
  return { ...DEFAULT_BPP_LIMITS, maxEncodedChars: Math.min(DEFAULT_BPP_LIMITS.maxEncodedChars, service.maxResponseBytes) };
}

/** Builds one service's resolver; throws AttributeServiceError("misconfigured") when its configuration cannot be used. */
export function buildResolver(service: AttributeServiceConfig, broker: BrokerContext, env: NodeJS.ProcessEnv = process.env, subject: UserIdentifierChoice = "nameId"): PrivilegeResolver {
  const tls = readTls(service.mutualTls);
  if (service.kind === "rest") {
    let apiKey: { header: string; value: string } | undefined;
    if (service.apiKey) {
      let value: string | undefined;
      try {
        value = readEnvironmentValue(env, service.apiKey.env);
      } catch (error) {
        if (error instanceof EnvironmentValueError) throw new AttributeServiceError("misconfigured", `the API key: ${error.message}`);
        throw error;
      }
      if (value === undefined || value.trim() === "") throw new AttributeServiceError("misconfigured", `environment variable ${service.apiKey.env} (the API key) is not set, nor ${service.apiKey.env}_FILE`);
      apiKey = { header: service.apiKey.header, value: value.trim() };
    }
    return new RestPrivilegeResolver({
      serviceId: service.id,
      baseUrl: service.baseUrl,
      path: service.path,
      systemParameter: service.systemParameter,
      format: service.format,
      apiKey,
      tls,
      timeoutMs: service.timeoutMs,
      maxResponseBytes: service.maxResponseBytes,
      bppLimits: bppLimitsFor(service),
    });
  }
  let metadataXml: string;
  try {
    metadataXml = readFileSync(service.metadata, "utf8");
  } catch (error) {
    throw new AttributeServiceError("misconfigured", `cannot read metadata ${service.metadata}: ${(error as Error).message}`);
  }
  let metadata;
  try {
    metadata = readAttributeAuthorityMetadata(metadataXml, new Date(broker.now()));
  } catch (error) {
    if (error instanceof XmlError) throw new AttributeServiceError("misconfigured", `metadata ${service.metadata}: ${error.reason}: ${error.message}`);
    throw error;
  }
  return new AttributeQueryResolver({
    serviceId: service.id,
    metadata,
    allowSha1: service.allowSha1,
    privilegesAttribute: service.privilegesAttribute,
    subjectIsNameId: subject === "nameId",
    broker: {
      entityId: broker.config.entityId,
      // Read at each use: a key rollover moves signing to the next key while the broker runs.
      get signing() {
        return broker.keys.signing;
      },
      signatureAlgorithm: broker.signatureAlgorithm,
      decryptionKeys: broker.keys.decryption.map((key) => key.privateKeyPem),
    },
    tls,
    timeoutMs: service.timeoutMs,
    maxResponseBytes: service.maxResponseBytes,
    clockSkewMs: broker.config.timing.clockSkewSeconds * 1000,
    xmlLimits: { ...broker.xmlLimits, maxBytes: service.maxResponseBytes },
    bppLimits: bppLimitsFor(service),
    now: broker.now,
  });
}

/**
 * The registered service with this id, for an IdP that asks it with the given
 * identifier. Resolvers are built on first use and kept for the broker's life.
 */
export function attributeService(broker: BrokerContext, id: string, subject: UserIdentifierChoice): RegisteredAttributeService | undefined {
  let services = built.get(broker);
  if (!services) {
    services = new Map();
    built.set(broker, services);
  }
  const key = `${id}\u0000${JSON.stringify(subject)}`;
  const existing = services.get(key);
  if (existing) return existing;
  const config = (broker.config.attributeServices ?? []).find((s) => s.id === id);
  if (!config) return undefined;
  let resolver: PrivilegeResolver | AttributeServiceError;
  try {
    resolver = buildResolver(config, broker, process.env, subject);
  } catch (error) {
    if (!(error instanceof AttributeServiceError)) throw error;
    resolver = error;
    broker.log.error({ event: "attribute_service_misconfigured", attributeService: id, detail: error.message }, `attribute service ${id} cannot be used`);
  }
  const registered = { config, resolver };
  services.set(key, registered);
  return registered;
}
