/**
 * Upstream results as the SAML backend hands them to the core: the claims
 * are read from the attributes by the backend's own reader, so tests of the
 * core's steps start from OIOSAML attributes exactly as a real IdP sends them.
 */
import type { RawAttribute, UpstreamKind, UpstreamResult } from "../../src/model/upstream-result.js";
import type { ReachedLevel } from "../../src/profiles/levels.js";
import type { RobotRecognition } from "../../src/profiles/robot.js";
import { readClaims } from "../../src/backends/saml-sp/read-claims.js";

export interface SamlResultFields {
  kind?: UpstreamKind;
  upstreamId: string;
  issuer: string;
  nameId: string;
  nameIdFormat: string | undefined;
  attributes: RawAttribute[];
  level: ReachedLevel;
  authnInstant: string;
  assertionId: string;
  sessionIndex?: string | undefined;
  robot?: RobotRecognition | undefined;
}

export function samlUpstreamResult(fields: SamlResultFields): UpstreamResult {
  const kind = fields.kind ?? "municipal-idp";
  return {
    kind,
    upstreamId: fields.upstreamId,
    issuer: fields.issuer,
    nameId: fields.nameId,
    nameIdFormat: fields.nameIdFormat,
    claims: readClaims({ kind, nameId: fields.nameId, nameIdFormat: fields.nameIdFormat, attributes: fields.attributes, level: fields.level, robot: fields.robot }),
    attributes: fields.attributes,
    level: fields.level,
    authnInstant: fields.authnInstant,
    sessionIndex: fields.sessionIndex,
    assertionId: fields.assertionId,
  };
}
