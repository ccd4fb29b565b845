/**
 * A vendor's own SAML fagsystem for the sandbox tests: @node-saml/node-saml
 * (no broker code), its metadata written by node-saml itself, and the login
 * driven through the demo as a browser would, up to the broker's auto-POST to
 * the fagsystem's ACS.
 */
import { SAML, type Profile } from "@node-saml/node-saml";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { readPublishedMetadata } from "../independent-peers/published-metadata.js";
import { NAMEID_PERSISTENT } from "../independent-peers/standard-uris.js";
import { Browser, unescapeHtml, type Page } from "../support/http-browser.js";

export interface VendorSp {
  saml: SAML;
}

export interface VendorKeys {
  signing: KeyMaterial;
  encryption: KeyMaterial;
}

/** The fagsystem's metadata, written by node-saml (it needs no broker for that). */
export function vendorSpMetadata(entityId: string, acsUrl: string, keys: VendorKeys): string {
  const saml = new SAML({ issuer: entityId, callbackUrl: acsUrl, idpCert: keys.signing.certificatePem, privateKey: keys.signing.privateKeyPem, decryptionPvk: keys.encryption.privateKeyPem });
  return saml.generateServiceProviderMetadata(keys.encryption.certificatePem, keys.signing.certificatePem);
}

export async function vendorSp(brokerUrl: string, entityId: string, acsUrl: string, keys: VendorKeys): Promise<VendorSp> {
  const published = readPublishedMetadata(await (await fetch(`${brokerUrl}/saml/metadata/idp`)).text(), "IDPSSODescriptor");
  if (!published.ssoRedirectUrl) throw new Error("the broker publishes no HTTP-Redirect SSO endpoint");
  const saml = new SAML({
    entryPoint: published.ssoRedirectUrl,
    idpIssuer: published.entityId,
    idpCert: published.signingCertBase64,
    issuer: entityId,
    callbackUrl: acsUrl,
    audience: entityId,
    privateKey: keys.signing.privateKeyPem,
    signatureAlgorithm: "sha256",
    digestAlgorithm: "sha256",
    decryptionPvk: keys.encryption.privateKeyPem,
    identifierFormat: NAMEID_PERSISTENT,
    disableRequestedAuthnContext: true,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
    acceptedClockSkewMs: 5_000,
  });
  return { saml };
}

/** The hidden fields of the page's one form and where it posts. */
export function formOf(page: Page): { action: string; fields: Record<string, string> } {
  const form = /<form method="post" action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(page.body);
  if (!form) throw new Error(`no form on the page from ${page.url} (${page.status}): ${page.body.slice(0, 300)}`);
  const fields: Record<string, string> = {};
  for (const input of (form[2] ?? "").matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"\s*\/?>/g)) fields[unescapeHtml(input[1] ?? "")] = unescapeHtml(input[2] ?? "");
  return { action: unescapeHtml(form[1] ?? ""), fields };
}

/** The fagsystem's AuthnRequest → broker's chooser → the municipality's IdP form (returned, for the test to choose on). */
export async function toIdpForm(sp: VendorSp, browser: Browser, idp: string, relayState: string): Promise<Page> {
  const chooser = await browser.follow(await browser.get(await sp.saml.getAuthorizeUrlAsync(relayState, undefined, {})));
  if (!chooser.body.includes(`value="${idp}"`)) throw new Error(`the broker's chooser offers no ${idp}: ${chooser.body.slice(0, 500)}`);
  return browser.submit(chooser, { idp });
}

/** Chooses on the IdP form, follows the IdP's auto-POST to the broker, and returns the broker's answer to the fagsystem (not yet posted). */
export async function answerFor(browser: Browser, idpForm: Page, choice: Record<string, string>): Promise<{ action: string; fields: Record<string, string> }> {
  const toBroker = await browser.submit(idpForm, choice);
  return formOf(await browser.submit(toBroker));
}

export async function validated(sp: VendorSp, answer: { fields: Record<string, string> }): Promise<Profile> {
  const { profile } = await sp.saml.validatePostResponseAsync(answer.fields);
  if (!profile) throw new Error("node-saml produced no profile");
  return profile;
}
