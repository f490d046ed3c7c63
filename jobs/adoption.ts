/** make adopt's decision, from the facts alone: how the network is adopted, or every reason it cannot be. */
import { NatGateway, NatGatewayAddress, RouteTable, Subnet } from "@aws-sdk/client-ec2";
import { contains, freeBlock, parseCidr } from "@fixed-egress/constructs";
import type { AdoptedNetwork, AdoptedRouteTable, Ipv4Range } from "@fixed-egress/constructs";
import { DEFAULT, NetworkFacts, label, tagsOf, targetOf } from "./adopt-facts";
import { ownershipProblems } from "./ownership";
import { subnetSettingProblems } from "./adopt-subnets";

/** What the user decides beside the facts. */
export interface AdoptionOptions {
  /** the environment name it is adopted under (a resource another network adopted is refused) */
  readonly name: string;
  /** add the S3 gateway endpoint to the adopted private route tables @default false */
  readonly s3Endpoint?: boolean;
}

/** A NAT Gateway's primary address (AWS marks it IsPrimary; a gateway of one address has no doubt) and the others. */
export function addressesOf(n: NatGateway): { primary?: NatGatewayAddress; secondaries: NatGatewayAddress[] } {
  const all = (n.NatGatewayAddresses ?? []).filter((a) => a.AllocationId);
  const primary = all.find((a) => a.IsPrimary) ?? (all.length === 1 ? all[0] : undefined);
  return { primary, secondaries: all.filter((a) => a !== primary) };
}

/** Why adopting them sends S3 traffic of every workload on those tables through the endpoint, without a public source IP. */
export const S3_ENDPOINT_NOTE =
  "s3Endpoint is off: an S3 gateway endpoint on the adopted private route tables would carry the S3 traffic of every workload on them without a public source IP, so bucket policies that allow-list the egress IP (aws:SourceIp) would start to deny it; turn it on later in the config (make plan warns on each table), or adopt with --s3-endpoint";

/** One row of what was found, per availability zone. */
export interface AdoptionRow {
  readonly az: string;
  readonly publicSubnet: string;
  readonly privateSubnet: string;
  readonly routeTables: string;
  readonly natGateway: string;
  readonly elasticIp: string;
}

/** The `network` section of the config to write, with what it found and what it leaves alone. */
export interface Adoption {
  readonly network: Record<string, unknown> & { adopt: AdoptedNetwork };
  readonly rows: AdoptionRow[];
  /** resources of the VPC that are left as they are, each with why */
  readonly notes: string[];
  readonly egressIps: string[];
}

type Role = { kind: "public" } | { kind: "private"; nat: string } | { kind: "isolated" } | { kind: "refused"; why: string };

/**
 * Decides, from the facts alone, whether and how the network can be adopted: every problem at once, each a
 * sentence naming the resource, what is wrong and what to do.
 */
export function adoptionOf(f: NetworkFacts, options: AdoptionOptions): Adoption | { problems: string[] } {
  const problems: string[] = [];
  if (!f.internetGatewayId) {
    return { problems: [`VPC ${f.vpcId} has no Internet Gateway attached, so nothing in it reaches the internet and there is no egress path to adopt; attach one and route a public subnet to it, or let make deploy build the network`] };
  }
  const main = f.routeTables.find((t) => t.Associations?.some((a) => a.Main));
  const tableOf = (s: Subnet) => f.routeTables.find((t) => t.Associations?.some((a) => a.SubnetId === s.SubnetId)) ?? main;
  const tableLabel = (t: RouteTable) => `route table ${label(t.RouteTableId!, t.Tags)}${t === main ? " (the VPC's main route table)" : ""}`;

  // Each route table decides the role of the subnets that use it; a refusal names the table once, with its subnets.
  const roleOf = (table: RouteTable | undefined, users: Subnet[]): Role => {
    const r = table?.Routes?.find((x) => x.DestinationCidrBlock === DEFAULT);
    if (!table || !r) return { kind: "isolated" };
    const subnets = users.map((s) => `${label(s.SubnetId!, s.Tags)} in ${s.AvailabilityZone}`).join(", ");
    const where = `${tableLabel(table)}, used by subnet${users.length > 1 ? "s" : ""} ${subnets}, sends ${DEFAULT} to ${targetOf(r)}`;
    if (r.State === "blackhole") return { kind: "refused", why: `${where}, which no longer exists (a blackhole route); point the route at the Internet Gateway or a NAT Gateway, or delete it, then run make adopt again` };
    if (r.GatewayId === f.internetGatewayId) return { kind: "public" };
    if (r.NatGatewayId) return { kind: "private", nat: r.NatGatewayId };
    if (r.InstanceId || r.NetworkInterfaceId) {
      return { kind: "refused", why: `${where}, a NAT instance; make adopt takes NAT Gateways only: replace the NAT instance by a NAT Gateway that takes over its Elastic IP, then run make adopt again` };
    }
    if (r.VpcPeeringConnectionId || r.TransitGatewayId) {
      return { kind: "refused", why: `${where}: its traffic leaves through another network, whose address this VPC does not own, so there is no egress IP here to keep; adopt the network that owns the NAT instead` };
    }
    return { kind: "refused", why: `${where}, which is neither the VPC's Internet Gateway ${f.internetGatewayId} nor a NAT Gateway; make adopt cannot tell what egress IP it leaves from` };
  };

  const tables = [...new Set(f.subnets.map(tableOf))];
  const roles = new Map<string, Role>();
  for (const t of tables) {
    const users = f.subnets.filter((s) => tableOf(s) === t);
    const role = roleOf(t, users);
    if (role.kind === "refused") problems.push(role.why);
    for (const s of users) roles.set(s.SubnetId!, role);
  }
  if (problems.length > 0) return { problems };
  const bySubnet = (kind: Role["kind"]) => f.subnets.filter((s) => roles.get(s.SubnetId!)!.kind === kind);
  const publics = bySubnet("public");
  const privates = bySubnet("private");
  const notes: string[] = [];
  for (const s of bySubnet("isolated")) notes.push(`subnet ${label(s.SubnetId!, s.Tags)} (${s.AvailabilityZone}) has no ${DEFAULT} route: left as it is`);

  if (privates.length === 0) {
    const nats = f.natGateways.filter((n) => n.State === "available");
    problems.push(
      nats.length === 0
        ? `VPC ${f.vpcId} has no NAT Gateway, so there is no egress IP to keep; build the network with make deploy instead (it makes a new one), or add a NAT Gateway with an Elastic IP and route the private subnets to it, then run make adopt again`
        : `no subnet of VPC ${f.vpcId} sends ${DEFAULT} to a NAT Gateway (${nats.map((n) => n.NatGatewayId).join(", ")} ${nats.length === 1 ? "is" : "are"} unused), so there is no private subnet to run the function in; point the private subnets' route table at the NAT Gateway, then run make adopt again`,
    );
    return { problems };
  }

  const natIdOf = (s: Subnet) => (roles.get(s.SubnetId!) as { nat: string }).nat;
  const usedNats = [...new Set(privates.map(natIdOf))];
  const nats = new Map<string, NatGateway>();
  for (const id of usedNats) {
    const nat = f.natGateways.find((n) => n.NatGatewayId === id);
    const users = privates.filter((s) => natIdOf(s) === id).map((s) => s.SubnetId).join(", ");
    if (!nat || nat.State !== "available") {
      problems.push(`NAT Gateway ${id}, the ${DEFAULT} target of ${users}, is ${nat?.State ?? "gone"}; make adopt takes an available NAT Gateway: wait for it, or point the route at one that is`);
      continue;
    }
    if (nat.ConnectivityType === "private") {
      problems.push(`NAT Gateway ${label(id, nat.Tags)} is a private NAT Gateway: it has no Elastic IP and no way to the internet, so there is no egress IP to keep; route ${users} to a public NAT Gateway, then run make adopt again`);
      continue;
    }
    const { primary: address, secondaries } = addressesOf(nat);
    const unsettled = (nat.NatGatewayAddresses ?? []).filter((a) => a.Status !== undefined && a.Status !== "succeeded");
    if (unsettled.length > 0) {
      problems.push(`NAT Gateway ${label(id, nat.Tags)} has addresses that are still changing (${unsettled.map((a) => `${a.AllocationId ?? a.PrivateIp} ${a.Status}`).join(", ")}); wait until they settle, then run make adopt again`);
      continue;
    }
    if (!address && secondaries.length > 0) {
      problems.push(`NAT Gateway ${label(id, nat.Tags)} reports ${secondaries.length} addresses and none of them as primary; make adopt cannot tell which one Terraform's allocation_id is, so it would replace the gateway: check it with aws ec2 describe-nat-gateways --nat-gateway-ids ${id}`);
      continue;
    }
    if (!address) {
      problems.push(`NAT Gateway ${label(id, nat.Tags)} has no Elastic IP, so there is no fixed egress IP to keep; give it one (or replace it by a NAT Gateway with an Elastic IP), then run make adopt again`);
      continue;
    }
    const home = f.subnets.find((s) => s.SubnetId === nat.SubnetId);
    if (!home || roles.get(home.SubnetId!)!.kind !== "public") {
      problems.push(`NAT Gateway ${label(id, nat.Tags)} sits in subnet ${nat.SubnetId}, which does not send ${DEFAULT} to the Internet Gateway ${f.internetGatewayId}, so its traffic cannot reach the internet; fix that subnet's route table, then run make adopt again`);
      continue;
    }
    nats.set(id, nat);
  }

  // One public and one private subnet per AZ: the shape the network construct keeps.
  const azs = [...new Set(privates.map((s) => s.AvailabilityZone!))].sort();
  const chosenPublic = new Map<string, Subnet>();
  for (const az of azs) {
    const here = privates.filter((s) => s.AvailabilityZone === az);
    if (here.length > 1) {
      problems.push(`${az} has ${here.length} private subnets (${here.map((s) => s.SubnetId).join(", ")}); the network keeps one private subnet per availability zone: move what runs in all but one and delete them, then run make adopt again`);
    }
    const candidates = publics.filter((s) => s.AvailabilityZone === az);
    if (candidates.length === 0) continue; // a new one, with one NAT Gateway (decided below)
    // Where there are several, the one holding a NAT Gateway, else the lowest range; the others stay as they are.
    const holder = candidates.find((s) => [...nats.values()].some((n) => n.SubnetId === s.SubnetId));
    const pick = holder ?? [...candidates].sort((a, b) => (parseCidr(a.CidrBlock!) as { start: number }).start - (parseCidr(b.CidrBlock!) as { start: number }).start)[0];
    chosenPublic.set(az, pick);
    for (const s of candidates.filter((x) => x !== pick)) notes.push(`public subnet ${label(s.SubnetId!, s.Tags)} (${az}) is a second public subnet in its zone: left as it is`);
  }
  for (const s of publics.filter((x) => !azs.includes(x.AvailabilityZone!))) {
    const holds = [...nats.values()].find((n) => n.SubnetId === s.SubnetId);
    if (holds) {
      problems.push(`NAT Gateway ${label(holds.NatGatewayId!, holds.Tags)} sits in ${s.AvailabilityZone}, where there is no private subnet; the network places a NAT Gateway in the public subnet of a zone it serves (${azs.join(", ")}): add a private subnet in ${s.AvailabilityZone}, then run make adopt again`);
    } else notes.push(`public subnet ${label(s.SubnetId!, s.Tags)} (${s.AvailabilityZone}) is in a zone without a private subnet: left as it is`);
  }
  for (const n of f.natGateways.filter((x) => x.State === "available" && !usedNats.includes(x.NatGatewayId!))) {
    notes.push(`NAT Gateway ${label(n.NatGatewayId!, n.Tags)} is not the ${DEFAULT} target of any subnet: left as it is (it is still billed)`);
  }
  if (problems.length > 0) return { problems };

  // single: one NAT Gateway, in the first AZ; perAz: each zone's private subnet through the NAT Gateway of its zone.
  const azOfNat = (id: string) => f.subnets.find((s) => s.SubnetId === nats.get(id)!.SubnetId)!.AvailabilityZone!;
  const privateIn = (az: string) => privates.find((s) => s.AvailabilityZone === az)!;
  let mode: "single" | "perAz";
  let order: string[];
  if (usedNats.length === 1) {
    mode = "single";
    order = [azOfNat(usedNats[0]), ...azs.filter((az) => az !== azOfNat(usedNats[0]))];
  } else if (usedNats.length === azs.length && azs.every((az) => azOfNat(natIdOf(privateIn(az))) === az)) {
    mode = "perAz";
    order = azs;
  } else {
    const uses = azs.map((az) => `${privateIn(az).SubnetId} (${az}) → ${natIdOf(privateIn(az))} (${azOfNat(natIdOf(privateIn(az)))})`).join(", ");
    return {
      problems: [
        `the private subnets use ${usedNats.length} NAT Gateways for ${azs.length} availability zones (${uses}); the network runs either one NAT Gateway for all zones (single) or one per zone, each zone's private subnet through the NAT Gateway in its own zone (perAz): point the private route tables that way, then run make adopt again`,
      ],
    };
  }

  // A zone without a public subnet gets a new one, in a free block of the NAT's subnet's size: the network keeps
  // one public subnet per zone. Only a single NAT leaves a zone without one (perAz puts each in its own zone's).
  const natHome = f.subnets.find((s) => s.SubnetId === nats.get(usedNats[0])!.SubnetId)!;
  const natPrefix = (parseCidr(natHome.CidrBlock!) as Ipv4Range).prefix;
  const vpcRange = parseCidr(f.vpcCidr);
  const taken = f.subnets.map((s) => parseCidr(s.CidrBlock!)).filter((r): r is Ipv4Range => typeof r !== "string");
  const newPublic = new Map<string, string>();
  for (const az of order.filter((z) => !chosenPublic.has(z))) {
    const block = typeof vpcRange === "string" ? undefined : freeBlock(vpcRange, natPrefix, taken);
    if (!block) {
      problems.push(`${az} has private subnet ${label(privateIn(az).SubnetId!, privateIn(az).Tags)} but no public subnet (one whose ${DEFAULT} goes to the Internet Gateway), and ${f.vpcCidr} has no free /${natPrefix} left for one: add a public subnet in ${az}, then run make adopt again`);
      continue;
    }
    newPublic.set(az, block);
    taken.push(parseCidr(block) as Ipv4Range);
    notes.push(`${az} has no public subnet: a new one, ${block}, is created there on ${natHome.SubnetId}'s route table (the network keeps one public subnet per zone; with one NAT Gateway nothing routes through it)`);
  }
  if (problems.length > 0) return { problems };

  const pubs = order.map((az) => chosenPublic.get(az));
  const privs = order.map(privateIn);
  const devices = mode === "single" ? [usedNats[0]] : order.map((az) => natIdOf(privateIn(az)));
  const adoptedPubs = pubs.filter((x): x is Subnet => x !== undefined);
  // Another fixed-egress network or another tool must not own what is imported into this state.
  const addressTags = (allocationId: string | undefined) => f.addresses.find((x) => x.AllocationId === allocationId)?.Tags;
  const owned = ownershipProblems(
    [
      ...[...adoptedPubs, ...privs].map((x) => ({ what: `subnet ${label(x.SubnetId!, x.Tags)}`, tags: x.Tags })),
      ...[...new Set([...adoptedPubs, ...privs].map((x) => tableOf(x)!))].map((t) => ({ what: tableLabel(t), tags: t.Tags })),
      ...devices.map((id) => ({ what: `NAT Gateway ${label(id, nats.get(id)!.Tags)}`, tags: nats.get(id)!.Tags })),
      ...devices.flatMap((id) => {
        const { primary, secondaries } = addressesOf(nats.get(id)!);
        return [primary!, ...secondaries].map((x) => ({ what: `Elastic IP ${x.PublicIp} (${x.AllocationId})`, tags: addressTags(x.AllocationId) }));
      }),
    ],
    options.name,
  );
  if (owned.length > 0) return { problems: owned };
  // The first plan after adoption may change tags only: a subnet setting the network does not keep would be reset.
  const rewritten = subnetSettingProblems(adoptedPubs, privs);
  if (rewritten.length > 0) return { problems: rewritten };

  const adoptedTable = (t: RouteTable): AdoptedRouteTable => ({ id: t.RouteTableId!, ...(t === main ? { main: true } : {}), ...tagsOf(t.Tags) });
  const addressOf = (n: NatGateway) => addressesOf(n).primary!;
  const ipsOf = (n: NatGateway) => [addressOf(n), ...addressesOf(n).secondaries];
  const adopt: AdoptedNetwork = {
    publicSubnets: pubs.map((s) => (s ? { id: s.SubnetId!, ...tagsOf(s.Tags) } : null)),
    privateSubnets: privs.map((s) => ({ id: s.SubnetId!, ...tagsOf(s.Tags) })),
    // A new public subnet uses the NAT's subnet's table.
    publicRouteTables: pubs.map((s) => adoptedTable(tableOf(s ?? natHome)!)),
    privateRouteTables: privs.map((s) => adoptedTable(tableOf(s)!)),
    natGateways: devices.map((id) => {
      const n = nats.get(id)!;
      const eipTags = tagsOf(addressTags(addressOf(n).AllocationId)).tags;
      const secondaryAddresses = addressesOf(n).secondaries.map((x) => ({ allocationId: x.AllocationId!, ...tagsOf(addressTags(x.AllocationId)) }));
      return { id, allocationId: addressOf(n).AllocationId!, ...tagsOf(n.Tags), ...(eipTags ? { eipTags } : {}), ...(secondaryAddresses.length > 0 ? { secondaryAddresses } : {}) };
    }),
  };

  const inside = typeof vpcRange !== "string" && [...adoptedPubs, ...privs].every((s) => {
    const r = parseCidr(s.CidrBlock!);
    return typeof r !== "string" && contains(vpcRange, r);
  });
  const s3Endpoint = options.s3Endpoint === true && !f.s3GatewayEndpointId;
  if (f.s3GatewayEndpointId) notes.push(`S3 gateway endpoint ${f.s3GatewayEndpointId} already serves the VPC: s3Endpoint is off, so no second one is made`);
  else if (!s3Endpoint) notes.push(S3_ENDPOINT_NOTE);
  const network = {
    existingVpcId: f.vpcId,
    existingInternetGatewayId: f.internetGatewayId,
    // Only to check the subnets against; left out when they live in a secondary range.
    ...(inside ? { vpcCidr: f.vpcCidr } : {}),
    availabilityZones: order,
    publicSubnetCidrs: order.map((az, i) => pubs[i]?.CidrBlock ?? newPublic.get(az)!),
    privateSubnetCidrs: privs.map((s) => s.CidrBlock!),
    natPlacement: mode,
    natProvider: "gateway",
    // The database admin allow-listed these addresses: a plan that would release one fails.
    protectEgressIps: true,
    mapPublicIpOnLaunch: adoptedPubs.every((s) => s.MapPublicIpOnLaunch === true),
    s3Endpoint,
    adopt,
  };
  const rows = order.map((az, i) => {
    const device = mode === "single" ? (i === 0 ? nats.get(devices[0]) : undefined) : nats.get(devices[i]);
    const pubTable = adopt.publicRouteTables[i];
    const privTable = adopt.privateRouteTables[i];
    const shared = (t: AdoptedRouteTable, list: AdoptedRouteTable[]) => (t.main ? " (main)" : list.filter((x) => x.id === t.id).length > 1 ? " (shared)" : "");
    return {
      az,
      publicSubnet: pubs[i] ? `${pubs[i]!.SubnetId} ${pubs[i]!.CidrBlock}` : `(new) ${newPublic.get(az)}`,
      privateSubnet: `${privs[i].SubnetId} ${privs[i].CidrBlock}`,
      routeTables: `${pubTable.id}${shared(pubTable, adopt.publicRouteTables)} / ${privTable.id}${shared(privTable, adopt.privateRouteTables)}`,
      natGateway: device ? device.NatGatewayId! : mode === "single" ? `(${devices[0]})` : "",
      elasticIp: device ? ipsOf(device).map((x) => `${x.PublicIp} ${x.AllocationId}`).join(", ") : "",
    };
  });
  return { network, rows, notes, egressIps: devices.flatMap((id) => ipsOf(nats.get(id)!).map((x) => x.PublicIp!)) };
}
