/**
 * The egress IPs before and after a plan: the public addresses of the NAT Gateways (primary and secondary) and
 * of the Elastic IPs on the interfaces and instances that private default routes target. Addresses are found
 * by allocation id in the plan's Elastic IPs (resources and data sources); one the plan cannot tell yet reads
 * KNOWN_AFTER_APPLY.
 */
import { PlanJson, StateModule, Values, resourcesOf, str, strings } from "./plan";
import { TABLE_TYPES, Topology, inlineRoutes, isDefaultRoute } from "./topology";

export const KNOWN_AFTER_APPLY = "known after apply";

interface Side {
  readonly resources: { type: string; values: Values }[];
  readonly eipData: { type: string; values: Values }[];
}

/** A side's managed resources, and the Elastic IP data sources read for the plan (the prior state holds them; planned values do not). */
const sideOf = (m: StateModule | undefined, plan: PlanJson): Side => ({
  resources: resourcesOf(m).map((r) => ({ type: r.type, values: r.values ?? {} })),
  eipData: [m, plan.prior_state?.values?.root_module]
    .flatMap((x) => resourcesOf(x, "data"))
    .filter((r) => r.type === "aws_eip")
    .map((r) => ({ type: r.type, values: r.values ?? {} })),
});

/** allocation id → public IP, from Elastic IP resources and data sources */
function addresses(side: Side): Map<string, string> {
  const out = new Map<string, string>();
  for (const { type, values } of [...side.resources, ...side.eipData]) {
    if (type !== "aws_eip") continue;
    const id = str(values.allocation_id) ?? str(values.id);
    const ip = str(values.public_ip);
    if (id && ip) out.set(id, ip);
  }
  return out;
}

/** The egress IPs of one side (before: the prior state; after: the planned values), sorted, unknowns last. */
function egressOf(side: Side, topology: Topology, after: boolean): string[] {
  const ipOf = addresses(side);
  // Keyed by allocation, so an address reached twice (an Elastic IP and its association) counts once.
  const found = new Map<string, string>();
  let unknown = 0;
  const add = (allocation: string | undefined, ip: string | undefined) => {
    const resolved = ip ?? (allocation ? ipOf.get(allocation) : undefined);
    if (allocation) found.set(allocation, resolved ?? KNOWN_AFTER_APPLY);
    else if (resolved) found.set(`ip ${resolved}`, resolved);
    else unknown++;
  };
  // NAT interfaces and instances: those the prior state knew, and those private default routes target afterwards.
  const interfaces = new Set(topology.natInterfaces);
  const instances = new Set(topology.natInstances);
  // Planned values leave out what is known only after apply: a default route to an interface not created yet.
  let newInterfaceTarget = false;
  for (const { type, values } of side.resources) {
    const routes = type === "aws_route" ? [values] : TABLE_TYPES.includes(type) ? inlineRoutes(values) : [];
    for (const r of routes.filter(isDefaultRoute)) {
      if (str(r.network_interface_id)) interfaces.add(String(r.network_interface_id));
      if (str(r.instance_id)) instances.add(String(r.instance_id));
      if (after && type === "aws_route" && r.nat_gateway_id === null && r.gateway_id === null && !("network_interface_id" in r)) newInterfaceTarget = true;
    }
  }
  const onNat = (eni: unknown, instance: unknown) =>
    interfaces.has(String(eni)) || instances.has(String(instance)) || (after && newInterfaceTarget && !str(eni) && !str(instance));
  for (const { type, values } of side.resources) {
    if (type === "aws_nat_gateway" && values.connectivity_type !== "private") {
      add(str(values.allocation_id), str(values.public_ip));
      if (after && !("secondary_allocation_ids" in values)) unknown++;
      else strings(values.secondary_allocation_ids).forEach((a) => add(a, undefined));
    } else if (type === "aws_eip_association" && onNat(values.network_interface_id, values.instance_id)) {
      add(str(values.allocation_id), str(values.public_ip));
    } else if (type === "aws_eip" && (interfaces.has(String(values.network_interface)) || instances.has(String(values.instance)))) {
      add(str(values.allocation_id) ?? str(values.id), str(values.public_ip));
    }
  }
  const ips = [...found.values()];
  const known = ips.filter((ip) => ip !== KNOWN_AFTER_APPLY);
  return [...new Set(known)].sort().concat(Array<string>(ips.length - known.length + unknown).fill(KNOWN_AFTER_APPLY));
}

export function egressBefore(plan: PlanJson, topology: Topology): string[] {
  return egressOf(sideOf(plan.prior_state?.values?.root_module, plan), topology, false);
}

export function egressAfter(plan: PlanJson, topology: Topology): string[] {
  return egressOf(sideOf(plan.planned_values?.root_module, plan), topology, true);
}
