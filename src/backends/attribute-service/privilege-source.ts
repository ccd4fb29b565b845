/** The attribute services as the login core's privilege source (the port in login/ports.ts). */
import type { BrokerContext } from "../../broker-context.js";
import type { PrivilegeService, PrivilegeSource } from "../../login/ports.js";
import type { UserIdentifierChoice } from "../../config/attribute-service-schema.js";
import { attributeService } from "./attribute-services.js";
import { lookupPrivileges } from "./lookup-privileges.js";
import { describeIdentifier, userIdentifier } from "./user-identifier.js";

export function attributeServicePrivileges(broker: BrokerContext): PrivilegeSource {
  return {
    service(id: string, choice: UserIdentifierChoice): PrivilegeService | undefined {
      const service = attributeService(broker, id, choice);
      if (!service) return undefined;
      return {
        displayName: service.config.displayName,
        unknownUser: service.config.unknownUser,
        systemIdFor: (party) => service.config.systems[party.id] ?? party.systemId,
        userIdFor: (person, attributes) => userIdentifier(choice, person, attributes),
        describeUserId: () => describeIdentifier(choice),
        lookup: async (query) => (await lookupPrivileges(broker, service, query)).answer,
      };
    },
  };
}
