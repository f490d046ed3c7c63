import { Construct } from "constructs";
import { TerraformRemoteState } from "cdktf";
import { DataAwsEip } from "@cdktf/provider-aws/lib/data-aws-eip";
import { DataAwsInternetGateway } from "@cdktf/provider-aws/lib/data-aws-internet-gateway";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { adoptInto, routeImportId } from "./adopt";
import { EgressPublishing, publishEgressIps } from "./egress-publishing";
import { addFlowLogs } from "./flow-logs";
import { NETWORK_OUTPUTS } from "./contract";
import { ValidationError } from "./errors";
import { moveFromLegacyId } from "./legacy-ids";
import { DevicePlan, EgressAllocation, FixedEgressNetworkProps, NetworkPlan, RouteTablePlan, ZonePlan, planNetwork } from "./network-plan";
import { EgressIpDetail, NatDevice, NatProvider, deviceIdOf, egressIpDetailsOf } from "./nat-provider";
import { mergeTags } from "./tags";
import { regionNameOf } from "./provider-compat";

/** What a workload needs to know of a network to run in its private subnets. */
export interface IPrivateNetwork {
  readonly vpcId: string;
  /** subnets whose default route leaves through the NAT device(s); never public subnets */
  readonly privateSubnetIds: string[];
  /** the public IPs the network's traffic leaves from (what the database allow-lists) @default - not known */
  readonly egressIps?: string[];
}

type Tags = (name: string, existing?: Record<string, string>) => Record<string, string>;

/**
 * A VPC whose private subnets reach the internet only through NAT devices (NAT Gateways, NAT instances, or a
 * provider of your own: `natProvider`) that hold Elastic IPs: the fixed egress IPs an external database can
 * allow-list. Built from a `NetworkPlan` decided before any resource exists; every per-zone resource is keyed
 * by its zone, so adding or removing a zone touches that zone only.
 */
export class FixedEgressNetwork extends Construct implements IPrivateNetwork {
  /** What was decided from the props: defaults applied, one entry per zone. */
  public readonly plan: NetworkPlan;
  public readonly vpcId: string;
  public readonly publicSubnetIds: string[];
  public readonly privateSubnetIds: string[];
  /** The public IPs to allow-list: every address of every NAT device. */
  public readonly egressIps: string[];
  /** The same addresses, each with its zone, NAT device and role (primary or secondary). */
  public readonly egressIpDetails: EgressIpDetail[];
  /** What the private routes target, one per device: NAT Gateway ids, or the NAT instances' network interface ids. */
  public readonly natDeviceIds: string[];
  public readonly privateRouteTableIds: string[];
  /** The NAT devices, in zone order, as the provider returned them. */
  public readonly natDevices: NatDevice[];

  /** Escape hatches. `vpc` and `internetGateway` are undefined when existing ones are used. */
  public readonly vpc?: Vpc;
  public readonly internetGateway?: InternetGateway;
  /** In zone order. */
  public readonly publicSubnets: Subnet[];
  public readonly privateSubnets: Subnet[];
  /** The public route tables this construct manages (one, or the adopted ones; never the VPC's main route table). */
  public readonly publicRouteTables: RouteTable[];
  /** The private route tables it manages (one per AZ, or the adopted ones, shared ones once). */
  public readonly privateRouteTables: RouteTable[];
  /** Every public subnet's route table id, each once: the managed ones and, when adopted, the VPC's main route table. */
  public readonly publicRouteTableIds: string[];
  /** Each private route table's 0.0.0.0/0 to its NAT device. */
  public readonly privateDefaultRoutes: Route[];
  /** Who does the NAT; its own resources are its own escape hatches (`NatGatewayProvider.gateways`, `NatInstanceProvider.instances`). */
  public readonly natProvider: NatProvider;
  /** Elastic IPs created here; none for brought allocations. */
  public readonly eips: Eip[] = [];
  /** The prefix list, RAM share and SSM parameter that `publishEgressIps` asked for (none when it is left out). */
  public readonly publishing: EgressPublishing;
  public readonly s3GatewayEndpoint?: VpcEndpoint;
  public readonly flowLog?: FlowLog;
  private regionData?: DataAwsRegion;
  private partitionData?: DataAwsPartition;

  /** @deprecated since 0.4.0: `natDeviceIds` (the same list) */
  public get natGatewayIds(): string[] { return this.natDeviceIds; }

  /**
   * The network another stack deployed, read from its state's documented outputs (`NETWORK_CONTRACT`):
   * any remote state data source (`DataTerraformRemoteStateS3`, `DataTerraformRemoteStateLocal`, …).
   */
  public static fromRemoteState(remoteState: TerraformRemoteState): IPrivateNetwork {
    return {
      vpcId: remoteState.getString(NETWORK_OUTPUTS.vpcId),
      privateSubnetIds: remoteState.getList(NETWORK_OUTPUTS.privateSubnetIds),
      egressIps: remoteState.getList(NETWORK_OUTPUTS.egressIps),
    };
  }

  constructor(scope: Construct, id: string, props: FixedEgressNetworkProps) {
    // Decided and checked before the construct joins the tree: bad props leave nothing behind.
    const plan = planNetwork(props);
    if (plan.problems.length > 0) throw new ValidationError(plan.problems, `${scope.node.path}/${id}`);
    super(scope, id);
    this.plan = plan;
    const name = plan.name;
    // An adopted resource's own tags come last: what it is called today stays.
    const tags: Tags = (tagName, existing) => mergeTags(tagName, plan.tags, existing);

    if (plan.existingVpcId) {
      this.vpcId = plan.existingVpcId;
    } else {
      this.vpc = new Vpc(this, "vpc", { cidrBlock: plan.vpcCidr!, enableDnsSupport: true, enableDnsHostnames: true, tags: tags(`vpc-${name}`) });
      this.vpcId = this.vpc.id;
      // Take over the default security group and leave it with no rules, so nothing uses it by accident.
      new DefaultSecurityGroup(this, "default-security-group", { vpcId: this.vpcId, tags: tags(`default-${name}`) });
    }

    const igw = plan.internetGateway;
    let igwId: string;
    if (igw.kind === "given") igwId = igw.id;
    else if (igw.kind === "lookup") {
      // A VPC has at most one Internet Gateway, and AWS refuses a second: use the one attached.
      igwId = new DataAwsInternetGateway(this, "existing-igw", { filter: [{ name: "attachment.vpc-id", values: [this.vpcId] }] }).id;
    } else {
      this.internetGateway = new InternetGateway(this, "igw", { vpcId: this.vpcId, tags: tags(`igw-${name}`) });
      igwId = this.internetGateway.id;
    }

    const pub = new Construct(this, "public");
    const publicSubnets = this.subnets(pub, plan.zones, "public", tags);
    // One public table for all zones (or the adopted ones); a created one keeps the id it always had.
    const publicTables = plan.publicTables.map((t) => ({
      plan: t,
      table: this.routeTable(pub, t, publicSubnets, {
        id: t.adopted ? `route-table-${t.key}` : "route-table",
        legacyId: t.legacyIndex === 0 ? "route-table" : `route-table-${t.legacyIndex}`,
        name: `public-routing-${name}`,
        tags,
      }),
    }));
    const publicDefaults = publicTables.map(({ plan: t, table }) =>
      this.defaultRoute(pub, t, table.id, { gatewayId: igwId }, t.adopted ? `default-route-${t.key}` : "default-route", t.legacyIndex === 0 ? "default-route" : `default-route-${t.legacyIndex}`),
    );
    this.publicRouteTables = publicTables.flatMap(({ table }) => (table.resource ? [table.resource] : []));
    this.publicRouteTableIds = publicTables.map(({ table }) => table.id);

    const priv = new Construct(this, "private");
    const privateSubnets = this.subnets(priv, plan.zones, "private", tags);
    // One route table per zone whatever the placement, so moving from single to perAz only changes routes.
    const privateTables = plan.privateTables.map((t) => ({
      plan: t,
      table: this.routeTable(priv, t, privateSubnets, {
        id: `route-table-${t.key}`,
        legacyId: `route-table-${t.legacyIndex}`,
        name: `private-routing-${name}${t.zones.length === 1 ? `-${t.key}` : ""}`,
        tags,
      }),
    }));
    this.privateRouteTables = privateTables.flatMap(({ table }) => (table.resource ? [table.resource] : []));
    this.privateRouteTableIds = privateTables.map(({ table }) => table.id);

    this.natProvider = plan.natProvider;
    const natScope = new Construct(this, "nat");
    this.natDevices = this.natProvider.createDevices(natScope, {
      name,
      vpcId: this.vpcId,
      privateSubnetCidrs: plan.zones.map((z) => z.privateCidr),
      devices: plan.devices.map((d) => {
        const secondaries = d.secondaries.map((a, k) => this.elasticIp(natScope, d, a, k + 1, tags));
        return {
          zone: d.zone,
          publicSubnetId: publicSubnets.get(d.zone)!.id,
          adopted: d.adoptedNatGateway,
          legacyIndex: d.legacyIndex,
          ...this.elasticIp(natScope, d, d.allocation, 0, tags),
          secondaryAllocationIds: secondaries.map((s) => s.allocationId),
          secondaryPublicIps: secondaries.map((s) => s.publicIp),
        };
      }),
      // A NAT device cannot send traffic before the VPC has its Internet Gateway route.
      dependsOn: [...publicDefaults, ...(this.internetGateway ? [this.internetGateway] : [])],
      alarmTopicArn: plan.alarmTopicArn,
      lookups: { region: () => regionNameOf(this.region()), partition: () => this.partition().partition },
      tags,
    });
    const deviceIn = new Map(this.natDevices.map((d) => [d.zone, d]));
    this.privateDefaultRoutes = privateTables.map(({ plan: t, table }) =>
      this.defaultRoute(priv, t, table.id, deviceIn.get(t.natZone)!.routeTarget, `default-route-${t.key}`, `default-route-${t.legacyIndex}`),
    );
    this.egressIps = this.natDevices.flatMap((d) => d.publicIps);
    this.egressIpDetails = this.natDevices.flatMap(egressIpDetailsOf);
    this.natDeviceIds = this.natDevices.map(deviceIdOf);
    this.publishing = plan.publishing ? publishEgressIps(new Construct(this, "egress-ips"), { name, details: this.egressIpDetails, props: plan.publishing, tags }) : {};
    this.publicSubnets = [...publicSubnets.values()];
    this.privateSubnets = [...privateSubnets.values()];
    this.publicSubnetIds = this.publicSubnets.map((s) => s.id);
    this.privateSubnetIds = this.privateSubnets.map((s) => s.id);

    if (plan.s3Endpoint) {
      this.s3GatewayEndpoint = new VpcEndpoint(this, "s3-endpoint", {
        vpcId: this.vpcId,
        serviceName: `com.amazonaws.${regionNameOf(this.region())}.s3`,
        vpcEndpointType: "Gateway",
        routeTableIds: this.privateRouteTableIds,
        tags: tags(`s3-${name}`),
      });
    }

    if (plan.flowLogs) {
      this.flowLog = addFlowLogs(new Construct(this, "flow-logs"), { name, vpcId: this.vpcId, vpc: this.vpc, region: this.region(), partition: this.partition(), retentionInDays: plan.flowLogs.retentionDays, tags });
    }
  }

  /** One subnet per zone under `scope`, `subnet-<zone>`, named <public|private>-<name>-<zone>; adopted ones imported. */
  private subnets(scope: Construct, zones: ZonePlan[], kind: "public" | "private", tags: Tags): Map<string, Subnet> {
    return new Map(
      zones.map((z) => {
        const adopted = kind === "public" ? z.adoptedPublicSubnet : z.adoptedPrivateSubnet;
        const subnet = adoptInto(
          new Subnet(scope, `subnet-${z.zone}`, {
            vpcId: this.vpcId,
            availabilityZone: z.zone,
            cidrBlock: kind === "public" ? z.publicCidr : z.privateCidr,
            mapPublicIpOnLaunch: kind === "public" && this.plan.mapPublicIpOnLaunch,
            tags: tags(`${kind}-${this.plan.name}-${z.zone}`, adopted?.tags),
          }),
          adopted?.id,
        );
        moveFromLegacyId(subnet, `subnet-${z.legacyIndex}`);
        return [z.zone, subnet];
      }),
    );
  }

  /**
   * An Elastic IP a device holds: created here, brought, or adopted with its NAT Gateway. The primary (`n` 0) is
   * `eip-<zone>`; a created secondary `eip-<zone>-<n>`; an adopted secondary is keyed by its allocation.
   */
  private elasticIp(scope: Construct, d: DevicePlan, a: EgressAllocation, n: number, tags: Tags): { allocationId: string; publicIp: string } {
    if (a.kind === "brought") return { allocationId: a.allocationId, publicIp: new DataAwsEip(scope, `brought-eip-${d.zone}`, { id: a.allocationId }).publicIp };
    const id = n === 0 ? `eip-${d.zone}` : a.kind === "adopted" ? `eip-${a.allocationId}` : `eip-${d.zone}-${n}`;
    const eip = adoptInto(
      new Eip(scope, id, {
        domain: "vpc",
        // A secondary outlives the gateway's update (AWS refuses to release an address a gateway still holds).
        lifecycle: n === 0 ? (this.plan.protectEgressIps ? { preventDestroy: true } : undefined) : { createBeforeDestroy: true, ...(this.plan.protectEgressIps ? { preventDestroy: true } : {}) },
        tags: tags(`egress-${this.plan.name}-${d.zone}${n === 0 ? "" : `-${n}`}`, a.kind === "adopted" ? a.tags : undefined),
      }),
      a.kind === "adopted" ? a.allocationId : undefined,
    );
    if (n === 0) moveFromLegacyId(eip, `eip-${d.legacyIndex}`);
    this.eips.push(eip);
    return { allocationId: eip.allocationId, publicIp: eip.publicIp };
  }

  /** A table's 0.0.0.0/0 to `target`; an adopted table's route is imported. */
  private defaultRoute(scope: Construct, t: RouteTablePlan, tableId: string, target: object, id: string, legacyId: string): Route {
    const route = adoptInto(new Route(scope, id, { routeTableId: tableId, destinationCidrBlock: "0.0.0.0/0", ...target }), t.adopted && routeImportId(t.adopted.id));
    moveFromLegacyId(route, legacyId);
    return route;
  }

  /**
   * A route table and each of its zones' subnet associations (`association-<zone>`), under `scope`. An adopted
   * table and its associations are imported; the VPC's main route table is neither created nor imported (AWS
   * deletes it only with the VPC), and subnets that use it implicitly get no association.
   */
  private routeTable(
    scope: Construct,
    t: RouteTablePlan,
    subnets: Map<string, Subnet>,
    o: { id: string; legacyId: string; name: string; tags: Tags },
  ): { id: string; resource?: RouteTable } {
    const adopted = t.adopted;
    if (adopted?.main) return { id: adopted.id };
    const table = adoptInto(new RouteTable(scope, o.id, { vpcId: this.vpcId, tags: o.tags(o.name, adopted?.tags) }), adopted?.id);
    moveFromLegacyId(table, o.legacyId);
    const kind = scope.node.id as "public" | "private";
    for (const zone of t.zones) {
      const z = this.plan.zones.find((x) => x.zone === zone)!;
      const adoptedSubnet = kind === "public" ? z.adoptedPublicSubnet : z.adoptedPrivateSubnet;
      const association = adoptInto(
        new RouteTableAssociation(scope, `association-${zone}`, { subnetId: subnets.get(zone)!.id, routeTableId: table.id }),
        // A subnet created next to adopted ones gets a new association, even with an adopted table.
        adopted && adoptedSubnet ? `${adoptedSubnet.id}/${adopted.id}` : undefined,
      );
      moveFromLegacyId(association, `association-${z.legacyIndex}`);
    }
    return { id: table.id, resource: table };
  }

  /** The region, looked up once for whatever needs it (the S3 endpoint's service name, the flow-log trust). */
  private region = (): DataAwsRegion => (this.regionData ??= new DataAwsRegion(this, "region"));

  /** The partition, looked up once for whatever builds ARNs (the flow-log trust, the NAT alarms' EC2 actions). */
  private partition = (): DataAwsPartition => (this.partitionData ??= new DataAwsPartition(this, "partition"));
}
