/**
 * Privileges from a SAML AttributeQuery attribute service over SOAP on a
 * loopback port, with real signatures: the query the broker signs and the
 * checks on the answer.
 */
import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createBrokerFixture, MUNICIPALITY_CVR } from "../support/broker-fixture.js";
import { defaultAttributes } from "../support/saml-peers.js";
import { testKey } from "../support/keys.js";
import { attributeAuthorityMetadata, authorityAnswer, bppBase64, privilegeGroups, readQuery } from "../support/attribute-services.js";
import { JOB_ROLE, USER_SYSTEM_ROLE } from "../support/uris.js";
import { NAMEID_FORMAT, STATUS } from "../../src/saml/namespaces.js";
import { OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { MemoryStore } from "../../src/store/memory-store.js";
import { GROUPS_CLAIM, grantedRoles, login, NAME_ID, refused, ROLE_MAPPINGS, serve, upstream, useAttributeServices } from "./attribute-world.js";

useAttributeServices();

describe("SAML AttributeQuery attribute service", () => {
  const SERVICE_ENTITY_ID = "https://attributter.kommune.test";

  async function samlFixture(handler: (query: ReturnType<typeof readQuery>, brokerCert: string) => string, privilegeSource: Record<string, unknown> = {}) {
    const authority = await testKey("attribute-authority");
    let brokerCert = "";
    const server = await serve((request, response) => {
      response.setHeader("content-type", "text/xml");
      response.end(handler(readQuery(request.body, brokerCert), brokerCert));
    });
    const base = await createBrokerFixture();
    const metadata = join(base.dir, "attribute-authority.xml");
    writeFileSync(metadata, attributeAuthorityMetadata(SERVICE_ENTITY_ID, `${server.url}/soap`, authority));
    const fixture = await createBrokerFixture({
      store: new MemoryStore(),
      config: { attributeServices: [{ id: "attributter", kind: "attribute-query", displayName: "Test Kommunes attributservice", metadata, cacheSeconds: 0, retries: 0 }] },
      idp: { privilegeSource: { from: "attribute-service", attributeService: "attributter", userIdentifier: "nameId", ...privilegeSource } },
      sp: { roleMappings: ROLE_MAPPINGS },
    });
    brokerCert = fixture.keys.brokerSigning.certificatePem;
    return { fixture, server, authority };
  }

  it("sends a signed query for the user's NameID and releases the privileges of the verified answer", async () => {
    const queries: Array<ReturnType<typeof readQuery>> = [];
    const { fixture, server, authority } = await samlFixture((query) => {
      queries.push(query);
      return authorityAnswer(SERVICE_ENTITY_ID, authorityKey, "https://saml.broker.test", query, { privileges: bppBase64(privilegeGroups(MUNICIPALITY_CVR, [{ role: JOB_ROLE.manager }])) });
    });
    const authorityKey = authority;
    const context = await login(fixture);
    expect(grantedRoles(context)).toEqual([`${USER_SYSTEM_ROLE.approval} @${MUNICIPALITY_CVR}`]);
    expect(queries).toHaveLength(1);
    expect(queries[0]!.nameId).toBe(NAME_ID);
    expect(queries[0]!.nameIdFormat).toBe(NAMEID_FORMAT.x509SubjectName);
    expect(queries[0]!.issuer).toBe("https://saml.broker.test");
    expect(queries[0]!.attributes.map((a) => a.name)).toEqual([OIOSAML3.privilegesIntermediate]);
    expect(server.requests[0]!.headers["soapaction"]).toBe('"http://www.oasis-open.org/committees/security"');
  });

  it("refuses an answer signed with a key that is not in the service's metadata", async () => {
    const attacker = await testKey("attacker");
    const { fixture } = await samlFixture((query) => authorityAnswer(SERVICE_ENTITY_ID, attacker, "https://saml.broker.test", query, { privileges: bppBase64(privilegeGroups(MUNICIPALITY_CVR, [{ role: JOB_ROLE.manager }])) }));
    const error = await refused(login(fixture));
    expect(error.reason).toBe("attribute_service_untrusted");
    expect(error.message).toContain("signature_invalid");
  });

  it("refuses an unsigned assertion, one about another subject, another query or another audience", async () => {
    const cases: Array<[Parameters<typeof authorityAnswer>[4], string]> = [
      [{ signWith: null }, "attribute_service_untrusted"],
      [{ nameId: `C=DK,O=${MUNICIPALITY_CVR},CN=Bo,Serial=bo` }, "attribute_service_wrong_subject"],
      [{ inResponseTo: "_another-query" }, "attribute_service_untrusted"],
      [{ audience: "https://saml.someone-else.test" }, "attribute_service_untrusted"],
      [{ issuer: "https://impostor.test" }, "attribute_service_untrusted"],
      [{ notOnOrAfter: Date.now() - 3_600_000 }, "attribute_service_untrusted"],
    ];
    for (const [answer, reason] of cases) {
      const holder: { key?: Awaited<ReturnType<typeof testKey>> } = {};
      const { fixture, authority } = await samlFixture((query) => authorityAnswer(SERVICE_ENTITY_ID, holder.key!, "https://saml.broker.test", query, { privileges: bppBase64([]), ...answer }));
      holder.key = authority;
      expect((await refused(login(fixture))).reason, JSON.stringify(answer)).toBe(reason);
    }
  });

  it("treats UnknownPrincipal as a user the service does not know", async () => {
    const { fixture } = await samlFixture((query) =>
      authorityAnswer(SERVICE_ENTITY_ID, undefined as never, "https://saml.broker.test", query, { status: STATUS.responder, subStatus: "urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal" }),
    );
    expect((await refused(login(fixture))).reason).toBe("attribute_service_unknown_user");
  });

  it("asks by the configured identifier and passes IdP claims along as attributes", async () => {
    const queries: Array<ReturnType<typeof readQuery>> = [];
    const holder: { key?: Awaited<ReturnType<typeof testKey>> } = {};
    const { fixture, authority } = await samlFixture(
      (query) => {
        queries.push(query);
        return authorityAnswer(SERVICE_ENTITY_ID, holder.key!, "https://saml.broker.test", query, { privileges: bppBase64([]) });
      },
      { userIdentifier: "uuid", forwardClaims: [{ attribute: GROUPS_CLAIM, parameter: "group" }] },
    );
    holder.key = authority;
    await login(fixture, upstream([...defaultAttributes({ [OIOSAML3.privilegesIntermediate]: undefined }), { name: GROUPS_CLAIM, values: ["g1"] }]));
    expect(queries[0]!.nameId).toBe("8c1d7e5e-3f0a-4b8e-9c51-0d2a7e4b6f11");
    expect(queries[0]!.nameIdFormat).toBe(NAMEID_FORMAT.unspecified);
    expect(queries[0]!.attributes).toEqual([{ name: OIOSAML3.privilegesIntermediate, values: [] }, { name: GROUPS_CLAIM, values: ["g1"] }]);
  });
});
