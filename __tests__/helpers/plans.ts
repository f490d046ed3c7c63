/** Plan JSON built by hand, shaped as `terraform show -json` writes it, for the guard's unit tests. */
import type { PlanJson } from "@fixed-egress/guard";

export type Values = Record<string, unknown>;

export interface ChangeSpec {
  readonly address: string;
  readonly type: string;
  readonly actions: string[];
  readonly before?: Values | null;
  readonly after?: Values | null;
  readonly after_unknown?: Values;
  readonly importing?: { id: string };
}

export interface Res {
  readonly address: string;
  readonly type: string;
  readonly values: Values;
  readonly mode?: "managed" | "data";
}

const toChange = (c: ChangeSpec) => ({
  address: c.address,
  mode: "managed",
  type: c.type,
  change: { actions: c.actions, before: c.before ?? null, after: c.after ?? null, after_unknown: c.after_unknown ?? {}, ...(c.importing ? { importing: c.importing } : {}) },
});

/** Resources placed in a module tree by their addresses: `module.vpc.aws_subnet.private[0]` lands in child module `module.vpc`. */
function moduleOf(resources: readonly Res[]): Values {
  const root: { resources: Values[]; child_modules: Values[] } = { resources: [], child_modules: [] };
  const children = new Map<string, { address: string; resources: Values[] }>();
  for (const r of resources) {
    const m = /^(module\.[^.]+)\./.exec(r.address);
    const entry = { address: r.address, mode: r.mode ?? "managed", type: r.type, values: r.values };
    if (!m) root.resources.push(entry);
    else {
      if (!children.has(m[1])) children.set(m[1], { address: m[1], resources: [] });
      children.get(m[1])!.resources.push(entry);
    }
  }
  root.child_modules = [...children.values()];
  return root;
}

/** A plan: `prior` is what exists today, `planned` what exists after (default: the same), `changes` the resource changes. */
export function planOf(o: { changes?: ChangeSpec[]; prior?: Res[]; planned?: Res[]; drift?: ChangeSpec[]; region?: string; errored?: boolean } = {}): PlanJson {
  const prior = o.prior ?? [];
  return {
    format_version: "1.2",
    ...(o.errored ? { errored: true } : {}),
    resource_changes: (o.changes ?? []).map(toChange),
    ...(o.drift ? { resource_drift: o.drift.map(toChange) } : {}),
    prior_state: { values: { root_module: moduleOf(prior) } },
    planned_values: { root_module: moduleOf(o.planned ?? prior) },
    configuration: { provider_config: { aws: { expressions: { region: { constant_value: o.region ?? "ap-northeast-1" } } } } },
  } as PlanJson;
}

/** Today's single-NAT network: private table rtb-priv (0.0.0.0/0 → nat-111 on eipalloc-1, 198.51.100.7) for subnet-priv and subnet-priv2; a public table. */
export const TODAY: Res[] = [
  { address: "aws_nat_gateway.nat", type: "aws_nat_gateway", values: { id: "nat-111", allocation_id: "eipalloc-1", public_ip: "198.51.100.7", connectivity_type: "public", secondary_allocation_ids: null } },
  { address: "aws_eip.eip", type: "aws_eip", values: { id: "eipalloc-1", allocation_id: "eipalloc-1", public_ip: "198.51.100.7", network_interface: "eni-natgw" } },
  { address: "aws_route_table.priv", type: "aws_route_table", values: { id: "rtb-priv", route: [] } },
  { address: "aws_route.priv", type: "aws_route", values: { id: "r-1", route_table_id: "rtb-priv", destination_cidr_block: "0.0.0.0/0", nat_gateway_id: "nat-111" } },
  { address: "aws_route_table_association.priv", type: "aws_route_table_association", values: { id: "rtbassoc-1", subnet_id: "subnet-priv", route_table_id: "rtb-priv" } },
  { address: "aws_route_table_association.priv2", type: "aws_route_table_association", values: { id: "rtbassoc-3", subnet_id: "subnet-priv2", route_table_id: "rtb-priv" } },
  { address: "aws_subnet.priv", type: "aws_subnet", values: { id: "subnet-priv" } },
  { address: "aws_route_table.pub", type: "aws_route_table", values: { id: "rtb-pub", route: [] } },
  { address: "aws_route.pub", type: "aws_route", values: { id: "r-2", route_table_id: "rtb-pub", destination_cidr_block: "0.0.0.0/0", gateway_id: "igw-1" } },
  { address: "aws_route_table_association.pub", type: "aws_route_table_association", values: { id: "rtbassoc-2", subnet_id: "subnet-pub", route_table_id: "rtb-pub" } },
  { address: "aws_subnet.pub", type: "aws_subnet", values: { id: "subnet-pub" } },
];

/** A NAT-instance network: interface eni-nat (the target of rtb-priv's default route) holds eipalloc-1 through an association. */
export const INSTANCE: Res[] = [
  { address: "aws_network_interface.nat", type: "aws_network_interface", values: { id: "eni-nat", source_dest_check: false, security_groups: ["sg-nat"] } },
  { address: "aws_instance.nat", type: "aws_instance", values: { id: "i-1", instance_type: "t4g.nano", network_interface: [{ device_index: 0, network_interface_id: "eni-nat" }] } },
  { address: "aws_eip.eip", type: "aws_eip", values: { id: "eipalloc-1", allocation_id: "eipalloc-1", public_ip: "198.51.100.7", network_interface: "eni-nat" } },
  { address: "aws_eip_association.nat", type: "aws_eip_association", values: { id: "eipassoc-1", allocation_id: "eipalloc-1", network_interface_id: "eni-nat", public_ip: "198.51.100.7" } },
  { address: "aws_route_table.priv", type: "aws_route_table", values: { id: "rtb-priv", route: [] } },
  { address: "aws_route.priv", type: "aws_route", values: { id: "r-1", route_table_id: "rtb-priv", destination_cidr_block: "0.0.0.0/0", network_interface_id: "eni-nat", nat_gateway_id: "" } },
  { address: "aws_route_table_association.priv", type: "aws_route_table_association", values: { id: "rtbassoc-1", subnet_id: "subnet-priv", route_table_id: "rtb-priv" } },
];

/** TODAY with a secondary address on the NAT Gateway: eipalloc-2, 198.51.100.8. */
export const SECONDARY: Res[] = [
  ...TODAY.map((r) => (r.type === "aws_nat_gateway" ? { ...r, values: { ...r.values, secondary_allocation_ids: ["eipalloc-2"] } } : r)),
  { address: "aws_eip.second", type: "aws_eip", values: { id: "eipalloc-2", allocation_id: "eipalloc-2", public_ip: "198.51.100.8", network_interface: "eni-natgw" } },
];

export const valuesAt = (resources: readonly Res[], address: string): Values => resources.find((r) => r.address === address)!.values;
