/**
 * The corpus' judge: where each subnet's traffic to a few public destinations leaves, read from the EC2 API's
 * answers after a real apply (route tables and the main association, NAT Gateways, interfaces, addresses,
 * instances, Internet Gateway attachments, network ACL entries, security group rules, prefix lists). It knows
 * nothing of Terraform or of the guard (it must not import it): each destination is one address, routed by
 * longest prefix, then the NAT device's own way out, the ACLs evaluated as AWS documents them (lowest rule
 * number first, stateless: the reply is checked too) and the NAT instance's groups (stateful, allow only).
 */
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  GetManagedPrefixListEntriesCommand,
  IpPermission,
  NetworkAcl,
  Route,
  RouteTable,
} from "@aws-sdk/client-ec2";

/** Public destinations probed: a database's documentation range, a benchmarking range, and three across the space. */
export const PROBES = ["203.0.113.10", "198.18.0.10", "8.8.8.8", "52.95.110.1", "100.20.0.5"];
/** Ports the traffic goes to (TLS, PostgreSQL) and the port a reply comes back to. */
const PORTS = [443, 5432];
const REPLY_PORT = 40000;

const num = (ip: string) => ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
function inCidr(ip: string, cidr: string | undefined): boolean {
  if (!cidr) return false;
  const [base, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  return Math.floor(num(ip) / size) === Math.floor(num(base) / size);
}
const prefixLen = (cidr: string) => Number(cidr.split("/")[1]);

/** Exit text per private subnet, per probe. */
export type Egress = Record<string, Record<string, string>>;

export async function observe(ec2: EC2Client): Promise<Egress> {
  const [subnets, tables, nats, enis, addresses, reservations, igws, acls, groups] = await Promise.all([
    ec2.send(new DescribeSubnetsCommand({})).then((r) => r.Subnets ?? []),
    ec2.send(new DescribeRouteTablesCommand({})).then((r) => r.RouteTables ?? []),
    ec2.send(new DescribeNatGatewaysCommand({})).then((r) => r.NatGateways ?? []),
    ec2.send(new DescribeNetworkInterfacesCommand({})).then((r) => r.NetworkInterfaces ?? []),
    ec2.send(new DescribeAddressesCommand({})).then((r) => r.Addresses ?? []),
    ec2.send(new DescribeInstancesCommand({})).then((r) => r.Reservations ?? []),
    ec2.send(new DescribeInternetGatewaysCommand({})).then((r) => r.InternetGateways ?? []),
    ec2.send(new DescribeNetworkAclsCommand({})).then((r) => r.NetworkAcls ?? []),
    ec2.send(new DescribeSecurityGroupsCommand({})).then((r) => r.SecurityGroups ?? []),
  ]);
  const instances = reservations.flatMap((r) => r.Instances ?? []);
  const prefixLists = new Map<string, string[]>();
  for (const id of new Set(tables.flatMap((t) => t.Routes ?? []).map((r) => r.DestinationPrefixListId).filter((x): x is string => !!x))) {
    prefixLists.set(id, ((await ec2.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: id }))).Entries ?? []).map((e) => e.Cidr!));
  }
  const subnetById = new Map(subnets.map((s) => [s.SubnetId!, s]));

  const tableOf = (subnetId: string): RouteTable | undefined =>
    tables.find((t) => (t.Associations ?? []).some((a) => a.SubnetId === subnetId)) ?? tables.find((t) => t.VpcId === subnetById.get(subnetId)?.VpcId && (t.Associations ?? []).some((a) => a.Main));

  function routeFor(table: RouteTable | undefined, ip: string): Route | undefined {
    let best: { r: Route; len: number } | undefined;
    for (const r of table?.Routes ?? []) {
      const cidrs = r.DestinationCidrBlock ? [r.DestinationCidrBlock] : r.DestinationPrefixListId ? (prefixLists.get(r.DestinationPrefixListId) ?? []) : [];
      for (const c of cidrs) if (inCidr(ip, c) && (!best || prefixLen(c) > best.len)) best = { r, len: prefixLen(c) };
    }
    return best?.r;
  }

  const aclOf = (subnetId: string): NetworkAcl | undefined =>
    acls.find((a) => (a.Associations ?? []).some((x) => x.SubnetId === subnetId)) ?? acls.find((a) => a.IsDefault && a.VpcId === subnetById.get(subnetId)?.VpcId);

  function aclAllows(acl: NetworkAcl | undefined, egress: boolean, ip: string, port: number): boolean {
    if (!acl) return true;
    const entries = (acl.Entries ?? []).filter((e) => e.Egress === egress && e.CidrBlock).sort((a, b) => a.RuleNumber! - b.RuleNumber!);
    for (const e of entries) {
      const tcp = e.Protocol === "-1" || e.Protocol === "6";
      const inPorts = e.Protocol === "-1" || !e.PortRange || (e.PortRange.From! <= port && port <= e.PortRange.To!);
      if (tcp && inPorts && inCidr(ip, e.CidrBlock)) return e.RuleAction === "allow";
    }
    return false;
  }

  function groupsAllow(perms: IpPermission[], ip: string, port: number): boolean {
    return perms.some((p) => {
      const tcp = p.IpProtocol === "-1" || p.IpProtocol === "tcp" || p.IpProtocol === "6";
      const inPorts = p.IpProtocol === "-1" || (p.FromPort! <= port && port <= p.ToPort!);
      const from = (p.IpRanges ?? []).some((r) => inCidr(ip, r.CidrIp)) || (p.UserIdGroupPairs ?? []).length > 0;
      return tcp && inPorts && from;
    });
  }

  /** The NAT device's own way out from its subnet, and the filters on the way, for one source and destination. */
  function wayOut(natSubnet: string | undefined, source: string, dest: string, groupIds: string[] | undefined): string {
    if (!natSubnet) return "no subnet";
    const r = routeFor(tableOf(natSubnet), dest);
    const igw = igws.find((g) => g.InternetGatewayId === r?.GatewayId);
    const vpc = subnetById.get(natSubnet)?.VpcId;
    if (!r || !igw) return `its subnet sends ${dest} to ${r ? (r.NatGatewayId ?? r.NetworkInterfaceId ?? r.GatewayId ?? r.VpcPeeringConnectionId ?? "elsewhere") : "nowhere"}`;
    if (!(igw.Attachments ?? []).some((a) => a.VpcId === vpc && ["available", "attached"].includes(String(a.State)))) return `${igw.InternetGatewayId} detached`;
    const src = subnetById.get(source)!;
    const srcIp = src.CidrBlock!.replace(/\.\d+\/\d+$/, ".10");
    const aSrc = aclOf(source);
    const aNat = aclOf(natSubnet);
    const sg = groupIds?.map((id) => groups.find((g) => g.GroupId === id)).filter((g) => g !== undefined);
    const open = PORTS.filter(
      (p) =>
        aclAllows(aSrc, true, dest, p) &&
        aclAllows(aNat, false, srcIp, p) &&
        aclAllows(aNat, true, dest, p) &&
        (!sg || (groupsAllow(sg.flatMap((g) => g.IpPermissions ?? []), srcIp, p) && groupsAllow(sg.flatMap((g) => g.IpPermissionsEgress ?? []), dest, p))),
    );
    const replies = aclAllows(aNat, false, dest, REPLY_PORT) && aclAllows(aNat, true, srcIp, REPLY_PORT) && aclAllows(aSrc, false, dest, REPLY_PORT);
    return `ports ${open.join(",") || "none"}${replies ? "" : ", replies blocked"}`;
  }

  function exit(subnetId: string, dest: string): string {
    const r = routeFor(tableOf(subnetId), dest);
    if (!r || r.State === "blackhole") return "none";
    if (r.NatGatewayId) {
      const nat = nats.find((n) => n.NatGatewayId === r.NatGatewayId && n.State !== "deleted" && n.State !== "failed");
      if (!nat) return `none (${r.NatGatewayId} gone)`;
      const ips = (nat.NatGatewayAddresses ?? []).map((a) => a.PublicIp).sort().join(",");
      return `nat ${nat.NatGatewayId} from ${ips}: ${wayOut(nat.SubnetId, subnetId, dest, undefined)}`;
    }
    const eniId = r.NetworkInterfaceId ?? enis.find((e) => e.Attachment?.InstanceId === r.InstanceId && e.Attachment?.DeviceIndex === 0)?.NetworkInterfaceId;
    if (eniId) {
      const eni = enis.find((e) => e.NetworkInterfaceId === eniId);
      if (!eni) return `none (${eniId} gone)`;
      const ips = addresses.filter((a) => a.NetworkInterfaceId === eniId).map((a) => a.PublicIp).sort().join(",");
      const instance = instances.find((i) => i.InstanceId === eni.Attachment?.InstanceId);
      const problems = [eni.SourceDestCheck !== false ? "source/dest check on" : "", instance?.State?.Name !== "running" ? `instance ${instance?.State?.Name ?? "missing"}` : ""].filter(Boolean);
      return `nat ${eniId} from ${ips}: ${[...problems, wayOut(eni.SubnetId, subnetId, dest, (eni.Groups ?? []).map((g) => g.GroupId!))].join("; ")}`;
    }
    return `${r.GatewayId ?? r.VpcPeeringConnectionId ?? r.TransitGatewayId ?? "other"} (no egress IP)`;
  }

  const out: Egress = {};
  for (const s of subnets) out[s.SubnetId!] = Object.fromEntries(PROBES.map((p) => [p, exit(s.SubnetId!, p)]));
  return out;
}

/** Subnets that were private before (some probe left through a NAT) whose exit differs after. */
export function egressMoved(before: Egress, after: Egress): string[] {
  const moved: string[] = [];
  for (const [subnet, exits] of Object.entries(before)) {
    if (!Object.values(exits).some((e) => e.startsWith("nat "))) continue;
    for (const p of PROBES) if (after[subnet]?.[p] !== exits[p]) moved.push(`${subnet} → ${p}: ${exits[p]} ⇒ ${after[subnet]?.[p] ?? "subnet gone"}`);
  }
  return moved;
}
