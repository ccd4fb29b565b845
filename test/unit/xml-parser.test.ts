import { describe, expect, it } from "vitest";
import { attr, optionalChild, parseXml, requiredAttr, textOf, type XmlLimits } from "../../src/xml/xml-parser.js";
import { XmlError } from "../../src/xml/xml-error.js";

const SAML = "urn:oasis:names:tc:SAML:2.0:assertion";

function rejection(run: () => unknown): XmlError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(XmlError);
    return error as XmlError;
  }
  throw new Error("expected a XmlError, but nothing was thrown");
}

const reasonFor = (xml: string, limits?: XmlLimits) => rejection(() => parseXml(xml, limits)).reason;

function nested(depth: number): string {
  return `${"<a>".repeat(depth)}${"</a>".repeat(depth)}`;
}

describe("parseXml", () => {
  it("parses a namespaced SAML element", () => {
    const doc = parseXml(`<?xml version="1.0" encoding="UTF-8"?>\n<saml:Issuer xmlns:saml="${SAML}">https://idp.kommune.dk</saml:Issuer>\n`);
    expect(doc.documentElement.localName).toBe("Issuer");
    expect(doc.documentElement.namespaceURI).toBe(SAML);
    expect(textOf(doc.documentElement)).toBe("https://idp.kommune.dk");
  });

  it("rejects a DOCTYPE", () => {
    expect(reasonFor('<!DOCTYPE r [<!ELEMENT r ANY>]><r/>')).toBe("xml_doctype");
    expect(reasonFor("<!doctype r><r/>")).toBe("xml_doctype");
  });

  it("rejects entity declarations (billion laughs, XXE)", () => {
    const laughs = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><lolz>&lol2;</lolz>';
    expect(reasonFor(laughs)).toBe("xml_doctype");
    const xxe = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>';
    expect(reasonFor(xxe)).toBe("xml_doctype");
  });

  it("rejects two root elements", () => {
    expect(reasonFor("<a/><b/>")).toBe("xml_malformed");
  });

  it("rejects text after the root element", () => {
    expect(reasonFor("<a/>trailing")).toBe("xml_malformed");
  });

  it("accepts whitespace around the root element", () => {
    expect(parseXml("\n  <a/>\n  ").documentElement.localName).toBe("a");
  });

  it("rejects a comment outside the root element", () => {
    expect(reasonFor("<a/><!-- after -->")).toBe("xml_malformed");
  });

  it("rejects a processing instruction inside the document", () => {
    expect(reasonFor("<a><?evil data?></a>")).toBe("xml_malformed");
    expect(reasonFor("<a><b><?evil data?></b></a>")).toBe("xml_malformed");
  });

  it("rejects a processing instruction before the root that is not the XML declaration", () => {
    expect(reasonFor('<?xml-stylesheet href="x.xsl"?><a/>')).toBe("xml_malformed");
  });

  it("rejects an unbound namespace prefix", () => {
    expect(reasonFor("<saml:Assertion/>")).toBe("xml_malformed");
    expect(reasonFor(`<saml:Assertion xmlns:saml="${SAML}"><ds:Signature/></saml:Assertion>`)).toBe("xml_malformed");
  });

  it("rejects duplicate attributes", () => {
    expect(reasonFor('<a ID="one" ID="two"/>')).toBe("xml_malformed");
  });

  it("rejects malformed XML", () => {
    expect(reasonFor("<a><b></a>")).toBe("xml_malformed");
    expect(reasonFor("<a")).toBe("xml_malformed");
    expect(reasonFor("not xml at all")).toBe("xml_malformed");
  });

  describe("limits", () => {
    const limits: XmlLimits = { maxBytes: 10_000, maxDepth: 5, maxElements: 10 };

    it("accepts nesting up to the depth limit and rejects one level more", () => {
      expect(parseXml(nested(5), limits).documentElement.localName).toBe("a");
      expect(reasonFor(nested(6), limits)).toBe("xml_too_deep");
    });

    it("accepts up to the element limit and rejects one element more", () => {
      const children = (n: number) => `<r>${"<c/>".repeat(n)}</r>`;
      expect(parseXml(children(9), limits).documentElement.childNodes.length).toBe(9);
      expect(reasonFor(children(10), limits)).toBe("xml_too_many_elements");
    });

    it("rejects more bytes than allowed, counting UTF-8 bytes, before parsing", () => {
      const small: XmlLimits = { maxBytes: 20, maxDepth: 5, maxElements: 10 };
      expect(parseXml("<a>0123456789012</a>", small).documentElement.localName).toBe("a");
      expect(reasonFor("<a>01234567890123</a>", small)).toBe("xml_too_large");
      // 7 characters of two bytes each: 21 bytes, though only 14 characters.
      expect(reasonFor("<a>øøøøøøø</a>", small)).toBe("xml_too_large");
      // The size check comes first, even for a DOCTYPE.
      expect(reasonFor("<!DOCTYPE a><a>0123456789</a>", small)).toBe("xml_too_large");
    });

    it("enforces the default depth limit of 32", () => {
      expect(parseXml(nested(32)).documentElement.localName).toBe("a");
      expect(reasonFor(nested(33))).toBe("xml_too_deep");
    });
  });
});

describe("textOf", () => {
  it("joins text and CDATA", () => {
    const doc = parseXml("<v>victim@<![CDATA[kommune]]>.dk</v>");
    expect(textOf(doc.documentElement)).toBe("victim@kommune.dk");
  });

  it("rejects a comment inside a value, so no reader sees a truncated value", () => {
    const doc = parseXml(`<saml:NameID xmlns:saml="${SAML}">victim@kommune.dk<!---->.evil.dk</saml:NameID>`);
    expect(rejection(() => textOf(doc.documentElement)).reason).toBe("xml_mixed_content");
  });

  it("rejects a child element inside a value", () => {
    const doc = parseXml("<v>victim<b/>@kommune.dk</v>");
    expect(rejection(() => textOf(doc.documentElement)).reason).toBe("xml_mixed_content");
  });

  it("gives the empty string for an empty element", () => {
    expect(textOf(parseXml("<v/>").documentElement)).toBe("");
  });
});

describe("element and attribute helpers", () => {
  it("optionalChild fails closed on two matching children", () => {
    const doc = parseXml(`<r xmlns:saml="${SAML}"><saml:Issuer>a</saml:Issuer><saml:Issuer>b</saml:Issuer></r>`);
    expect(rejection(() => optionalChild(doc.documentElement, SAML, "Issuer")).reason).toBe("xml_ambiguous");
  });

  it("optionalChild matches on namespace, not on prefix", () => {
    const doc = parseXml(`<r xmlns:saml="urn:other"><saml:Issuer>a</saml:Issuer></r>`);
    expect(optionalChild(doc.documentElement, SAML, "Issuer")).toBeNull();
  });

  it("tells an absent attribute from an empty one, and requiredAttr refuses both", () => {
    const doc = parseXml('<r Empty="" ID="_1"/>');
    expect(attr(doc.documentElement, "Missing")).toBeNull();
    expect(attr(doc.documentElement, "Empty")).toBe("");
    expect(requiredAttr(doc.documentElement, "ID")).toBe("_1");
    expect(rejection(() => requiredAttr(doc.documentElement, "Empty")).reason).toBe("xml_missing");
    expect(rejection(() => requiredAttr(doc.documentElement, "Missing")).reason).toBe("xml_missing");
  });
});
