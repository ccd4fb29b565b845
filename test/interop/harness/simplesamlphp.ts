/**
 * SimpleSAMLphp 1.19 (Debian package) as the municipal IdP: `php -S` on a loopback port, configured entirely
 * under its own folder (SIMPLESAMLPHP_CONFIG_DIR), nothing under /etc is read or changed.
 */
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { ProcessGroups } from "./processes.js";
import { fetchText, opensslKeyPair, renderTemplate, runOk, waitForHttp, writeFile } from "./util.js";

export const SIMPLESAMLPHP_WWW = "/usr/share/simplesamlphp/www";

export interface SimpleSamlPhpUser {
  username: string;
  password: string;
  cvr: string;
  uuid: string;
  email: string;
  privilegesBase64: string;
}

export class SimpleSamlPhpIdp {
  readonly baseUrl: string;
  readonly entityId: string;
  readonly metadataUrl: string;
  readonly certPath: string;
  readonly logFiles: Record<string, string>;

  constructor(
    readonly dir: string,
    readonly port: number,
    private readonly processes: ProcessGroups,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.entityId = `${this.baseUrl}/saml2/idp/metadata.php`;
    this.metadataUrl = this.entityId;
    this.certPath = join(dir, "cert", "idp.crt");
    this.logFiles = {
      "SimpleSAMLphp log": join(dir, "log", "simplesamlphp.log"),
      "SimpleSAMLphp php -S output": join(dir, "log", "php-server.log"),
    };
  }

  async configure(user: SimpleSamlPhpUser): Promise<void> {
    for (const sub of ["cert", "log", "data", "tmp", "metadata", "metadata-xml", "config"]) mkdirSync(join(this.dir, sub), { recursive: true });
    await opensslKeyPair(join(this.dir, "cert", "idp.key"), this.certPath, `ssp-idp.127.0.0.1.${this.port}`);
    const random = () => Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("hex");
    renderTemplate("simplesamlphp/config.php", join(this.dir, "config", "config.php"), {
      BASE_URL: this.baseUrl,
      DIR: this.dir,
      SECRET_SALT: random(),
      ADMIN_PASSWORD: random(),
    });
    renderTemplate("simplesamlphp/authsources.php", join(this.dir, "config", "authsources.php"), {
      USERNAME: user.username,
      PASSWORD: user.password,
      CVR: user.cvr,
      USER_UUID: user.uuid,
      EMAIL: user.email,
      PRIVILEGES_BASE64: user.privilegesBase64,
    });
    renderTemplate("simplesamlphp/saml20-idp-hosted.php", join(this.dir, "metadata", "saml20-idp-hosted.php"), { ENTITY_ID: this.entityId });
    // php -S runs as the invoking user; keep the folder private to it except what must be read
    chmodSync(join(this.dir, "cert", "idp.key"), 0o600);
  }

  private env(): NodeJS.ProcessEnv {
    // PHP_CLI_SERVER_WORKERS: php -S is single-threaded otherwise, and one slow request blocks the rest
    return { ...process.env, SIMPLESAMLPHP_CONFIG_DIR: join(this.dir, "config"), PHP_CLI_SERVER_WORKERS: "4" };
  }

  async start(): Promise<void> {
    // opcache off: the cli-server SAPI caches PHP files (config, metadata) for up to 2 s otherwise
    const peer = this.processes.start("simplesamlphp", "php", ["-d", "opcache.enable=0", "-S", `127.0.0.1:${this.port}`, "-t", SIMPLESAMLPHP_WWW], {
      cwd: this.dir,
      env: this.env(),
      logFile: this.logFiles["SimpleSAMLphp php -S output"]!,
    });
    await waitForHttp(this.metadataUrl, 20_000, () => peer.alive());
  }

  async stop(): Promise<void> {
    await this.processes.stop("simplesamlphp");
  }

  metadata(): Promise<string> {
    return fetchText(this.metadataUrl);
  }

  /** Registers an SP by its SAML metadata XML (read by SimpleSAMLphp on every request: no restart). */
  trustServiceProvider(name: string, metadataXml: string): string {
    return writeFile(join(this.dir, "metadata-xml", `${name}.xml`), metadataXml);
  }

  /**
   * Asks SimpleSAMLphp itself how it reads an SP's metadata (its own parser and metadata handler), as JSON:
   * entityid, AssertionConsumerService, keys, validate.authnrequest.
   */
  async describeRemoteSp(entityId: string): Promise<Record<string, unknown>> {
    const script = `
require '${SIMPLESAMLPHP_WWW}/_include.php';
$md = \\SimpleSAML\\Metadata\\MetaDataStorageHandler::getMetadataHandler()->getMetaDataConfig($argv[1], 'saml20-sp-remote');
echo json_encode([
  'entityid' => $md->getString('entityid'),
  'AssertionConsumerService' => $md->getArray('AssertionConsumerService', []),
  'NameIDFormat' => $md->getValue('NameIDFormat'),
  'validate.authnrequest' => $md->getValue('validate.authnrequest'),
  'signingKeys' => count($md->getPublicKeys('signing', false) ?? []),
  'encryptionKeys' => count($md->getPublicKeys('encryption', false) ?? []),
], JSON_UNESCAPED_SLASHES);
`;
    const result = await runOk("php", ["-d", "opcache.enable=0", "-r", script, entityId], { env: this.env(), cwd: this.dir, timeoutMs: 30_000 });
    return JSON.parse(result.stdout) as Record<string, unknown>;
  }
}
