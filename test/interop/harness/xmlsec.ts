/**
 * Independent checks of the broker's messages with xmlsec1 (Debian's xmlsec1 1.2.37, OpenSSL backend).
 *
 * Signatures are verified only with the key from the certificate file given: `--enabled-key-data key-name`
 * makes xmlsec1 ignore the certificate the message carries in its KeyInfo. Never add `--insecure` to
 * `--pubkey-cert-pem`: xmlsec1 then accepts any certificate embedded in the message, and a message re-signed
 * by anyone verifies "OK".
 */
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { DOMParser } from "@xmldom/xmldom";
import { run, writeFile, type CommandResult } from "./util.js";

export const NS = {
  samlp: "urn:oasis:names:tc:SAML:2.0:protocol",
  saml: "urn:oasis:names:tc:SAML:2.0:assertion",
  ds: "http://www.w3.org/2000/09/xmldsig#",
  xenc: "http://www.w3.org/2001/04/xmlenc#",
  md: "urn:oasis:names:tc:SAML:2.0:metadata",
} as const;

export function parse(xml: string): Document {
  return new DOMParser().parseFromString(xml, "text/xml") as unknown as Document;
}

/** Direct children of `parent` with namespace and local name. */
export function children(parent: Element, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1 && (node as Element).namespaceURI === ns && (node as Element).localName === localName) out.push(node as Element);
  }
  return out;
}

export interface SignatureCheck {
  ok: boolean;
  /** The URI of the signature's single Reference, e.g. "#_abc". */
  referenceUri: string | undefined;
  output: string;
}

export class Xmlsec {
  private counter = 0;

  constructor(private readonly workDir: string) {}

  private file(name: string, content: string): string {
    this.counter += 1;
    return writeFile(join(this.workDir, `${String(this.counter).padStart(3, "0")}-${name}`), content);
  }

  /** Decrypts the (first) EncryptedData in `xml` with the recipient's private key; returns the whole document. */
  async decrypt(xml: string, privateKeyPath: string): Promise<{ ok: boolean; xml: string; output: string }> {
    const input = this.file("encrypted.xml", xml);
    const output = join(this.workDir, `${String(this.counter).padStart(3, "0")}-decrypted.xml`);
    // enc-key only: the session key comes from the EncryptedKey, unwrapped with the given private key
    const result = await run("xmlsec1", ["--decrypt", "--enabled-key-data", "enc-key", "--privkey-pem", privateKeyPath, "--output", output, input], { timeoutMs: 30_000 });
    return { ok: result.code === 0, xml: result.code === 0 ? readFileSync(output, "utf8") : "", output: describe(result) };
  }

  /** Verifies the enveloped signature of the element with ID `id` (a Response, Assertion or EntityDescriptor). */
  async verify(xml: string, id: string, certificatePath: string, idAttributes: string[]): Promise<SignatureCheck> {
    const input = this.file("signed.xml", xml);
    const args = ["--verify", "--enabled-reference-uris", "empty,same-doc", "--enabled-key-data", "key-name", "--pubkey-cert-pem", certificatePath];
    for (const element of idAttributes) args.push(`--id-attr:ID`, element);
    args.push("--node-id", id, input);
    const result = await run("xmlsec1", args, { timeoutMs: 30_000 });
    return { ok: result.code === 0, referenceUri: referenceOf(xml, id), output: describe(result) };
  }
}

/** The Reference URI of the Signature that is a direct child of the element with this ID. */
function referenceOf(xml: string, id: string): string | undefined {
  const doc = parse(xml);
  const all = doc.getElementsByTagNameNS("*", "*");
  for (let i = 0; i < all.length; i++) {
    const element = all.item(i)!;
    if (element.getAttribute("ID") !== id) continue;
    const signature = children(element, NS.ds, "Signature")[0];
    const signedInfo = signature ? children(signature, NS.ds, "SignedInfo")[0] : undefined;
    const references = signedInfo ? children(signedInfo, NS.ds, "Reference") : [];
    return references.length === 1 ? (references[0]!.getAttribute("URI") ?? undefined) : undefined;
  }
  return undefined;
}

function describe(result: CommandResult): string {
  return `exit ${result.code}\n${result.stdout}${result.stderr}`.trim();
}
