/**
 * The demo's Entra-like municipality, "Sky Kommune": its IdP (the demo IdP,
 * configured like Entra ID) sends no OIO-BPP, only a UPN and group claims;
 * its privileges live in a role catalogue, a small REST attribute service in
 * OS2rollekatalog's shape (`GET /api/user/{userId}/roles?system=...` with
 * header `ApiKey`). The broker asks the catalogue during the login. Not for
 * production use.
 */
import express from "express";
import { timingSafeEqual } from "node:crypto";
import type { OutgoingAttribute } from "../saml/response-builder.js";
import { encodePrivilegesAttribute } from "../profiles/bpp-codec.js";
import { BPP_NAMESPACES, cvrScope, type PrivilegeGroup } from "../profiles/bpp.js";
import { UPN_CLAIM } from "../backends/attribute-service/user-identifier.js";
import { ENTRA_SAML_CLAIMS } from "../profiles/oidc-idp-claims.js";
import { shippedUsers, type DemoUser } from "./demo-users.js";

export const SKY_CVR = "33445566";
export const SKY_NAME = "Sky Kommune";
/** Entra ID's group claim. */
export const GROUPS_CLAIM = ENTRA_SAML_CLAIMS.groups;
/** The catalogue's id for the demo fagsystem (config: attributeServices[].systems). */
export const DEMO_SYSTEM_ID = "demo-fagsystem";
/** Members of this Entra group may read in the demo fagsystem. */
export const READERS_GROUP = "sky-laesere";

const ROLE = {
  casework: "http://demo-fagsystem.dk/roles/usersystemrole/sagsbehandling/1",
  approve: "http://demo-fagsystem.dk/roles/usersystemrole/godkendelse/1",
  read: "http://demo-fagsystem.dk/roles/usersystemrole/laesning/1",
} as const;

export type SkyUser = DemoUser & { upn: string; groups: string[] };

function isSkyUser(user: DemoUser): user is SkyUser {
  return user.upn !== undefined;
}

/** Sky Kommune's users as shipped (config/demo-users/users.yaml): each has a UPN and Entra groups. */
export const SKY_USERS: SkyUser[] = shippedUsers("sky-kommune")
  .filter(isSkyUser)
  .map((u) => ({ ...u, groups: u.groups ?? [] }));

/** What Sky Kommune's IdP sends besides the OIOSAML 3 basics: the UPN and the groups, no privileges. */
export function skyClaims(user: DemoUser): OutgoingAttribute[] {
  if (user.upn === undefined) return [];
  const groups = user.groups ?? [];
  return [{ name: UPN_CLAIM, values: [user.upn] }, ...(groups.length > 0 ? [{ name: GROUPS_CLAIM, values: groups }] : [])];
}

/** The catalogue: user-system roles per user (by UPN) for the demo fagsystem. */
const CATALOGUE: Record<string, PrivilegeGroup[]> = {
  "sofie@sky-kommune.dk": [{ scope: cvrScope(SKY_CVR), privileges: [ROLE.casework], constraints: [{ name: "http://sts.kombit.dk/constraints/KLE/1", values: ["32.*", "27.24.*"] }] }],
  "mads@sky-kommune.dk": [
    { scope: cvrScope(SKY_CVR), privileges: [ROLE.approve], constraints: [{ name: "http://sts.kombit.dk/constraints/orgenhed/1", values: ["9c8b7a6f-5e4d-4c3b-8a29-1f0e9d8c7b6a"] }] },
  ],
};

function sameKey(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The demo role catalogue (REST, ApiKey). */
export function createDemoAttributeService(options: { apiKey: string; users?: () => DemoUser[] }): express.Express {
  const users = options.users ?? (() => SKY_USERS);
  const app = express();
  app.disable("x-powered-by");
  app.get("/api/user/:userId/roles", (req, res) => {
    if (!sameKey(req.get("ApiKey"), options.apiKey)) {
      res.status(401).json({ error: "missing or wrong ApiKey" });
      return;
    }
    const userId = String(req.params["userId"]);
    const user = users().find((u) => u.upn === userId);
    const groups = CATALOGUE[userId];
    if (req.query["system"] !== DEMO_SYSTEM_ID || !user || !groups) {
      res.status(404).json({ error: "unknown user or system" });
      return;
    }
    // Entra groups passed along by the broker (?group=...) grant further roles.
    const claimed = ([] as unknown[]).concat(req.query["group"] ?? []).filter((g): g is string => typeof g === "string");
    const all = claimed.includes(READERS_GROUP) ? [...groups, { scope: cvrScope(SKY_CVR), privileges: [ROLE.read], constraints: [] }] : groups;
    res.json({
      nameID: `C=DK,O=${SKY_CVR},CN=${user.fullName},Serial=${user.uuid}`,
      oioBPP: encodePrivilegesAttribute({ namespace: BPP_NAMESPACES.digst, groups: all }),
      roleMap: Object.fromEntries(all.flatMap((g) => g.privileges).map((p) => [p, p.split("/").at(-2) ?? p])),
    });
  });
  return app;
}
