/**
 * A REST attribute service that requires mutual TLS, on a loopback port: the
 * broker presents its client certificate and accepts only a server
 * certificate from the configured CA.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:https";
import { webcrypto } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { RestPrivilegeResolver } from "../../src/backends/attribute-service/rest-resolver.js";
import { AttributeServiceError } from "../../src/backends/attribute-service/types.js";
import { DEFAULT_BPP_LIMITS } from "../../src/profiles/bpp-codec.js";
import { bppBase64, privilegeGroups } from "../support/attribute-services.js";
import { testKey } from "../support/keys.js";

interface Pem {
  key: string;
  cert: string;
}

async function loopbackServerCertificate(): Promise<Pem> {
  const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=rollekatalog.test",
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    keys,
    signingAlgorithm: algorithm,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: "ip", value: "127.0.0.1" }]), new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey)).toString("base64");
  return { key: `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join("\n")}\n-----END PRIVATE KEY-----\n`, cert: certificate.toString("pem") };
}

describe("REST attribute service over mutual TLS", () => {
  let server: Server;
  let url: string;
  let dir: string;
  let serverPem: Pem;
  const clientSubjects: string[] = [];

  beforeAll(async () => {
    serverPem = await loopbackServerCertificate();
    const client = await testKey("attribute-client");
    dir = mkdtempSync(join(tmpdir(), "mtls-"));
    writeFileSync(join(dir, "client.crt"), client.certificatePem);
    writeFileSync(join(dir, "client.key"), client.privateKeyPem);
    writeFileSync(join(dir, "ca.crt"), serverPem.cert);
    server = createServer({ key: serverPem.key, cert: serverPem.cert, ca: client.certificatePem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      clientSubjects.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? ""));
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ oioBPP: bppBase64(privilegeGroups("29189846", [{ role: "http://k.dk/roles/jobrole/a/1" }])) }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const query = { userId: "anna", nameId: "anna", nameIdFormat: undefined, cvr: "29189846", systemId: "s", claims: [], correlationId: "c" };

  function resolver(tls: { cert: string; key: string; ca: string } | undefined) {
    return new RestPrivilegeResolver({
      serviceId: "rk",
      baseUrl: url,
      path: "/api/user/{userId}/roles",
      systemParameter: "system",
      format: "os2rollekatalog",
      apiKey: undefined,
      tls,
      timeoutMs: 2_000,
      maxResponseBytes: 65_536,
      bppLimits: DEFAULT_BPP_LIMITS,
    });
  }

  it("presents the client certificate and trusts the configured CA", async () => {
    const client = await testKey("attribute-client");
    const answer = await resolver({ cert: client.certificatePem, key: client.privateKeyPem, ca: serverPem.cert }).resolve(query);
    expect(answer.kind).toBe("privileges");
    expect(answer.kind === "privileges" && answer.decoded.list.groups[0]?.privileges).toEqual(["http://k.dk/roles/jobrole/a/1"]);
    expect(clientSubjects.at(-1)).toBe("test attribute-client");
  });

  it("fails without the client certificate, and against a server the CA did not issue", async () => {
    const noClient = await resolver(undefined).resolve(query).catch((error: unknown) => error);
    expect(noClient).toBeInstanceOf(AttributeServiceError);
    expect((noClient as AttributeServiceError).failure).toBe("unreachable");
    const client = await testKey("attribute-client");
    const other = await loopbackServerCertificate();
    const wrongCa = await resolver({ cert: client.certificatePem, key: client.privateKeyPem, ca: other.cert }).resolve(query).catch((error: unknown) => error);
    expect((wrongCa as AttributeServiceError).failure).toBe("unreachable");
  });
});
