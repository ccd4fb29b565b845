/** Reading the broker's published metadata as a peer would, with a plain DOM parser and no broker code. */
import { DOMParser } from "@xmldom/xmldom";
import { BINDING_REDIRECT, DS_NS, MD_NS } from "./standard-uris.js";

export interface PublishedParty {
  entityId: string;
  signingCertBase64: string;
  ssoRedirectUrl: string | undefined;
  xml: string;
}

export function readPublishedMetadata(xml: string, role: "IDPSSODescriptor" | "SPSSODescriptor"): PublishedParty {
  const document = new DOMParser().parseFromString(xml, "text/xml");
  const root = document.documentElement;
  if (root.namespaceURI !== MD_NS || root.localName !== "EntityDescriptor") throw new Error("not SAML metadata");
  const descriptor = root.getElementsByTagNameNS(MD_NS, role).item(0);
  if (!descriptor) throw new Error(`metadata has no ${role}`);
  let signingCertBase64: string | undefined;
  for (const keyDescriptor of Array.from(descriptor.getElementsByTagNameNS(MD_NS, "KeyDescriptor"))) {
    const use = keyDescriptor.getAttribute("use");
    if (use !== "signing" && use !== null && use !== "") continue;
    const certificate = keyDescriptor.getElementsByTagNameNS(DS_NS, "X509Certificate").item(0);
    if (certificate?.textContent) {
      signingCertBase64 = certificate.textContent.replace(/\s+/g, "");
      break;
    }
  }
  if (!signingCertBase64) throw new Error("metadata has no signing certificate");
  const sso = Array.from(descriptor.getElementsByTagNameNS(MD_NS, "SingleSignOnService")).find((s) => s.getAttribute("Binding") === BINDING_REDIRECT);
  return { entityId: root.getAttribute("entityID") ?? "", signingCertBase64, ssoRedirectUrl: sso?.getAttribute("Location") ?? undefined, xml };
}
