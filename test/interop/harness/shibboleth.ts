/**
 * Shibboleth SP 3 (Debian's libapache2-mod-shib): shibd and apache2 with mod_shib and mod_php, both in the
 * foreground in their own process groups, configured entirely under one folder. Debian's /etc/shibboleth is
 * only read: the stock protocols.xml, security-policy.xml and error page templates are copied from it.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import type { ProcessGroups } from "./processes.js";
import { fetchText, opensslKeyPair, renderTemplate, waitFor, waitForHttp, writeFile } from "./util.js";

const STOCK_CONFIG = "/etc/shibboleth";

/** The only warnings shibd may log in this setup; any other WARN line is a finding. */
export const EXPECTED_SHIBD_WARNINGS = [
  // plain http on loopback (cookieProps="http", handlerSSL="false"): intended
  /WARN Shibboleth\.Application : insecure cookieProps setting/,
  /WARN Shibboleth\.Application : handlerSSL should be enabled/,
  // the /Metadata handler is deprecated in 3.x but still how shibd publishes its metadata
  /WARN Shibboleth\.DEPRECATION : MetadataGenerator handler/,
];

const OWN_FILES = ["shibboleth2.xml", "attribute-map.xml", "attribute-policy.xml", "shibd.logger", "native.logger"];

export class ShibbolethSp {
  readonly baseUrl: string;
  readonly entityId: string;
  readonly protectedUrl: string;
  readonly metadataUrl: string;
  readonly acsUrl: string;
  readonly keyPath: string;
  readonly certPath: string;
  readonly logFiles: Record<string, string>;

  constructor(
    readonly dir: string,
    readonly port: number,
    private readonly processes: ProcessGroups,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.entityId = `${this.baseUrl}/shibboleth`;
    this.protectedUrl = `${this.baseUrl}/secure/`;
    this.metadataUrl = `${this.baseUrl}/Shibboleth.sso/Metadata`;
    this.acsUrl = `${this.baseUrl}/Shibboleth.sso/SAML2/POST`;
    this.keyPath = join(dir, "etc", "sp-key.pem");
    this.certPath = join(dir, "etc", "sp-cert.pem");
    const log = (name: string) => join(dir, "log", name);
    this.logFiles = {
      "shibd.log": log("shibd.log"),
      "shibd_warn.log": log("shibd_warn.log"),
      "shibd transaction.log": log("transaction.log"),
      "shibd stdout/stderr": log("shibd.out"),
      "mod_shib native.log": log("native.log"),
      "apache error log": log("apache-error.log"),
      "apache access log": log("apache-access.log"),
      "apache stdout/stderr": log("apache.out"),
    };
  }

  /**
   * Writes the configuration. `brokerSigningCert`, when given, is pinned for the metadata Signature filter:
   * shibd then refuses IdP metadata that the broker did not sign. `asynchronousLogout`: Shibboleth's default
   * logout, whose LogoutRequest asks for no answer (else the harness sets asynchronous="false").
   */
  async configure(idpEntityId: string, brokerSigningCert?: string, options: { asynchronousLogout?: boolean } = {}): Promise<void> {
    for (const sub of ["etc/metadata.d", "run", "cache", "log", "apache/run", "www/secure"]) mkdirSync(join(this.dir, sub), { recursive: true });
    // apache children run as www-data: they must reach the document root and write native.log
    chmodSync(join(this.dir, "log"), 0o777);
    for (const name of readdirSync(STOCK_CONFIG)) {
      if (!OWN_FILES.includes(name) && /\.(xml|html|logger)$/.test(name)) copyFileSync(join(STOCK_CONFIG, name), join(this.dir, "etc", name));
    }
    if (!existsSync(this.keyPath)) await opensslKeyPair(this.keyPath, this.certPath, `shib-sp.127.0.0.1.${this.port}`);
    const filters = brokerSigningCert
      ? `<MetadataFilter type="Signature" certificate="${writeFile(join(this.dir, "etc", "broker-metadata-signing.pem"), brokerSigningCert)}" verifyBackup="false"/>\n            <MetadataFilter type="RequireValidUntil" maxValidityInterval="2419200"/>`
      : "";
    const values = { DIR: this.dir, ENTITY_ID: this.entityId, IDP_ENTITY_ID: idpEntityId, PORT: String(this.port), METADATA_FILTERS: filters, LOGOUT_ASYNCHRONOUS: String(options.asynchronousLogout === true) };
    for (const name of OWN_FILES) renderTemplate(`shibboleth/${name}`, join(this.dir, "etc", name), values);
    const asRoot = process.getuid?.() === 0;
    renderTemplate("shibboleth/apache2.conf", join(this.dir, "apache", "apache2.conf"), {
      ...values,
      // apache started as root switches its children to www-data; as another user these lines must go
      USER_GROUP: asRoot ? "User www-data\nGroup www-data" : "",
      PHP_MODULE: phpModule(),
    });
    renderTemplate("shibboleth/www/secure/index.php", join(this.dir, "www", "secure", "index.php"), {});
    renderTemplate("shibboleth/www/index.html", join(this.dir, "www", "index.html"), {});
    // whatever the umask: apache's children must be able to read the document root
    for (const path of [this.dir, join(this.dir, "www"), join(this.dir, "www", "secure")]) chmodSync(path, 0o755);
    for (const path of [join(this.dir, "www", "index.html"), join(this.dir, "www", "secure", "index.php")]) chmodSync(path, 0o644);
  }

  /** Places the broker's IdP metadata where shibd reads it (at start). */
  trustIdentityProvider(name: string, metadataXml: string): string {
    return writeFile(join(this.dir, "etc", "metadata.d", `${name}.xml`), metadataXml);
  }

  private env(logger: string): NodeJS.ProcessEnv {
    return {
      ...process.env,
      SHIBSP_CFGDIR: join(this.dir, "etc"),
      SHIBSP_RUNDIR: join(this.dir, "run"),
      SHIBSP_LOGDIR: join(this.dir, "log"),
      SHIBSP_CACHEDIR: join(this.dir, "cache"),
      SHIBSP_CONFIG: join(this.dir, "etc", "shibboleth2.xml"),
      // without SHIBSP_LOGGING neither shibd nor mod_shib writes any log at all
      SHIBSP_LOGGING: join(this.dir, "etc", logger),
    };
  }

  async start(): Promise<void> {
    const config = join(this.dir, "etc", "shibboleth2.xml");
    // -F: stay in the foreground (our process group); -f: remove a stale socket
    const shibd = this.processes.start("shibd", "/usr/sbin/shibd", ["-F", "-f", "-c", config, "-p", join(this.dir, "run", "shibd.pid")], {
      env: this.env("shibd.logger"),
      logFile: this.logFiles["shibd stdout/stderr"]!,
    });
    await waitFor("shibd to open its socket", async () => {
      if (!shibd.alive()) throw new Error(`shibd exited (${shibd.exited})`);
      return existsSync(join(this.dir, "run", "shibd.sock"));
    }, 30_000);
    const apache = this.processes.start("apache2", "/usr/sbin/apache2", ["-f", join(this.dir, "apache", "apache2.conf"), "-D", "FOREGROUND"], {
      env: this.env("native.logger"),
      logFile: this.logFiles["apache stdout/stderr"]!,
    });
    // the Status handler answers 200 only when mod_shib can talk to shibd
    await waitForHttp(`${this.baseUrl}/Shibboleth.sso/Status`, 30_000, () => apache.alive() && shibd.alive());
  }

  async stop(): Promise<void> {
    await this.processes.stop("apache2");
    await this.processes.stop("shibd");
  }

  /** Keeps the logs of a finished run apart (under log/<name>/) so that the next run starts with empty logs. */
  archiveLogs(name: string): void {
    const target = join(this.dir, "log", name);
    mkdirSync(target, { recursive: true });
    for (const file of readdirSync(join(this.dir, "log"))) {
      if (/\.(log|out)$/.test(file)) renameSync(join(this.dir, "log", file), join(target, file));
    }
  }

  metadata(): Promise<string> {
    return fetchText(this.metadataUrl);
  }

  status(): Promise<string> {
    return fetchText(`${this.baseUrl}/Shibboleth.sso/Status`);
  }
}

/** Debian's mod_php for the installed PHP version. */
function phpModule(): string {
  const modules = "/usr/lib/apache2/modules";
  const found = readdirSync(modules).find((name) => /^libphp\d+(\.\d+)?\.so$/.test(name));
  if (!found) throw new Error(`no libphp*.so in ${modules}: install libapache2-mod-php`);
  return join(modules, found);
}
