/**
 * HTTP-Redirect binding: DEFLATE + base64 in the query string, with a detached
 * signature over the exact octets received (SAMLRequest|SAMLResponse,
 * RelayState, SigAlg, in that order).
 */
import { constants, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { publicKeyOf } from "./public-keys.js";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { SIGNATURE_ALGORITHM, allowedSignatureAlgorithms, type AlgorithmPolicy, type SignatureAlgorithm } from "./algorithms.js";
import { SamlError } from "./saml-error.js";
import { decodeBase64Strict } from "./post-binding.js";

export type MessageKind = "SAMLRequest" | "SAMLResponse";

export interface RedirectMessage {
  kind: MessageKind;
  xml: string;
  relayState: string | undefined;
  /** Present when the query carries a Signature. */
  signature: { sigAlg: string; value: Buffer; signedOctets: string } | undefined;
}

export interface RedirectLimits {
  maxEncodedBytes: number;
  maxInflatedBytes: number;
  maxRelayStateBytes: number;
}

function nodeSignatureParams(algorithm: string): { hash: string; pss: boolean } | undefined {
  switch (algorithm) {
    case SIGNATURE_ALGORITHM.rsaSha256:
      return { hash: "sha256", pss: false };
    case SIGNATURE_ALGORITHM.rsaSha512:
      return { hash: "sha512", pss: false };
    case SIGNATURE_ALGORITHM.rsaPssSha256:
      return { hash: "sha256", pss: true };
    case SIGNATURE_ALGORITHM.rsaSha1:
      return { hash: "sha1", pss: false };
    default:
      return undefined;
  }
}

/** Parses the raw query string, keeping each parameter's original encoding for the signature. */
export function decodeRedirect(rawQuery: string, limits: RedirectLimits): RedirectMessage {
  if (rawQuery.length > limits.maxEncodedBytes) throw new SamlError("message_too_large", "query string is too long");
  const raw = new Map<string, string>();
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? "" : part.slice(eq + 1);
    if (["SAMLRequest", "SAMLResponse", "RelayState", "SigAlg", "Signature"].includes(name)) {
      if (raw.has(name)) throw new SamlError("binding_invalid", `query parameter ${name} appears more than once`);
      raw.set(name, value);
    }
  }
  const hasRequest = raw.has("SAMLRequest");
  const hasResponse = raw.has("SAMLResponse");
  if (hasRequest === hasResponse) throw new SamlError("binding_invalid", "query must carry exactly one of SAMLRequest or SAMLResponse");
  const kind: MessageKind = hasRequest ? "SAMLRequest" : "SAMLResponse";
  const decode = (value: string): string => {
    try {
      return decodeURIComponent(value.replace(/\+/g, " "));
    } catch {
      throw new SamlError("binding_invalid", "query parameter is not valid URL encoding");
    }
  };
  const deflated = decodeBase64Strict(decode(raw.get(kind)!), limits.maxEncodedBytes);
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(deflated, { maxOutputLength: limits.maxInflatedBytes });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ERR_BUFFER_TOO_LARGE" || /maxOutputLength|too large/i.test((error as Error).message)) {
      throw new SamlError("message_too_large", `inflated message is larger than ${limits.maxInflatedBytes} bytes`);
    }
    throw new SamlError("binding_invalid", "message is not valid DEFLATE data");
  }
  const relayState = raw.has("RelayState") ? decode(raw.get("RelayState")!) : undefined;
  if (relayState !== undefined && Buffer.byteLength(relayState) > limits.maxRelayStateBytes) {
    throw new SamlError("relay_state_too_long", `RelayState is longer than ${limits.maxRelayStateBytes} bytes`);
  }
  let signature: RedirectMessage["signature"];
  if (raw.has("Signature") || raw.has("SigAlg")) {
    if (!raw.has("Signature") || !raw.has("SigAlg")) throw new SamlError("binding_invalid", "Signature and SigAlg must come together");
    const parts = [`${kind}=${raw.get(kind)}`];
    if (raw.has("RelayState")) parts.push(`RelayState=${raw.get("RelayState")}`);
    parts.push(`SigAlg=${raw.get("SigAlg")}`);
    signature = {
      sigAlg: decode(raw.get("SigAlg")!),
      value: decodeBase64Strict(decode(raw.get("Signature")!), 4096),
      signedOctets: parts.join("&"),
    };
  }
  return { kind, xml: inflated.toString("utf8"), relayState, signature };
}

/** Verifies the detached signature of a decoded redirect message against trusted certificates only. */
export function verifyRedirectSignature(message: RedirectMessage, trustedCertificates: readonly string[], policy: AlgorithmPolicy): void {
  if (!message.signature) throw new SamlError("signature_missing", "redirect message is not signed");
  if (trustedCertificates.length === 0) throw new SamlError("no_trusted_key", "no trusted signing certificate is configured for this party");
  const { sigAlg, value, signedOctets } = message.signature;
  if (!allowedSignatureAlgorithms(policy).includes(sigAlg)) throw new SamlError("algorithm_not_allowed", `signature algorithm ${sigAlg} is not allowed`);
  const params = nodeSignatureParams(sigAlg)!;
  for (const certificate of trustedCertificates) {
    const key = publicKeyOf(certificate);
    const ok = cryptoVerify(params.hash, Buffer.from(signedOctets, "utf8"), keyOptions(key, params.pss), value);
    if (ok) return;
  }
  throw new SamlError("signature_invalid", "redirect signature did not verify with any trusted key");
}

function keyOptions(key: KeyObject, pss: boolean): KeyObject | { key: KeyObject; padding: number; saltLength: number } {
  return pss ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : key;
}

/** Builds a signed HTTP-Redirect URL for `xml`. */
export function encodeRedirect(
  destination: string,
  kind: MessageKind,
  xml: string,
  relayState: string | undefined,
  signing: { privateKey: KeyObject; algorithm: SignatureAlgorithm },
): string {
  const encoded = encodeURIComponent(deflateRawSync(Buffer.from(xml, "utf8")).toString("base64"));
  const parts = [`${kind}=${encoded}`];
  if (relayState !== undefined) parts.push(`RelayState=${encodeURIComponent(relayState)}`);
  parts.push(`SigAlg=${encodeURIComponent(signing.algorithm)}`);
  const signedOctets = parts.join("&");
  const params = nodeSignatureParams(signing.algorithm)!;
  const signatureValue = cryptoSign(params.hash, Buffer.from(signedOctets, "utf8"), keyOptions(signing.privateKey, params.pss) as KeyObject);
  const query = `${signedOctets}&Signature=${encodeURIComponent(signatureValue.toString("base64"))}`;
  return `${destination}${destination.includes("?") ? "&" : "?"}${query}`;
}
