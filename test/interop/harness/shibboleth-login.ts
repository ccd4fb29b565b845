/** One login by the scripted browser at Shibboleth, through the broker and SimpleSAMLphp, and what it carried. */
import { inflateRawSync } from "node:zlib";
import { ScriptedBrowser, type BrowserPage } from "./browser.js";
import { MUNICIPALITY, TEST_USER } from "./environment.js";
import { world } from "./suite.js";

export interface Login {
  browser: ScriptedBrowser;
  page: BrowserPage;
  /** What the page protected by Shibboleth shows: one name=value per line. */
  variables: Map<string, string>;
  /** The broker's AuthnRequest to SimpleSAMLphp (HTTP-Redirect): its query parameters and inflated XML. */
  upstreamRequest: { query: URLSearchParams; xml: string };
  /** SimpleSAMLphp's Response to the broker, and the broker's Response to Shibboleth (decoded XML). */
  idpResponse: string;
  brokerResponse: string;
}

export async function loginAtShibboleth(beforePost?: (url: string, fields: Record<string, string>) => Promise<Record<string, string>>): Promise<Login> {
  const { sp, idp, broker } = world();
  const browser = new ScriptedBrowser();
  const page = await browser.login(sp.protectedUrl, {
    username: TEST_USER.username,
    password: TEST_USER.password,
    municipality: MUNICIPALITY.id,
    ...(beforePost ? { beforePost } : {}),
  });
  const redirect = browser.hops.find((h) => h.method === "GET" && h.url.startsWith(`${idp.baseUrl}/saml2/idp/SSOService.php`));
  const query = new URL(redirect?.url ?? "http://invalid/").searchParams;
  const samlRequest = query.get("SAMLRequest");
  const responseTo = (target: string) => browser.samlMessages.find((m) => m.field === "SAMLResponse" && m.to === target)?.value ?? "";
  return {
    browser,
    page,
    variables: new Map(
      page.body
        .split("\n")
        .filter((line) => line.includes("="))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] as [string, string]),
    ),
    upstreamRequest: { query, xml: samlRequest ? inflateRawSync(Buffer.from(samlRequest, "base64")).toString("utf8") : "" },
    idpResponse: responseTo(`${broker.baseUrl}/saml/acs`),
    brokerResponse: responseTo(sp.acsUrl),
  };
}

export function describeLogin(login: Login): string {
  return `${login.browser.describeHops()}\nfinal page ${login.page.status} ${login.page.url}:\n${login.page.body.slice(0, 3000)}`;
}
