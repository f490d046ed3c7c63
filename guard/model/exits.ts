/**
 * The egress model of one world: for each subnet, the public IPv4 space split by its routes (longest prefix
 * wins) and, for each piece, its exit: a NAT device with its public addresses and whether its own way out
 * works (its subnet's route to an attached Internet Gateway, the network ACLs of both subnets both ways, a NAT
 * instance's groups, source/destination check, state), or an exit without the egress IP.
 */
import { Values, str, strings } from "../plan";
import { AclEntry, Network, Route, SgRule } from "./network";
import { ALL_PORTS, EPHEMERAL, Ports, Range, contains, covers, intersect, minus, overlaps, portsText, split, union } from "./ranges";
import { isUnknown } from "./world";

export interface Exit {
  /** "nat", "nat-regional-automatic", "none", "unknown", or the kind of route target (gateway, peering, …) */
  readonly kind: string;
  /** the NAT device or route target */
  readonly device?: string;
  /** allocation ids (or addresses) the NAT device sends from, sorted */
  readonly ips?: string[];
  /** "ok", or what stops its own way out */
  readonly path?: string;
  /** routes whose destinations the plan cannot tell (an unknown prefix list, propagation) */
  readonly overlays?: string[];
}

export interface Piece {
  readonly range: Range;
  readonly exit: Exit;
  /** the exit as one comparable string */
  readonly key: string;
  /** addresses of the resources this exit depends on */
  readonly deps: ReadonlySet<string>;
}

const NAT_KINDS = new Set(["nat", "nat-regional-automatic"]);
export const isNatExit = (e: Exit) => NAT_KINDS.has(e.kind);
const tcpPorts = (protocol: string, from: number, to: number): Ports | undefined =>
  protocol === "-1" || protocol === "all" ? ALL_PORTS : protocol === "6" || protocol === "tcp" ? [[Math.max(0, from), Math.min(65535, to)]] : undefined;

/** The TCP ports an ordered rule list admits for a range: a rule that covers part of it only counts as a deny. */
function aclAdmits(entries: readonly AclEntry[] | undefined, egress: boolean, range: Range | undefined): Ports {
  if (!entries) return ALL_PORTS;
  let remaining: Ports = ALL_PORTS;
  let admitted: Ports = [];
  for (const e of entries.filter((x) => x.egress === egress).sort((a, b) => a.rule - b.rule)) {
    const ports = tcpPorts(e.protocol, e.from, e.to);
    if (!ports || !e.cidr) continue;
    const full = !range || contains(e.cidr, range);
    if (!full && !overlaps(e.cidr, range!)) continue;
    if (full && e.allow) admitted = union(admitted, intersect(remaining, ports));
    remaining = minus(remaining, ports);
  }
  return admitted;
}

function sgAdmits(rules: readonly SgRule[] | undefined, egress: boolean, range: Range | undefined): Ports {
  if (!rules) return ALL_PORTS;
  let admitted: Ports = [];
  for (const r of rules.filter((x) => x.egress === egress)) {
    const ports = tcpPorts(r.protocol, r.from, r.to);
    if (ports && (!r.cidr || !range || contains(r.cidr, range))) admitted = union(admitted, ports);
  }
  return admitted;
}

export class ExitFinder {
  /** ids some world holds: an id outside both is outside the plan and read as working */
  constructor(
    private readonly net: Network,
    private readonly known: ReadonlySet<string>,
  ) {}

  tableOf(subnet: string, deps: Set<string>): string | undefined {
    const a = this.net.association.get(subnet);
    if (a) {
      deps.add(a.address);
      return a.table;
    }
    const vpc = this.net.subnets.get(subnet)?.vpc;
    const main = vpc ? this.net.mainTable.get(vpc) : undefined;
    if (main?.address) deps.add(main.address);
    return main?.table;
  }

  private aclOf(subnet: string, deps: Set<string>): AclEntry[] | undefined {
    const a = this.net.aclOfSubnet.get(subnet);
    const vpc = this.net.subnets.get(subnet)?.vpc;
    const id = a?.acl ?? (vpc ? this.net.defaultAcl.get(vpc) : undefined);
    if (a) deps.add(a.address);
    const acl = id ? this.net.acls.get(id) : undefined;
    acl?.addresses.forEach((x) => deps.add(x));
    return acl?.entries;
  }

  routesOf(table: string | undefined, deps: Set<string>): Route[] {
    const t = table ? this.net.tables.get(table) : undefined;
    if (t?.address) deps.add(t.address);
    return t?.routes ?? [];
  }

  /** The route a destination piece takes: the longest known prefix that covers it. */
  static routeFor(routes: readonly Route[], range: Range): Route | undefined {
    let best: Route | undefined;
    for (const r of routes) if (r.dest !== "unknown" && contains(r.dest, range) && (!best || r.dest[1] - r.dest[0] < (best.dest as Range)[1] - (best.dest as Range)[0])) best = r;
    return best;
  }

  /** Cuts a destination range needs so every rule on the way covers a piece or misses it. */
  cutsFor(subnet: string): Range[] {
    const tmp = new Set<string>();
    const rules = [...(this.aclOf(subnet, tmp) ?? []).map((e) => e.cidr)];
    const routes = this.routesOf(this.tableOf(subnet, tmp), tmp).map((r) => (r.dest === "unknown" ? undefined : r.dest));
    return [...rules, ...routes].filter((r): r is Range => r !== undefined);
  }

  /** The exits of one subnet's pieces that a route sends to one target. */
  exitsVia(subnet: string, route: Route | undefined, ranges: readonly Range[], deps: Set<string>): { range: Range; exit: Exit; deps: Set<string> }[] {
    if (!route) return ranges.map((range) => ({ range, exit: { kind: "none" }, deps }));
    deps.add(route.address);
    if (isUnknown(route.target)) return ranges.map((range) => ({ range, exit: { kind: "unknown" }, deps }));
    if (route.targetKind === "nat-gateway") return this.viaGateway(subnet, route.target, ranges, deps);
    if (route.targetKind === "interface" || route.targetKind === "instance") return this.viaInterface(subnet, route, ranges, deps);
    return ranges.map((range) => ({ range, exit: { kind: route.targetKind, device: route.target }, deps }));
  }

  /** An allocation's public IP when the plan knows it (the address a database admits), else the allocation id. */
  private ipOf(allocation: string, deps?: Set<string>) {
    const eip = this.net.eipOf.get(allocation);
    if (eip) deps?.add(eip);
    // An Elastic IP another world holds and this one does not is released: its address is gone for good.
    if (this.known.has(allocation) && !this.net.allocations.has(allocation)) return `${allocation} (released)`;
    return this.net.publicIp.get(allocation) ?? allocation;
  }

  private gone(id: string) {
    return this.known.has(id);
  }

  private viaGateway(subnet: string, id: string, ranges: readonly Range[], deps: Set<string>) {
    const g = this.net.natGateways.get(id);
    if (!g) {
      const exit: Exit = this.gone(id) ? { kind: "none", device: id, path: `NAT Gateway ${id} no longer exists` } : { kind: "nat", device: id, ips: ["(outside the plan)"], path: "ok" };
      return ranges.map((range) => ({ range, exit, deps }));
    }
    deps.add(g.address);
    const v = g.values;
    if (v.connectivity_type === "private") return ranges.map((range) => ({ range, exit: { kind: "private-nat", device: id }, deps }));
    const zonal = (this.net.natGatewayExtra.get(id) ?? []).map((a) => {
      deps.add(a.address);
      return a.values.allocation_id;
    });
    let kind = "nat";
    let allocations: unknown[] = [v.allocation_id, ...(isUnknown(v.secondary_allocation_ids) ? [v.secondary_allocation_ids] : strings(v.secondary_allocation_ids)), ...zonal];
    if (v.availability_mode === "regional") {
      // aws 6 regional NAT Gateway: automatic mode adds addresses and zones outside any plan.
      const manual = Array.isArray(v.availability_zone_address) ? (v.availability_zone_address as Values[]) : [];
      if (manual.length === 0) kind = "nat-regional-automatic";
      allocations = manual.flatMap((z) => (isUnknown(z.allocation_ids) ? [z.allocation_ids] : strings(z.allocation_ids)));
    }
    const ips = [...new Set(allocations.filter((a) => a !== undefined && a !== null && a !== "").map((a) => (isUnknown(a) ? "unknown" : this.ipOf(String(a), deps))))].sort();
    return this.withPath(subnet, { kind, device: id, ips }, str(v.subnet_id) ?? (isUnknown(v.subnet_id) ? "?" : undefined), undefined, ranges, deps);
  }

  private viaInterface(subnet: string, route: Route, ranges: readonly Range[], deps: Set<string>) {
    const byInstance = route.targetKind === "instance" ? this.net.instances.get(route.target) : undefined;
    const eniId = byInstance ? String(byInstance.values.primary_network_interface_id ?? route.target) : route.target;
    const eni = this.net.interfaces.get(eniId);
    const attached = this.net.attachedTo.get(eniId);
    const instance = byInstance ?? (attached ? this.net.instances.get(attached.instance) : undefined);
    if (!eni && !instance) {
      const exit: Exit = this.gone(route.target) ? { kind: "none", device: route.target, path: `${route.targetKind} ${route.target} no longer exists` } : { kind: "nat", device: route.target, ips: this.addressesOn([eniId, route.target], deps), path: "ok" };
      return ranges.map((range) => ({ range, exit, deps }));
    }
    if (eni) deps.add(eni.address);
    if (attached) deps.add(attached.address);
    const problems: string[] = [];
    if (!instance && !(attached && !this.gone(attached.instance))) problems.push("no instance behind the interface");
    if (instance) {
      deps.add(instance.address);
      const state = this.net.instanceState.get(String(instance.values.id));
      if (state) deps.add(state.address);
      const s = state?.values.state ?? instance.values.instance_state;
      if (s === "stopped" || s === "stopping") problems.push(`instance ${String(instance.values.id)} ${s}`);
      else if (isUnknown(state?.values.state)) problems.push("instance state known only after apply");
    }
    const check = eni ? eni.values.source_dest_check : instance?.values.source_dest_check;
    if (check === true || isUnknown(check)) problems.push(`source/destination check ${isUnknown(check) ? "known only after apply" : "on"}`);
    const groups = eni ? eni.values.security_groups : instance?.values.vpc_security_group_ids;
    const ips = this.addressesOn([eniId, ...(instance && String(instance.values.primary_network_interface_id) === eniId ? [String(instance.values.id)] : [])], deps);
    const nsubnet = str(eni?.values.subnet_id ?? instance?.values.subnet_id);
    const rules = isUnknown(groups) ? "unknown" : this.groupRules(strings(groups), deps);
    return this.withPath(subnet, { kind: "nat", device: eniId, ips, path: problems.join("; ") || undefined }, nsubnet, rules, ranges, deps);
  }

  private addressesOn(holders: string[], deps: Set<string>): string[] {
    const list = holders.flatMap((h) => this.net.addressesOn.get(h) ?? []);
    list.forEach((x) => deps.add(x.address));
    return [...new Set(list.map((x) => this.ipOf(x.allocation, deps)))].sort();
  }

  private groupRules(ids: string[], deps: Set<string>): SgRule[] | undefined {
    const known = ids.map((g) => this.net.groups.get(g));
    if (known.some((g) => !g)) return undefined;
    known.forEach((g) => g!.addresses.forEach((a) => deps.add(a)));
    return known.flatMap((g) => g!.rules);
  }

  /** The NAT device's own way out for each piece: its subnet's route to an attached Internet Gateway, ACLs both ways, its groups. */
  private withPath(subnet: string, exit: Exit, natSubnet: string | undefined, groups: SgRule[] | undefined | "unknown", ranges: readonly Range[], deps: Set<string>) {
    const own = new Set(deps);
    const nTable = natSubnet && natSubnet !== "?" ? this.tableOf(natSubnet, own) : undefined;
    const nRoutes = this.routesOf(nTable, own);
    const aclS = this.aclOf(subnet, own);
    const aclN = natSubnet && natSubnet !== "?" ? this.aclOf(natSubnet, own) : undefined;
    const nVpc = natSubnet ? this.net.subnets.get(natSubnet)?.vpc : undefined;
    const cs = this.net.subnets.get(subnet)?.cidr;
    const cuts = [...nRoutes.map((r) => (r.dest === "unknown" ? undefined : r.dest)), ...(aclS ?? []).map((e) => e.cidr), ...(aclN ?? []).map((e) => e.cidr), ...(Array.isArray(groups) ? groups.map((g) => g.cidr) : [])].filter((r): r is Range => r !== undefined);
    // Every route and rule on the way that reads the destination cuts the ranges; pieces inside the same cuts
    // are judged alike, once.
    const judged = new Map<string, { exit: Exit; deps: Set<string> }>();
    return split(ranges, cuts).map((range) => {
      const cover = cuts.map((c, i) => (contains(c, range) ? i : -1)).filter((i) => i >= 0).join(",");
      const seen = judged.get(cover);
      if (seen) return { range, ...seen };
      const d = new Set(own);
      const problems = exit.path ? [exit.path] : [];
      if (natSubnet === "?" || groups === "unknown") problems.push("its subnet or groups known only after apply");
      else if (natSubnet && this.net.subnets.has(natSubnet) === false && this.gone(natSubnet)) problems.push(`its subnet ${natSubnet} no longer exists`);
      else if (natSubnet) {
        const r = ExitFinder.routeFor(nRoutes, range);
        if (r) d.add(r.address);
        const igw = r && r.targetKind === "gateway" ? this.net.igwVpcs.get(r.target) : undefined;
        if (igw) d.add(igw.address);
        if (!r) problems.push(`its subnet ${natSubnet} has no route there`);
        else if (isUnknown(r.target)) problems.push("its subnet's route there goes to a target known only after apply");
        else if (r.targetKind !== "gateway") problems.push(`its subnet ${natSubnet} sends it to ${r.targetKind} ${r.target}, not an Internet Gateway`);
        else if (igw ? nVpc !== undefined && !igw.vpcs.has(nVpc) : this.gone(r.target)) problems.push(`Internet Gateway ${r.target} is not attached to the VPC`);
      }
      const forward = [aclAdmits(aclS, true, range), aclAdmits(aclN, false, cs), aclAdmits(aclN, true, range), sgAdmits(Array.isArray(groups) ? groups : undefined, false, cs), sgAdmits(Array.isArray(groups) ? groups : undefined, true, range)].reduce(intersect);
      const replies = [aclAdmits(aclN, false, range), aclAdmits(aclN, true, cs), aclAdmits(aclS, false, range)].every((p) => covers(p, EPHEMERAL));
      if (!covers(forward, ALL_PORTS[0])) problems.push(`forwards tcp ports ${portsText(forward)} only`);
      if (!replies) problems.push("replies on ephemeral ports are blocked (network ACLs are stateless)");
      const result = { exit: { ...exit, path: problems.length > 0 ? problems.join("; ") : "ok" }, deps: d };
      judged.set(cover, result);
      return { range, ...result };
    });
  }
}
