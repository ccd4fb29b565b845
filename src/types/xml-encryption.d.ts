declare module "xml-encryption" {
  export interface EncryptOptions {
    rsa_pub: string | Buffer | import("node:crypto").KeyObject;
    pem: string | Buffer;
    encryptionAlgorithm: string;
    keyEncryptionAlgorithm: string;
    keyEncryptionDigest?: string;
    keyEncryptionMgf?: string;
    disallowEncryptionWithInsecureAlgorithm?: boolean;
    warnInsecureAlgorithm?: boolean;
  }
  export interface DecryptOptions {
    key: string | Buffer | import("node:crypto").KeyObject;
    disallowDecryptionWithInsecureAlgorithm?: boolean;
    warnInsecureAlgorithm?: boolean;
  }
  export function encrypt(content: string, options: EncryptOptions, callback: (error: Error | null, result?: string) => void): void;
  export function decrypt(xml: string | Node, options: DecryptOptions, callback: (error: Error | null, result?: string | Buffer) => void): void;
  const xmlenc: { encrypt: typeof encrypt; decrypt: typeof decrypt };
  export default xmlenc;
}
