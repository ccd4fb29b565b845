/**
 * Role policy from configuration, in the shapes the pure translation rules
 * take: the register of job-function roles (owner, delegations) and each
 * fagsystem's role mappings. Built once per configuration object.
 */
import type { BrokerConfig, DownstreamPolicy } from "../config/schema.js";
import { BPP_NAMESPACES } from "../profiles/bpp.js";
import type { JobFunctionRoleRegistration, RestrictionRule, SystemRolePolicy } from "../profiles/role-translation.js";

const registers = new WeakMap<object, ReadonlyMap<string, JobFunctionRoleRegistration>>();
const systems = new WeakMap<object, SystemRolePolicy>();

export function jobFunctionRoleRegister(config: BrokerConfig): ReadonlyMap<string, JobFunctionRoleRegistration> {
  let register = registers.get(config);
  if (!register) {
    register = new Map((config.jobFunctionRoles ?? []).map((role) => [role.id, { id: role.id, owner: role.owner, delegatedTo: role.delegatedTo }]));
    registers.set(config, register);
  }
  return register;
}

export function systemRolePolicy(policy: DownstreamPolicy): SystemRolePolicy {
  let system = systems.get(policy);
  if (!system) {
    const mappings = (policy.roleMappings ?? []).map((m) => ({
      jobFunctionRole: m.jobFunctionRole,
      userSystemRole: m.userSystemRole,
      restrictions: m.restrictions.map(
        (r): RestrictionRule => (r.parametric !== undefined ? { kind: "parametric", type: r.type, from: r.parametric } : { kind: "static", type: r.type, values: r.values ?? [] }),
      ),
    }));
    system = {
      systemId: policy.id,
      namespace: policy.privilegeNamespace === "itst.dk" ? BPP_NAMESPACES.itst : BPP_NAMESPACES.digst,
      userSystemRoles: new Set([...(policy.userSystemRoles ?? []), ...mappings.map((m) => m.userSystemRole)]),
      mappings,
    };
    systems.set(policy, system);
  }
  return system;
}
