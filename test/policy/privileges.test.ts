/**
 * Privileges through the whole hop: the fagsystem receives exactly its
 * translated user-system roles, and each login's explanation says what
 * every incoming role became.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { logReasons, MUNICIPALITY_CVR } from "../support/broker-fixture.js";
import { defaultAttributes } from "../support/saml-peers.js";
import { CONSTRAINT, JOB_ROLE, USER_SYSTEM_ROLE } from "../support/uris.js";
import { STATUS } from "../../src/saml/namespaces.js";
import { OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { decodePrivilegesAttribute } from "../../src/profiles/bpp-codec.js";
import { findExplanations, formatExplanation } from "../../src/cli/explain-privileges.js";
import { findLogins, formatLogin } from "../../src/cli/explain-login.js";
import { EVERYTHING, jobRoles, login, NEIGHBOUR, policyFixture, releasedPrivileges, STRANGER } from "./policy-world.js";

describe("privileges: the fagsystem receives exactly its translated user-system roles", () => {
  it("translates job-function roles with parametric and static restrictions, keeps the delegated one, drops the rest", async () => {
    const fixture = await policyFixture();
    const outcome = await login(fixture, { attributes: defaultAttributes({ [OIOSAML3.privilegesIntermediate]: EVERYTHING }) });
    expect(outcome.answer.statusCode).toBe(STATUS.success);
    expect(releasedPrivileges(outcome)).toBe(
      '<bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile">' +
        `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${MUNICIPALITY_CVR}"><Privilege>${USER_SYSTEM_ROLE.caseHandling}</Privilege>` +
        `<Constraint Name="${CONSTRAINT.kle}">27.*</Constraint><Constraint Name="${CONSTRAINT.kle}">29.03.*</Constraint></PrivilegeGroup>` +
        `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${MUNICIPALITY_CVR}"><Privilege>${USER_SYSTEM_ROLE.approval}</Privilege>` +
        `<Constraint Name="${CONSTRAINT.orgUnit}">org-1</Constraint><Constraint Name="${CONSTRAINT.orgUnit}">org-2</Constraint></PrivilegeGroup>` +
        `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${NEIGHBOUR}"><Privilege>${USER_SYSTEM_ROLE.read}</Privilege></PrivilegeGroup>` +
        "</bpp:PrivilegeList>",
    );
    await new Promise((resolve) => setImmediate(resolve));
    const dropped = fixture.logs.find((l) => l["event"] === "privilege_scope_dropped" && l.correlationId === outcome.correlationId);
    expect(dropped?.["dropped"]).toEqual([{ privilege: JOB_ROLE.strangers, scope: `CVR ${STRANGER}`, reason: "foreign_scope" }]);
    const explained = fixture.logs.find((l) => l["event"] === "privileges_explained" && l.correlationId === outcome.correlationId);
    expect(explained?.["audit"]).toBe(true);
    expect(explained?.["counts"]).toEqual({ translated: 3, passedThrough: 0, dropped: 2 });
  });

  it("emits the itst.dk namespace to a fagsystem that reads only that one", async () => {
    const fixture = await policyFixture({ sp: { privilegeNamespace: "itst.dk" } });
    const outcome = await login(fixture, { attributes: defaultAttributes({ [OIOSAML3.privilegesIntermediate]: EVERYTHING }) });
    expect(releasedPrivileges(outcome)).toMatch(/^<bpp:PrivilegeList xmlns:bpp="http:\/\/itst\.dk\/oiosaml\/basic_privilege_profile"><PrivilegeGroup/);
  });

  it("passes through user-system roles of this system an IdP sends itself, and no others", async () => {
    const fixture = await policyFixture({ sp: { userSystemRoles: ["http://fagsystem.test/roles/usersystemrole/admin/1"] } });
    const sent = jobRoles([{ role: "http://fagsystem.test/roles/usersystemrole/admin/1" }, { role: "http://andet.test/roles/usersystemrole/admin/1" }, { role: USER_SYSTEM_ROLE.read }]);
    const outcome = await login(fixture, { attributes: defaultAttributes({ [OIOSAML3.privilegesIntermediate]: sent }) });
    expect(decodePrivilegesAttribute(outcome.attributes.get(OIOSAML3.privilegesIntermediate)![0]!).list.groups.map((g) => g.privileges[0])).toEqual([
      "http://fagsystem.test/roles/usersystemrole/admin/1",
      USER_SYSTEM_ROLE.read,
    ]);
  });

  it("ignores the privileges of an IdP not registered as sending job-function roles", async () => {
    const fixture = await policyFixture({ idp: { sendsJobFunctionRoles: false } });
    const outcome = await login(fixture, { attributes: defaultAttributes({ [OIOSAML3.privilegesIntermediate]: EVERYTHING }) });
    expect(releasedPrivileges(outcome)).toBe('<bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile"/>');
  });

  it.each([
    ["not base64", "%%% not base64 %%%", "bpp_not_base64"],
    ["not a PrivilegeList", Buffer.from("<roles><admin/></roles>").toString("base64"), "bpp_wrong_root"],
  ])("fails the login, naming the IdP, when the privileges are %s (never a silent pass)", async (_name, value, reason) => {
    const fixture = await policyFixture();
    const outcome = await login(fixture, { attributes: defaultAttributes({ [OIOSAML3.privilegesIntermediate]: value }) });
    expect(outcome.answer.statusCode).toBe(STATUS.responder);
    expect(outcome.answer.subStatusCode).toBe(STATUS.authnFailed);
    expect(outcome.answer.statusMessage).toContain(`IdP test-kommune sent malformed privileges (OIO-BPP, ${reason})`);
    expect(outcome.page).toContain("privileges from the municipal login could not be read");
    expect(await logReasons(fixture)).toContain("privileges_malformed");
  });
});

describe("the explanation of one login, by correlation id", () => {
  it("is appended to the audit file and read back by `explain <correlationId>`", async () => {
    const auditFile = join(mkdtempSync(join(tmpdir(), "broker-audit-")), "logs", "audit.jsonl");
    const configured = await policyFixture({ config: { audit: { file: auditFile } } });
    const outcome = await login(configured, { attributes: defaultAttributes({ [OIOSAML3.privilegesIntermediate]: EVERYTHING }) });
    const records = findExplanations(readFileSync(auditFile, "utf8"), outcome.correlationId);
    expect(records).toHaveLength(1);
    const text = formatExplanation(records[0]!);
    expect(text).toContain(`fagsystem test-fagsystem, IdP test-kommune, CVR ${MUNICIPALITY_CVR}, person, NSIS Substantial`);
    expect(text).toContain(`#1 ${JOB_ROLE.caseworker} [CVR ${MUNICIPALITY_CVR}] → ${USER_SYSTEM_ROLE.caseHandling} (${CONSTRAINT.kle}=27.*|29.03.*)`);
    expect(text).toContain(`#3 ${JOB_ROLE.canteen} [CVR ${MUNICIPALITY_CVR}] → dropped (no_mapping)`);
    expect(text).toContain(`#4 ${JOB_ROLE.substitute} [CVR ${NEIGHBOUR}] (delegated) → ${USER_SYSTEM_ROLE.read}`);
    expect(text).toContain(`#5 ${JOB_ROLE.strangers} [CVR ${STRANGER}] → dropped (foreign_scope)`);

    const cli = execFileSync(join("node_modules", ".bin", "tsx"), ["src/cli/main.ts", "explain", outcome.correlationId, "--audit-file", auditFile], { encoding: "utf8" });
    // How the login ended (its login record), then the explanation.
    const ended = findLogins(readFileSync(auditFile, "utf8"), outcome.correlationId);
    expect(ended).toHaveLength(1);
    expect(cli.trim()).toBe([formatLogin(ended[0]!), text].join("\n\n"));
    let missing = "";
    try {
      execFileSync(join("node_modules", ".bin", "tsx"), ["src/cli/main.ts", "explain", "no-such-login", "--audit-file", auditFile], { encoding: "utf8", stdio: "pipe" });
    } catch (error) {
      missing = String((error as { stderr?: string }).stderr);
    }
    expect(missing).toContain("no explanation for correlation id no-such-login");
  });
});
