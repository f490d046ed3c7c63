/** What the rules read: one change of a managed resource, the topology before the plan, and the words a sentence is made of. */
import { Action, Values, same, str } from "./plan";
import { Topology } from "./topology";

export type Verdict = "refuse" | "warn";

/** One planned (or drifted) change of a managed resource, as the rules read it. */
export interface Change {
  readonly address: string;
  readonly type: string;
  readonly action: Action;
  readonly before?: Values;
  readonly after?: Values;
  /** a replacement that creates the new object before destroying the old one (create_before_destroy) */
  readonly createFirst?: boolean;
  /** after_unknown: the attributes known only after apply */
  readonly unknown: Values;
}

export interface RuleContext {
  readonly topology: Topology;
  /** allocation id → the address of the resource that holds it before the plan (a NAT Gateway, an association) */
  readonly holders: ReadonlyMap<string, string>;
  /** addresses of the resources on a private subnet's egress path before the plan (the egress model's) */
  readonly onPath: ReadonlySet<string>;
  /** the egress IPs before and after the plan (unknown ones as KNOWN_AFTER_APPLY) */
  readonly egress: { readonly before: readonly string[]; readonly after: readonly string[] };
}

export interface Rule {
  readonly id: string;
  readonly types: readonly string[];
  readonly verdict: Verdict;
  /** what the rule catches, one line */
  readonly title: string;
  /** why refuse (or only warn) */
  readonly why: string;
  /** false when the change fails or harms egress even with every egress IP after it allow-listed */
  readonly allowListCovers: boolean;
  /** its findings are not about the egress path (they stand whether or not the model shows egress changing) */
  readonly standsAlone?: boolean;
  readonly check: (c: Change, ctx: RuleContext) => string | string[] | undefined;
}

export const gone = (c: Change) => c.action === "delete" || c.action === "replace";
export const verb = (c: Change) => (c.action === "replace" ? "replaced" : "destroyed");
/** An attribute the update changes: known and different, or known only after apply. */
export const changes = (c: Change, key: string) => c.unknown[key] === true || !same(c.before?.[key], c.after?.[key]);
export const allocationOf = (v: Values | undefined) => str(v?.allocation_id) ?? str(v?.id);
export const isNatInterface = (ctx: RuleContext, id: unknown) => ctx.topology.natInterfaces.has(String(id));
export const isNatInstance = (ctx: RuleContext, id: unknown) => ctx.topology.natInstances.has(String(id));
/** A route body's destination, for a sentence. */
export const destinationOf = (r: Values) => str(r.destination_cidr_block) ?? str(r.cidr_block) ?? str(r.destination_prefix_list_id) ?? str(r.destination_ipv6_cidr_block) ?? "a destination known only after apply";
/** A route body's target, for a sentence. */
export const targetOf = (r: Values) =>
  ["nat_gateway_id", "network_interface_id", "instance_id", "gateway_id", "transit_gateway_id", "vpc_peering_connection_id", "vpc_endpoint_id", "carrier_gateway_id", "local_gateway_id", "egress_only_gateway_id", "core_network_arn"]
    .map((k) => str(r[k]))
    .find(Boolean) ?? "a target known only after apply";
/** An IPv4 route that does not go to one of the network's NAT devices: its destinations stop leaving through the NAT. */
export const bypassesNat = (r: Values, ctx: RuleContext) =>
  !str(r.destination_ipv6_cidr_block) && !str(r.ipv6_cidr_block) && !(str(r.nat_gateway_id) || isNatInterface(ctx, r.network_interface_id) || isNatInstance(ctx, r.instance_id));
