/** Reading the broker's Response to Shibboleth: its encryption algorithms, and its assertion decrypted with the SP's key. */
import { NS, children, parse } from "./xmlsec.js";
import { world, xmlsecTool } from "./suite.js";

export const ALG = {
  aes256gcm: "http://www.w3.org/2009/xmlenc11#aes256-gcm",
  rsaOaep11: "http://www.w3.org/2009/xmlenc11#rsa-oaep",
  mgf1sha256: "http://www.w3.org/2009/xmlenc11#mgf1sha256",
  sha256: "http://www.w3.org/2001/04/xmlenc#sha256",
  rsaOaepMgf1p: "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
  aes128cbc: "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
  rsaSha256: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
};

/** The ID attributes xmlsec1 is told about when it verifies a Response or an assertion. */
export const ID_ATTRIBUTES = [`${NS.samlp}:Response`, `${NS.saml}:Assertion`];

/** Algorithm URIs used in the EncryptedAssertion of a Response (or the EncryptedID of a LogoutRequest), in document order. */
export function encryptionAlgorithms(responseXml: string, wrapper: "EncryptedAssertion" | "EncryptedID" = "EncryptedAssertion"): string[] {
  const response = parse(responseXml).documentElement!;
  const encrypted = children(response, NS.saml, wrapper);
  const out: string[] = [];
  for (const element of encrypted) {
    const all = element.getElementsByTagNameNS("*", "*");
    for (let i = 0; i < all.length; i++) {
      const algorithm = all.item(i)!.getAttribute("Algorithm");
      if (algorithm) out.push(algorithm);
    }
  }
  return out;
}

/** Decrypts the broker's Response with the Shibboleth SP's key; returns the document and the plain assertion. */
export async function decryptForShibboleth(responseXml: string): Promise<{ document: string; assertion: Element; assertionId: string }> {
  const decrypted = await xmlsecTool().decrypt(responseXml, world().sp.keyPath);
  if (!decrypted.ok) throw new Error(`xmlsec1 could not decrypt the broker's assertion:\n${decrypted.output}`);
  const response = parse(decrypted.xml).documentElement!;
  const wrapper = children(response, NS.saml, "EncryptedAssertion")[0];
  const assertion = wrapper ? children(wrapper, NS.saml, "Assertion")[0] : undefined;
  if (!assertion) throw new Error("the decrypted EncryptedAssertion holds no saml:Assertion");
  return { document: decrypted.xml, assertion, assertionId: assertion.getAttribute("ID") ?? "" };
}

/** Replaces the EncryptedAssertion of a Response by the given plain assertion XML. */
export function withPlainAssertion(responseXml: string, assertionXml: string): string {
  return responseXml.replace(/<saml:EncryptedAssertion\b[\s\S]*<\/saml:EncryptedAssertion>/, assertionXml);
}
