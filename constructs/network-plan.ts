import { Token } from "cdktf";
import { ADOPTION_MARKER_TAG, AdoptedResource, AdoptedRouteTable, checkAdoption } from "./adopt";
import { PublishEgressIpsProps, checkPublishing } from "./egress-publishing";
import { Problem } from "./errors";
import { NAT_GATEWAY_MAX_ADDRESSES, NAT_PLACEMENTS, NatPlacement, NatProvider, natDeviceCount } from "./nat-provider";
import { FixedEgressNetworkProps, NAME_PATTERN } from "./network-props";
import { Problems, SNS_TOPIC_ARN, awsIdPattern, checkInteger, checkPattern, checkRetention, checkSubnetLayout } from "./validate";

export type { FixedEgressNetworkProps, FlowLogsProps, NatAlarmsProps } from "./network-props";
export { NAME_PATTERN };

/** Every default of the network, in one place: the construct, the config schema (a test compares) and the docs read these. */
export const NETWORK_DEFAULTS = {
  vpcCidr: "10.0.0.0/16",
  natPlacement: "single" as NatPlacement,
  natProvider: "gateway",
  protectEgressIps: false,
  mapPublicIpOnLaunch: false,
  s3Endpoint: true,
  flowLogRetentionDays: 30,
  natGatewaySecondaryEips: 0,
} as const;

/** Secondary addresses a NAT Gateway may hold: AWS's ceiling less the primary. */
export const MAX_SECONDARY_ADDRESSES = NAT_GATEWAY_MAX_ADDRESSES - 1;


/** One availability zone of the network: its subnets, and the resources to import there when adopting. */
export interface ZonePlan {
  /** the zone's name: every per-zone construct id is keyed by it */
  readonly zone: string;
  readonly publicCidr: string;
  readonly privateCidr: string;
  /** @default - a new public subnet */
  readonly adoptedPublicSubnet?: AdoptedResource;
  /** @default - a new private subnet */
  readonly adoptedPrivateSubnet?: AdoptedResource;
  /** its position in `availabilityZones`: what construct ids were keyed by before 0.4.0 (moved blocks only) */
  readonly legacyIndex: number;
}

/** A route table and the zones whose subnets use it. */
export interface RouteTablePlan {
  /** the first zone that uses it: its construct ids are keyed by this */
  readonly key: string;
  readonly zones: string[];
  /** @default - a new table */
  readonly adopted?: AdoptedRouteTable;
  /** its position among the tables before 0.4.0 (moved blocks only) */
  readonly legacyIndex: number;
}

export interface PrivateRouteTablePlan extends RouteTablePlan {
  /** the zone of the NAT device its 0.0.0.0/0 goes to */
  readonly natZone: string;
}

/** Where a NAT device's Elastic IP comes from. */
export type EgressAllocation =
  | { readonly kind: "new" }
  | { readonly kind: "brought"; readonly allocationId: string }
  | { readonly kind: "adopted"; readonly allocationId: string; readonly tags?: Record<string, string> };

/** One NAT device: its zone, its addresses, and the existing NAT Gateway to import when adopting. */
export interface DevicePlan {
  readonly zone: string;
  readonly allocation: EgressAllocation;
  /** its secondary addresses: created (`natGatewaySecondaryEips`) or adopted with the gateway */
  readonly secondaries: EgressAllocation[];
  /** @default - a new device */
  readonly adoptedNatGateway?: AdoptedResource;
  readonly legacyIndex: number;
}

/** The network decided from the props before anything is built: defaults applied, one entry per zone, every problem. */
export interface NetworkPlan {
  readonly name: string;
  readonly tags: Record<string, string>;
  /** the existing VPC, or undefined for a new one of `vpcCidr` */
  readonly existingVpcId?: string;
  readonly vpcCidr?: string;
  /** a new gateway (new VPC), the one attached to the existing VPC (looked up), or a given one */
  readonly internetGateway: { readonly kind: "new" } | { readonly kind: "lookup" } | { readonly kind: "given"; readonly id: string };
  readonly zones: ZonePlan[];
  readonly publicTables: RouteTablePlan[];
  readonly privateTables: PrivateRouteTablePlan[];
  readonly devices: DevicePlan[];
  readonly natPlacement: NatPlacement;
  readonly natProvider: NatProvider;
  readonly natGatewaySecondaryEips: number;
  /** the topic NAT alarms notify @default - none */
  readonly alarmTopicArn?: string;
  readonly protectEgressIps: boolean;
  readonly mapPublicIpOnLaunch: boolean;
  readonly s3Endpoint: boolean;
  /** @default - no flow logs */
  readonly flowLogs?: { readonly retentionDays: number };
  /** where the egress IPs are published @default - nowhere */
  readonly publishing?: PublishEgressIpsProps;
  /** empty when the plan can be built */
  readonly problems: Problem[];
}

/** Groups zones by the route table they use: adopted tables as they are shared, else one for all (`shared`) or one per zone. */
function tableGroups(zones: string[], adopted: AdoptedRouteTable[] | undefined, fresh: "shared" | "perZone"): RouteTablePlan[] {
  if (!adopted) {
    return fresh === "shared" ? [{ key: zones[0], zones, legacyIndex: 0 }] : zones.map((zone, i) => ({ key: zone, zones: [zone], legacyIndex: i }));
  }
  const groups: { key: string; zones: string[]; adopted: AdoptedRouteTable; legacyIndex: number }[] = [];
  adopted.forEach((table, i) => {
    const group = groups.find((g) => g.adopted.id === table.id);
    if (group) group.zones.push(zones[i]);
    else groups.push({ key: zones[i], zones: [zones[i]], adopted: table, legacyIndex: groups.length });
  });
  return groups;
}

/** The placement the props ask for, under whichever name they use; a conflict is a problem. */
function placementOf(props: FixedEgressNetworkProps, p: Problems): { field: string; placement: NatPlacement } {
  if (props.natPlacement !== undefined && props.natGateways !== undefined && props.natPlacement !== props.natGateways) {
    p.add("natGateways", `is the deprecated name of natPlacement and says "${props.natGateways}" where natPlacement says "${props.natPlacement}"; drop natGateways`);
  }
  const field = props.natPlacement === undefined && props.natGateways !== undefined ? "natGateways" : "natPlacement";
  return { field, placement: props.natPlacement ?? props.natGateways ?? NETWORK_DEFAULTS.natPlacement };
}

/** Decides the whole network from `props`: the only place defaults are applied and the only place problems are found. */
export function planNetwork(props: FixedEgressNetworkProps): NetworkPlan {
  const p = new Problems();
  const { field: placementField, placement } = placementOf(props, p);
  const natProvider = props.natProvider ?? NatProvider.gateway();
  const base = {
    name: props.name,
    tags: props.tags ?? {},
    existingVpcId: props.existingVpcId,
    vpcCidr: props.vpcCidr ?? (props.existingVpcId === undefined ? NETWORK_DEFAULTS.vpcCidr : undefined),
    internetGateway: props.existingInternetGatewayId
      ? ({ kind: "given", id: props.existingInternetGatewayId } as const)
      : props.existingVpcId
        ? ({ kind: "lookup" } as const)
        : ({ kind: "new" } as const),
    natPlacement: placement,
    natProvider,
    natGatewaySecondaryEips: props.natGatewaySecondaryEips ?? NETWORK_DEFAULTS.natGatewaySecondaryEips,
    alarmTopicArn: props.alarms?.topicArn,
    protectEgressIps: props.protectEgressIps ?? NETWORK_DEFAULTS.protectEgressIps,
    mapPublicIpOnLaunch: props.mapPublicIpOnLaunch ?? NETWORK_DEFAULTS.mapPublicIpOnLaunch,
    s3Endpoint: props.s3Endpoint ?? NETWORK_DEFAULTS.s3Endpoint,
    flowLogs: props.flowLogs ? { retentionDays: props.flowLogs.retentionDays ?? NETWORK_DEFAULTS.flowLogRetentionDays } : undefined,
    publishing: props.publishEgressIps,
  };
  const empty = { ...base, zones: [], publicTables: [], privateTables: [], devices: [] };

  // One subnet, route table and NAT per list element: how many there are must be known at synth time.
  const lists = ["availabilityZones", "publicSubnetCidrs", "privateSubnetCidrs", "eipAllocationIds"] as const;
  const tokens = lists.filter((k) => props[k] !== undefined && Token.isUnresolved(props[k]));
  for (const k of tokens) {
    p.add(k, "is a Terraform token (from a data source or variable, say), so its length is unknown at synth time, and this construct makes one subnet, route table and NAT per element; list the values themselves, for example [\"ap-northeast-1a\", \"ap-northeast-1c\"]");
  }
  if (tokens.length > 0) return { ...empty, problems: p.list };

  checkPattern(p, "name", props.name, NAME_PATTERN, "use 2-32 lowercase letters, digits or hyphens, starting with a letter, for example \"demo\"");
  checkPattern(p, "existingVpcId", props.existingVpcId, awsIdPattern("vpc"), "give a VPC id such as \"vpc-0a1b2c3d4e5f67890\"");
  checkPattern(p, "existingInternetGatewayId", props.existingInternetGatewayId, awsIdPattern("igw"), "give an Internet Gateway id such as \"igw-0a1b2c3d4e5f67890\"");
  if (props.existingInternetGatewayId !== undefined && props.existingVpcId === undefined) {
    p.add("existingInternetGatewayId", "is set without existingVpcId; an existing Internet Gateway can only be used with the existing VPC it is attached to");
  }
  checkSubnetLayout(p, { vpcCidr: base.vpcCidr, availabilityZones: props.availabilityZones, publicSubnetCidrs: props.publicSubnetCidrs, privateSubnetCidrs: props.privateSubnetCidrs });
  const validPlacement = NAT_PLACEMENTS.includes(placement);
  if (!validPlacement) {
    p.add(placementField, `"${placement}" is not a NAT placement; use "single" (one NAT device in the first zone, cheapest) or "perAz" (one in every availability zone)`);
  }
  const azs = props.availabilityZones;
  const need = validPlacement ? natDeviceCount(placement, azs.length) : 0;
  if (props.eipAllocationIds !== undefined) {
    props.eipAllocationIds.forEach((id, i) =>
      checkPattern(p, `eipAllocationIds[${i}]`, id, awsIdPattern("eipalloc"), "give an allocation id such as \"eipalloc-0a1b2c3d4e5f67890\""),
    );
    if (validPlacement && props.eipAllocationIds.length !== need) {
      p.add("eipAllocationIds", `has ${props.eipAllocationIds.length} id(s) for ${need} NAT device(s) (${placementField} "${placement}"); give exactly ${need}, or leave it out to create new Elastic IPs`);
    }
    if (props.protectEgressIps) {
      p.add("protectEgressIps", "is true with eipAllocationIds; brought Elastic IPs are never released by this stack, so drop protectEgressIps");
    }
  }
  const adopt = props.adopt;
  if (adopt !== undefined && validPlacement) {
    checkAdoption(p, adopt, {
      existingVpcId: props.existingVpcId,
      azCount: azs.length,
      deviceCount: need,
      perAz: placement === "perAz",
      eipAllocationIds: props.eipAllocationIds,
      natAdoptionProblem: natProvider.adoptionProblem(),
    });
  }
  if (props.flowLogs) checkRetention(p, "flowLogs.retentionDays", props.flowLogs.retentionDays);
  if (props.alarms) checkPattern(p, "alarms.topicArn", props.alarms.topicArn, SNS_TOPIC_ARN, "give the SNS topic's ARN, such as \"arn:aws:sns:ap-northeast-1:123456789012:nat-alarms\"");
  checkPublishing(p, props.publishEgressIps);
  const extra = base.natGatewaySecondaryEips;
  checkInteger(p, "natGatewaySecondaryEips", extra, 0, MAX_SECONDARY_ADDRESSES, "addresses");
  const adoptedExtra = Math.max(0, ...(adopt?.natGateways ?? []).map((n) => n.secondaryAddresses?.length ?? 0));
  const perDevice = 1 + Math.max(extra, adoptedExtra);
  if (perDevice > 1 && natProvider.maxAddressesPerDevice < perDevice) {
    p.add(extra > 0 ? "natGatewaySecondaryEips" : "adopt.natGateways", `asks for ${perDevice} addresses per NAT device, but natProvider "${natProvider.kind}" holds ${natProvider.maxAddressesPerDevice}; use NatProvider.gateway(), or leave the secondary addresses out`);
  }
  if (extra > 0 && adopt !== undefined) {
    p.add("natGatewaySecondaryEips", "is set with adopt; an adopted NAT Gateway keeps the addresses it has (adopt.natGateways[].secondaryAddresses): add more after adoption, in a reviewed change");
  }
  if (p.list.length > 0) return { ...empty, problems: p.list };

  // Every adopted resource carries the marker on its own tags: which network adopted it, whatever tags it had.
  const marked = <T extends { tags?: Record<string, string> }>(r: T | null | undefined): T | undefined =>
    r ? { ...r, tags: { ...r.tags, [ADOPTION_MARKER_TAG]: props.name } } : undefined;
  const zones: ZonePlan[] = azs.map((zone, i) => ({
    zone,
    publicCidr: props.publicSubnetCidrs[i],
    privateCidr: props.privateSubnetCidrs[i],
    adoptedPublicSubnet: marked(adopt?.publicSubnets[i]),
    adoptedPrivateSubnet: marked(adopt?.privateSubnets[i]),
    legacyIndex: i,
  }));
  const devices: DevicePlan[] = zones.slice(0, need).map(({ zone }, i) => {
    const adopted = adopt?.natGateways[i];
    const brought = props.eipAllocationIds?.[i];
    const allocation: EgressAllocation = adopted
      ? { kind: "adopted", allocationId: adopted.allocationId, tags: marked({ tags: adopted.eipTags })!.tags }
      : brought
        ? { kind: "brought", allocationId: brought }
        : { kind: "new" };
    const secondaries: EgressAllocation[] = adopted
      ? (adopted.secondaryAddresses ?? []).map((a) => ({ kind: "adopted", allocationId: a.allocationId, tags: marked(a)!.tags }))
      : Array.from({ length: extra }, () => ({ kind: "new" }));
    return { zone, allocation, secondaries, adoptedNatGateway: marked(adopted && { id: adopted.id, tags: adopted.tags }), legacyIndex: i };
  });
  const privateTables = tableGroups(azs, adopt?.privateRouteTables, "perZone").map((t) => ({
    ...t,
    adopted: marked(t.adopted),
    // perAz: each zone's table goes to its own zone's device; single: every table to the one device.
    natZone: placement === "perAz" ? t.key : devices[0].zone,
  }));
  const publicTables = tableGroups(azs, adopt?.publicRouteTables, "shared").map((t) => ({ ...t, adopted: marked(t.adopted) }));
  return { ...base, zones, publicTables, privateTables, devices, problems: [] };
}

/** Every problem with the props at once; empty when they can work. Shared by the constructor and the config loader. */
export function validateNetworkProps(props: FixedEgressNetworkProps): Problems {
  const p = new Problems();
  for (const x of planNetwork(props).problems) p.add(x.field, x.message);
  return p;
}
