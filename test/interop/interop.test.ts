/**
 * Interop with real, independent SAML implementations (Debian packages), all on loopback:
 *
 *   A. Shibboleth SP 3 (the fagsystem) logs a person in through the broker at SimpleSAMLphp 1.19 (the
 *      municipality), with a scripted browser; Shibboleth must accept the broker's signed and encrypted
 *      assertion and hand the application the OIOSAML 3 attributes.
 *   B. The broker's assertion verified independently: xmlsec1 on the decrypted assertion with the broker's
 *      certificate, and pysaml2 parsing the Response against the broker's published IdP metadata.
 *   C. Both peers load the broker's published metadata without complaint, by their own logs.
 *   (D, Single Logout, is in single-logout.test.ts, with its own world of peers.)
 *
 * Run with `npm run test:interop` (installs the Debian packages when missing; needs root). A failing test
 * prints the peers' own logs. INTEROP_KEEP=1 keeps the temporary folder for inspection.
 *
 * The scenarios share one world of peer processes (harness/suite.ts) and run in order: B reads the
 * logins of A. Logging in, reading the broker's Response and the world itself are in harness/.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MUNICIPALITY, TRANSLATED_PRIVILEGES_BASE64, TRANSLATED_PRIVILEGES_XML, TEST_USER, XMLSEC1_COMPATIBLE_REGISTRATION } from "./harness/environment.js";
import { CHECKS_DIR, DEBIAN_PYTHON, run, writeFile } from "./harness/util.js";
import { NS, children, parse } from "./harness/xmlsec.js";
import { ALG, decryptForShibboleth, encryptionAlgorithms, ID_ATTRIBUTES, withPlainAssertion } from "./harness/broker-response.js";
import { describeLogin, loginAtShibboleth, type Login } from "./harness/shibboleth-login.js";
import { diagnosed, readLog, useInteropEnvironment, world, xmlsecTool } from "./harness/suite.js";
import { EXPECTED_SHIBD_WARNINGS } from "./harness/shibboleth.js";

const NSIS_SUBSTANTIAL = "https://data.gov.dk/concept/core/nsis/loa/Substantial";
const ATTRNAME_FORMAT_URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri";

useInteropEnvironment();

let oiosaml3Login: Login | undefined;
let compatibleLogin: Login | undefined;

describe("A: Shibboleth SP 3 logs in through the broker at SimpleSAMLphp 1.19", () => {
  it("accepts the broker's signed assertion encrypted as OIOSAML 3 prescribes, and shows the expected attributes", async () => {
    await diagnosed("Scenario A (OIOSAML 3 encryption)", async () => {
      const { sp, broker, idp } = world();
      const login = await loginAtShibboleth();
      oiosaml3Login = login;
      expect(login.page.status, describeLogin(login)).toBe(200);
      expect(login.page.url).toBe(sp.protectedUrl);
      // shibd consumed the broker's Response at its ACS and sent the person on to the protected page
      const atAcs = login.browser.hops.find((h) => h.method === "POST" && h.url === sp.acsUrl);
      expect(atAcs?.status, describeLogin(login)).toBe(302);
      expect(atAcs?.location).toBe(sp.protectedUrl);

      const v = login.variables;
      expect(v.get("AUTH_TYPE")).toBe("shibboleth");
      expect(v.get("Shib-Identity-Provider")).toBe(broker.entityId);
      expect(v.get("Shib-AuthnContext-Class")).toBe(NSIS_SUBSTANTIAL);
      expect(v.get("oio-specVersion")).toBe("OIO-SAML-3.0");
      expect(v.get("oio-kombitSpecVer")).toBe("2.0");
      expect(v.get("dk-KombitSpecVer")).toBe("2.0");
      expect(v.get("oio-loa")).toBe("Substantial");
      // a fagsystem registered with an NSIS level gets the NSIS loa, not the NIST AssuranceLevel
      expect(v.get("dk-AssuranceLevel")).toBeUndefined();
      expect(v.get("oio-cvr")).toBe(MUNICIPALITY.cvr);
      // orgName comes from the broker's register of organisations, not from the IdP
      expect(v.get("oio-orgName")).toBe(MUNICIPALITY.name);
      expect(v.get("oio-email")).toBe(TEST_USER.email);
      // the IdP sent urn:uuid:<uuid>; the broker normalises it
      expect(v.get("oio-professional-uuid")).toBe(TEST_USER.uuid);
      // the IdP's job-function roles, translated into the fagsystem's user-system roles (the unmapped one dropped)
      expect(Buffer.from(v.get("oio-privilegesIntermediate") ?? "", "base64").toString("utf8")).toBe(TRANSLATED_PRIVILEGES_XML);
      expect(v.get("oio-privilegesIntermediate")).toBe(TRANSLATED_PRIVILEGES_BASE64);
      const nameId = `https://data.gov.dk/model/core/eid/professional/uuid/${TEST_USER.uuid}`;
      expect(v.get("persistent-id")).toBe(`${broker.entityId}!${sp.entityId}!${nameId}`);
      expect(v.get("REMOTE_USER")).toBe(`${broker.entityId}!${sp.entityId}!${nameId}`);

      // what Shibboleth accepted: one EncryptedAssertion, no plain assertion, OIOSAML 3 algorithms
      const response = parse(login.brokerResponse).documentElement!;
      expect(children(response, NS.saml, "EncryptedAssertion")).toHaveLength(1);
      expect(children(response, NS.saml, "Assertion")).toHaveLength(0);
      expect(children(response, NS.ds, "Signature")).toHaveLength(0);
      expect(encryptionAlgorithms(login.brokerResponse)).toEqual(expect.arrayContaining([ALG.aes256gcm, ALG.rsaOaep11, ALG.mgf1sha256, ALG.sha256]));
      // ... and the assertion inside was signed by the broker, as shibd logged after decrypting it
      const verifiedLines = (await readLog(sp.logFiles["shibd.log"]!)).split("\n").filter((line) => line.includes("signature verified against message issuer"));
      expect(verifiedLines.length).toBeGreaterThan(0);

      // the Session handler lists the same attributes
      const session = await login.browser.request("GET", `${sp.baseUrl}/Shibboleth.sso/Session`);
      expect(session.body).toContain(broker.entityId);
      expect(session.body).toMatch(/oio-cvr[^\n]*29189846/);
      expect(idp.entityId).not.toBe(broker.entityId);
    });
  });

  it("the broker asked SimpleSAMLphp with a signed AuthnRequest naming the fagsystem, and got an encrypted, signed answer", async () => {
    await diagnosed("Scenario A (broker toward SimpleSAMLphp)", async () => {
      const { sp, broker, idp } = world();
      const login = oiosaml3Login;
      if (!login) throw new Error("the first login of scenario A did not run");
      expect(login.upstreamRequest.query.get("SigAlg")).toBe(ALG.rsaSha256);
      expect(login.upstreamRequest.query.get("Signature")).toBeTruthy();
      const request = parse(login.upstreamRequest.xml).documentElement!;
      expect(request.localName).toBe("AuthnRequest");
      expect(children(request, NS.saml, "Issuer")[0]?.textContent).toBe(broker.entityId);
      expect(request.getAttribute("AssertionConsumerServiceURL")).toBe(`${broker.baseUrl}/saml/acs`);
      const requesterId = children(children(request, NS.samlp, "Scoping")[0]!, NS.samlp, "RequesterID")[0];
      expect(requesterId?.textContent).toBe(sp.entityId);
      expect(login.upstreamRequest.xml).toContain(NSIS_SUBSTANTIAL);

      const answer = parse(login.idpResponse).documentElement!;
      expect(children(answer, NS.saml, "Issuer")[0]?.textContent).toBe(idp.entityId);
      expect(children(answer, NS.saml, "EncryptedAssertion")).toHaveLength(1);
      // SimpleSAMLphp 1.19 encrypts with aes128-cbc and rsa-oaep-mgf1p whatever the broker's metadata lists
      expect(encryptionAlgorithms(login.idpResponse)).toEqual(expect.arrayContaining([ALG.aes128cbc, ALG.rsaOaepMgf1p]));
      expect(children(answer, NS.ds, "Signature")).toHaveLength(1);
      // SimpleSAMLphp checked the AuthnRequest's signature (the broker's metadata says AuthnRequestsSigned)
      const sspLog = await readLog(idp.logFiles["SimpleSAMLphp log"]!);
      expect(sspLog.includes(`incoming authentication request: '${broker.entityId}'`), "SimpleSAMLphp logged the broker's request").toBe(true);
      expect(sspLog.includes(`Sending SAML 2.0 Response to '${broker.entityId}'`), "SimpleSAMLphp logged its answer").toBe(true);
    });
  });

  it("accepts the xmlsec1-compatible per-SP encryption setting (aes256-gcm with rsa-oaep-mgf1p) as well", async () => {
    await diagnosed("Scenario A (rsa-oaep-mgf1p registration)", async () => {
      const { sp, broker } = world();
      await broker.reregisterServiceProvider(XMLSEC1_COMPATIBLE_REGISTRATION);
      const login = await loginAtShibboleth();
      compatibleLogin = login;
      expect(login.page.status, describeLogin(login)).toBe(200);
      expect(login.page.url).toBe(sp.protectedUrl);
      expect(login.variables.get("oio-cvr")).toBe(MUNICIPALITY.cvr);
      expect(login.variables.get("oio-privilegesIntermediate")).toBe(TRANSLATED_PRIVILEGES_BASE64);
      const algorithms = encryptionAlgorithms(login.brokerResponse);
      expect(algorithms).toEqual(expect.arrayContaining([ALG.aes256gcm, ALG.rsaOaepMgf1p]));
      expect(algorithms).not.toContain(ALG.rsaOaep11);
    });
  });
});

describe("B: the broker's assertion, verified independently", () => {
  it("xmlsec1 decrypts it and verifies the assertion's signature with the broker's certificate only", async () => {
    await diagnosed("Scenario B (xmlsec1)", async () => {
      const { broker, idp } = world();
      const login = compatibleLogin;
      if (!login) throw new Error("the rsa-oaep-mgf1p login of scenario A did not run");
      const { document, assertion, assertionId } = await decryptForShibboleth(login.brokerResponse);
      expect(children(parse(login.brokerResponse).documentElement!, NS.ds, "Signature")).toHaveLength(0);
      expect(children(assertion, NS.ds, "Signature")).toHaveLength(1);

      const verified = await xmlsecTool().verify(document, assertionId, broker.signingCertPath, ID_ATTRIBUTES);
      expect(verified.ok, verified.output).toBe(true);
      // the signature covers this very assertion (no wrapping)
      expect(verified.referenceUri).toBe(`#${assertionId}`);

      // negative controls: another certificate, or a changed attribute value, must fail
      const foreignKey = await xmlsecTool().verify(document, assertionId, idp.certPath, ID_ATTRIBUTES);
      expect(foreignKey.ok, foreignKey.output).toBe(false);
      expect(document).toContain(`>${MUNICIPALITY.cvr}<`);
      const tampered = await xmlsecTool().verify(document.replace(`>${MUNICIPALITY.cvr}<`, ">11111111<"), assertionId, broker.signingCertPath, ID_ATTRIBUTES);
      expect(tampered.ok, tampered.output).toBe(false);
    });
  });

  it("pysaml2 parses the Response against the broker's published IdP metadata", async () => {
    await diagnosed("Scenario B (pysaml2)", async () => {
      const { sp, broker, idp, published, root } = world();
      const login = compatibleLogin;
      if (!login) throw new Error("the rsa-oaep-mgf1p login of scenario A did not run");
      const responseFile = writeFile(join(root, "checks", "broker-response.xml"), login.brokerResponse);
      const parseAs = (entityId: string) =>
        run(DEBIAN_PYTHON, [join(CHECKS_DIR, "pysaml2_parse_response.py"), responseFile, published.brokerAsIdpPath, entityId, sp.acsUrl, sp.keyPath, sp.certPath], { timeoutMs: 60_000 });
      const result = await parseAs(sp.entityId);
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
      const parsed = JSON.parse(result.stdout) as {
        issuer: string;
        destination: string;
        nameId: string;
        nameIdFormat: string;
        audiences: string[];
        authnContextClassRefs: string[];
        authenticatingAuthorities: string[];
        assertionSigned: boolean;
        responseSigned: boolean;
        assertionWasEncrypted: boolean;
        attributes: Array<{ name: string; nameFormat: string; values: string[] }>;
      };
      expect(parsed.issuer).toBe(broker.entityId);
      expect(parsed.destination).toBe(sp.acsUrl);
      expect(parsed.audiences).toEqual([sp.entityId]);
      expect(parsed.nameIdFormat).toBe("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent");
      expect(parsed.nameId).toBe(`https://data.gov.dk/model/core/eid/professional/uuid/${TEST_USER.uuid}`);
      expect(parsed.authnContextClassRefs).toEqual([NSIS_SUBSTANTIAL]);
      expect(parsed.authenticatingAuthorities).toContain(idp.entityId);
      expect(parsed.assertionSigned).toBe(true);
      expect(parsed.responseSigned).toBe(false);
      expect(parsed.assertionWasEncrypted).toBe(true);
      const attribute = (name: string) => parsed.attributes.find((a) => a.name === name);
      for (const [name, value] of [
        ["https://data.gov.dk/model/core/specVersion", "OIO-SAML-3.0"],
        ["https://data.gov.dk/concept/core/nsis/loa", "Substantial"],
        ["https://data.gov.dk/model/core/eid/professional/cvr", MUNICIPALITY.cvr],
        ["https://data.gov.dk/model/core/eid/professional/orgName", MUNICIPALITY.name],
        ["https://data.gov.dk/model/core/eid/privilegesIntermediate", TRANSLATED_PRIVILEGES_BASE64],
      ] as const) {
        expect(attribute(name), name).toEqual({ name, nameFormat: ATTRNAME_FORMAT_URI, values: [value] });
      }

      // negative control: the same Response is refused by an SP it was not addressed to
      const other = await parseAs("http://127.0.0.1:1/another-sp");
      expect(other.code).not.toBe(0);
      expect(other.stderr).toContain("REJECTED");
    });
  });
});

describe("C: the peers load the broker's published metadata without complaint", () => {
  it("shibd loads the broker's IdP metadata, verifies its signature, and logs no error", async () => {
    await diagnosed("Scenario C (Shibboleth)", async () => {
      const { sp, published } = world();
      const shibd = await readLog(sp.logFiles["shibd.log"]!);
      expect(shibd.includes(`loaded XML resource (${published.brokerAsIdpPath})`), "shibd.log names the broker's metadata file").toBe(true);
      expect(shibd.includes("applying metadata filter (Signature)"), "shibd.log shows the Signature filter applied").toBe(true);
      expect(shibd.split("\n").filter((line) => / (ERROR|CRIT|FATAL) /.test(line))).toEqual([]);
      for (const log of ["shibd_warn.log", "mod_shib native.log"]) {
        const unexpected = (await readLog(sp.logFiles[log]!)).split("\n").filter((line) => / (WARN|ERROR|CRIT|FATAL) /.test(line) && !EXPECTED_SHIBD_WARNINGS.some((p) => p.test(line)));
        expect(unexpected, log).toEqual([]);
      }
      const apache = (await readLog(sp.logFiles["apache error log"]!)).split("\n").filter((line) => /\[[a-z_]+:(warn|error|crit|alert|emerg)\]/.test(line));
      expect(apache).toEqual([]);
      expect(await sp.status()).toContain("<Status><OK/></Status>");
    });
  });

  it("SimpleSAMLphp reads the broker's SP metadata as the broker means it, and logs no error", async () => {
    await diagnosed("Scenario C (SimpleSAMLphp)", async () => {
      const { idp, broker } = world();
      const seen = await idp.describeRemoteSp(broker.entityId);
      expect(seen["entityid"]).toBe(broker.entityId);
      expect(seen["AssertionConsumerService"]).toEqual([
        expect.objectContaining({ Binding: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST", Location: `${broker.baseUrl}/saml/acs` }),
      ]);
      expect(seen["validate.authnrequest"]).toBe(true);
      expect(seen["signingKeys"]).toBeGreaterThanOrEqual(1);
      expect(seen["encryptionKeys"]).toBeGreaterThanOrEqual(1);
      const sspLog = (await readLog(idp.logFiles["SimpleSAMLphp log"]!)).split("\n");
      expect(sspLog.filter((line) => /SimpleSAMLphp (WARNING|ERR|ERROR|CRITICAL|ALERT|EMERGENCY) /.test(line))).toEqual([]);
      const phpServer = (await readLog(idp.logFiles["SimpleSAMLphp php -S output"]!)).split("\n");
      expect(phpServer.filter((line) => /PHP (Warning|Fatal|Parse error|Deprecated)|\[5\d\d\]/.test(line))).toEqual([]);
    });
  });

  it("both metadata documents carry the broker's valid signature (xmlsec1)", async () => {
    await diagnosed("Scenario C (metadata signatures)", async () => {
      const { broker, published } = world();
      for (const xml of [published.brokerAsSp, published.brokerAsIdp]) {
        const id = parse(xml).documentElement!.getAttribute("ID") ?? "";
        const verified = await xmlsecTool().verify(xml, id, broker.signingCertPath, [`${NS.md}:EntityDescriptor`]);
        expect(verified.ok, verified.output).toBe(true);
        expect(verified.referenceUri).toBe(`#${id}`);
      }
    });
  });
});

describe("A (negative): Shibboleth rejects a broker assertion whose signature no longer verifies", () => {
  it("accepts the decrypted assertion unchanged, and refuses it once a signed value is altered in transit", async () => {
    await diagnosed("Scenario A (tampering)", async () => {
      const { sp } = world();
      const substitute = (tamper: boolean) => async (url: string, fields: Record<string, string>) => {
        if (url !== sp.acsUrl || fields["SAMLResponse"] === undefined) return fields;
        const response = Buffer.from(fields["SAMLResponse"], "base64").toString("utf8");
        const { document } = await decryptForShibboleth(response);
        const plain = /<saml:Assertion\b[\s\S]*<\/saml:Assertion>/.exec(document)?.[0] ?? "";
        const assertion = tamper ? plain.replace(`>${MUNICIPALITY.cvr}<`, ">11111111<") : plain;
        return { ...fields, SAMLResponse: Buffer.from(withPlainAssertion(response, assertion), "utf8").toString("base64") };
      };
      const unchanged = await loginAtShibboleth(substitute(false));
      expect(unchanged.page.status, describeLogin(unchanged)).toBe(200);
      expect(unchanged.variables.get("oio-cvr")).toBe(MUNICIPALITY.cvr);

      const altered = await loginAtShibboleth(substitute(true));
      expect(altered.brokerResponse).toContain(">11111111<");
      expect(altered.page.url).toBe(sp.acsUrl);
      expect(altered.page.status, describeLogin(altered)).toBeGreaterThanOrEqual(400);
      expect(altered.variables.get("oio-cvr")).toBeUndefined();
      // shibd says why, in its own words
      const complaints = (await readLog(sp.logFiles["shibd.log"]!)).split("\n").filter((line) => /WARN Shibboleth\.SSO\.SAML2 .*signature could not be verified/.test(line));
      expect(complaints.length).toBeGreaterThan(0);
    });
  });
});
