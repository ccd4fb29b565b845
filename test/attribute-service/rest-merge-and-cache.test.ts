/**
 * A REST attribute service next to the assertion: privileges merged with or
 * instead of the IdP's, and a short cache in the state store.
 */
import { describe, expect, it } from "vitest";
import { createBrokerFixture, MUNICIPALITY_CVR, SP_ENTITY_ID } from "../support/broker-fixture.js";
import { defaultAttributes } from "../support/saml-peers.js";
import { bppBase64, privilegeGroups } from "../support/attribute-services.js";
import { CONSTRAINT, JOB_ROLE, USER_SYSTEM_ROLE } from "../support/uris.js";
import { OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { attributeServiceMetrics } from "../../src/backends/attribute-service/attribute-metrics.js";
import { CACHE_PREFIX, cacheKey } from "../../src/backends/attribute-service/attribute-cache.js";
import { MemoryStore } from "../../src/store/memory-store.js";
import { API_KEY_ENV, grantedRoles, login, NAME_ID, refused, released, restFixture, rollekatalog, ROLE_MAPPINGS, serve, upstream, useAttributeServices } from "./attribute-world.js";

useAttributeServices();

describe("REST attribute service (OS2rollekatalog shape): merging and caching", () => {
  it("merges the service's privileges with the assertion's, duplicates removed", async () => {
    const server = await serve(rollekatalog([{ role: JOB_ROLE.manager }, { role: JOB_ROLE.caseworker, constraints: [{ name: CONSTRAINT.kleParametric, values: ["29.*"] }] }]));
    const fixture = await restFixture(server, { privilegeSource: { from: "both" } });
    const fromIdp = bppBase64(privilegeGroups(MUNICIPALITY_CVR, [{ role: JOB_ROLE.manager }]));
    const context = await login(fixture, upstream(defaultAttributes({ [OIOSAML3.privilegesIntermediate]: fromIdp })));
    expect(grantedRoles(context)).toEqual([`${USER_SYSTEM_ROLE.approval} @${MUNICIPALITY_CVR}`, `${USER_SYSTEM_ROLE.caseHandling} @${MUNICIPALITY_CVR} ${CONSTRAINT.kle}=29.*`]);
    // The manager role counts once: from the assertion (position 1); the service's copy is not a second incoming role.
    const outcomes = released(context).outcomes;
    expect(outcomes.map((o) => [o.position, o.privilege, o.outcome])).toEqual([
      [1, JOB_ROLE.manager, "translated"],
      [3, JOB_ROLE.caseworker, "translated"],
    ]);
  });

  it("ignores the assertion's privileges when they come from the service only", async () => {
    const server = await serve(rollekatalog([{ role: JOB_ROLE.caseworker, constraints: [{ name: CONSTRAINT.kleParametric, values: ["27.*"] }] }]));
    const fixture = await restFixture(server);
    const fromIdp = bppBase64(privilegeGroups(MUNICIPALITY_CVR, [{ role: JOB_ROLE.manager }]));
    const context = await login(fixture, upstream(defaultAttributes({ [OIOSAML3.privilegesIntermediate]: fromIdp })));
    expect(grantedRoles(context)).toEqual([`${USER_SYSTEM_ROLE.caseHandling} @${MUNICIPALITY_CVR} ${CONSTRAINT.kle}=27.*`]);
    expect(released(context).outcomes[0]).toEqual(expect.objectContaining({ privilege: JOB_ROLE.manager, outcome: "dropped", reason: "idp_sends_no_roles" }));
  });

  it("answers a second login for the same user and system from the cache", async () => {
    const server = await serve(rollekatalog([{ role: JOB_ROLE.manager }]));
    const store = new MemoryStore();
    const fixture = await createBrokerFixture({
      store,
      config: {
        attributeServices: [{ id: "roller", kind: "rest", displayName: "Rollekatalog", baseUrl: server.url, apiKey: { env: API_KEY_ENV }, cacheSeconds: 60 }],
      },
      idp: { privilegeSource: { from: "attribute-service", attributeService: "roller" } },
      sp: { roleMappings: ROLE_MAPPINGS },
    });
    const hitsBefore = attributeServiceMetrics.count("roller", "cache_hit");
    const first = await login(fixture);
    const second = await login(fixture);
    expect(grantedRoles(second)).toEqual(grantedRoles(first));
    expect(grantedRoles(second)).toEqual([`${USER_SYSTEM_ROLE.approval} @${MUNICIPALITY_CVR}`]);
    expect(server.requests).toHaveLength(1);
    expect(attributeServiceMetrics.count("roller", "cache_hit") - hitsBefore).toBe(1);
    // Another user is not served from Anna's entry.
    await refused(login(fixture, upstream(undefined, `C=DK,O=${MUNICIPALITY_CVR},CN=Bo,Serial=bo`)));
    expect(server.requests).toHaveLength(2);
    const key = cacheKey("roller", { userId: "anna", nameId: NAME_ID, nameIdFormat: undefined, cvr: MUNICIPALITY_CVR, systemId: SP_ENTITY_ID, claims: [], correlationId: "any" });
    expect(key.startsWith(`${CACHE_PREFIX}roller:`)).toBe(true);
    expect(key).not.toContain("anna");
    expect(JSON.parse((await store.get(key))!)).toEqual(expect.objectContaining({ kind: "privileges" }));
  });
});
