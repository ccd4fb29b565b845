/**
 * The SAML IdP frontend as the login core sees it (the Frontend port): the
 * identity as a signed (and encrypted) assertion, a refusal as a signed
 * error Response whose status says why. The status for each neutral refusal
 * lives here and nowhere else.
 */
import type { BrokerContext } from "../../broker-context.js";
import type { Frontend } from "../../login/ports.js";
import type { Refusal } from "../../model/login-error.js";
import { STATUS, type SubStatus, type TopStatus } from "../../saml/namespaces.js";
import { answerWithError, answerWithIdentity } from "./answer-sp.js";
import { samlReplyOf } from "./saml-reply.js";

export const SAML_STATUS_FOR: Readonly<Record<Refusal, { status: TopStatus; subStatus: SubStatus | undefined }>> = {
  authentication_failed: { status: STATUS.responder, subStatus: STATUS.authnFailed },
  level_not_met: { status: STATUS.responder, subStatus: STATUS.noAuthnContext },
  denied: { status: STATUS.responder, subStatus: STATUS.requestDenied },
  interaction_required: { status: STATUS.responder, subStatus: STATUS.noPassive },
  unsupported: { status: STATUS.requester, subStatus: STATUS.requestUnsupported },
  bad_request: { status: STATUS.requester, subStatus: undefined },
  failed: { status: STATUS.responder, subStatus: undefined },
};

export function samlFrontend(broker: BrokerContext): Frontend {
  return {
    answer: (request, identity, timer) => answerWithIdentity(broker, samlReplyOf(request.downstream), identity, timer),
    refuse: (request, error) => {
      const { status, subStatus } = SAML_STATUS_FOR[error.refusal];
      return answerWithError(broker, samlReplyOf(request.downstream), status, subStatus, error.message);
    },
  };
}
