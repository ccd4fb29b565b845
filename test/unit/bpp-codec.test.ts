import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  BppError,
  DEFAULT_BPP_LIMITS,
  decodePrivilegesAttribute,
  encodePrivilegesAttribute,
  parsePrivilegeXml,
  serializePrivileges,
  type BppErrorReason,
} from "../../src/profiles/bpp-codec.js";
import { BPP_NAMESPACES, formatScope, hasControlCharacter, parseScope, type BppNamespace, type PrivilegeGroup, type PrivilegeList, type PrivilegeScope } from "../../src/profiles/bpp.js";
import { parseXml } from "../../src/xml/xml-parser.js";

const ITST = BPP_NAMESPACES.itst;
const DIGST = BPP_NAMESPACES.digst;
const b64 = (xml: string) => Buffer.from(xml, "utf8").toString("base64");

/** Verbatim from the vendor's sample "AssertionIdPToContextHandler2_Substantial": what a municipal IdP sends. */
const VENDOR_IDP_PRIVILEGES =
  "PD94bWwgdmVyc2lvbj0iMS4wIiBlbmNvZGluZz0iVVRGLTgiPz4gCgo8YnBwOlByaXZpbGVnZUxpc3QgeG1sbnM6YnBwPSJodHRwOi8vaXRzdC5kay9vaW9zYW1sL2Jhc2ljX3ByaXZpbGVnZV9wcm9maWxlIiB4bWxuczp4c2k9Imh0dHA6Ly93d3cudzMub3JnLzIwMDEvWE1MU2NoZW1hLWluc3RhbmNlIj4gCgogICAgICAgPFByaXZpbGVnZUdyb3VwIFNjb3BlPSJ1cm46ZGs6Z292OnNhbWw6Y3ZyTnVtYmVySWRlbnRpZmllcjoxOTQzNTA3OCI+IAoKICAgIAk8UHJpdmlsZWdlPmh0dHA6Ly9rb21tdW5lQS5kay9yb2xlcy9qb2Jyb2xlL2tvbWJpdHJvbGxlMi8xPC9Qcml2aWxlZ2U+IAoKICAgICAgICAgICAgICAgIDxDb25zdHJhaW50IE5hbWU9Imh0dHA6Ly9rb21iaXQuZGsvY29uc3RyYWludHMvS0xFLzEvcGFyYW1ldHJpYyI+MTAuNC4xPC9Db25zdHJhaW50PiAgCgogICAgICAgPC9Qcml2aWxlZ2VHcm91cD4gCgogICAgICAgPFByaXZpbGVnZUdyb3VwIFNjb3BlPSJ1cm46ZGs6Z292OnNhbWw6Y3ZyTnVtYmVySWRlbnRpZmllcjoxOTQzNTA3NiI+IAoKICAgICAgICAgICAgICAgIDxQcml2aWxlZ2U+aHR0cDovL2tvbW11bmVCLmRrL3JvbGVzL2pvYnJvbGUva29tYml0cm9sbGUxLzE8L1ByaXZpbGVnZT4gICAgICAgICAKCiAgICAgICA8L1ByaXZpbGVnZUdyb3VwPiAKCiAgICAgIDxQcml2aWxlZ2VHcm91cCBTY29wZT0idXJuOmRrOmdvdjpzYW1sOmN2ck51bWJlcklkZW50aWZpZXI6MTk0MzUwNzYiPiAKCiAgICAgICAgICAgICAgICA8UHJpdmlsZWdlPmh0dHA6Ly9rb21tdW5lQi5kay9yb2xlcy9qb2Jyb2xlL2tvbWJpdHJvbGxlMi8xPC9Qcml2aWxlZ2U+ICAgICAgICAgCgogICAgICAgPC9Qcml2aWxlZ2VHcm91cD4gCgogICAgICAgPFByaXZpbGVnZUdyb3VwIFNjb3BlPSJ1cm46ZGs6Z292OnNhbWw6Y3ZyTnVtYmVySWRlbnRpZmllcjoxOTQzNTA3NyI+IAoKICAgICAgICAgICAgICAgPFByaXZpbGVnZT5odHRwOi8va29tbXVuZUMuZGsvcm9sZXMvam9icm9sZS9rb21iaXRyb2xsZTEvMTwvUHJpdmlsZWdlPiAgICAgCgogICAgICAgPC9Qcml2aWxlZ2VHcm91cD4gCgogICAgICAgPFByaXZpbGVnZUdyb3VwIFNjb3BlPSJ1cm46ZGs6Z292OnNhbWw6Y3ZyTnVtYmVySWRlbnRpZmllcjoxOTQzNTA3NyI+IAoKICAgICAgICAgICAgICAgPFByaXZpbGVnZT5odHRwOi8va29tbXVuZUMuZGsvcm9sZXMvam9icm9sZS9rb21iaXRyb2xsZTIvMTwvUHJpdmlsZWdlPiAgICAgICAKCiAgICAgICAgICAgICAgIDxDb25zdHJhaW50IE5hbWU9Imh0dHA6Ly9rb21iaXQuZGsvY29uc3RyYWludHMvS0xFLzEvcGFyYW1ldHJpYyI+Mi40LjE8L0NvbnN0cmFpbnQ+IAoKICAgICAgIDwvUHJpdmlsZWdlR3JvdXA+IAoKPC9icHA6UHJpdmlsZWdlTGlzdD4=";

function bppError(run: () => unknown): BppError {
  try {
    run();
  } catch (error) {
    if (error instanceof BppError) return error;
    throw error;
  }
  throw new Error("expected a BppError");
}

describe("reading OIO-BPP", () => {
  it("reads the vendor's sample IdP privileges (itst.dk, XML declaration, unqualified children, white space)", () => {
    const { list, rejected } = decodePrivilegesAttribute(VENDOR_IDP_PRIVILEGES);
    expect(rejected).toEqual([]);
    expect(list.namespace).toBe(ITST);
    expect(list.groups.map((g) => [formatScope(g.scope), g.privileges])).toEqual([
      ["urn:dk:gov:saml:cvrNumberIdentifier:19435078", ["http://kommuneA.dk/roles/jobrole/kombitrolle2/1"]],
      ["urn:dk:gov:saml:cvrNumberIdentifier:19435076", ["http://kommuneB.dk/roles/jobrole/kombitrolle1/1"]],
      ["urn:dk:gov:saml:cvrNumberIdentifier:19435076", ["http://kommuneB.dk/roles/jobrole/kombitrolle2/1"]],
      ["urn:dk:gov:saml:cvrNumberIdentifier:19435077", ["http://kommuneC.dk/roles/jobrole/kombitrolle1/1"]],
      ["urn:dk:gov:saml:cvrNumberIdentifier:19435077", ["http://kommuneC.dk/roles/jobrole/kombitrolle2/1"]],
    ]);
    expect(list.groups[4]!.constraints).toEqual([{ name: "http://kombit.dk/constraints/KLE/1/parametric", values: ["2.4.1"] }]);
  });

  const sameContent = (namespace: string, qualified: boolean) => {
    const p = qualified ? "bpp:" : "";
    return `<bpp:PrivilegeList xmlns:bpp="${namespace}"><${p}PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846"><${p}Privilege>http://k.dk/roles/jobrole/a/1</${p}Privilege><${p}Constraint Name="http://sts.kombit.dk/constraints/KLE/1">27.*, 29.03.*</${p}Constraint></${p}PrivilegeGroup></bpp:PrivilegeList>`;
  };

  it.each([
    ["itst.dk, unqualified children", ITST, false],
    ["itst.dk, qualified children", ITST, true],
    ["digst.dk, unqualified children", DIGST, false],
    ["digst.dk, qualified children", DIGST, true],
  ] as const)("accepts %s", (_name, namespace, qualified) => {
    const { list, rejected } = decodePrivilegesAttribute(b64(sameContent(namespace, qualified)));
    expect(rejected).toEqual([]);
    expect(list).toEqual({
      namespace,
      groups: [
        {
          scope: { kind: "cvr", cvr: "29189846" },
          privileges: ["http://k.dk/roles/jobrole/a/1"],
          constraints: [{ name: "http://sts.kombit.dk/constraints/KLE/1", values: ["27.*", "29.03.*"] }],
        },
      ],
    });
  });

  it("accepts a default-namespace document", () => {
    const { list } = parsePrivilegeXml(`<PrivilegeList xmlns="${DIGST}"><PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846"><Privilege>urn:x</Privilege></PrivilegeGroup></PrivilegeList>`);
    expect(list.groups[0]!.privileges).toEqual(["urn:x"]);
  });

  it("reads constraint values comma-separated or one element per value, merged by name, KLE wildcards kept", () => {
    const xml = `<bpp:PrivilegeList xmlns:bpp="${ITST}"><PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846">
      <Constraint Name="http://sts.kombit.dk/constraints/KLE/1">25.*</Constraint>
      <Privilege>urn:a</Privilege><Privilege>urn:b</Privilege>
      <Constraint Name="http://sts.kombit.dk/constraints/KLE/1">27.*,29.03.*,25.*</Constraint>
      <Constraint Name="http://sts.kombit.dk/constraints/foelsomhed/1">3</Constraint>
    </PrivilegeGroup></bpp:PrivilegeList>`;
    const group = parsePrivilegeXml(xml).list.groups[0]!;
    expect(group.privileges).toEqual(["urn:a", "urn:b"]);
    expect(group.constraints).toEqual([
      { name: "http://sts.kombit.dk/constraints/KLE/1", values: ["25.*", "27.*", "29.03.*"] },
      { name: "http://sts.kombit.dk/constraints/foelsomhed/1", values: ["3"] },
    ]);
  });

  it.each([
    ["urn:dk:gov:saml:cvrNumberIdentifier:29189846", { kind: "cvr", cvr: "29189846" }],
    ["urn:dk:gov:saml:productionUnitIdentifier:1003388394", { kind: "productionUnit", pNumber: "1003388394" }],
    ["urn:dk:gov:saml:seNumberIdentifier:27384223", { kind: "seNumber", seNumber: "27384223" }],
    ["urn:dk:gov:saml:cprNumberIdentifier:0101701234", { kind: "cpr", cpr: "0101701234" }],
  ] as Array<[string, PrivilegeScope]>)("reads the scope %s and writes it back", (text, scope) => {
    expect(parseScope(text)).toEqual(scope);
    expect(formatScope(scope)).toBe(text);
  });

  it.each(["urn:dk:gov:saml:cvrNumberIdentifier:2918984", "urn:dk:gov:saml:cvrNumberIdentifier:291898460", "urn:dk:gov:saml:cvrNumberIdentifier:abcdefgh", "urn:other:29189846", ""])(
    "refuses the scope %j",
    (text) => expect(parseScope(text)).toBeUndefined(),
  );

  const groupCases: Array<[string, string, RegExp]> = [
    ["a group without a Scope", `<PrivilegeGroup><Privilege>urn:a</Privilege></PrivilegeGroup>`, /no Scope/],
    ["an unknown scope form", `<PrivilegeGroup Scope="urn:dk:gov:saml:pidNumberIdentifier:1234"><Privilege>urn:a</Privilege></PrivilegeGroup>`, /not a CVR/],
    ["a group without a Privilege", `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846"><Constraint Name="n">1</Constraint></PrivilegeGroup>`, /no Privilege/],
    ["an empty Privilege", `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846"><Privilege> </Privilege></PrivilegeGroup>`, /Privilege is empty/],
    ["a Privilege with white space inside", `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846"><Privilege>urn:a urn:b</Privilege></PrivilegeGroup>`, /white space/],
    ["a Constraint without a Name", `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846"><Privilege>urn:a</Privilege><Constraint>1</Constraint></PrivilegeGroup>`, /Name is empty/],
    ["a Constraint without a value", `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846"><Privilege>urn:a</Privilege><Constraint Name="n"> , </Constraint></PrivilegeGroup>`, /no value/],
    ["an unknown element", `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846"><Privilege>urn:a</Privilege><Extra/></PrivilegeGroup>`, /unexpected element Extra/],
    ["a child in a foreign namespace", `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846"><o:Privilege xmlns:o="urn:other">urn:a</o:Privilege></PrivilegeGroup>`, /unexpected element Privilege/],
    ["text in the group", `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846">stray<Privilege>urn:a</Privilege></PrivilegeGroup>`, /unexpected text/],
    ["markup inside a Privilege", `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846"><Privilege>urn:a<b/></Privilege></PrivilegeGroup>`, /only text/],
  ];

  it.each(groupCases)("drops %s with a reason and keeps the other groups", (_name, bad, reason) => {
    const good = `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846"><Privilege>urn:good</Privilege></PrivilegeGroup>`;
    const { list, rejected } = parsePrivilegeXml(`<bpp:PrivilegeList xmlns:bpp="${ITST}">${good}${bad}${good}</bpp:PrivilegeList>`);
    expect(list.groups.map((g) => g.privileges[0])).toEqual(["urn:good", "urn:good"]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.position).toBe(2);
    expect(rejected[0]!.reason).toMatch(reason);
  });

  const documentCases: Array<[string, string, BppErrorReason]> = [
    ["not base64", "@@@not base64@@@", "bpp_not_base64"],
    ["empty", "", "bpp_not_base64"],
    ["base64 of invalid UTF-8", Buffer.from([0xff, 0xfe, 0x3c]).toString("base64"), "bpp_not_utf8"],
    ["not XML", b64("privileges: admin"), "bpp_not_xml"],
    ["unclosed XML", b64(`<bpp:PrivilegeList xmlns:bpp="${ITST}">`), "bpp_not_xml"],
    ["a DOCTYPE", b64(`<!DOCTYPE x [<!ENTITY a "b">]><bpp:PrivilegeList xmlns:bpp="${ITST}"/>`), "bpp_not_xml"],
    ["another root", b64(`<bpp:Privileges xmlns:bpp="${ITST}"/>`), "bpp_wrong_root"],
    ["an unknown namespace", b64(`<bpp:PrivilegeList xmlns:bpp="http://example.dk/bpp"/>`), "bpp_wrong_root"],
    ["no namespace", b64(`<PrivilegeList/>`), "bpp_wrong_root"],
    ["an unknown element in the list", b64(`<bpp:PrivilegeList xmlns:bpp="${ITST}"><Privilege>urn:a</Privilege></bpp:PrivilegeList>`), "bpp_malformed"],
    ["text in the list", b64(`<bpp:PrivilegeList xmlns:bpp="${ITST}">admin</bpp:PrivilegeList>`), "bpp_malformed"],
    ["nesting too deep", b64(`<bpp:PrivilegeList xmlns:bpp="${ITST}"><PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846"><Privilege><a><b/></a></Privilege></PrivilegeGroup></bpp:PrivilegeList>`), "bpp_malformed"],
  ];

  it.each(documentCases)("refuses a document that is %s", (_name, encoded, reason) => {
    expect(bppError(() => decodePrivilegesAttribute(encoded)).reason).toBe(reason);
  });

  it("enforces the size and count limits", () => {
    const group = `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846"><Privilege>urn:a</Privilege></PrivilegeGroup>`;
    const many = (n: number) => `<bpp:PrivilegeList xmlns:bpp="${ITST}">${group.repeat(n)}</bpp:PrivilegeList>`;
    const limits = { ...DEFAULT_BPP_LIMITS, maxGroups: 3 };
    expect(parsePrivilegeXml(many(3), limits).list.groups).toHaveLength(3);
    expect(bppError(() => parsePrivilegeXml(many(4), limits)).reason).toBe("bpp_too_large");
    expect(bppError(() => decodePrivilegesAttribute("A".repeat(DEFAULT_BPP_LIMITS.maxEncodedChars + 4))).reason).toBe("bpp_too_large");
    const privileges = (n: number) =>
      `<bpp:PrivilegeList xmlns:bpp="${ITST}"><PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846">${Array.from({ length: n }, (_v, i) => `<Privilege>urn:${i}</Privilege>`).join("")}</PrivilegeGroup></bpp:PrivilegeList>`;
    expect(parsePrivilegeXml(privileges(2), { ...limits, maxPrivilegesPerGroup: 2 }).rejected).toEqual([]);
    expect(parsePrivilegeXml(privileges(3), { ...limits, maxPrivilegesPerGroup: 2 }).rejected[0]!.reason).toMatch(/more than 2 privileges/);
    const values = `<bpp:PrivilegeList xmlns:bpp="${ITST}"><PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846"><Privilege>urn:a</Privilege><Constraint Name="n">1,2,3</Constraint></PrivilegeGroup></bpp:PrivilegeList>`;
    expect(parsePrivilegeXml(values, { ...limits, maxValuesPerConstraint: 2 }).rejected[0]!.reason).toMatch(/more than 2 values/);
  });
});

describe("writing OIO-BPP", () => {
  const list: PrivilegeList = {
    namespace: DIGST,
    groups: [
      {
        scope: { kind: "cvr", cvr: "19435077" },
        privileges: ["http://kombit.dk/roles/usersystemrole/kombitrolle5/1"],
        constraints: [{ name: "http://kombit.dk/constraints/KLE/5", values: ["KLE/500001", "KLE/500002", "KLE/500003"] }],
      },
    ],
  };

  it("writes the vendor's output form: digst.dk root, unqualified children, one Constraint element per value", () => {
    expect(serializePrivileges(list)).toBe(
      `<bpp:PrivilegeList xmlns:bpp="${DIGST}"><PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:19435077">` +
        "<Privilege>http://kombit.dk/roles/usersystemrole/kombitrolle5/1</Privilege>" +
        '<Constraint Name="http://kombit.dk/constraints/KLE/5">KLE/500001</Constraint>' +
        '<Constraint Name="http://kombit.dk/constraints/KLE/5">KLE/500002</Constraint>' +
        '<Constraint Name="http://kombit.dk/constraints/KLE/5">KLE/500003</Constraint>' +
        "</PrivilegeGroup></bpp:PrivilegeList>",
    );
    expect(serializePrivileges({ ...list, namespace: ITST })).toContain(`<bpp:PrivilegeList xmlns:bpp="${ITST}">`);
  });

  it("escapes <, & and \" in privileges, constraint names and values (a serializer, not string concatenation)", () => {
    const hostile: PrivilegeList = {
      namespace: ITST,
      groups: [
        {
          scope: { kind: "cvr", cvr: "29189846" },
          privileges: ['urn:a<b>&"c"</Privilege><Privilege>urn:admin'],
          constraints: [{ name: 'n"/><Constraint Name="x', values: ['<Constraint Name="KLE">*</Constraint>', "a&b", '"q"'] }],
        },
      ],
    };
    const xml = serializePrivileges(hostile);
    expect(xml).not.toContain("<Privilege>urn:admin");
    expect(xml).not.toContain('<Constraint Name="KLE">');
    expect(xml).toContain("&lt;");
    expect(xml).toContain("&amp;");
    expect(xml).toContain("&quot;");
    const doc = parseXml(xml).documentElement;
    expect(doc.getElementsByTagName("Privilege")).toHaveLength(1);
    expect(doc.getElementsByTagName("Constraint")).toHaveLength(3);
    const back = parsePrivilegeXml(xml);
    expect(back.rejected).toEqual([]);
    expect(back.list).toEqual(hostile);
  });

  const cvrScope: PrivilegeScope = { kind: "cvr", cvr: "29189846" };
  const unwritable: Array<[string, PrivilegeGroup, RegExp]> = [
    ["an empty privilege list in a group", { scope: cvrScope, privileges: [], constraints: [] }, /at least one Privilege/],
    ["a value with a comma", { scope: cvrScope, privileges: ["urn:a"], constraints: [{ name: "n", values: ["1,2"] }] }, /comma/],
    ["a control character", { scope: cvrScope, privileges: ["urn:a\u0001"], constraints: [] }, /characters XML cannot carry/],
    ["a line separator (XML readers normalise it in attributes)", { scope: cvrScope, privileges: ["urn:a"], constraints: [{ name: "n\u2028m", values: ["1"] }] }, /characters XML cannot carry/],
    ["a C1 control character", { scope: cvrScope, privileges: ["urn:a"], constraints: [{ name: "n", values: ["1\u0085"] }] }, /characters XML cannot carry/],
    ["surrounding white space", { scope: cvrScope, privileges: ["urn:a"], constraints: [{ name: "n", values: [" 1"] }] }, /white space/],
    ["white space inside a privilege", { scope: cvrScope, privileges: ["urn:a urn:b"], constraints: [] }, /white space/],
    ["a constraint without values", { scope: cvrScope, privileges: ["urn:a"], constraints: [{ name: "n", values: [] }] }, /no value/],
  ];
  it.each(unwritable)("refuses to write %s", (_name, group, message) => {
    const error = bppError(() => serializePrivileges({ namespace: DIGST, groups: [group] }));
    expect(error.reason).toBe("bpp_unserializable");
    expect(error.message).toMatch(message);
  });
});

describe("OIO-BPP round trips (property-based)", () => {
  const curated = fc.constantFrom("a", "Z", "0", "9", ".", "*", "/", ":", "-", "_", "<", ">", "&", '"', "'", " ", "æ", "ø", "å", "Å", "€", "😀", "中");
  const text = fc
    .oneof(fc.string({ unit: curated, minLength: 1, maxLength: 24 }), fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }))
    .filter((v) => v === v.trim() && v !== "" && !hasControlCharacter(v) && !/[\ufffe\uffff]/.test(v));
  const token = text.filter((v) => !/\s/.test(v));
  const value = text.filter((v) => !v.includes(","));
  const digits = (n: number) => fc.stringMatching(new RegExp(`^\\d{${n}}$`));
  const scope: fc.Arbitrary<PrivilegeScope> = fc.oneof(
    digits(8).map((cvr): PrivilegeScope => ({ kind: "cvr", cvr })),
    digits(10).map((pNumber): PrivilegeScope => ({ kind: "productionUnit", pNumber })),
    digits(8).map((seNumber): PrivilegeScope => ({ kind: "seNumber", seNumber })),
    digits(10).map((cpr): PrivilegeScope => ({ kind: "cpr", cpr })),
  );
  const constraint = fc.record({ name: text, values: fc.uniqueArray(value, { minLength: 1, maxLength: 5 }) });
  const group = fc.record({
    scope,
    privileges: fc.uniqueArray(token, { minLength: 1, maxLength: 4 }),
    constraints: fc.uniqueArray(constraint, { maxLength: 4, selector: (c) => c.name }),
  });
  const list = (namespace: BppNamespace) => fc.record({ namespace: fc.constant(namespace), groups: fc.array(group, { maxLength: 6 }) });

  it.each([
    ["itst.dk", ITST],
    ["digst.dk", DIGST],
  ] as const)("decode(encode(list)) is the list, in the %s namespace", (_name, namespace) => {
    fc.assert(
      fc.property(list(namespace), (generated) => {
        const decoded = decodePrivilegesAttribute(encodePrivilegesAttribute(generated));
        expect(decoded.rejected).toEqual([]);
        expect(decoded.list).toEqual(generated);
      }),
      { numRuns: 500 },
    );
  });

  it("encode(decode(x)) is stable: writing what was read gives the same bytes", () => {
    fc.assert(
      fc.property(list(DIGST), (generated) => {
        const once = encodePrivilegesAttribute(generated);
        expect(encodePrivilegesAttribute(decodePrivilegesAttribute(once).list)).toBe(once);
      }),
      { numRuns: 300 },
    );
  });
});
