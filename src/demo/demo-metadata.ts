/** Metadata for the demo parties (and test parties): what a real IdP or fagsystem would hand over. */
import type { KeyMaterial } from "../keys/key-material.js";
import { BINDING, NAMEID_FORMAT, NS } from "../saml/namespaces.js";
import { buildXml, x, type XmlNode } from "../xml/xml-builder.js";

function keyDescriptor(use: "signing" | "encryption", key: KeyMaterial, methods: string[] = []): XmlNode {
  return x(NS.md, "md:KeyDescriptor", { use }, [
    x(NS.ds, "ds:KeyInfo", {}, [x(NS.ds, "ds:X509Data", {}, [x(NS.ds, "ds:X509Certificate", {}, [key.certificateBase64])])]),
    ...methods.map((m) => x(NS.md, "md:EncryptionMethod", { Algorithm: m })),
  ]);
}

/** SingleLogoutService elements for a party's logout URL (HTTP-Redirect and HTTP-POST). */
function logoutServices(sloUrl: string | undefined): XmlNode[] {
  if (sloUrl === undefined) return [];
  return [BINDING.redirect, BINDING.post].map((binding) => x(NS.md, "md:SingleLogoutService", { Binding: binding, Location: sloUrl }));
}

export function idpMetadataXml(input: { entityId: string; signing: KeyMaterial; ssoUrl: string; bindings?: string[]; sloUrl?: string | undefined }): string {
  const bindings = input.bindings ?? [BINDING.redirect];
  return buildXml(
    x(NS.md, "md:EntityDescriptor", { entityID: input.entityId }, [
      x(NS.md, "md:IDPSSODescriptor", { protocolSupportEnumeration: NS.samlp, WantAuthnRequestsSigned: "true" }, [
        keyDescriptor("signing", input.signing),
        ...logoutServices(input.sloUrl),
        x(NS.md, "md:NameIDFormat", {}, [NAMEID_FORMAT.x509SubjectName]),
        ...bindings.map((binding) => x(NS.md, "md:SingleSignOnService", { Binding: binding, Location: input.ssoUrl })),
      ]),
    ], { ds: NS.ds }),
  );
}

export function spMetadataXml(input: {
  entityId: string;
  signing: KeyMaterial;
  encryption?: KeyMaterial | undefined;
  encryptionMethods?: string[];
  acsUrls: string[];
  authnRequestsSigned?: boolean;
  /** NameIDFormat elements, in order of preference (default: persistent). */
  nameIdFormats?: string[];
  /** The SP's SingleLogoutService URL (HTTP-Redirect and HTTP-POST), if it takes part in Single Logout. */
  sloUrl?: string | undefined;
  /** Its SingleLogoutService on the SOAP back channel. */
  sloSoapUrl?: string | undefined;
  /** Further encryption certificates (a key rollover publishes the next one beside the current). */
  extraEncryption?: KeyMaterial[];
}): string {
  return buildXml(
    x(NS.md, "md:EntityDescriptor", { entityID: input.entityId }, [
      x(
        NS.md,
        "md:SPSSODescriptor",
        { protocolSupportEnumeration: NS.samlp, AuthnRequestsSigned: String(input.authnRequestsSigned ?? true), WantAssertionsSigned: "true" },
        [
          keyDescriptor("signing", input.signing),
          input.encryption && keyDescriptor("encryption", input.encryption, input.encryptionMethods ?? []),
          ...(input.extraEncryption ?? []).map((key) => keyDescriptor("encryption", key, input.encryptionMethods ?? [])),
          ...logoutServices(input.sloUrl),
          input.sloSoapUrl !== undefined && x(NS.md, "md:SingleLogoutService", { Binding: BINDING.soap, Location: input.sloSoapUrl }),
          ...(input.nameIdFormats ?? [NAMEID_FORMAT.persistent]).map((format) => x(NS.md, "md:NameIDFormat", {}, [format])),
          ...input.acsUrls.map((url, index) =>
            x(NS.md, "md:AssertionConsumerService", { Binding: BINDING.post, Location: url, index, isDefault: index === 0 ? "true" : undefined }),
          ),
        ],
      ),
    ], { ds: NS.ds }),
  );
}
