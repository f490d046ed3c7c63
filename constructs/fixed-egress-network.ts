import { Construct } from "constructs";
import { TerraformRemoteState, Token } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsInternetGateway } from "@cdktf/provider-aws/lib/data-aws-internet-gateway";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { DataAwsVpc } from "@cdktf/provider-aws/lib/data-aws-vpc";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { NetworkInterface } from "@cdktf/provider-aws/lib/network-interface";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { AdoptedNetwork, AdoptedResource, RouteTableGroup, adoptInto, checkAdoption, routeImportId, routeTableGroups } from "./adopt";
import { ValidationError } from "./errors";
import { NAT_MODES, NatMode, NatProvider, NatRouteTable, natDeviceCount } from "./nat-provider";
import { mergeTags } from "./tags";
import { rolePrefix } from "./names";
import { Problems, awsIdPattern, checkPattern, checkRetention, checkSubnetLayout } from "./validate";


/** What a workload needs to know of a network to run in its private subnets. */
export interface IPrivateNetwork {
  readonly vpcId: string;
  /** subnets whose default route leaves through the NAT Gateway(s); never public subnets */
  readonly privateSubnetIds: string[];
  /** the public IPs the network's traffic leaves from (what the database allow-lists) @default - not known */
  readonly egressIps?: string[];
}

/**
 * The network stack's outputs: the contract other stacks (and other repositories) read through
 * `terraform_remote_state`. Renaming one breaks every reader.
 */
export const NETWORK_OUTPUTS = {
  egressIps: "egress_ips",
  vpcId: "vpc_id",
  publicSubnetIds: "public_subnet_ids",
  privateSubnetIds: "private_subnet_ids",
  natGatewayIds: "nat_gateway_ids",
} as const;

export interface FlowLogsProps {
  /** Days CloudWatch Logs keeps the flow logs. @default 30 */
  readonly retentionDays?: number;
}

export interface FixedEgressNetworkProps {
  /** Prefix of every Name tag (`public-<name>-<az>`, `private-routing-<name>-<az>`, …). Lowercase letters, digits, hyphens. */
  readonly name: string;
  /**
   * IPv4 range of a new VPC. With `existingVpcId`, the existing VPC's range, used only to check that subnets fit.
   * @default "10.0.0.0/16" for a new VPC; no containment check for an existing one
   */
  readonly vpcCidr?: string;
  /** Build inside this VPC instead of creating one. @default - a new VPC */
  readonly existingVpcId?: string;
  /**
   * The existing VPC's Internet Gateway; only with `existingVpcId`.
   * @default - a new Internet Gateway for a new VPC; for an existing VPC, the one attached to it (looked up)
   */
  readonly existingInternetGatewayId?: string;
  /** Availability zones, one public and one private subnet each. */
  readonly availabilityZones: string[];
  /** One CIDR per AZ, same order as `availabilityZones`. */
  readonly publicSubnetCidrs: string[];
  /** One CIDR per AZ, same order as `availabilityZones`. The function runs here. */
  readonly privateSubnetCidrs: string[];
  /** How many NAT devices: one for all AZs, or one per AZ (for either provider). @default "single" */
  readonly natGateways?: NatMode;
  /** Who does the NAT: `NatProvider.gateway()` (managed NAT Gateways) or `NatProvider.instance({ instanceType })`. @default NatProvider.gateway() */
  readonly natProvider?: NatProvider;
  /**
   * Existing Elastic IP allocations for the NAT devices (one per device), so the egress IPs outlive this stack.
   * @default - new Elastic IPs, owned by this construct
   */
  readonly eipAllocationIds?: string[];
  /** `prevent_destroy` on the Elastic IPs this construct creates: a plan that would release one fails. @default false */
  readonly protectEgressIps?: boolean;
  /** Public subnets give instances a public IP on launch. @default false */
  readonly mapPublicIpOnLaunch?: boolean;
  /** A free S3 gateway endpoint on the private route tables, so S3 traffic skips the NAT's per-GB charge. @default true */
  readonly s3Endpoint?: boolean;
  /** VPC flow logs to CloudWatch Logs. @default - none */
  readonly flowLogs?: FlowLogsProps;
  /** Tags on every resource, after `Name`. @default {} */
  readonly tags?: Record<string, string>;
  /**
   * A network built by hand, adopted by Terraform import blocks in the shape it has: subnets, route tables
   * (shared ones stay shared; the VPC's main route table keeps its implicit associations), their 0.0.0.0/0
   * routes and associations, NAT Gateways and their Elastic IPs (the egress IPs stay). Existing tags are
   * kept; only this construct's tags are added. Needs `existingVpcId`. `make adopt` writes it from what it finds.
   * @default - every resource is created
   */
  readonly adopt?: AdoptedNetwork;
}

export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;

/** Every problem with the props at once; empty when they can work. Shared by the constructor and the config loader. */
export function validateNetworkProps(props: FixedEgressNetworkProps): Problems {
  const p = new Problems();
  // One subnet, route table and NAT per list element: how many there are must be known at synth time.
  const lists = ["availabilityZones", "publicSubnetCidrs", "privateSubnetCidrs", "eipAllocationIds"] as const;
  const tokens = lists.filter((k) => props[k] !== undefined && Token.isUnresolved(props[k]));
  for (const k of tokens) {
    p.add(k, "is a Terraform token (from a data source or variable, say), so its length is unknown at synth time, and this construct makes one subnet, route table and NAT per element; list the values themselves, for example [\"ap-northeast-1a\", \"ap-northeast-1c\"]");
  }
  if (tokens.length > 0) return p;
  checkPattern(p, "name", props.name, NAME_PATTERN, "use 2-32 lowercase letters, digits or hyphens, starting with a letter, for example \"demo\"");
  checkPattern(p, "existingVpcId", props.existingVpcId, awsIdPattern("vpc"), "give a VPC id such as \"vpc-0a1b2c3d4e5f67890\"");
  checkPattern(p, "existingInternetGatewayId", props.existingInternetGatewayId, awsIdPattern("igw"), "give an Internet Gateway id such as \"igw-0a1b2c3d4e5f67890\"");
  if (props.existingInternetGatewayId !== undefined && props.existingVpcId === undefined) {
    p.add("existingInternetGatewayId", "is set without existingVpcId; an existing Internet Gateway can only be used with the existing VPC it is attached to");
  }
  checkSubnetLayout(p, {
    vpcCidr: props.vpcCidr ?? (props.existingVpcId === undefined ? DEFAULT_VPC_CIDR : undefined),
    availabilityZones: props.availabilityZones,
    publicSubnetCidrs: props.publicSubnetCidrs,
    privateSubnetCidrs: props.privateSubnetCidrs,
  });
  const mode = props.natGateways ?? "single";
  if (!NAT_MODES.includes(mode)) {
    p.add("natGateways", `"${mode}" is not a NAT mode; use "single" (one NAT Gateway, cheapest) or "perAz" (one per availability zone)`);
  }
  if (props.eipAllocationIds !== undefined) {
    props.eipAllocationIds.forEach((id, i) =>
      checkPattern(p, `eipAllocationIds[${i}]`, id, awsIdPattern("eipalloc"), "give an allocation id such as \"eipalloc-0a1b2c3d4e5f67890\""),
    );
    const need = NAT_MODES.includes(mode) ? natDeviceCount(mode, props.availabilityZones.length) : 0;
    if (NAT_MODES.includes(mode) && props.eipAllocationIds.length !== need) {
      p.add("eipAllocationIds", `has ${props.eipAllocationIds.length} id(s) for ${need} NAT device(s) (natGateways "${mode}"); give exactly ${need}, or leave it out to create new Elastic IPs`);
    }
    if (props.protectEgressIps) {
      p.add("protectEgressIps", "is true with eipAllocationIds; brought Elastic IPs are never released by this stack, so drop protectEgressIps");
    }
  }
  if (props.adopt !== undefined && NAT_MODES.includes(mode)) {
    checkAdoption(p, props.adopt, {
      existingVpcId: props.existingVpcId,
      azCount: props.availabilityZones.length,
      deviceCount: natDeviceCount(mode, props.availabilityZones.length),
      perAz: mode === "perAz",
      eipAllocationIds: props.eipAllocationIds,
      natAdoptionProblem: (props.natProvider ?? NatProvider.gateway()).adoptionProblem(),
    });
  }
  if (props.flowLogs) checkRetention(p, "flowLogs.retentionDays", props.flowLogs.retentionDays);
  return p;
}

export const DEFAULT_VPC_CIDR = "10.0.0.0/16";

/** The outputs a network stack declares, from `NETWORK_OUTPUTS`; values are the network's attributes. */
export function networkOutputs(network: FixedEgressNetwork): Record<(typeof NETWORK_OUTPUTS)[keyof typeof NETWORK_OUTPUTS], string[] | string> {
  return {
    egress_ips: network.egressIps,
    vpc_id: network.vpcId,
    public_subnet_ids: network.publicSubnetIds,
    private_subnet_ids: network.privateSubnetIds,
    nat_gateway_ids: network.natGatewayIds,
  };
}

/**
 * A VPC whose private subnets reach the internet only through NAT devices (NAT Gateways, or NAT instances:
 * `natProvider`) that own Elastic IPs: the fixed egress IPs an external database can allow-list.
 */
export class FixedEgressNetwork extends Construct implements IPrivateNetwork {
  public readonly vpcId: string;
  public readonly publicSubnetIds: string[];
  public readonly privateSubnetIds: string[];
  /** What the private routes target: the NAT Gateway ids, or the NAT instances' network interface ids. */
  public readonly natGatewayIds: string[];
  /** The public IPs to allow-list, one per NAT device. */
  public readonly egressIps: string[];
  public readonly privateRouteTableIds: string[];

  /** Escape hatches. `vpc` and `internetGateway` are undefined when existing ones are used. */
  public readonly vpc?: Vpc;
  public readonly internetGateway?: InternetGateway;
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
  public readonly natProvider: NatProvider;
  /** NAT Gateways (gateway provider), or NAT instances and their network interfaces (instance provider). */
  public readonly natGateways: NatGateway[];
  public readonly natInstances: Instance[];
  public readonly natNetworkInterfaces: NetworkInterface[];
  /** Elastic IPs created here; empty with `eipAllocationIds`. */
  public readonly eips: Eip[];
  public readonly s3GatewayEndpoint?: VpcEndpoint;
  public readonly flowLog?: FlowLog;
  private regionData?: DataAwsRegion;

  /**
   * The network another stack deployed, read from its state's documented outputs (`NETWORK_OUTPUTS`):
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
    // Checked before the construct joins the tree: bad props leave nothing behind.
    const problems = validateNetworkProps(props);
    if (problems.list.length > 0) throw new ValidationError(problems.list, `${scope.node.path}/${id}`);
    super(scope, id);

    const name = props.name;
    const azs = props.availabilityZones;
    // An adopted resource's own tags come last: what it is called today stays.
    const tags = (tagName: string, existing?: Record<string, string>) => mergeTags(tagName, props.tags, existing);
    const mode = props.natGateways ?? "single";

    if (props.existingVpcId) {
      this.vpcId = props.existingVpcId;
    } else {
      this.vpc = new Vpc(this, "vpc", {
        cidrBlock: props.vpcCidr ?? DEFAULT_VPC_CIDR,
        enableDnsSupport: true,
        enableDnsHostnames: true,
        tags: tags(`vpc-${name}`),
      });
      this.vpcId = this.vpc.id;
      // Take over the default security group and leave it with no rules, so nothing uses it by accident.
      new DefaultSecurityGroup(this, "default-security-group", { vpcId: this.vpcId, tags: tags(`default-${name}`) });
    }

    let igwId: string;
    if (props.existingInternetGatewayId) {
      igwId = props.existingInternetGatewayId;
    } else if (props.existingVpcId) {
      // A VPC has at most one Internet Gateway, and AWS refuses a second: use the one attached.
      igwId = new DataAwsInternetGateway(this, "existing-igw", {
        filter: [{ name: "attachment.vpc-id", values: [props.existingVpcId] }],
      }).id;
    } else {
      this.internetGateway = new InternetGateway(this, "igw", { vpcId: this.vpcId, tags: tags(`igw-${name}`) });
      igwId = this.internetGateway.id;
    }

    const adopt = props.adopt;
    // One subnet per AZ under `scope` ("public" or "private"), named <scope>-<name>-<az>; adopted ones imported.
    const subnets = (scope: Construct, cidrs: string[], mapPublicIpOnLaunch: boolean, adopted: (AdoptedResource | null)[] | undefined) =>
      azs.map((az, i) =>
        adoptInto(
          new Subnet(scope, `subnet-${i}`, {
            vpcId: this.vpcId,
            availabilityZone: az,
            cidrBlock: cidrs[i],
            mapPublicIpOnLaunch,
            tags: tags(`${scope.node.id}-${name}-${az}`, adopted?.[i]?.tags),
          }),
          adopted?.[i]?.id,
        ),
      );

    const pub = new Construct(this, "public");
    this.publicSubnets = subnets(pub, props.publicSubnetCidrs, props.mapPublicIpOnLaunch ?? false, adopt?.publicSubnets);
    // One public table for all AZs (or the adopted ones); the first keeps the ids it always had.
    const publicTables = this.routeTables(pub, routeTableGroups(azs.length, adopt?.publicRouteTables, "shared"), this.publicSubnets, {
      id: (j) => (j === 0 ? "route-table" : `route-table-${j}`),
      name: () => `public-routing-${name}`,
      tags,
      adoptedSubnets: adopt?.publicSubnets,
    });
    const publicDefaults = publicTables.map((t, j) =>
      adoptInto(
        new Route(pub, j === 0 ? "default-route" : `default-route-${j}`, { routeTableId: t.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igwId }),
        t.adoptedId && routeImportId(t.adoptedId),
      ),
    );
    this.publicRouteTables = publicTables.flatMap((t) => (t.resource ? [t.resource] : []));
    this.publicRouteTableIds = publicTables.map((t) => t.id);

    const priv = new Construct(this, "private");
    this.privateSubnets = subnets(priv, props.privateSubnetCidrs, false, adopt?.privateSubnets);
    // One route table per AZ with either mode, so moving from single to perAz only changes routes.
    const privateTables = this.routeTables(priv, routeTableGroups(azs.length, adopt?.privateRouteTables, "perAz"), this.privateSubnets, {
      id: (j) => `route-table-${j}`,
      name: (azIndexes) => `private-routing-${name}${azIndexes.length === 1 ? `-${azs[azIndexes[0]]}` : ""}`,
      tags,
      adoptedSubnets: adopt?.privateSubnets,
    });
    this.privateRouteTables = privateTables.flatMap((t) => (t.resource ? [t.resource] : []));

    this.natProvider = props.natProvider ?? NatProvider.gateway();
    const nat = this.natProvider.configure(new Construct(this, "nat"), {
      name,
      vpcId: this.vpcId,
      availabilityZones: azs,
      publicSubnets: this.publicSubnets,
      privateSubnetCidrs: props.privateSubnetCidrs,
      privateRouteTables: privateTables,
      routeScope: priv,
      deviceCount: natDeviceCount(mode, azs.length),
      eipAllocationIds: props.eipAllocationIds,
      protectEgressIps: props.protectEgressIps,
      adoptedNatGateways: adopt?.natGateways,
      // A NAT device cannot send traffic before the VPC has its Internet Gateway route.
      dependsOn: [...publicDefaults, ...(this.internetGateway ? [this.internetGateway] : [])],
      tags,
    });
    this.egressIps = nat.egressIps;
    this.eips = nat.eips;
    this.natGateways = nat.natGateways;
    this.natInstances = nat.instances;
    this.natNetworkInterfaces = nat.networkInterfaces;
    this.natGatewayIds = nat.deviceIds;
    this.privateDefaultRoutes = nat.routes;
    this.privateRouteTableIds = privateTables.map((t) => t.id);
    this.publicSubnetIds = this.publicSubnets.map((s) => s.id);
    this.privateSubnetIds = this.privateSubnets.map((s) => s.id);

    if (props.s3Endpoint ?? true) {
      const region = this.region();
      this.s3GatewayEndpoint = new VpcEndpoint(this, "s3-endpoint", {
        vpcId: this.vpcId,
        serviceName: `com.amazonaws.${region.name}.s3`,
        vpcEndpointType: "Gateway",
        routeTableIds: this.privateRouteTableIds,
        tags: tags(`s3-${name}`),
      });
    }

    if (props.flowLogs) this.flowLog = this.addFlowLogs(name, props.flowLogs, tags);
  }

  /**
   * A route table per group and each subnet's association with it, under `scope`. An adopted table and its
   * associations are imported; the VPC's main route table is neither created nor imported (AWS deletes it only
   * with the VPC), and subnets that use it implicitly get no association.
   */
  private routeTables(
    scope: Construct,
    groups: RouteTableGroup[],
    subnets: Subnet[],
    o: {
      id: (j: number) => string;
      name: (azIndexes: number[]) => string;
      tags: (name: string, existing?: Record<string, string>) => Record<string, string>;
      adoptedSubnets?: (AdoptedResource | null)[];
    },
  ): (NatRouteTable & { resource?: RouteTable })[] {
    return groups.map((group, j) => {
      const adopted = group.adopted;
      if (adopted?.main) return { id: adopted.id, azIndex: group.azIndexes[0], adoptedId: adopted.id };
      const table = adoptInto(new RouteTable(scope, o.id(j), { vpcId: this.vpcId, tags: o.tags(o.name(group.azIndexes), adopted?.tags) }), adopted?.id);
      for (const i of group.azIndexes) {
        adoptInto(
          new RouteTableAssociation(scope, `association-${i}`, { subnetId: subnets[i].id, routeTableId: table.id }),
          // A subnet created next to adopted ones gets a new association, even with an adopted table.
          adopted && o.adoptedSubnets?.[i] ? `${o.adoptedSubnets[i]!.id}/${adopted.id}` : undefined,
        );
      }
      return { id: table.id, azIndex: group.azIndexes[0], adoptedId: adopted?.id, resource: table };
    });
  }

  /** The region, looked up once for whatever needs it (the S3 endpoint's service name, the flow-log trust). */
  private region(): DataAwsRegion {
    return (this.regionData ??= new DataAwsRegion(this, "region"));
  }

  private addFlowLogs(name: string, flow: FlowLogsProps, tags: (n: string) => Record<string, string>): FlowLog {
    const scope = new Construct(this, "flow-logs");
    const group = new CloudwatchLogGroup(scope, "log-group", {
      name: `/vpc/${name}/flow-logs`,
      retentionInDays: flow.retentionDays ?? 30,
      tags: tags(`flow-logs-${name}`),
    });
    // The account that owns the VPC owns its flow logs; read from the VPC, so plan needs no STS call.
    const account = this.vpc?.ownerId ?? new DataAwsVpc(scope, "existing-vpc", { id: this.vpcId }).ownerId;
    const partition = new DataAwsPartition(scope, "partition");
    const region = this.region();
    // Only VPC Flow Logs acting for this account's flow logs in this region may assume the role (confused deputy).
    const trust = new DataAwsIamPolicyDocument(scope, "trust", {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["vpc-flow-logs.amazonaws.com"] }],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [account] },
            { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${partition.partition}:ec2:${region.name}:${account}:vpc-flow-log/*`] },
          ],
        },
      ],
    });
    const role = new IamRole(scope, "role", {
      namePrefix: rolePrefix(name, "flow-logs"),
      assumeRolePolicy: trust.json,
      tags: tags(`${name}-flow-logs`),
      lifecycle: { createBeforeDestroy: true },
    });
    const write = new DataAwsIamPolicyDocument(scope, "write", {
      statement: [
        {
          actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          resources: [group.arn, `${group.arn}:*`],
        },
      ],
    });
    new IamRolePolicy(scope, "write-policy", { role: role.id, name: "write-flow-logs", policy: write.json });
    return new FlowLog(scope, "flow-log", {
      vpcId: this.vpcId,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: group.arn,
      iamRoleArn: role.arn,
      tags: tags(`flow-logs-${name}`),
    });
  }
}

