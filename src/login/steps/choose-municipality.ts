/**
 * Which municipality's IdP authenticates the person: the request's hint
 * (id or CVR), else the browser's remembered choice, else the only IdP whose
 * client IP ranges hold the browser's address, else the person chooses.
 */
import type { Row } from "../flow-types.js";
import { PageError } from "../../model/login-error.js";
import { onlyPartyFor } from "../../trust/client-ip.js";
import { forDownstream } from "../login-unavailable.js";
import { newId } from "../login-state.js";

export const chooseMunicipality: Row["run"] = async (state) => {
  const { request, broker } = state;
  if (state.idp) return state;
  const log = broker.log.child({ correlationId: request.correlationId });
  const hint = request.municipalityHint;
  if (hint !== undefined) {
    const idp = broker.registry.identityProviderForHint(hint);
    if (!idp) {
      throw new PageError(400, "unknown_municipality", `no municipality matches hint ${hint.slice(0, 64)}`, "Den angivne kommune kendes ikke. / The municipality given is not known.");
    }
    return { ...state, idp, rememberChoice: true };
  }
  const remembered = state.rememberedIdpId ? broker.registry.identityProvider(state.rememberedIdpId) : undefined;
  if (remembered) return { ...state, idp: remembered, rememberChoice: true };
  // A client inside the IP ranges of exactly one IdP goes there without the chooser (not remembered: it is not a choice).
  const byAddress = onlyPartyFor(broker.registry.identityProviders(), request.clientAddress);
  if (byAddress) {
    log.info({ event: "login_idp_by_address", idp: byAddress.id }, "municipality selected by the client's address");
    return { ...state, idp: byAddress };
  }
  const options = broker.registry.identityProviders().map((idp) => ({ id: idp.id, name: idp.displayName, cvr: idp.cvr }));
  if (options.length === 0) throw new PageError(503, "no_municipalities", "no identity providers are registered", "Ingen kommuner er sat op endnu. / No municipalities are configured yet.");
  const loginId = newId("");
  const browserBinding = newId("");
  await forDownstream(request.downstream, () => state.states.savePending({ loginId, request, browserBinding }));
  log.info({ event: "login_choose_municipality" }, "asking the person to choose a municipality");
  return { stop: { kind: "choose-municipality", loginId, browserBinding, options } };
};
