/**
 * What carries egress, read from the state a plan starts from (and the `before` of its changes): which route
 * tables and subnets are private, which NAT devices they leave through, and which Elastic IPs those hold.
 * Only resource types and values are read, across the whole module tree, never addresses or names: a network
 * made by these constructs, by a community module or by hand-written HCL reads the same.
 */
import { PlanJson, ResourceChange, Values, resourcesOf, str, strings } from "./plan";

export interface Topology {
  /** route tables whose 0.0.0.0/0 goes to a NAT device */
  readonly privateTables: ReadonlySet<string>;
  /** subnets associated with a private route table */
  readonly privateSubnets: ReadonlySet<string>;
  /** network interfaces a private default route targets (NAT instances, NAT appliances) */
  readonly natInterfaces: ReadonlySet<string>;
  /** instances a private default route targets, or that own a NAT interface */
  readonly natInstances: ReadonlySet<string>;
  /** security groups on the NAT interfaces and instances */
  readonly natSecurityGroups: ReadonlySet<string>;
  /** allocation ids of the public NAT Gateways (primary and secondary) and of the Elastic IPs on NAT interfaces */
  readonly egressAllocations: ReadonlySet<string>;
}

interface Seen {
  readonly type: string;
  readonly values: Values;
}

/** The resources as they are before the plan: the prior state, and the `before` of every change and drift. */
export function beforeResources(plan: PlanJson): Seen[] {
  const changed = [...(plan.resource_changes ?? []), ...(plan.resource_drift ?? [])].filter((c) => c.mode === "managed" && c.change.before);
  return [...resourcesOf(plan.prior_state?.values?.root_module).map((r) => ({ type: r.type, values: r.values ?? {} })), ...changed.map((c) => ({ type: c.type, values: c.change.before! }))];
}

/** A route body (aws_route, or one of a table's inline routes) whose destination is the whole IPv4 internet. */
export const isDefaultRoute = (r: Values | undefined): boolean => r?.destination_cidr_block === "0.0.0.0/0" || r?.cidr_block === "0.0.0.0/0";

/** The NAT device a route sends to: a NAT Gateway, a network interface or an instance. */
export const natTargetOf = (r: Values | null | undefined): string | undefined => str(r?.nat_gateway_id) ?? str(r?.network_interface_id) ?? str(r?.instance_id);

/** The inline routes of an aws_route_table / aws_default_route_table body. */
export const inlineRoutes = (table: Values | null | undefined): Values[] => (Array.isArray(table?.route) ? (table!.route as Values[]) : []);

export const TABLE_TYPES = ["aws_route_table", "aws_default_route_table"];

export function topologyOf(plan: PlanJson): Topology {
  const before = beforeResources(plan);
  const privateTables = new Set<string>();
  const natInterfaces = new Set<string>();
  const natInstances = new Set<string>();
  const noteRoute = (table: string | undefined, route: Values) => {
    const target = natTargetOf(route);
    if (!table || !target || !isDefaultRoute(route)) return;
    // A default route to a NAT Gateway, or to an interface or instance (a NAT instance or appliance).
    privateTables.add(table);
    if (str(route.network_interface_id)) natInterfaces.add(String(route.network_interface_id));
    if (str(route.instance_id)) natInstances.add(String(route.instance_id));
  };
  for (const { type, values } of before) {
    if (type === "aws_route") noteRoute(str(values.route_table_id), values);
    else if (TABLE_TYPES.includes(type)) inlineRoutes(values).forEach((r) => noteRoute(str(values.id), r));
  }
  const privateSubnets = new Set<string>();
  const natSecurityGroups = new Set<string>();
  const egressAllocations = new Set<string>();
  for (const { type, values } of before) {
    if (type === "aws_route_table_association" && privateTables.has(String(values.route_table_id)) && str(values.subnet_id)) privateSubnets.add(String(values.subnet_id));
    if (type === "aws_instance") {
      const enis = [str(values.primary_network_interface_id), ...(Array.isArray(values.network_interface) ? (values.network_interface as Values[]).map((n) => str(n.network_interface_id)) : [])];
      if (enis.some((e) => e && natInterfaces.has(e))) natInstances.add(String(values.id));
    }
  }
  for (const { type, values } of before) {
    if (type === "aws_network_interface" && natInterfaces.has(String(values.id))) strings(values.security_groups).forEach((g) => natSecurityGroups.add(g));
    if (type === "aws_instance" && natInstances.has(String(values.id))) strings(values.vpc_security_group_ids).forEach((g) => natSecurityGroups.add(g));
    if (type === "aws_nat_gateway" && values.connectivity_type !== "private") {
      [str(values.allocation_id), ...strings(values.secondary_allocation_ids)].forEach((a) => a && egressAllocations.add(a));
    }
    if (type === "aws_eip" && (natInterfaces.has(String(values.network_interface)) || natInstances.has(String(values.instance)))) egressAllocations.add(String(values.allocation_id ?? values.id));
    if (type === "aws_eip_association" && (natInterfaces.has(String(values.network_interface_id)) || natInstances.has(String(values.instance_id))) && str(values.allocation_id)) {
      egressAllocations.add(String(values.allocation_id));
    }
  }
  return { privateTables, privateSubnets, natInterfaces, natInstances, natSecurityGroups, egressAllocations };
}

/** The changes the rules read: managed resources only. */
export const managed = (changes: readonly ResourceChange[]): ResourceChange[] => changes.filter((c) => c.mode === "managed");
