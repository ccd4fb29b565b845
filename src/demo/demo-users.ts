/** The demo municipality's test users. Their privileges are real OIO-BPP XML built with the DOM. */
import { buildXml, x } from "../saml/xml-builder.js";

export const DEMO_CVR = "29189846";
const BPP_NS = "http://itst.dk/oiosaml/basic_privilege_profile";

export interface DemoUser {
  username: string;
  fullName: string;
  firstName: string;
  lastName: string;
  email: string;
  uuid: string;
  nsis: "Low" | "Substantial" | "High" | undefined;
  nist: 2 | 3 | undefined;
  privileges: Array<{ privilege: string; constraints: Array<{ name: string; value: string }> }>;
}

export const DEMO_USERS: DemoUser[] = [
  {
    username: "hanne",
    fullName: "Hanne Hansen",
    firstName: "Hanne",
    lastName: "Hansen",
    email: "hanne.hansen@demo-kommune.dk",
    uuid: "8c1d7e5e-3f0a-4b8e-9c51-0d2a7e4b6f11",
    nsis: "Substantial",
    nist: undefined,
    privileges: [
      { privilege: "http://demo-kommune.dk/roles/jobrole/sagsbehandler/1", constraints: [{ name: "http://sts.kombit.dk/constraints/KLE/1", value: "27.*,29.03.*" }] },
    ],
  },
  {
    username: "peter",
    fullName: "Peter Madsen",
    firstName: "Peter",
    lastName: "Madsen",
    email: "peter.madsen@demo-kommune.dk",
    uuid: "2f9b8a41-6c3d-4e7f-8a90-1b2c3d4e5f60",
    nsis: "High",
    nist: undefined,
    privileges: [
      { privilege: "http://demo-kommune.dk/roles/jobrole/leder/1", constraints: [] },
      { privilege: "http://demo-kommune.dk/roles/jobrole/sagsbehandler/1", constraints: [{ name: "http://sts.kombit.dk/constraints/KLE/1", value: "*" }] },
    ],
  },
  {
    username: "robot",
    fullName: "RPA Robot 1",
    firstName: "RPA",
    lastName: "Robot",
    email: "rpa1@demo-kommune.dk",
    uuid: "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d",
    nsis: undefined,
    nist: 3,
    privileges: [{ privilege: "http://demo-kommune.dk/roles/jobrole/robot/1", constraints: [] }],
  },
];

export function privilegesBase64(user: DemoUser, cvr: string): string {
  const xml = buildXml(
    x(
      BPP_NS,
      "bpp:PrivilegeList",
      {},
      user.privileges.map((p) =>
        x(BPP_NS, "bpp:PrivilegeGroup", { Scope: `urn:dk:gov:saml:cvrNumberIdentifier:${cvr}` }, [
          x(BPP_NS, "bpp:Privilege", {}, [p.privilege]),
          ...p.constraints.map((c) => x(BPP_NS, "bpp:Constraint", { Name: c.name }, [c.value])),
        ]),
      ),
    ),
  );
  return Buffer.from(xml, "utf8").toString("base64");
}
