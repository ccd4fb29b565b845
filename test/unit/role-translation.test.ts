import { describe, expect, it } from "vitest";
import { decodePrivilegesAttribute, serializePrivileges, type DecodedPrivileges } from "../../src/profiles/bpp-codec.js";
import { BPP_NAMESPACES } from "../../src/profiles/bpp.js";
import {
  checkScopes,
  decideScope,
  describeOutcome,
  grantedGroups,
  incomingRoles,
  translateRoles,
  type IncomingRole,
  type JobFunctionRoleRegistration,
  type RoleOutcome,
  type SystemRolePolicy,
} from "../../src/profiles/role-translation.js";

const b64 = (xml: string) => Buffer.from(xml, "utf8").toString("base64");
const ITST = BPP_NAMESPACES.itst;

function translate(decoded: DecodedPrivileges, asserted: string, register: Map<string, JobFunctionRoleRegistration>, policy: SystemRolePolicy, attributes = new Map<string, string[]>()) {
  const { roles, dropped: malformed } = incomingRoles(decoded);
  const { kept, dropped } = checkScopes(roles, asserted, register);
  const translation = translateRoles(kept, policy, attributes);
  return { list: translation.list, outcomes: [...malformed, ...dropped, ...translation.outcomes].sort((a, b) => a.position - b.position) };
}

function policyOf(mappings: SystemRolePolicy["mappings"], extraRoles: string[] = [], namespace = BPP_NAMESPACES.digst): SystemRolePolicy {
  return { systemId: "fagsystem", namespace, mappings, userSystemRoles: new Set([...extraRoles, ...mappings.map((m) => m.userSystemRole)]) };
}

describe("translation: the broker's fixture (own roles, parametric KLE, static multi-value, unmapped, delegated, foreign)", () => {
  const A = "29189846"; // the municipality the IdP asserts
  const B = "11223344"; // a neighbour that delegated one role to A
  const C = "55667788"; // a stranger
  const ROLE = {
    caseworker: "http://kommune-a.dk/roles/jobrole/sagsbehandler/1",
    manager: "http://kommune-a.dk/roles/jobrole/leder/1",
    canteen: "http://kommune-a.dk/roles/jobrole/kantine/1",
    substitute: "http://kommune-b.dk/roles/jobrole/vikar/1",
    strangers: "http://kommune-c.dk/roles/jobrole/sagsbehandler/1",
  };
  const USR = {
    cases: "http://fagsystem.dk/roles/usersystemrole/se_sag/1",
    approve: "http://fagsystem.dk/roles/usersystemrole/godkend/1",
    read: "http://fagsystem.dk/roles/usersystemrole/laes/1",
  };
  const KLE = "http://sts.kombit.dk/constraints/KLE/1";
  const ORG = "http://sts.kombit.dk/constraints/orgenhed/1";
  const idpSends = b64(`<bpp:PrivilegeList xmlns:bpp="${ITST}">
    <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${A}"><Privilege>${ROLE.caseworker}</Privilege><Constraint Name="${KLE}/parametric">27.*,29.03.*</Constraint></PrivilegeGroup>
    <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${A}"><Privilege>${ROLE.manager}</Privilege></PrivilegeGroup>
    <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${A}"><Privilege>${ROLE.canteen}</Privilege></PrivilegeGroup>
    <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${B}"><Privilege>${ROLE.substitute}</Privilege></PrivilegeGroup>
    <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${C}"><Privilege>${ROLE.strangers}</Privilege></PrivilegeGroup>
  </bpp:PrivilegeList>`);
  const register = new Map<string, JobFunctionRoleRegistration>([[ROLE.substitute, { id: ROLE.substitute, owner: B, delegatedTo: [A] }]]);
  const policy = policyOf([
    { jobFunctionRole: ROLE.caseworker, userSystemRole: USR.cases, restrictions: [{ kind: "parametric", type: KLE, from: `${KLE}/parametric` }] },
    { jobFunctionRole: ROLE.manager, userSystemRole: USR.approve, restrictions: [{ kind: "static", type: ORG, values: ["6f0c2b7e-1d4a-4c3b-9a8e-2f1d0c9b8a71", "0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d"] }] },
    { jobFunctionRole: ROLE.substitute, userSystemRole: USR.read, restrictions: [] },
    { jobFunctionRole: ROLE.strangers, userSystemRole: USR.cases, restrictions: [] },
  ]);

  it("emits exactly the system's user-system roles: one Privilege per group, the owner's CVR as scope, one Constraint per value", () => {
    const { list } = translate(decodePrivilegesAttribute(idpSends), A, register, policy);
    expect(serializePrivileges(list)).toBe(
      '<bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile">' +
        `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${A}"><Privilege>${USR.cases}</Privilege>` +
        `<Constraint Name="${KLE}">27.*</Constraint><Constraint Name="${KLE}">29.03.*</Constraint></PrivilegeGroup>` +
        `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${A}"><Privilege>${USR.approve}</Privilege>` +
        `<Constraint Name="${ORG}">6f0c2b7e-1d4a-4c3b-9a8e-2f1d0c9b8a71</Constraint><Constraint Name="${ORG}">0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d</Constraint></PrivilegeGroup>` +
        `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${B}"><Privilege>${USR.read}</Privilege></PrivilegeGroup>` +
        "</bpp:PrivilegeList>",
    );
  });

  it("explains every incoming role: what it became, or why it was dropped", () => {
    const { outcomes } = translate(decodePrivilegesAttribute(idpSends), A, register, policy);
    expect(outcomes.map((o) => [o.position, o.privilege, o.outcome, o.outcome === "dropped" ? o.reason : o.became.map((g) => g.userSystemRole)])).toEqual([
      [1, ROLE.caseworker, "translated", [USR.cases]],
      [2, ROLE.manager, "translated", [USR.approve]],
      [3, ROLE.canteen, "dropped", "no_mapping"],
      [4, ROLE.substitute, "translated", [USR.read]],
      [5, ROLE.strangers, "dropped", "foreign_scope"],
    ]);
    const delegated = outcomes.find((o) => o.position === 4) as Extract<RoleOutcome, { outcome: "translated" }>;
    expect(delegated.delegated).toBe(true);
    expect(describeOutcome(outcomes[4]!)).toBe(
      `#5 ${ROLE.strangers} [CVR ${C}] → dropped (foreign_scope): scoped to CVR ${C}, which is neither the asserted CVR ${A} nor a CVR that delegated this role`,
    );
    expect(describeOutcome(outcomes[2]!)).toContain("no role mapping for fagsystem fagsystem");
  });

  it("emits the itst.dk namespace for a system configured so", () => {
    const { list } = translate(decodePrivilegesAttribute(idpSends), A, register, { ...policy, namespace: ITST });
    expect(serializePrivileges(list)).toMatch(/^<bpp:PrivilegeList xmlns:bpp="http:\/\/itst\.dk\/oiosaml\/basic_privilege_profile">/);
  });

  it("withholds a role whose parametric value the IdP did not send, and says so", () => {
    const withoutKle = b64(`<bpp:PrivilegeList xmlns:bpp="${ITST}"><PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${A}"><Privilege>${ROLE.caseworker}</Privilege></PrivilegeGroup></bpp:PrivilegeList>`);
    const { list, outcomes } = translate(decodePrivilegesAttribute(withoutKle), A, register, policy);
    expect(list.groups).toEqual([]);
    expect(outcomes[0]).toMatchObject({ outcome: "dropped", reason: "parametric_missing" });
  });

  it("fills a parametric restriction from an attribute of that name when the group has no such constraint (OS2faktor style)", () => {
    const withoutKle = b64(`<bpp:PrivilegeList xmlns:bpp="${ITST}"><PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${A}"><Privilege>${ROLE.caseworker}</Privilege></PrivilegeGroup></bpp:PrivilegeList>`);
    const { list } = translate(decodePrivilegesAttribute(withoutKle), A, register, policy, new Map([[`${KLE}/parametric`, ["25.*,26.01.*"]]]));
    expect(list.groups[0]!.constraints).toEqual([{ name: KLE, values: ["25.*", "26.01.*"] }]);
  });

  it("keeps the other mappings of a role when one of them lacks its parametric value", () => {
    const two = policyOf([
      { jobFunctionRole: ROLE.caseworker, userSystemRole: USR.cases, restrictions: [{ kind: "parametric", type: KLE, from: "http://x/1/parametric" }] },
      { jobFunctionRole: ROLE.caseworker, userSystemRole: USR.read, restrictions: [] },
    ]);
    const { list, outcomes } = translate(decodePrivilegesAttribute(idpSends), A, register, two);
    expect(list.groups.map((g) => g.privileges[0])).toEqual([USR.read]);
    expect(outcomes[0]).toMatchObject({ outcome: "translated", withheld: [{ userSystemRole: USR.cases, reason: "parametric_missing" }] });
  });

  it("passes through user-system roles of this system the IdP sent itself, and drops those of other systems", () => {
    const expanded = b64(`<bpp:PrivilegeList xmlns:bpp="${ITST}">
      <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${A}"><Privilege>${USR.read}</Privilege><Constraint Name="${KLE}">27.*</Constraint></PrivilegeGroup>
      <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${A}"><Privilege>http://andet-system.dk/roles/usersystemrole/admin/1</Privilege></PrivilegeGroup>
      <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${C}"><Privilege>${USR.read}</Privilege></PrivilegeGroup>
    </bpp:PrivilegeList>`);
    const { list, outcomes } = translate(decodePrivilegesAttribute(expanded), A, register, policy);
    expect(list.groups).toEqual([{ scope: { kind: "cvr", cvr: A }, privileges: [USR.read], constraints: [{ name: KLE, values: ["27.*"] }] }]);
    expect(outcomes.map((o) => (o.outcome === "dropped" ? o.reason : o.outcome))).toEqual(["passed-through", "no_mapping", "foreign_scope"]);
  });

  it("emits a repeated grant once", () => {
    const twice = b64(`<bpp:PrivilegeList xmlns:bpp="${ITST}">
      <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${A}"><Privilege>${ROLE.manager}</Privilege></PrivilegeGroup>
      <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${A}"><Privilege>${ROLE.manager}</Privilege></PrivilegeGroup>
    </bpp:PrivilegeList>`);
    expect(translate(decodePrivilegesAttribute(twice), A, register, policy).list.groups).toHaveLength(1);
  });

  it("explains a malformed group as malformed, with the roles it named", () => {
    const broken = b64(`<bpp:PrivilegeList xmlns:bpp="${ITST}">
      <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:123"><Privilege>${ROLE.manager}</Privilege></PrivilegeGroup>
      <PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${A}"><Privilege>${ROLE.manager}</Privilege></PrivilegeGroup>
    </bpp:PrivilegeList>`);
    const { list, outcomes } = translate(decodePrivilegesAttribute(broken), A, register, policy);
    expect(list.groups).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ position: 1, outcome: "dropped", reason: "malformed", privilege: ROLE.manager });
    expect(outcomes[1]).toMatchObject({ position: 2, outcome: "translated" });
  });
});

describe("translation: the vendor's observed example (its IdP → Context Handler → fagsystem samples)", () => {
  // The IdP's job-function roles (itst.dk) and the Context Handler's output (digst.dk), verbatim from the samples.
  const IDP =
    "PD94bWwgdmVyc2lvbj0iMS4wIiBlbmNvZGluZz0iVVRGLTgiPz4gCgo8YnBwOlByaXZpbGVnZUxpc3QgeG1sbnM6YnBwPSJodHRwOi8vaXRzdC5kay9vaW9zYW1sL2Jhc2ljX3ByaXZpbGVnZV9wcm9maWxlIiB4bWxuczp4c2k9Imh0dHA6Ly93d3cudzMub3JnLzIwMDEvWE1MU2NoZW1hLWluc3RhbmNlIj4gCgogICAgICAgPFByaXZpbGVnZUdyb3VwIFNjb3BlPSJ1cm46ZGs6Z292OnNhbWw6Y3ZyTnVtYmVySWRlbnRpZmllcjoxOTQzNTA3OCI+IAoKICAgIAk8UHJpdmlsZWdlPmh0dHA6Ly9rb21tdW5lQS5kay9yb2xlcy9qb2Jyb2xlL2tvbWJpdHJvbGxlMi8xPC9Qcml2aWxlZ2U+IAoKICAgICAgICAgICAgICAgIDxDb25zdHJhaW50IE5hbWU9Imh0dHA6Ly9rb21iaXQuZGsvY29uc3RyYWludHMvS0xFLzEvcGFyYW1ldHJpYyI+MTAuNC4xPC9Db25zdHJhaW50PiAgCgogICAgICAgPC9Qcml2aWxlZ2VHcm91cD4gCgogICAgICAgPFByaXZpbGVnZUdyb3VwIFNjb3BlPSJ1cm46ZGs6Z292OnNhbWw6Y3ZyTnVtYmVySWRlbnRpZmllcjoxOTQzNTA3NiI+IAoKICAgICAgICAgICAgICAgIDxQcml2aWxlZ2U+aHR0cDovL2tvbW11bmVCLmRrL3JvbGVzL2pvYnJvbGUva29tYml0cm9sbGUxLzE8L1ByaXZpbGVnZT4gICAgICAgICAKCiAgICAgICA8L1ByaXZpbGVnZUdyb3VwPiAKCiAgICAgIDxQcml2aWxlZ2VHcm91cCBTY29wZT0idXJuOmRrOmdvdjpzYW1sOmN2ck51bWJlcklkZW50aWZpZXI6MTk0MzUwNzYiPiAKCiAgICAgICAgICAgICAgICA8UHJpdmlsZWdlPmh0dHA6Ly9rb21tdW5lQi5kay9yb2xlcy9qb2Jyb2xlL2tvbWJpdHJvbGxlMi8xPC9Qcml2aWxlZ2U+ICAgICAgICAgCgogICAgICAgPC9Qcml2aWxlZ2VHcm91cD4gCgogICAgICAgPFByaXZpbGVnZUdyb3VwIFNjb3BlPSJ1cm46ZGs6Z292OnNhbWw6Y3ZyTnVtYmVySWRlbnRpZmllcjoxOTQzNTA3NyI+IAoKICAgICAgICAgICAgICAgPFByaXZpbGVnZT5odHRwOi8va29tbXVuZUMuZGsvcm9sZXMvam9icm9sZS9rb21iaXRyb2xsZTEvMTwvUHJpdmlsZWdlPiAgICAgCgogICAgICAgPC9Qcml2aWxlZ2VHcm91cD4gCgogICAgICAgPFByaXZpbGVnZUdyb3VwIFNjb3BlPSJ1cm46ZGs6Z292OnNhbWw6Y3ZyTnVtYmVySWRlbnRpZmllcjoxOTQzNTA3NyI+IAoKICAgICAgICAgICAgICAgPFByaXZpbGVnZT5odHRwOi8va29tbXVuZUMuZGsvcm9sZXMvam9icm9sZS9rb21iaXRyb2xsZTIvMTwvUHJpdmlsZWdlPiAgICAgICAKCiAgICAgICAgICAgICAgIDxDb25zdHJhaW50IE5hbWU9Imh0dHA6Ly9rb21iaXQuZGsvY29uc3RyYWludHMvS0xFLzEvcGFyYW1ldHJpYyI+Mi40LjE8L0NvbnN0cmFpbnQ+IAoKICAgICAgIDwvUHJpdmlsZWdlR3JvdXA+IAoKPC9icHA6UHJpdmlsZWdlTGlzdD4=";
  const CONTEXT_HANDLER =
    "PD94bWwgdmVyc2lvbj0iMS4wIiBlbmNvZGluZz0iVVRGLTgiPz48YnBwOlByaXZpbGVnZUxpc3QgeG1sbnM6YnBwPSJodHRwOi8vZGlnc3QuZGsvb2lvc2FtbC9iYXNpY19wcml2aWxlZ2VfcHJvZmlsZSIgeG1sbnM6eHNpPSJodHRwOi8vd3d3LnczLm9yZy8yMDAxL1hNTFNjaGVtYS1pbnN0YW5jZSI+PFByaXZpbGVnZUdyb3VwIFNjb3BlPSJ1cm46ZGs6Z292OnNhbWw6Y3ZyTnVtYmVySWRlbnRpZmllcjoxOTQzNTA3NiI+PFByaXZpbGVnZT5odHRwOi8va29tYml0LmRrL3JvbGVzL3VzZXJzeXN0ZW1yb2xlL2tvbWJpdHJvbGxlNC8xPC9Qcml2aWxlZ2U+PENvbnN0cmFpbnQgTmFtZT0iaHR0cDovL2tvbWJpdC5kay9jb25zdHJhaW50cy9LTEUvNCI+S0xFLzQwMDAwMTwvQ29uc3RyYWludD48L1ByaXZpbGVnZUdyb3VwPjxQcml2aWxlZ2VHcm91cCBTY29wZT0idXJuOmRrOmdvdjpzYW1sOmN2ck51bWJlcklkZW50aWZpZXI6MTk0MzUwNzYiPjxQcml2aWxlZ2U+aHR0cDovL2tvbWJpdC5kay9yb2xlcy91c2Vyc3lzdGVtcm9sZS9rb21iaXRyb2xsZTQvMTwvUHJpdmlsZWdlPjxDb25zdHJhaW50IE5hbWU9Imh0dHA6Ly9rb21iaXQuZGsvY29uc3RyYWludHMvS0xFLzQiPktMRS80MDAwMDE8L0NvbnN0cmFpbnQ+PC9Qcml2aWxlZ2VHcm91cD48UHJpdmlsZWdlR3JvdXAgU2NvcGU9InVybjpkazpnb3Y6c2FtbDpjdnJOdW1iZXJJZGVudGlmaWVyOjE5NDM1MDc3Ij48UHJpdmlsZWdlPmh0dHA6Ly9rb21iaXQuZGsvcm9sZXMvdXNlcnN5c3RlbXJvbGUva29tYml0cm9sbGU1LzE8L1ByaXZpbGVnZT48Q29uc3RyYWludCBOYW1lPSJodHRwOi8va29tYml0LmRrL2NvbnN0cmFpbnRzL0tMRS81Ij5LTEUvNTAwMDAxPC9Db25zdHJhaW50PjxDb25zdHJhaW50IE5hbWU9Imh0dHA6Ly9rb21iaXQuZGsvY29uc3RyYWludHMvS0xFLzUiPktMRS81MDAwMDI8L0NvbnN0cmFpbnQ+PENvbnN0cmFpbnQgTmFtZT0iaHR0cDovL2tvbWJpdC5kay9jb25zdHJhaW50cy9LTEUvNSI+S0xFLzUwMDAwMzwvQ29uc3RyYWludD48L1ByaXZpbGVnZUdyb3VwPjxQcml2aWxlZ2VHcm91cCBTY29wZT0idXJuOmRrOmdvdjpzYW1sOmN2ck51bWJlcklkZW50aWZpZXI6MTk0MzUwNzciPjxQcml2aWxlZ2U+aHR0cDovL2tvbWJpdC5kay9yb2xlcy91c2Vyc3lzdGVtcm9sZS9rb21iaXRyb2xsZTUvMTwvUHJpdmlsZWdlPjxDb25zdHJhaW50IE5hbWU9Imh0dHA6Ly9rb21iaXQuZGsvY29uc3RyYWludHMvS0xFLzUiPktMRS81MDAwMDE8L0NvbnN0cmFpbnQ+PENvbnN0cmFpbnQgTmFtZT0iaHR0cDovL2tvbWJpdC5kay9jb25zdHJhaW50cy9LTEUvNSI+S0xFLzUwMDAwMjwvQ29uc3RyYWludD48Q29uc3RyYWludCBOYW1lPSJodHRwOi8va29tYml0LmRrL2NvbnN0cmFpbnRzL0tMRS81Ij5LTEUvNTAwMDAzPC9Db25zdHJhaW50PjwvUHJpdmlsZWdlR3JvdXA+PFByaXZpbGVnZUdyb3VwIFNjb3BlPSJ1cm46ZGs6Z292OnNhbWw6Y3ZyTnVtYmVySWRlbnRpZmllcjoxOTQzNTA3NyI+PFByaXZpbGVnZT5odHRwOi8va29tYml0LmRrL3JvbGVzL3VzZXJzeXN0ZW1yb2xlL2tvbWJpdHJvbGxlNi8xPC9Qcml2aWxlZ2U+PENvbnN0cmFpbnQgTmFtZT0iaHR0cDovL2tvbWJpdC5kay9jb25zdHJhaW50cy9LTEUvNiI+Mi40LjE8L0NvbnN0cmFpbnQ+PC9Qcml2aWxlZ2VHcm91cD48UHJpdmlsZWdlR3JvdXAgU2NvcGU9InVybjpkazpnb3Y6c2FtbDpjdnJOdW1iZXJJZGVudGlmaWVyOjE5NDM1MDc3Ij48UHJpdmlsZWdlPmh0dHA6Ly9rb21iaXQuZGsvcm9sZXMvdXNlcnN5c3RlbXJvbGUva29tYml0cm9sbGU2LzE8L1ByaXZpbGVnZT48Q29uc3RyYWludCBOYW1lPSJodHRwOi8va29tYml0LmRrL2NvbnN0cmFpbnRzL0tMRS82Ij4yLjQuMTwvQ29uc3RyYWludD48L1ByaXZpbGVnZUdyb3VwPjwvYnBwOlByaXZpbGVnZUxpc3Q+";
  const ASSERTED = "19435075";
  const job = (municipality: string, n: number) => `http://kommune${municipality}.dk/roles/jobrole/kombitrolle${n}/1`;
  const usr = (n: number) => `http://kombit.dk/roles/usersystemrole/kombitrolle${n}/1`;
  // Inferred from the samples: kommuneB (19435076) and kommuneC (19435077) delegated their roles to the
  // asserted organisation 19435075; kommuneA's role (19435078) was not delegated, so it is not in the output.
  const registration = (id: string, owner: string): [string, JobFunctionRoleRegistration] => [id, { id, owner, delegatedTo: [ASSERTED] }];
  const register = new Map<string, JobFunctionRoleRegistration>([
    registration(job("B", 1), "19435076"),
    registration(job("B", 2), "19435076"),
    registration(job("C", 1), "19435077"),
    registration(job("C", 2), "19435077"),
  ]);
  const kle5 = { kind: "static" as const, type: "http://kombit.dk/constraints/KLE/5", values: ["KLE/500001", "KLE/500002", "KLE/500003"] };
  const policy = policyOf([
    { jobFunctionRole: job("B", 1), userSystemRole: usr(4), restrictions: [{ kind: "static", type: "http://kombit.dk/constraints/KLE/4", values: ["KLE/400001"] }] },
    { jobFunctionRole: job("B", 2), userSystemRole: usr(4), restrictions: [{ kind: "static", type: "http://kombit.dk/constraints/KLE/4", values: ["KLE/400001"] }] },
    { jobFunctionRole: job("C", 1), userSystemRole: usr(5), restrictions: [kle5] },
    { jobFunctionRole: job("C", 2), userSystemRole: usr(5), restrictions: [kle5] },
    { jobFunctionRole: job("C", 2), userSystemRole: usr(6), restrictions: [{ kind: "parametric", type: "http://kombit.dk/constraints/KLE/6", from: "http://kombit.dk/constraints/KLE/1/parametric" }] },
  ]);

  it("produces the Context Handler's groups (which it repeats where two job roles grant the same; we emit each once)", () => {
    const expected = decodePrivilegesAttribute(CONTEXT_HANDLER).list;
    const { list, outcomes } = translate(decodePrivilegesAttribute(IDP), ASSERTED, register, policy);
    expect(list.namespace).toBe(expected.namespace);
    expect(list.groups).toEqual(grantedGroups(expected.groups.map((g, i): RoleOutcome => ({
      outcome: "passed-through",
      position: i + 1,
      privilege: g.privileges[0]!,
      scope: "",
      delegated: false,
      became: [{ userSystemRole: g.privileges[0]!, scope: g.scope, constraints: g.constraints }],
    }))));
    expect(list.groups).toHaveLength(3);
    expect(outcomes[0]).toMatchObject({ privilege: job("A", 2), outcome: "dropped", reason: "foreign_scope" });
    expect(outcomes.filter((o) => o.outcome === "translated").every((o) => o.outcome === "translated" && o.delegated)).toBe(true);
  });
});

describe("the scope rule (table)", () => {
  const role = (scopeCvr: string, privilege = "http://a.dk/roles/jobrole/x/1"): IncomingRole => ({ position: 1, scope: { kind: "cvr", cvr: scopeCvr }, privilege, constraints: [] });
  const owned = new Map<string, JobFunctionRoleRegistration>([
    ["http://b.dk/roles/jobrole/delegated/1", { id: "http://b.dk/roles/jobrole/delegated/1", owner: "22222222", delegatedTo: ["11111111"] }],
    ["http://b.dk/roles/jobrole/kept/1", { id: "http://b.dk/roles/jobrole/kept/1", owner: "22222222", delegatedTo: [] }],
    ["http://a.dk/roles/jobrole/own/1", { id: "http://a.dk/roles/jobrole/own/1", owner: "11111111", delegatedTo: [] }],
  ]);
  const cases: Array<[string, IncomingRole, "own" | "delegated" | "foreign_scope" | "unsupported_scope"]> = [
    ["own role scoped to the asserted CVR", role("11111111"), "own"],
    ["registered own role scoped to the asserted CVR", role("11111111", "http://a.dk/roles/jobrole/own/1"), "own"],
    ["role delegated by its owner, scoped to the owner", role("22222222", "http://b.dk/roles/jobrole/delegated/1"), "delegated"],
    ["delegated role scoped to the asserted CVR instead of its owner", role("11111111", "http://b.dk/roles/jobrole/delegated/1"), "foreign_scope"],
    ["registered role its owner did not delegate", role("22222222", "http://b.dk/roles/jobrole/kept/1"), "foreign_scope"],
    ["unregistered role scoped to another CVR", role("22222222"), "foreign_scope"],
    ["role scoped to a third CVR claiming a registered role", role("33333333", "http://b.dk/roles/jobrole/delegated/1"), "foreign_scope"],
    ["production-unit scope", { ...role("11111111"), scope: { kind: "productionUnit", pNumber: "1003388394" } }, "unsupported_scope"],
    ["SE-number scope", { ...role("11111111"), scope: { kind: "seNumber", seNumber: "11111111" } }, "unsupported_scope"],
    ["CPR scope (never shown)", { ...role("11111111"), scope: { kind: "cpr", cpr: "0101701234" } }, "unsupported_scope"],
  ];
  it.each(cases)("%s → %s", (_name, incoming, expected) => {
    const decision = decideScope(incoming, "11111111", owned);
    if (expected === "own" || expected === "delegated") expect(decision).toEqual({ ok: true, delegated: expected === "delegated" });
    else {
      expect(decision).toMatchObject({ ok: false, reason: expected });
      expect(JSON.stringify(decision)).not.toContain("0101701234");
    }
  });
});
