/**
 * Reads a verified SAML assertion's attributes into neutral claims through
 * the pure profiles: OIOSAML 3 (and the legacy OIOSAML 2 names) for a
 * municipal IdP, NemLog-in's professional profile for a step-up. The core
 * never sees an attribute name.
 */
import type { RawAttribute, SentPrivileges, UpstreamClaims, UpstreamKind } from "../../model/upstream-result.js";
import type { RobotRecognition } from "../../profiles/robot.js";
import type { ReachedLevel } from "../../profiles/levels.js";
import { subjectKind } from "../../profiles/robot.js";
import { ProfileError, readCvr, readPerson, readPrivileges } from "../../profiles/oiosaml3-profile.js";
import { readNemLogInIdentity } from "../../profiles/nemlogin-profile.js";

export interface ClaimSource {
  kind: UpstreamKind;
  nameId: string;
  nameIdFormat: string | undefined;
  attributes: RawAttribute[];
  level: ReachedLevel;
  /** How the municipal IdP's registration recognises its robots. */
  robot: RobotRecognition | undefined;
}

function sentPrivileges(attributes: RawAttribute[]): SentPrivileges {
  try {
    const encoded = readPrivileges(attributes);
    return encoded === undefined ? { sent: "none" } : { sent: "oio-bpp", encoded };
  } catch (error) {
    if (error instanceof ProfileError) return { sent: "unreadable", detail: error.message };
    throw error;
  }
}

function readMunicipal(source: ClaimSource): UpstreamClaims {
  return {
    readable: true,
    identity: {
      person: readPerson(source.nameId, source.nameIdFormat, source.attributes),
      cvr: readCvr(source.attributes),
      subject: subjectKind(source.robot, source.nameId, source.attributes),
      privileges: sentPrivileges(source.attributes),
    },
  };
}

function readNemLogIn(source: ClaimSource): UpstreamClaims {
  const stepped = readNemLogInIdentity(source.nameId, source.nameIdFormat, source.attributes, source.level);
  return {
    readable: true,
    identity: {
      person: {
        nameId: source.nameId,
        nameIdFormat: source.nameIdFormat,
        uuid: stepped.uuid,
        rid: stepped.rid,
        cpr: stepped.cpr,
        firstName: undefined,
        lastName: undefined,
        fullName: undefined,
        email: undefined,
      },
      cvr: stepped.cvr,
      subject: "person",
      privileges: { sent: "none" },
    },
  };
}

/** The neutral claims, or the profile's reason why they cannot be read (the core refuses the login with it). */
export function readClaims(source: ClaimSource): UpstreamClaims {
  try {
    return source.kind === "nemlogin" ? readNemLogIn(source) : readMunicipal(source);
  } catch (error) {
    if (error instanceof ProfileError) return { readable: false, reason: error.reason, detail: error.message };
    throw error;
  }
}
