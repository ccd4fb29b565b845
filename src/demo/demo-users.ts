/**
 * The demo municipality's test users and the roles the demo is built around.
 * Users hold job-function roles (the municipality's bundles), sent as real
 * OIO-BPP (itst.dk namespace, as municipal IdPs send it) built by the codec;
 * the broker translates them into the demo fagsystem's user-system roles
 * (config/demo/parties.yaml).
 */
import { BPP_NAMESPACES, cvrScope } from "../profiles/bpp.js";
import { encodePrivilegesAttribute } from "../profiles/bpp-codec.js";

export const DEMO_CVR = "29189846";
/** A neighbouring municipality that delegates one of its job-function roles to Demo Kommune. */
export const NEIGHBOUR_CVR = "11223344";

export const DEMO_ROLES = {
  caseworker: "http://demo-kommune.dk/roles/jobrole/sagsbehandler/1",
  manager: "http://demo-kommune.dk/roles/jobrole/leder/1",
  canteen: "http://demo-kommune.dk/roles/jobrole/kantine/1",
  robot: "http://demo-kommune.dk/roles/jobrole/robot/1",
  /** Owned by the neighbour, delegated to Demo Kommune. */
  neighbourSubstitute: "http://nabo-kommune.dk/roles/jobrole/vikar/1",
} as const;

export const KLE_PARAMETRIC = "http://sts.kombit.dk/constraints/KLE/1/parametric";

export interface DemoPrivilege {
  privilege: string;
  constraints: Array<{ name: string; value: string }>;
  /** The CVR the group is scoped to; the user's municipality unless the role is delegated from another. */
  scopeCvr?: string;
}

export interface DemoUser {
  username: string;
  fullName: string;
  firstName: string;
  lastName: string;
  email: string;
  uuid: string;
  /** A made-up CPR number, sent as municipal IdPs and NemLog-in may (the broker never logs or releases it). */
  cpr?: string | undefined;
  nsis: "Low" | "Substantial" | "High" | undefined;
  nist: 2 | 3 | undefined;
  privileges: DemoPrivilege[];
}

export const DEMO_USERS: DemoUser[] = [
  {
    username: "hanne",
    fullName: "Hanne Hansen",
    firstName: "Hanne",
    lastName: "Hansen",
    email: "hanne.hansen@demo-kommune.dk",
    uuid: "8c1d7e5e-3f0a-4b8e-9c51-0d2a7e4b6f11",
    cpr: "1502794412",
    nsis: "Substantial",
    nist: undefined,
    privileges: [
      { privilege: DEMO_ROLES.caseworker, constraints: [{ name: KLE_PARAMETRIC, value: "27.*,29.03.*" }] },
      { privilege: DEMO_ROLES.canteen, constraints: [] },
    ],
  },
  {
    username: "peter",
    fullName: "Peter Madsen",
    firstName: "Peter",
    lastName: "Madsen",
    email: "peter.madsen@demo-kommune.dk",
    uuid: "2f9b8a41-6c3d-4e7f-8a90-1b2c3d4e5f60",
    cpr: "290865-3317",
    nsis: "High",
    nist: undefined,
    privileges: [
      { privilege: DEMO_ROLES.manager, constraints: [] },
      { privilege: DEMO_ROLES.caseworker, constraints: [{ name: KLE_PARAMETRIC, value: "*" }] },
      { privilege: DEMO_ROLES.neighbourSubstitute, constraints: [], scopeCvr: NEIGHBOUR_CVR },
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
    privileges: [{ privilege: DEMO_ROLES.robot, constraints: [] }],
  },
];

/** The user's job-function roles as the privileges attribute value (base64 OIO-BPP). */
export function privilegesBase64(user: DemoUser, cvr: string): string {
  return encodePrivilegesAttribute({
    namespace: BPP_NAMESPACES.itst,
    groups: user.privileges.map((p) => ({
      scope: cvrScope(p.scopeCvr ?? cvr),
      privileges: [p.privilege],
      constraints: p.constraints.map((c) => ({ name: c.name, values: c.value.split(",") })),
    })),
  });
}
