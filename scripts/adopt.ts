/**
 * make adopt: finds a network built by hand (in the console, step by step) through the AWS API and writes
 * config/<name>.json that describes it as it is and names each resource to import, so the first deploy
 * imports it and the egress IP stays. Refuses, naming what and why, a network it cannot adopt; then no
 * file is written.
 * Usage: FIXED_EGRESS_CONFIG=<base config> tsx scripts/adopt.ts --vpc <vpc-id> --name <env-name> [--out <file>] [--force]
 *   region, backend, emulator, tags and the lambda section come from the base config (default config/local.json).
 */
import {
  Address,
  DescribeAddressesCommand,
  DescribeVpcsCommand,
  EC2Client,
  NatGateway,
  Route,
  RouteTable,
  Subnet,
  Tag,
  paginateDescribeInternetGateways,
  paginateDescribeNatGateways,
  paginateDescribeRouteTables,
  paginateDescribeSubnets,
  paginateDescribeVpcEndpoints,
} from "@aws-sdk/client-ec2";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "fs";
import { dirname, isAbsolute, join, relative, resolve } from "path";
import { parseArgs } from "util";
import { NAME_PATTERN, awsIdPattern, contains, freeBlock, parseCidr } from "@fixed-egress/constructs";
import type { AdoptedNetwork, AdoptedRouteTable, Ipv4Range } from "@fixed-egress/constructs";
import { stackNames } from "../stacks";
import { PROJECT } from "../stacks/wiring";
import { ConfigError, loadConfig } from "../stacks/config";
import type { AppConfig } from "../stacks/config";
import { clientSettings } from "./aws";
import { aws, existingStateOf } from "./bootstrap-state";
import { fail } from "./cli";
import { ROOT, configFromEnv, say, shown } from "./steps";

/** What the AWS API says of one VPC: the facts adoption is decided from. */
export interface NetworkFacts {
  readonly vpcId: string;
  readonly region: string;
  /** the VPC's primary IPv4 range */
  readonly vpcCidr: string;
  readonly internetGatewayId?: string;
  readonly subnets: Subnet[];
  readonly routeTables: RouteTable[];
  /** NAT Gateways in the VPC that are not deleted */
  readonly natGateways: NatGateway[];
  /** the Elastic IPs of those NAT Gateways */
  readonly addresses: Address[];
  /** an S3 gateway endpoint the VPC already has */
  readonly s3GatewayEndpointId?: string;
}

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

const DEFAULT = "0.0.0.0/0";

/** A resource's tags as a map, without the keys AWS reserves (aws:…), which cannot be set. */
const tagsOf = (tags: Tag[] | undefined): { tags?: Record<string, string> } => {
  const kept = (tags ?? []).filter((t) => t.Key && !t.Key.startsWith("aws:"));
  return kept.length > 0 ? { tags: Object.fromEntries(kept.map((t) => [t.Key!, t.Value ?? ""])) } : {};
};

const nameOf = (tags: Tag[] | undefined) => tags?.find((t) => t.Key === "Name")?.Value;
/** "subnet-0abc (public-a)" */
const label = (id: string, tags?: Tag[]) => (nameOf(tags) ? `${id} (${nameOf(tags)})` : id);

/** What a 0.0.0.0/0 route goes to, in words, for a refusal. */
function targetOf(r: Route): string {
  if (r.NatGatewayId) return `NAT Gateway ${r.NatGatewayId}`;
  if (r.InstanceId) return `instance ${r.InstanceId}`;
  if (r.NetworkInterfaceId) return `network interface ${r.NetworkInterfaceId}`;
  if (r.VpcPeeringConnectionId) return `peering connection ${r.VpcPeeringConnectionId}`;
  if (r.TransitGatewayId) return `transit gateway ${r.TransitGatewayId}`;
  return r.GatewayId ?? r.EgressOnlyInternetGatewayId ?? r.CarrierGatewayId ?? r.LocalGatewayId ?? "an unknown target";
}

type Role = { kind: "public" } | { kind: "private"; nat: string } | { kind: "isolated" } | { kind: "refused"; why: string };

/**
 * Decides, from the facts alone, whether and how the network can be adopted: every problem at once, each a
 * sentence naming the resource, what is wrong and what to do.
 */
export function adoptionOf(f: NetworkFacts): Adoption | { problems: string[] } {
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
    const address = nat.NatGatewayAddresses?.find((a) => a.AllocationId);
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
  // A resource a fixed-egress stack already manages (its provider tags it) must not be imported into a second state.
  const managed = [
    ...[...adoptedPubs, ...privs].map((x) => ({ what: `subnet ${x.SubnetId}`, tags: x.Tags })),
    ...[...new Set([...adoptedPubs, ...privs].map((x) => tableOf(x)!))].map((t) => ({ what: `route table ${t.RouteTableId}`, tags: t.Tags })),
    ...devices.map((id) => ({ what: `NAT Gateway ${id}`, tags: nats.get(id)!.Tags })),
  ].flatMap(({ what, tags }) => {
    const tag = (k: string) => tags?.find((x) => x.Key === k)?.Value;
    return tag("Project") === PROJECT && tag("Stack") ? [`${what} (stack ${tag("Stack")})`] : [];
  });
  if (managed.length > 0) {
    return { problems: [`${managed.join(", ")} ${managed.length === 1 ? "is" : "are"} already managed by fixed-egress (the Project and Stack tags say so); a resource in two states is destroyed by either: deploy that environment's config instead, or remove it from that stack's state first (terraform state rm)`] };
  }

  const adoptedTable = (t: RouteTable): AdoptedRouteTable => ({ id: t.RouteTableId!, ...(t === main ? { main: true } : {}), ...tagsOf(t.Tags) });
  const addressOf = (n: NatGateway) => n.NatGatewayAddresses!.find((a) => a.AllocationId)!;
  const eipOf = (n: NatGateway) => f.addresses.find((a) => a.AllocationId === addressOf(n).AllocationId);
  const adopt: AdoptedNetwork = {
    publicSubnets: pubs.map((s) => (s ? { id: s.SubnetId!, ...tagsOf(s.Tags) } : null)),
    privateSubnets: privs.map((s) => ({ id: s.SubnetId!, ...tagsOf(s.Tags) })),
    // A new public subnet uses the NAT's subnet's table.
    publicRouteTables: pubs.map((s) => adoptedTable(tableOf(s ?? natHome)!)),
    privateRouteTables: privs.map((s) => adoptedTable(tableOf(s)!)),
    natGateways: devices.map((id) => {
      const n = nats.get(id)!;
      const eipTags = tagsOf(eipOf(n)?.Tags).tags;
      return { id, allocationId: addressOf(n).AllocationId!, ...tagsOf(n.Tags), ...(eipTags ? { eipTags } : {}) };
    }),
  };

  const inside = typeof vpcRange !== "string" && [...adoptedPubs, ...privs].every((s) => {
    const r = parseCidr(s.CidrBlock!);
    return typeof r !== "string" && contains(vpcRange, r);
  });
  if (f.s3GatewayEndpointId) notes.push(`S3 gateway endpoint ${f.s3GatewayEndpointId} already serves the VPC: s3Endpoint is off, so no second one is made`);
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
    s3Endpoint: !f.s3GatewayEndpointId,
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
      elasticIp: device ? `${addressOf(device).PublicIp} ${addressOf(device).AllocationId}` : "",
    };
  });
  return { network, rows, notes, egressIps: devices.map((id) => addressOf(nats.get(id)!).PublicIp!) };
}

/** Reads what the API knows of the VPC. Every call is a Describe: nothing is changed. */
export async function discoverNetwork(ec2: EC2Client, vpcId: string, region: string): Promise<NetworkFacts | { problems: string[] }> {
  const vpcFilter = [{ Name: "vpc-id", Values: [vpcId] }];
  const vpcs = await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })).then(
    (r) => r.Vpcs ?? [],
    (err: { name?: string }) => {
      if (err.name === "InvalidVpcID.NotFound") return [];
      throw err;
    },
  );
  if (vpcs.length === 0) return { problems: [`VPC ${vpcId} does not exist in ${region} (the region of FIXED_EGRESS_CONFIG); check the id, or adopt with a config of the VPC's region`] };
  // Every page of each answer: a large VPC does not fit in one.
  const all = async <P, T>(pages: AsyncIterable<P>, items: (page: P) => T[] | undefined): Promise<T[]> => {
    const out: T[] = [];
    for await (const page of pages) out.push(...(items(page) ?? []));
    return out;
  };
  const client = { client: ec2 };
  const [igws, subnets, tables, natGateways, endpoints] = await Promise.all([
    all(paginateDescribeInternetGateways(client, { Filters: [{ Name: "attachment.vpc-id", Values: [vpcId] }] }), (p) => p.InternetGateways),
    all(paginateDescribeSubnets(client, { Filters: vpcFilter }), (p) => p.Subnets),
    all(paginateDescribeRouteTables(client, { Filters: vpcFilter }), (p) => p.RouteTables),
    all(paginateDescribeNatGateways(client, { Filter: vpcFilter }), (p) => p.NatGateways),
    all(paginateDescribeVpcEndpoints(client, { Filters: [...vpcFilter, { Name: "service-name", Values: [`com.amazonaws.${region}.s3`] }] }), (p) => p.VpcEndpoints),
  ]);
  const nats = natGateways.filter((n) => n.State !== "deleted" && n.State !== "deleting");
  const allocations = nats.flatMap((n) => (n.NatGatewayAddresses ?? []).flatMap((a) => (a.AllocationId ? [a.AllocationId] : [])));
  const addresses = allocations.length > 0 ? (await ec2.send(new DescribeAddressesCommand({ AllocationIds: allocations }))).Addresses ?? [] : [];
  return {
    vpcId,
    region,
    vpcCidr: vpcs[0].CidrBlock!,
    internetGatewayId: igws[0]?.InternetGatewayId,
    subnets,
    routeTables: tables,
    natGateways: nats,
    addresses,
    s3GatewayEndpointId: endpoints.find((e) => e.VpcEndpointType === "Gateway")?.VpcEndpointId,
  };
}

/** Text columns padded to their widest cell. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd()).join("\n");
}

/** The config file of an adopted network: the base config's settings and lambda section, the discovered network. */
export function adoptedConfig(base: Record<string, unknown>, baseFile: string, out: string, name: string, network: Adoption["network"]): Record<string, unknown> {
  const lambda = structuredClone(base.lambda) as { database?: { caBundle?: string } };
  // A path in a config file is relative to that file: re-anchor the CA bundle's at the new file.
  const ca = lambda.database?.caBundle;
  if (ca !== undefined && !isAbsolute(ca)) lambda.database!.caBundle = relative(dirname(out), resolve(dirname(baseFile), ca));
  const pick = (k: string) => (base[k] !== undefined ? { [k]: base[k] } : {});
  return {
    $schema: relative(dirname(out), join(ROOT, "config", "schema.json")),
    name,
    ...pick("region"),
    ...pick("tags"),
    ...pick("backend"),
    ...pick("emulator"),
    network,
    lambda,
  };
}

const USAGE = "usage: make adopt VPC=<vpc-id> NAME=<env-name> [OUT=<file>] (or npm run adopt -- --vpc <id> --name <name> [--out <file>] [--force])";

function args(argv: string[]): { vpc: string; name: string; out?: string; force: boolean } {
  let values: { vpc?: string; name?: string; out?: string; force?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { vpc: { type: "string" }, name: { type: "string" }, out: { type: "string" }, force: { type: "boolean" } } }));
  } catch (err) {
    // parseArgs names the option in quotes: "Unknown option '--x'. …", "Option '--vpc <value>' argument missing"
    const e = err as { code?: string; message: string };
    const option = /'(-[^' ]+)/.exec(e.message)?.[1] ?? "";
    return fail(`${e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? `unknown option ${option}` : e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" ? `${option} needs a value` : e.message}; ${USAGE}`, 2);
  }
  const { vpc, name, out, force } = values;
  if (!vpc) fail(`give the VPC to adopt; ${USAGE}`, 2);
  if (!awsIdPattern("vpc").test(vpc)) fail(`--vpc "${vpc}" is not a VPC id; give one such as vpc-0a1b2c3d4e5f67890`, 2);
  if (!name) fail(`give the environment's name; ${USAGE}`, 2);
  if (!NAME_PATTERN.test(name)) fail(`--name "${name}" is not valid; use 2-32 lowercase letters, digits or hyphens, starting with a letter, for example "orders"`, 2);
  return { vpc, name, out, force: force ?? false };
}

async function main(): Promise<void> {
  const opts = args(process.argv.slice(2));
  const { file: baseFile, config } = configFromEnv();
  const out = resolve(opts.out ?? join(ROOT, "config", `${opts.name}.json`));
  if (existsSync(out) && !opts.force) fail(`${shown(out)} already exists; give another --out (OUT=…), or --force to replace it`);
  const target: AppConfig = { ...config, name: opts.name };
  const network = stackNames(target).network;
  say(`fixed-egress: adopting ${opts.vpc} (${config.emulator ? `the emulator at ${config.emulator.endpoint}` : `AWS ${config.region}`}) as "${opts.name}"`);

  const state = await existingStateOf(target, network).catch((err: Error) => fail(`reading the state bucket: ${err.message}`));
  if (state) fail(`${network} already has a state (${state}): an environment named "${opts.name}" is deployed, and adopting into it would replace its network; choose another NAME`);

  const ec2 = new EC2Client(clientSettings(config));
  let facts: Awaited<ReturnType<typeof discoverNetwork>>;
  try {
    facts = await aws(config, () => discoverNetwork(ec2, opts.vpc, config.region));
  } catch (err) {
    return fail(`discovering ${opts.vpc}: ${(err as Error).message}`);
  } finally {
    ec2.destroy();
  }
  const adoption = "problems" in facts ? facts : adoptionOf(facts);
  if ("problems" in adoption) {
    fail(`${adoption.problems.map((p) => `cannot adopt: ${p}`).join("\n")}\nNothing was written.`);
  }

  // Written beside, checked as any config is, then moved into place: a bad file is never left behind.
  const base = JSON.parse(readFileSync(baseFile, "utf8")) as Record<string, unknown>;
  const text = `${JSON.stringify(adoptedConfig(base, baseFile, out, opts.name, adoption.network), null, 2)}\n`;
  const temp = `${out}.${process.pid}.tmp`;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(temp, text);
  try {
    loadConfig(temp);
  } catch (err) {
    rmSync(temp, { force: true });
    if (err instanceof ConfigError) fail(`the written config does not load (a bug; nothing was written):\n${err.message}`);
    throw err;
  }
  renameSync(temp, out);

  say("");
  say(
    table([
      ["AZ", "public subnet", "private subnet", "route tables (public / private)", "NAT Gateway", "Elastic IP"],
      ...adoption.rows.map((r) => [r.az, r.publicSubnet, r.privateSubnet, r.routeTables, r.natGateway, r.elasticIp]),
    ]),
  );
  say("");
  say(`NAT: ${adoption.network.natPlacement} (${adoption.rows.length} zone(s)). Egress IPs kept: ${adoption.egressIps.join(", ")}`);
  for (const n of adoption.notes) say(`note: ${n}`);
  say(`Wrote ${shown(out)} (the lambda section is ${shown(baseFile)}'s: check it).`);
  say(`Next: FIXED_EGRESS_CONFIG=${shown(out)} make plan    (imports everything, replaces nothing; then make deploy)`);
}

if (require.main === module) main().catch((err) => fail(`adopt failed: ${err instanceof Error ? err.message : String(err)}`));
