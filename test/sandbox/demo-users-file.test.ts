/**
 * The demo users file (config/demo-users/users.yaml): the shipped file gives the
 * demo's users as before, an invalid entry is refused naming its file, line
 * and field, and a changed file is read again (an invalid change keeps the
 * last good version).
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DemoUsersError, DemoUsersSource, loadDemoUsers, parseDemoUsers, SHIPPED_USERS_FILE } from "../../src/demo/demo-users-file.js";
import { DEMO_USERS, privilegesBase64 } from "../../src/demo/demo-users.js";
import { VEST_USERS } from "../../src/demo/demo-step-up.js";
import { SKY_USERS, skyClaims } from "../../src/demo/demo-entra.js";
import { decodePrivilegesAttribute } from "../../src/profiles/bpp-codec.js";

const dir = mkdtempSync(join(tmpdir(), "demo-users-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ONE_USER = `municipalities:
  - idp: demo-kommune
    name: Demo Kommune
    cvr: "29189846"
    users:
      - username: anna
        name: Anna Andersen
        email: anna@demo-kommune.dk
        uuid: 11111111-2222-4333-8444-555555555555
        nsis: Substantial
        roles:
          - { role: "http://demo-kommune.dk/roles/jobrole/sagsbehandler/1", kle: "27.*" }
`;

function errorOf(text: string): string {
  try {
    parseDemoUsers(text, "users.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(DemoUsersError);
    return (error as Error).message;
  }
  throw new Error("the file was accepted");
}

describe("the demo users file", () => {
  it("gives the shipped demo users unchanged: names, UUIDs, CPR numbers, levels, roles", () => {
    expect(DEMO_USERS.map((u) => [u.username, u.fullName, u.firstName, u.lastName, u.email, u.uuid, u.cpr, u.nsis, u.nist, u.robot])).toEqual([
      ["hanne", "Hanne Hansen", "Hanne", "Hansen", "hanne.hansen@demo-kommune.dk", "8c1d7e5e-3f0a-4b8e-9c51-0d2a7e4b6f11", "1502794412", "Substantial", undefined, false],
      ["peter", "Peter Madsen", "Peter", "Madsen", "peter.madsen@demo-kommune.dk", "2f9b8a41-6c3d-4e7f-8a90-1b2c3d4e5f60", "290865-3317", "High", undefined, false],
      ["robot", "RPA Robot 1", "RPA", "Robot", "rpa1@demo-kommune.dk", "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", undefined, undefined, 3, true],
    ]);
    const peter = decodePrivilegesAttribute(privilegesBase64(DEMO_USERS[1]!, "29189846"));
    expect(peter.list.groups.map((g) => [g.scope, g.privileges, g.constraints])).toEqual([
      [{ kind: "cvr", cvr: "29189846" }, ["http://demo-kommune.dk/roles/jobrole/leder/1"], []],
      [{ kind: "cvr", cvr: "29189846" }, ["http://demo-kommune.dk/roles/jobrole/sagsbehandler/1"], [{ name: "http://sts.kombit.dk/constraints/KLE/1/parametric", values: ["*"] }]],
      [{ kind: "cvr", cvr: "11223344" }, ["http://nabo-kommune.dk/roles/jobrole/vikar/1"], []],
    ]);
    expect(DEMO_USERS[0]?.privileges).toEqual([
      { privilege: "http://demo-kommune.dk/roles/jobrole/sagsbehandler/1", constraints: [{ name: "http://sts.kombit.dk/constraints/KLE/1/parametric", value: "27.*,29.03.*" }] },
      { privilege: "http://demo-kommune.dk/roles/jobrole/kantine/1", constraints: [] },
    ]);
    expect(VEST_USERS.map((u) => [u.username, u.uuid, u.cpr, u.nsis, u.nist])).toEqual([["karen", "3b7e9a52-1c4d-4f8a-9e2b-6d5c4b3a2f10", "0611824478", undefined, 3]]);
    expect(SKY_USERS.map((u) => [u.username, u.fullName, u.email, u.upn, u.groups])).toEqual([
      ["sofie", "Sofie Skov", "sofie@sky-kommune.dk", "sofie@sky-kommune.dk", ["sky-laesere"]],
      ["mads", "Mads Mikkelsen", "mads@sky-kommune.dk", "mads@sky-kommune.dk", []],
      ["ukendt", "Ulla Ukendt", "ukendt@sky-kommune.dk", "ukendt@sky-kommune.dk", []],
    ]);
    expect(skyClaims(SKY_USERS[1]!)).toEqual([{ name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", values: ["mads@sky-kommune.dk"] }]);
    expect(loadDemoUsers(SHIPPED_USERS_FILE).map((m) => [m.idp, m.cvr])).toEqual([
      ["demo-kommune", "29189846"],
      ["vest-kommune", "44556677"],
      ["sky-kommune", "33445566"],
    ]);
  });

  it("reads a valid file of the vendor's own", () => {
    const [municipality] = parseDemoUsers(ONE_USER, "users.yaml");
    expect(municipality?.users.map((u) => [u.username, u.firstName, u.lastName, u.nsis, u.privileges.length])).toEqual([["anna", "Anna", "Andersen", "Substantial", 1]]);
  });

  it("names the line and field of an invalid entry", () => {
    expect(errorOf(ONE_USER.replace('cvr: "29189846"', "cvr: 2918984"))).toBe(
      'invalid demo users:\n  users.yaml, line 4: municipalities.0.cvr: Invalid input: expected string, received number',
    );
    expect(errorOf(ONE_USER.replace("nsis: Substantial", "nsis: Medium"))).toContain("users.yaml, line 10: municipalities.0.users.0.nsis: Invalid option");
    expect(errorOf(ONE_USER.replace("11111111-2222-4333-8444-555555555555", "not-a-uuid"))).toContain("users.yaml, line 9: municipalities.0.users.0.uuid: Invalid UUID");
    expect(errorOf(ONE_USER.replace("        nsis: Substantial\n", ""))).toBe(
      "invalid demo users:\n  users.yaml, line 6: municipalities.0.users.0: a user needs a level: nsis (Low, Substantial, High) or nist (2, 3)",
    );
    expect(errorOf(ONE_USER.replace("name: Anna Andersen", "name: Anna Andersen\n        robot: true"))).toContain(
      'users.yaml, line 7: municipalities.0.users.0.name: robots are recognised by their name (the NameID\'s CN): a robot\'s name starts with "RPA "',
    );
    expect(errorOf(ONE_USER.replace("roles:", "rolez:"))).toContain("users.yaml, line 6: municipalities.0.users.0: Unrecognized key: \"rolez\"");
    expect(errorOf(ONE_USER + "      - username: anna\n        name: Anna To\n        email: a2@demo-kommune.dk\n        uuid: 11111111-2222-4333-8444-555555555556\n        nist: 2\n")).toContain(
      "users.yaml, line 13: municipalities.0.users.1.username: username anna is used twice in Demo Kommune",
    );
    expect(errorOf(ONE_USER.replace("    users:", "    users: [\n"))).toMatch(/^users\.yaml, line \d+: not valid YAML: /);
  });

  it("reads the file again when it changes, and keeps the last good version when the change is invalid", () => {
    const file = join(dir, "users.yaml");
    writeFileSync(file, ONE_USER);
    const errors: string[] = [];
    const source = new DemoUsersSource(file, (error) => errors.push(error.message));
    expect(source.users("demo-kommune").map((u) => u.username)).toEqual(["anna"]);

    writeFileSync(file, ONE_USER.replaceAll("anna", "bent").replace("Anna Andersen", "Bent Berg"));
    utimesSync(file, new Date(), new Date(Date.now() + 2_000));
    expect(source.users("demo-kommune").map((u) => [u.username, u.fullName])).toEqual([["bent", "Bent Berg"]]);

    writeFileSync(file, readFileSync(file, "utf8").replace("nsis: Substantial", "nsis: Medium"));
    utimesSync(file, new Date(), new Date(Date.now() + 4_000));
    expect(source.users("demo-kommune").map((u) => u.username)).toEqual(["bent"]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`${file}, line 10: municipalities.0.users.0.nsis:`);
  });
});
