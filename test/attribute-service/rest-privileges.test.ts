/**
 * Privileges from a REST attribute service (OS2rollekatalog shape and role
 * lists), through the real login steps (map, scope rule, translation): what
 * the broker asks, and which roles it releases.
 */
import { describe, expect, it } from "vitest";
import { MUNICIPALITY_CVR } from "../support/broker-fixture.js";
import { defaultAttributes } from "../support/saml-peers.js";
import { json } from "../support/attribute-services.js";
import { CONSTRAINT, JOB_ROLE, USER_SYSTEM_ROLE } from "../support/uris.js";
import { OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { API_KEY, FOREIGN_CVR, GROUPS_CLAIM, grantedRoles, login, refused, released, restFixture, rollekatalog, serve, SYSTEM_ID, upstream, useAttributeServices } from "./attribute-world.js";

useAttributeServices();

describe("REST attribute service (OS2rollekatalog shape)", () => {
  it("asks with the API key, the Serial and the system, and releases the translated roles", async () => {
    const server = await serve(rollekatalog([{ role: JOB_ROLE.caseworker, constraints: [{ name: CONSTRAINT.kleParametric, values: ["27.*", "29.03.*"] }] }, { role: JOB_ROLE.manager }]));
    const fixture = await restFixture(server, { privilegeSource: { forwardClaims: [{ attribute: GROUPS_CLAIM, parameter: "group" }] } });
    const attributes = [...defaultAttributes({ [OIOSAML3.privilegesIntermediate]: undefined }), { name: GROUPS_CLAIM, values: ["g-sag", "g-leder"] }];
    const context = await login(fixture, upstream(attributes));
    expect(grantedRoles(context)).toEqual([`${USER_SYSTEM_ROLE.caseHandling} @${MUNICIPALITY_CVR} ${CONSTRAINT.kle}=27.*|29.03.*`, `${USER_SYSTEM_ROLE.approval} @${MUNICIPALITY_CVR}`]);
    expect(server.requests).toHaveLength(1);
    const asked = new URL(server.requests[0]!.url, "http://x");
    expect(asked.pathname).toBe("/api/user/anna/roles");
    expect(asked.searchParams.getAll("system")).toEqual([SYSTEM_ID]);
    expect(asked.searchParams.getAll("group")).toEqual(["g-sag", "g-leder"]);
    expect(server.requests[0]!.headers["apikey"]).toBe(API_KEY);
  });

  it("reads a role list with constraints; roles without a CVR belong to the login's organisation", async () => {
    const server = await serve((_request, response) =>
      json(response, 200, [
        { role: JOB_ROLE.manager },
        { role: USER_SYSTEM_ROLE.caseHandling, constraints: [{ name: CONSTRAINT.kle, values: ["27.*"] }] },
      ]),
    );
    const fixture = await restFixture(server, { service: { format: "role-list" } });
    const context = await login(fixture);
    expect(grantedRoles(context)).toEqual([`${USER_SYSTEM_ROLE.approval} @${MUNICIPALITY_CVR}`, `${USER_SYSTEM_ROLE.caseHandling} @${MUNICIPALITY_CVR} ${CONSTRAINT.kle}=27.*`]);
  });

  it("drops groups scoped to a foreign CVR through the same scope rule as the IdP's", async () => {
    const server = await serve(rollekatalog([{ role: JOB_ROLE.manager, scopeCvr: FOREIGN_CVR }, { role: JOB_ROLE.caseworker, constraints: [{ name: CONSTRAINT.kleParametric, values: ["27.*"] }] }]));
    const fixture = await restFixture(server);
    const context = await login(fixture);
    expect(grantedRoles(context)).toEqual([`${USER_SYSTEM_ROLE.caseHandling} @${MUNICIPALITY_CVR} ${CONSTRAINT.kle}=27.*`]);
    const dropped = released(context).outcomes.filter((o) => o.outcome === "dropped");
    expect(dropped).toEqual([expect.objectContaining({ privilege: JOB_ROLE.manager, reason: "foreign_scope" })]);
  });

  it("refuses an answer about a user of another organisation", async () => {
    const server = await serve(rollekatalog([{ role: JOB_ROLE.manager }], `C=DK,O=${FOREIGN_CVR},CN=Anna Andersen,Serial=anna`));
    const fixture = await restFixture(server);
    const error = await refused(login(fixture));
    expect(error.reason).toBe("attribute_service_wrong_subject");
    expect(error.message).toContain(`CVR ${FOREIGN_CVR}`);
  });

  it("refuses a user the service does not know, unless configured to carry on without privileges", async () => {
    const server = await serve((_request, response) => json(response, 404, { error: "unknown" }));
    expect((await refused(login(await restFixture(server)))).reason).toBe("attribute_service_unknown_user");
    const lenient = await login(await restFixture(server, { service: { unknownUser: "no-privileges" } }));
    expect(released(lenient).list.groups).toEqual([]);
  });

  it("does not ask the service for a fagsystem that needs no privileges", async () => {
    const server = await serve((_request, response) => json(response, 500, {}));
    const context = await login(await restFixture(server, { sp: { needsPrivileges: false } }));
    expect(released(context).list.groups).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });
});
