import { describe, expect, it } from "vitest";
import { readCookies, signCookieValue, verifyCookieValue } from "../../src/http/cookies.js";

const SECRET = "a-test-secret-of-at-least-thirty-two-characters";

describe("signed cookie values", () => {
  it("round-trips a value", () => {
    const signed = signCookieValue("demo-kommune", SECRET);
    expect(signed.startsWith("demo-kommune.")).toBe(true);
    expect(verifyCookieValue(signed, SECRET)).toBe("demo-kommune");
  });

  it("round-trips a value that itself contains dots", () => {
    expect(verifyCookieValue(signCookieValue("a.b.c", SECRET), SECRET)).toBe("a.b.c");
  });

  it("reads a changed value as absent", () => {
    const signed = signCookieValue("demo-kommune", SECRET);
    expect(verifyCookieValue(signed.replace("demo-kommune", "evil-kommune"), SECRET)).toBeUndefined();
  });

  it("reads a changed MAC as absent", () => {
    const signed = signCookieValue("demo-kommune", SECRET);
    const last = signed.at(-1) === "A" ? "B" : "A";
    expect(verifyCookieValue(`${signed.slice(0, -1)}${last}`, SECRET)).toBeUndefined();
  });

  it("reads a truncated value as absent", () => {
    const signed = signCookieValue("demo-kommune", SECRET);
    expect(verifyCookieValue(signed.slice(0, -1), SECRET)).toBeUndefined();
    expect(verifyCookieValue(signed.slice(0, signed.indexOf(".") + 1), SECRET)).toBeUndefined();
    expect(verifyCookieValue("demo-kommune", SECRET)).toBeUndefined();
    expect(verifyCookieValue(signed.slice(signed.indexOf(".")), SECRET)).toBeUndefined();
  });

  it("reads a MAC swapped in from another value as absent", () => {
    const a = signCookieValue("kommune-a", SECRET);
    const b = signCookieValue("kommune-b", SECRET);
    const swapped = `kommune-a.${b.slice(b.indexOf(".") + 1)}`;
    expect(swapped).not.toBe(a);
    expect(verifyCookieValue(swapped, SECRET)).toBeUndefined();
  });

  it("reads a value signed with another secret as absent", () => {
    const signed = signCookieValue("demo-kommune", "another-secret-of-at-least-thirty-two-chars");
    expect(verifyCookieValue(signed, SECRET)).toBeUndefined();
  });

  it("reads an empty, missing or oversized cookie as absent", () => {
    expect(verifyCookieValue(undefined, SECRET)).toBeUndefined();
    expect(verifyCookieValue("", SECRET)).toBeUndefined();
    const long = signCookieValue("x".repeat(600), SECRET);
    expect(verifyCookieValue(long, SECRET)).toBeUndefined();
  });
});

describe("readCookies", () => {
  it("reads name=value pairs and URL-decodes values", () => {
    const cookies = readCookies("a=1; broker_municipality=demo-kommune.abc%3D; b = two ");
    expect(cookies.get("a")).toBe("1");
    expect(cookies.get("broker_municipality")).toBe("demo-kommune.abc=");
    expect(cookies.get("b")).toBe("two");
  });

  it("keeps the first of two cookies with the same name", () => {
    expect(readCookies("a=first; a=second").get("a")).toBe("first");
  });

  it("skips undecodable parts and parts without a value", () => {
    const cookies = readCookies("bad=%E0%A4%A;novalue;ok=yes");
    expect(cookies.has("bad")).toBe(false);
    expect(cookies.has("novalue")).toBe(false);
    expect(cookies.get("ok")).toBe("yes");
    expect(cookies.size).toBe(1);
  });

  it("ignores an absent or oversized header", () => {
    expect(readCookies(undefined).size).toBe(0);
    expect(readCookies(`a=${"x".repeat(8200)}`).size).toBe(0);
  });
});
