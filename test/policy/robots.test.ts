/** Robot (RPA) users through the whole hop: served under NIST requirements, refused under NSIS. */
import { describe, expect, it } from "vitest";
import { logReasons, MUNICIPALITY_CVR } from "../support/broker-fixture.js";
import { defaultAttributes } from "../support/saml-peers.js";
import { JOB_ROLE, USER_SYSTEM_ROLE } from "../support/uris.js";
import { STATUS } from "../../src/saml/namespaces.js";
import { LEGACY, OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { jobRoles, login, policyFixture, releasedPrivileges } from "./policy-world.js";

describe("robots", () => {
  const robotNameId = `C=DK,O=${MUNICIPALITY_CVR},CN=RPA Robot 7,Serial=robot-7`;
  const robotAttributes = () =>
    defaultAttributes({ [OIOSAML3.loa]: undefined, [LEGACY.assuranceLevel]: "3", [OIOSAML3.privilegesIntermediate]: jobRoles([{ role: JOB_ROLE.robot }]) });

  it("are refused, with a clear error, by a fagsystem that requires an NSIS level", async () => {
    const fixture = await policyFixture({ sp: { requiredLevel: { nsis: "Low" } } });
    const outcome = await login(fixture, { nameId: robotNameId, attributes: robotAttributes(), classRef: "urn:dk:gov:saml:attribute:AssuranceLevel:3" });
    expect(outcome.answer.statusCode).toBe(STATUS.responder);
    expect(outcome.answer.subStatusCode).toBe(STATUS.noAuthnContext);
    expect(outcome.answer.statusMessage).toContain("IdP test-kommune logged in a robot");
    expect(outcome.page).toContain("Robot users cannot log in to a system that requires an NSIS assurance level");
    expect(await logReasons(fixture)).toContain("robot_not_allowed");
  });

  it("are refused under NSIS even when the IdP asserts an NSIS level for them", async () => {
    const fixture = await policyFixture({ sp: { requiredLevel: { nsis: "Substantial" } } });
    const outcome = await login(fixture, { nameId: robotNameId });
    expect(outcome.answer.subStatusCode).toBe(STATUS.noAuthnContext);
    expect(await logReasons(fixture)).toContain("robot_not_allowed");
  });

  it("are served under a NIST requirement, with their translated roles", async () => {
    const fixture = await policyFixture({ sp: { requiredLevel: { nist: 3 } } });
    const outcome = await login(fixture, { nameId: robotNameId, attributes: robotAttributes(), classRef: "urn:dk:gov:saml:attribute:AssuranceLevel:3" });
    expect(outcome.answer.statusCode).toBe(STATUS.success);
    expect(releasedPrivileges(outcome)).toContain(`<Privilege>${USER_SYSTEM_ROLE.batch}</Privilege>`);
  });

  it("are recognised by an attribute when the IdP's registration says so", async () => {
    const fixture = await policyFixture({ idp: { robot: { attribute: { name: "https://idp.kommune.test/robot", value: "true" } } }, sp: { requiredLevel: { nsis: "Substantial" } } });
    const attributes = [...defaultAttributes(), { name: "https://idp.kommune.test/robot", values: ["true"] }];
    expect((await login(fixture, { attributes })).answer.subStatusCode).toBe(STATUS.noAuthnContext);
    expect((await login(fixture)).answer.statusCode).toBe(STATUS.success);
  });
});
