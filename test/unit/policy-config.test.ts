import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { ConfigError, validateConfig } from "../../src/config/load-config.js";
import type { BrokerConfig } from "../../src/config/schema.js";

/** A configuration read from YAML (as an operator writes it), validated. */
function fromYaml(yaml: string): BrokerConfig {
  return validateConfig(parseYaml(yaml));
}

function configError(yaml: string): string {
  try {
    fromYaml(yaml);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

const idp = (extra = "") => `
identityProviders:
  - id: kommune
    displayName: Kommune
    metadata: m/idp.xml
    cvrs: ["29189846"]
${extra}`;
const sp = (extra = "") => `
serviceProviders:
  - id: fagsystem
    metadata: m/sp.xml
${extra}`;

describe("the policy part of the configuration", () => {
  it("defaults to what the real Context Handler does, and to KOMBIT's level conversion", () => {
    const config = fromYaml(idp() + sp());
    const i = config.identityProviders[0]!;
    expect(i.oiosamlProfile).toBe("OIOSAML3");
    expect(i.maxLevel).toEqual({ nist: 4, nsis: "High" });
    expect(i.sendsJobFunctionRoles).toBe(true);
    expect(i.stepUp).toBe(false);
    expect(i.clientIpRanges).toEqual([]);
    expect(i.robot).toBeUndefined();
    const s = config.serviceProviders[0]!;
    expect(s.attributeProfile).toBe("KOMBIT");
    expect(s.oiosamlProfile).toBe("OIOSAML3");
    expect(s.privilegeNamespace).toBe("digst.dk");
    expect(s.roleMappings).toEqual([]);
    expect(config.levels.nsisForNist).toEqual({ 1: "Low", 2: "Low", 3: "Substantial", 4: "High" });
    expect(config.jobFunctionRoles).toEqual([]);
    expect(config.audit.file).toBeUndefined();
  });

  it("takes the OIOSAML reference library's conversion, with never for NIST 4", () => {
    const config = fromYaml(idp() + sp() + "\nlevels:\n  nsisForNist: { 1: Low, 2: Low, 3: Substantial, 4: never }");
    expect(config.levels.nsisForNist).toEqual({ 1: "Low", 2: "Low", 3: "Substantial", 4: "never" });
  });

  it("reads a complete registration", () => {
    const config = fromYaml(
      idp(`    oiosamlProfile: OIOSAML3_ADFS_MULTIPLEAUTHN
    maxLevel: { nist: 3, nsis: none }
    sendsJobFunctionRoles: false
    sendScoping: false
    stepUp: true
    clientIpRanges: ["10.20.0.0/16", "2001:db8::/32"]
    robot: { attribute: { name: "urn:robot", value: "true" }, nameIdPattern: "^C=DK,O=\\\\d{8},CN=RPA " }`) +
        sp(`    requiredLevel: { nist: 3 }
    attributeProfile: KOMBIT_WITHOUT_PERSONAL_DATA
    oiosamlProfile: OIOSAML2
    cvr: "29189846"
    privilegeNamespace: itst.dk
    userSystemRoles: [http://f.dk/roles/usersystemrole/admin/1]
    roleMappings:
      - jobFunctionRole: http://k.dk/roles/jobrole/a/1
        userSystemRole: http://f.dk/roles/usersystemrole/b/1
        restrictions:
          - { type: http://sts.kombit.dk/constraints/KLE/1, parametric: http://sts.kombit.dk/constraints/KLE/1/parametric }
          - { type: http://sts.kombit.dk/constraints/orgenhed/1, values: [u1, u2] }`) +
        `
jobFunctionRoles:
  - { id: http://b.dk/roles/jobrole/x/1, owner: "11223344", delegatedTo: ["29189846"] }
levels:
  nsisForNist: { 1: Low, 2: Substantial, 3: Substantial, 4: High }
audit: { file: /var/log/broker/audit.jsonl }
`,
    );
    expect(config.identityProviders[0]!.maxLevel).toEqual({ nist: 3, nsis: "none" });
    expect(config.identityProviders[0]!.robot?.nameIdPattern).toBe("^C=DK,O=\\d{8},CN=RPA ");
    expect(config.serviceProviders[0]!.roleMappings[0]!.restrictions).toHaveLength(2);
    expect(config.levels.nsisForNist[2]).toBe("Substantial");
  });

  const invalid: Array<[string, string, string]> = [
    ["an unknown IdP OIOSAML profile", idp("    oiosamlProfile: OIOSAML4") + sp(), "identityProviders.0.oiosamlProfile"],
    ["a NIST ceiling of 5", idp("    maxLevel: { nist: 5 }") + sp(), "identityProviders.0.maxLevel.nist"],
    ["an NSIS ceiling that is no level", idp("    maxLevel: { nsis: Medium }") + sp(), "identityProviders.0.maxLevel.nsis"],
    ["an IP range that is no CIDR", idp('    clientIpRanges: ["10.0.0.0"]') + sp(), "identityProviders.0.clientIpRanges.0"],
    ["an IP range with a bad prefix", idp('    clientIpRanges: ["10.0.0.0/33"]') + sp(), "identityProviders.0.clientIpRanges.0"],
    ["a robot rule with nothing to match", idp("    robot: {}") + sp(), "identityProviders.0.robot"],
    ["a robot NameID pattern that is no regular expression", idp('    robot: { nameIdPattern: "(" }') + sp(), "identityProviders.0.robot.nameIdPattern"],
    ["an OIOSAML 2 fagsystem without a NIST level", idp() + sp("    oiosamlProfile: OIOSAML2\n    requiredLevel: { nsis: Substantial }"), "serviceProviders.0.requiredLevel: an OIOSAML2 fagsystem needs a NIST level"],
    ["both a NIST and an NSIS level", idp() + sp("    requiredLevel: { nist: 3, nsis: Low }"), "serviceProviders.0.requiredLevel"],
    ["an unknown privilege namespace", idp() + sp("    privilegeNamespace: example.dk"), "serviceProviders.0.privilegeNamespace"],
    [
      "a restriction with both static and parametric values",
      idp() + sp("    roleMappings:\n      - { jobFunctionRole: urn:a, userSystemRole: urn:b, restrictions: [{ type: urn:t, values: [x], parametric: urn:p }] }"),
      "serviceProviders.0.roleMappings.0.restrictions.0: a restriction has either values",
    ],
    [
      "a restriction with neither",
      idp() + sp("    roleMappings:\n      - { jobFunctionRole: urn:a, userSystemRole: urn:b, restrictions: [{ type: urn:t }] }"),
      "serviceProviders.0.roleMappings.0.restrictions.0",
    ],
    [
      "a static value with a comma",
      idp() + sp('    roleMappings:\n      - { jobFunctionRole: urn:a, userSystemRole: urn:b, restrictions: [{ type: urn:t, values: ["27.*,29.*"] }] }'),
      "serviceProviders.0.roleMappings.0.restrictions.0.values.0: a restriction value has no commas",
    ],
    ["a role URI with a space", idp() + sp('    roleMappings:\n      - { jobFunctionRole: "urn:a b", userSystemRole: urn:b }'), "serviceProviders.0.roleMappings.0.jobFunctionRole"],
    ["a mapping without its user-system role", idp() + sp("    roleMappings:\n      - { jobFunctionRole: urn:a }"), "serviceProviders.0.roleMappings.0.userSystemRole"],
    ["a job-function role registered twice", idp() + sp() + '\njobFunctionRoles:\n  - { id: urn:a, owner: "11223344" }\n  - { id: urn:a, owner: "11223344" }', "jobFunctionRoles.1.id"],
    ["a job-function role owner that is no CVR", idp() + sp() + '\njobFunctionRoles:\n  - { id: urn:a, owner: "1122" }', "jobFunctionRoles.0.owner"],
    ["a conversion table that is no level", idp() + sp() + "\nlevels:\n  nsisForNist: { 1: Low, 2: Low, 3: Substantial, 4: Highest }", "levels.nsisForNist.4"],
    ["never before a level", idp() + sp() + "\nlevels:\n  nsisForNist: { 1: Low, 2: never, 3: High, 4: High }", "levels.nsisForNist: levels.nsisForNist must not decrease"],
    ["a conversion table that decreases", idp() + sp() + "\nlevels:\n  nsisForNist: { 1: High, 2: Low, 3: Low, 4: Low }", "levels.nsisForNist"],
    ["a conversion table that misses a level", idp() + sp() + "\nlevels:\n  nsisForNist: { 1: Low, 2: Low, 3: Substantial }", "levels.nsisForNist.4"],
  ];
  it.each(invalid)("stops start-up on %s, naming the field", (_name, yaml, field) => {
    expect(configError(yaml)).toContain(field);
  });
});
