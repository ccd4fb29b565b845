/**
 * The demo municipality's test users and the roles the demo is built around.
 * The users themselves live in config/demo-users/users.yaml (demo-users-file.ts). Users hold job-function roles (the municipality's bundles), sent as real
 * OIO-BPP (itst.dk namespace, as municipal IdPs send it) built by the codec;
 * the broker translates them into the demo fagsystem's user-system roles
 * (config/demo/parties.yaml).
 */
import { BPP_NAMESPACES, cvrScope } from "../profiles/bpp.js";
import { encodePrivilegesAttribute } from "../profiles/bpp-codec.js";
import { KLE_PARAMETRIC, loadDemoUsers, SHIPPED_USERS_FILE, type DemoPrivilege, type DemoUser } from "./demo-users-file.js";

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

export { KLE_PARAMETRIC };

export type { DemoPrivilege, DemoUser };

/** A municipality's users from the shipped users file (config/demo-users/users.yaml). */
export function shippedUsers(idp: string): DemoUser[] {
  const municipality = loadDemoUsers(SHIPPED_USERS_FILE).find((m) => m.idp === idp);
  if (!municipality) throw new Error(`${SHIPPED_USERS_FILE} lists no ${idp}`);
  return municipality.users;
}

/** Demo Kommune's users as shipped (config/demo-users/users.yaml); the running demo reads the file again when it changes. */
export const DEMO_USERS: DemoUser[] = shippedUsers("demo-kommune");

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
