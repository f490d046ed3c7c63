/**
 * One world's network as the egress model reads it: subnets, which route table and network ACL each follows
 * (explicit or the VPC's main/default one), every table's routes (aws_route resources, inline and computed
 * `route` lists, prefix lists expanded where known), NAT Gateways, interfaces, instances, Elastic IPs, Internet
 * Gateway attachments and security group rules. Types and values only, never addresses or names.
 */
import { Values, str, strings } from "../plan";
import { Range, parseCidr } from "./ranges";
import { Item, World, isUnknown } from "./world";

export interface Route {
  /** the destination, or "unknown" (a prefix list whose entries the plan cannot tell, a propagated route) */
  readonly dest: Range | "unknown";
  readonly destText: string;
  readonly targetKind: string;
  /** the target's id; UNKNOWN when known only after apply */
  readonly target: string;
  readonly address: string;
}

export interface AclEntry {
  readonly egress: boolean;
  readonly rule: number;
  readonly allow: boolean;
  readonly protocol: string;
  readonly cidr: Range | undefined;
  readonly from: number;
  readonly to: number;
}

export interface SgRule {
  readonly egress: boolean;
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
  /** undefined: a group or prefix-list reference, read as admitting the private subnets */
  readonly cidr: Range | undefined;
}

/** Route targets by argument: what kind of exit each is. */
const TARGETS: [string, string][] = [
  ["nat_gateway_id", "nat-gateway"],
  ["network_interface_id", "interface"],
  ["instance_id", "instance"],
  ["gateway_id", "gateway"],
  ["vpc_peering_connection_id", "peering"],
  ["transit_gateway_id", "transit-gateway"],
  ["vpc_endpoint_id", "endpoint"],
  ["carrier_gateway_id", "carrier-gateway"],
  ["local_gateway_id", "local-gateway"],
  ["core_network_arn", "core-network"],
];

/** A route's key in its table: the table and the destination (a CIDR or a prefix list). */
export const routeKey = (table: string, r: Values) => `${table} ${str(r.destination_cidr_block) ?? str(r.cidr_block) ?? str(r.destination_prefix_list_id) ?? ""}`;
const num = (v: unknown, d: number) => (typeof v === "number" ? v : typeof v === "string" && v !== "" && !isNaN(Number(v)) ? Number(v) : d);
const blocks = (v: unknown): Values[] => (Array.isArray(v) ? (v as Values[]).filter((x) => x && typeof x === "object") : []);
const id = (i: Item) => str(i.values.id);

export class Network {
  readonly subnets = new Map<string, { vpc?: string; cidr?: Range; address?: string }>();
  readonly association = new Map<string, { table: string; address: string }>();
  readonly mainTable = new Map<string, { table: string; address?: string }>();
  readonly tables = new Map<string, { address?: string; routes: Route[] }>();
  readonly igwVpcs = new Map<string, { vpcs: Set<string>; address: string }>();
  readonly natGateways = new Map<string, Item>();
  /** v6 aws_nat_gateway_eip_association: gateway id → allocations */
  readonly natGatewayExtra = new Map<string, Item[]>();
  readonly interfaces = new Map<string, Item>();
  /** instance id → item; interface id → the instance it is attached to */
  readonly instances = new Map<string, Item>();
  readonly attachedTo = new Map<string, { instance: string; address: string }>();
  /** instance id → state item (aws_ec2_instance_state) */
  readonly instanceState = new Map<string, Item>();
  /** allocation → public IP */
  readonly publicIp = new Map<string, string>();
  /** allocations this world holds (Elastic IP resources and data sources) */
  readonly allocations = new Set<string>();
  /** allocation → the aws_eip resource that owns it */
  readonly eipOf = new Map<string, string>();
  /** interface or instance id → the allocations (or addresses) on it, with the resource holding each */
  readonly addressesOn = new Map<string, { allocation: string; address: string }[]>();
  readonly aclOfSubnet = new Map<string, { acl: string; address: string }>();
  readonly defaultAcl = new Map<string, string>();
  readonly acls = new Map<string, { address: string; entries: AclEntry[]; addresses: string[] }>();
  readonly groups = new Map<string, { address: string; rules: SgRule[]; addresses: string[] }>();

  constructor(world: World, before: World) {
    this.readSubnets(world);
    this.readTables(world, before);
    this.readDevices(world);
    this.readAcls(world, before);
    this.readGroups(world, before);
  }

  private readSubnets(w: World) {
    for (const s of w.of("aws_subnet")) if (id(s)) this.subnets.set(id(s)!, { vpc: str(s.values.vpc_id), cidr: parseCidr(s.values.cidr_block), address: s.address });
    for (const a of w.of("aws_route_table_association")) {
      const subnet = str(a.values.subnet_id);
      if (!subnet) continue;
      this.association.set(subnet, { table: String(a.values.route_table_id ?? ""), address: a.address });
      if (!this.subnets.has(subnet)) this.subnets.set(subnet, {});
    }
    for (const v of w.of("aws_vpc")) if (id(v) && str(v.values.main_route_table_id)) this.mainTable.set(id(v)!, { table: String(v.values.main_route_table_id) });
    for (const v of w.of("aws_vpc")) if (id(v) && str(v.values.default_network_acl_id)) this.defaultAcl.set(id(v)!, String(v.values.default_network_acl_id));
    for (const t of w.of("aws_default_route_table")) if (str(t.values.vpc_id)) this.mainTable.set(String(t.values.vpc_id), { table: String(t.values.id ?? t.values.default_route_table_id), address: t.address });
    for (const m of w.of("aws_main_route_table_association")) if (str(m.values.vpc_id)) this.mainTable.set(String(m.values.vpc_id), { table: String(m.values.route_table_id ?? ""), address: m.address });
    for (const g of w.of("aws_internet_gateway")) if (id(g)) this.igwVpcs.set(id(g)!, { vpcs: new Set(str(g.values.vpc_id) ? [String(g.values.vpc_id)] : []), address: g.address });
    for (const a of w.of("aws_internet_gateway_attachment")) {
      const igw = str(a.values.internet_gateway_id);
      if (igw) this.igwVpcs.get(igw)?.vpcs.add(String(a.values.vpc_id));
    }
  }

  private table(tableId: string, address?: string) {
    const t = this.tables.get(tableId) ?? { routes: [] };
    if (address) t.address = address;
    this.tables.set(tableId, t);
    return t;
  }

  private addRoute(w: World, table: string, r: Values, address: string) {
    if (str(r.destination_ipv6_cidr_block) || str(r.ipv6_cidr_block)) return;
    const [key, kind] = TARGETS.find(([k]) => isUnknown(r[k]) || str(r[k])) ?? ["", "none"];
    const target = key ? String(r[key]) : "";
    const common = { targetKind: kind === "gateway" && target.startsWith("vgw-") ? "vpn" : kind === "gateway" && target === "local" ? "local" : kind, target, address };
    const pl = r.destination_prefix_list_id;
    if (str(pl) && !isUnknown(pl)) {
      const entries = this.prefixEntries(w, String(pl));
      if (entries) {
        for (const c of entries) this.table(table).routes.push({ ...common, dest: parseCidr(c)!, destText: `${c} (${pl})` });
        return;
      }
    }
    const cidr = r.destination_cidr_block ?? r.cidr_block;
    const dest = isUnknown(cidr) || isUnknown(pl) || str(pl) ? "unknown" : parseCidr(cidr);
    if (dest) this.table(table).routes.push({ ...common, dest, destText: str(cidr) ?? str(pl) ?? "a destination known only after apply" });
  }

  /** A prefix list's CIDRs, when the plan holds all of them. */
  private prefixEntries(w: World, pl: string): string[] | undefined {
    const lists = [...w.of("aws_ec2_managed_prefix_list"), ...w.of("aws_ec2_managed_prefix_list", "data")].filter((i) => id(i) === pl);
    if (lists.length === 0) return undefined;
    const cidrs = [...blocks(lists[0].values.entry ?? lists[0].values.entries).map((e) => e.cidr), ...w.of("aws_ec2_managed_prefix_list_entry").filter((e) => e.values.prefix_list_id === pl).map((e) => e.values.cidr)];
    return cidrs.every((c) => parseCidr(c)) ? [...new Set(cidrs as string[])] : undefined;
  }

  private readTables(w: World, before: World) {
    // Routes that aws_route resources manage: a table's computed `route` list repeats them, and may be stale.
    const managed = new Set([...before.of("aws_route"), ...w.of("aws_route")].map((r) => routeKey(String(r.values.route_table_id), r.values)));
    const adoptedNow = new Set<string>();
    for (const t of [...w.of("aws_route_table"), ...w.of("aws_default_route_table")]) {
      const tid = str(t.values.id) ?? str(t.values.default_route_table_id);
      if (!tid) continue;
      this.table(tid, t.address);
      // The provider empties the table it adopts as aws_default_route_table before writing its inline routes.
      if (t.type === "aws_default_route_table" && t.action === "create") adoptedNow.add(tid);
      for (const r of blocks(t.values.route)) if (!managed.has(routeKey(tid, r)) || adoptedNow.has(tid)) this.addRoute(w, tid, r, t.address);
      for (const vgw of strings(t.values.propagating_vgws)) this.table(tid).routes.push({ dest: "unknown", destText: `routes propagated from ${vgw}`, targetKind: "vpn", target: vgw, address: t.address });
    }
    for (const r of w.of("aws_route")) {
      const tid = String(r.values.route_table_id ?? "");
      if (adoptedNow.has(tid) && r.action !== "create") continue;
      this.addRoute(w, tid, r.values, r.address);
    }
    for (const p of w.of("aws_vpn_gateway_route_propagation")) {
      const tid = String(p.values.route_table_id);
      this.table(tid).routes.push({ dest: "unknown", destText: `routes propagated from ${String(p.values.vpn_gateway_id)}`, targetKind: "vpn", target: String(p.values.vpn_gateway_id), address: p.address });
    }
  }

  private readDevices(w: World) {
    for (const g of w.of("aws_nat_gateway")) if (id(g)) this.natGateways.set(id(g)!, g);
    // An Elastic IP resource's address, or the one a gateway reports for its primary allocation.
    for (const g of w.of("aws_nat_gateway")) {
      const alloc = str(g.values.allocation_id);
      if (alloc && !isUnknown(alloc) && str(g.values.public_ip) && !isUnknown(g.values.public_ip)) this.publicIp.set(alloc, String(g.values.public_ip));
    }
    for (const a of w.of("aws_nat_gateway_eip_association")) {
      const g = String(a.values.nat_gateway_id);
      this.natGatewayExtra.set(g, [...(this.natGatewayExtra.get(g) ?? []), a]);
    }
    for (const e of w.of("aws_network_interface")) {
      if (!id(e)) continue;
      this.interfaces.set(id(e)!, e);
      for (const at of blocks(e.values.attachment)) if (str(at.instance)) this.attachedTo.set(id(e)!, { instance: String(at.instance), address: e.address });
    }
    for (const i of w.of("aws_instance")) {
      if (!id(i)) continue;
      this.instances.set(id(i)!, i);
      const enis = [str(i.values.primary_network_interface_id), ...blocks(i.values.network_interface).map((n) => str(n.network_interface_id))];
      for (const e of enis) if (e) this.attachedTo.set(e, { instance: id(i)!, address: i.address });
    }
    for (const a of w.of("aws_network_interface_attachment")) this.attachedTo.set(String(a.values.network_interface_id), { instance: String(a.values.instance_id), address: a.address });
    for (const s of w.of("aws_ec2_instance_state")) this.instanceState.set(String(s.values.instance_id), s);
    for (const e of [...w.of("aws_eip"), ...w.of("aws_eip", "data")]) {
      const alloc = str(e.values.allocation_id) ?? str(e.values.id);
      if (alloc && str(e.values.public_ip) && !isUnknown(e.values.public_ip)) this.publicIp.set(alloc, String(e.values.public_ip));
      if (alloc && e.mode === "managed") this.eipOf.set(alloc, e.address);
      if (alloc) this.allocations.add(alloc);
      if (e.mode === "managed") this.claim(str(e.values.network_interface) ?? str(e.values.instance), alloc ?? "", e);
    }
    for (const a of w.of("aws_eip_association")) this.claim(str(a.values.network_interface_id) ?? str(a.values.instance_id), str(a.values.allocation_id) ?? str(a.values.public_ip) ?? "", a);
    this.resolveClaims();
  }

  private readonly claims: { holder: string; allocation: string; address: string; fresh: boolean }[] = [];

  /** An Elastic IP put on an interface or instance (an aws_eip's own association, or an aws_eip_association). */
  private claim(holder: string | undefined, allocation: string, item: Item) {
    if (holder && allocation) this.claims.push({ holder, allocation, address: item.address, fresh: item.action === "create" || item.action === "replace" });
  }

  /** AWS moves an address that is elsewhere (AllowReassociation is the default): an association this plan makes wins. */
  private resolveClaims() {
    const takenBy = new Map<string, Set<string>>();
    for (const c of this.claims.filter((x) => x.fresh)) takenBy.set(c.allocation, (takenBy.get(c.allocation) ?? new Set()).add(c.holder));
    for (const c of this.claims) {
      const taken = takenBy.get(c.allocation);
      if (!c.fresh && taken && [...taken].some((h) => h !== c.holder)) continue;
      const list = this.addressesOn.get(c.holder) ?? [];
      if (!list.some((x) => x.allocation === c.allocation)) list.push({ allocation: c.allocation, address: c.address });
      this.addressesOn.set(c.holder, list);
    }
  }

  private readAcls(w: World, before: World) {
    const separate = new Set([...before.of("aws_network_acl_rule"), ...w.of("aws_network_acl_rule")].map((r) => `${String(r.values.network_acl_id)} ${Boolean(r.values.egress)} ${String(r.values.rule_number)}`));
    const entryOf = (egress: boolean, b: Values, numberKey: string, actionKey: string): AclEntry => ({
      egress,
      rule: num(b[numberKey], 0),
      allow: String(b[actionKey]).toLowerCase() === "allow",
      protocol: String(b.protocol ?? "-1").toLowerCase(),
      cidr: parseCidr(b.cidr_block),
      from: num(b.from_port, 0),
      to: num(b.to_port, 65535),
    });
    for (const a of [...w.of("aws_network_acl"), ...w.of("aws_default_network_acl")]) {
      const aid = str(a.values.id) ?? str(a.values.default_network_acl_id);
      if (!aid) continue;
      const adopting = a.type === "aws_default_network_acl" && a.action === "create";
      const entries = [true, false].flatMap((egress) =>
        blocks(a.values[egress ? "egress" : "ingress"]).filter((b) => adopting || !separate.has(`${aid} ${egress} ${String(b.rule_no)}`)).map((b) => entryOf(egress, b, "rule_no", "action")),
      );
      this.acls.set(aid, { address: a.address, entries, addresses: [a.address] });
      for (const s of strings(a.values.subnet_ids)) this.aclOfSubnet.set(s, { acl: aid, address: a.address });
      if (a.type === "aws_default_network_acl" && str(a.values.vpc_id)) this.defaultAcl.set(String(a.values.vpc_id), aid);
    }
    for (const r of w.of("aws_network_acl_rule")) {
      const acl = this.acls.get(String(r.values.network_acl_id));
      if (!acl) continue;
      acl.entries.push(entryOf(Boolean(r.values.egress), r.values, "rule_number", "rule_action"));
      acl.addresses.push(r.address);
    }
    for (const a of w.of("aws_network_acl_association")) this.aclOfSubnet.set(String(a.values.subnet_id), { acl: String(a.values.network_acl_id), address: a.address });
  }

  private readGroups(w: World, before: World) {
    const ruleKeys = (egress: boolean, b: Values, cidrKeys: string[], protoKey: string): { key: string; rule: SgRule }[] => {
      const cidrs = cidrKeys.flatMap((k) => (Array.isArray(b[k]) ? strings(b[k]) : str(b[k]) ? [String(b[k])] : []));
      const refs = [...strings(b.security_groups), ...strings(b.prefix_list_ids), str(b.source_security_group_id), str(b.referenced_security_group_id), str(b.prefix_list_id), b.self === true ? "self" : undefined].filter(Boolean);
      const protocol = String(b[protoKey] ?? "-1").toLowerCase();
      // All protocols means all ports, however the provider writes them (0/0 inline, absent on a separate rule).
      const all = protocol === "-1" || protocol === "all";
      const base = { egress, protocol, from: all ? 0 : num(b.from_port, 0), to: all ? 65535 : num(b.to_port, 65535) };
      return [...cidrs.map((c) => ({ ...base, cidr: parseCidr(c), text: c })), ...refs.map((r) => ({ ...base, cidr: undefined, text: String(r) }))].map(({ text, ...rule }) => ({ key: `${egress} ${rule.protocol} ${rule.from} ${rule.to} ${text}`, rule }));
    };
    const separateOf = (x: World) => [
      ...x.of("aws_security_group_rule").map((r) => ({ r, sg: String(r.values.security_group_id), rules: ruleKeys(r.values.type === "egress", r.values, ["cidr_blocks"], "protocol") })),
      ...[...x.of("aws_vpc_security_group_ingress_rule"), ...x.of("aws_vpc_security_group_egress_rule")].map((r) => ({ r, sg: String(r.values.security_group_id), rules: ruleKeys(r.type.endsWith("egress_rule"), r.values, ["cidr_ipv4"], "ip_protocol") })),
    ];
    const managed = new Set([...separateOf(before), ...separateOf(w)].flatMap((s) => s.rules.map((k) => `${s.sg} ${k.key}`)));
    for (const g of [...w.of("aws_security_group"), ...w.of("aws_default_security_group")]) {
      if (!id(g)) continue;
      const rules = [true, false].flatMap((egress) => blocks(g.values[egress ? "egress" : "ingress"]).flatMap((b) => ruleKeys(egress, b, ["cidr_blocks"], "protocol")).filter((k) => !managed.has(`${id(g)} ${k.key}`)).map((k) => k.rule));
      this.groups.set(id(g)!, { address: g.address, rules, addresses: [g.address] });
    }
    for (const s of separateOf(w)) {
      const g = this.groups.get(s.sg);
      if (!g) continue;
      g.rules.push(...s.rules.map((k) => k.rule));
      g.addresses.push(s.r.address);
    }
  }
}
