/**
 * The level the login proved: what the IdP asserted, capped to the highest
 * levels its registration says it can deliver. Nothing downstream is ever
 * asserted above this.
 */
import type { LoginStep } from "../pipeline-types.js";
import { describeLevel } from "../../profiles/levels.js";
import { provedLevel } from "../../profiles/delivered-level.js";
import { mappedIdentity, municipalUpstream } from "./municipal-upstream.js";

export const assessLevel: LoginStep = (context) => {
  const identity = mappedIdentity(context);
  const { idp } = municipalUpstream(context);
  const { level, capped } = provedLevel(identity.level, idp.policy);
  if (capped) {
    context.broker.log.warn(
      { correlationId: context.request.correlationId, event: "level_capped", idp: idp.id, asserted: identity.level, proved: level },
      `IdP asserted ${describeLevel(identity.level)}, above its registration; counting ${describeLevel(level)}`,
    );
  }
  return { ...context, identity: { ...identity, level } };
};
