/**
 * What the sandbox prints: the warning that it is a sandbox, and for each
 * fagsystem a vendor registered, what to configure on its side and what each
 * demo user will bring it (level, user-system roles after the mappings).
 */
import type { BrokerConfig, ServiceProviderConfig } from "../config/schema.js";
import { nsisRank, type NsisLevel } from "../profiles/levels.js";
import type { DemoMunicipality } from "./demo-users-file.js";
import type { DemoUser } from "./demo-users.js";

export const SANDBOX_WARNING = [
  "  **************************************************************************",
  "  *  SANDBOX - NOT FOR PRODUCTION. Self-signed keys (var/demo/keys),       *",
  "  *  fixed made-up users (config/demo-users/users.yaml), state in          *",
  "  *  memory. Never register production parties or use real persons' data.  *",
  "  **************************************************************************",
].join("\n");

type Requirement = ServiceProviderConfig["requiredLevel"];

function levelOf(user: DemoUser): string {
  return [user.nsis && `NSIS ${user.nsis}`, user.nist && `NIST ${user.nist}`].filter(Boolean).join(", ");
}

function describeRequirement(required: Requirement): string {
  if (required === "none") return "none";
  return "nsis" in required ? `NSIS ${required.nsis}` : `NIST ${required.nist}`;
}

/** Whether the user's own level meets the requirement (NIST by the configured conversion table). */
export function meetsLevel(user: DemoUser, required: Requirement, nsisForNist: BrokerConfig["levels"]["nsisForNist"]): boolean {
  if (required === "none") return true;
  const atLeast = (level: NsisLevel | "never") => level !== "never" && user.nsis !== undefined && nsisRank(user.nsis) >= nsisRank(level);
  if ("nsis" in required) return atLeast(required.nsis);
  return (user.nist !== undefined && user.nist >= required.nist) || atLeast(nsisForNist[required.nist]);
}

/** The user-system roles the fagsystem's mappings make of the user's job-function roles. */
export function receivedRoles(user: DemoUser, sp: Pick<ServiceProviderConfig, "roleMappings">): string[] {
  return user.privileges.flatMap((p) =>
    sp.roleMappings
      .filter((m) => m.jobFunctionRole === p.privilege)
      .map((m) => {
        const kle = m.restrictions.some((r) => r.parametric !== undefined) ? p.constraints.map((c) => c.value).join(",") : "";
        return kle ? `${m.userSystemRole} (KLE ${kle})` : m.userSystemRole;
      }),
  );
}

function userLine(user: DemoUser, sp: ServiceProviderConfig, config: BrokerConfig): string {
  const head = `      ${user.username.padEnd(8)} ${user.fullName}${user.robot ? " (robot)" : ""}, ${levelOf(user)}`;
  if (!meetsLevel(user, sp.requiredLevel, config.levels.nsisForNist)) return `${head}: below ${describeRequirement(sp.requiredLevel)}: refused, or stepped up at NemLog-in where the IdP allows it`;
  if (user.upn !== undefined && user.privileges.length === 0) return `${head}: roles from the municipality's role catalogue (the demo fagsystem's user-system roles)`;
  const roles = receivedRoles(user, sp);
  return `${head}: ${roles.length > 0 ? roles.join("; ") : "no roles (no mapping matches)"}`;
}

/** The SP side's settings and the test users, for each registered fagsystem. */
export function sandboxInstructions(config: BrokerConfig, sps: ReadonlyArray<{ config: ServiceProviderConfig; entityId: string; source: string }>, municipalities: DemoMunicipality[]): string {
  const base = config.baseUrl.replace(/\/+$/, "");
  const out: string[] = [];
  for (const sp of sps) {
    const encryption = sp.config.encryption?.keyTransport === "rsa-oaep-mgf1p" ? "AES-GCM, key transport rsa-oaep-mgf1p (legacy, on request)" : "AES-256-GCM, key transport xmlenc11 rsa-oaep (or as your metadata lists)";
    out.push(
      `  Your fagsystem ${sp.entityId} is registered (id ${sp.config.id}, metadata from ${sp.source}).`,
      "  Configure it with:",
      `    IdP metadata URL:  ${base}/saml/metadata/idp`,
      `    IdP entityID:      ${config.entityId}`,
      `    SSO:               ${base}/saml/sso (HTTP-Redirect or HTTP-POST; sign the AuthnRequest with rsa-sha256)`,
      `    Logout:            ${base}/saml/slo`,
      `    You receive:       ${sp.config.attributeProfile} attributes (OIOSAML 3), NameID ${sp.config.nameIdFormat}, a signed assertion${sp.config.signResponse ? " in a signed Response" : ""}, encrypted ${encryption}`,
      `    Required level:    ${describeRequirement(sp.config.requiredLevel)}`,
      ...(sp.config.encryption?.keyTransport === undefined || !sp.config.signResponse
        ? ["    If your SAML library cannot decrypt xmlenc11 rsa-oaep (node-saml 5, older xmlsec): --legacy-key-transport; if it insists on a signed Response: --sign-response"]
        : []),
      "  Test users (choose the municipality at the broker, then the user; on the IdP's page you may also break the answer on purpose):",
    );
    for (const m of municipalities) {
      out.push(`    ${m.name} (CVR ${m.cvr}):`);
      for (const user of m.users) out.push(userLine(user, sp.config, config));
    }
    out.push("");
  }
  return out.join("\n");
}

/** The client side's settings for each registered OIDC fagsystem. */
export function oidcInstructions(config: BrokerConfig, clients: ReadonlyArray<{ config: BrokerConfig["oidcClients"][number]; source: string }>): string {
  const issuer = `${config.baseUrl.replace(/\/+$/, "")}/oidc`;
  return clients
    .map((c) =>
      [
        `  Your OIDC fagsystem ${c.config.clientId} is registered (id ${c.config.id}, from ${c.source}).`,
        `    Issuer:            ${issuer}  (discovery: ${issuer}/.well-known/openid-configuration)`,
        `    client_id:         ${c.config.clientId}, token endpoint auth ${c.config.tokenEndpointAuthMethod}${c.config.clientSecretEnv ? ` (secret from $${c.config.clientSecretEnv})` : ""}`,
        `    Redirect URIs:     ${c.config.redirectUris.join(", ")}`,
        `    Flow:              authorization code with PKCE (S256); ID token ${c.config.idTokenSigningAlg}${c.config.idTokenEncryption ? `, encrypted ${c.config.idTokenEncryption.alg}/${c.config.idTokenEncryption.enc}` : ""}`,
        `    Required level:    ${describeRequirement(c.config.requiredLevel)}`,
        "",
      ].join("\n"),
    )
    .join("\n");
}
