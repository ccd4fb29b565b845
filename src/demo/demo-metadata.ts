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

export function idpMetadataXml(input: { entityId: string; signing: KeyMaterial; ssoUrl: string; bindings?: string[] }): string {
  const bindings = input.bindings ?? [BINDING.redirect];
  return buildXml(
    x(NS.md, "md:EntityDescriptor", { entityID: input.entityId }, [
      x(NS.md, "md:IDPSSODescriptor", { protocolSupportEnumeration: NS.samlp, WantAuthnRequestsSigned: "true" }, [
        keyDescriptor("signing", input.signing),
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
          ...(input.nameIdFormats ?? [NAMEID_FORMAT.persistent]).map((format) => x(NS.md, "md:NameIDFormat", {}, [format])),
          ...input.acsUrls.map((url, index) =>
            x(NS.md, "md:AssertionConsumerService", { Binding: BINDING.post, Location: url, index, isDefault: index === 0 ? "true" : undefined }),
          ),
        ],
      ),
    ], { ds: NS.ds }),
  );
}
