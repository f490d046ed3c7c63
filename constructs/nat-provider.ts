import { Construct } from "constructs";
import { ITerraformDependable, TerraformResourceLifecycle } from "cdktf";
import { DataAwsEip } from "@cdktf/provider-aws/lib/data-aws-eip";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { EipAssociation } from "@cdktf/provider-aws/lib/eip-association";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { NetworkInterface } from "@cdktf/provider-aws/lib/network-interface";
import { Route } from "@cdktf/provider-aws/lib/route";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { AdoptedNatGateway, adoptInto, routeImportId } from "./adopt";
import { NAT_INSTANCE_USER_DATA } from "./nat-instance-user-data";

/** `single`: one NAT device for all AZs (cheapest; one AZ's outage cuts egress). `perAz`: one per AZ. */
export type NatMode = "single" | "perAz";
export const NAT_MODES: readonly NatMode[] = ["single", "perAz"];

/** How many NAT devices a mode needs for `azCount` availability zones: the one place this is decided. */
export const natDeviceCount = (mode: NatMode, azCount: number): number => (mode === "perAz" ? azCount : 1);

/** List prices a provider's cost is computed from (config/prices.json holds them per region). */
export interface RegionPrices {
  readonly natGatewayHour: number;
  readonly natGatewayGb: number;
  readonly publicIpv4Hour: number;
  /** on-demand USD per hour, by instance type */
  readonly instanceHour: Record<string, number>;
  /** gp3, USD per GB-month */
  readonly ebsGbMonth: number;
}

/** One line of a monthly cost: what, and USD per month. */
export interface CostLine {
  readonly label: string;
  readonly usd: number;
}

/** A private route table as a NAT provider sees it: where its 0.0.0.0/0 goes. */
export interface NatRouteTable {
  /** the table's id (a token when the network creates the table) */
  readonly id: string;
  /** the AZ whose device it uses when there is one device per AZ */
  readonly azIndex: number;
  /** the existing table's id when it is adopted: its 0.0.0.0/0 route is imported, not created @default - a new route */
  readonly adoptedId?: string;
}

export interface ConfigureNatOptions {
  /** the `name` of the network, for Name tags */
  readonly name: string;
  readonly vpcId: string;
  readonly availabilityZones: string[];
  /** one per AZ; device `i` goes in `publicSubnets[i]` */
  readonly publicSubnets: Subnet[];
  /** the private subnets' ranges: what a NAT device admits */
  readonly privateSubnetCidrs: string[];
  /** the private route tables (one per AZ, or fewer when adopted ones are shared); table `j` gets its 0.0.0.0/0 route `default-route-<j>` under `routeScope` */
  readonly privateRouteTables: NatRouteTable[];
  readonly routeScope: Construct;
  readonly deviceCount: number;
  /** brought Elastic IP allocations, one per device @default - new Elastic IPs */
  readonly eipAllocationIds?: string[];
  readonly protectEgressIps?: boolean;
  /** existing NAT Gateways (and their Elastic IPs) to import, one per device @default - new devices */
  readonly adoptedNatGateways?: AdoptedNatGateway[];
  /** what a device must wait for (the Internet Gateway and its route) */
  readonly dependsOn: ITerraformDependable[];
  /** a resource's tags from its Name (and, for an adopted resource, the tags it has today) */
  readonly tags: (name: string, existing?: Record<string, string>) => Record<string, string>;
}

export interface NatResult {
  /** the public IPs to allow-list, one per device */
  readonly egressIps: string[];
  /** what each private route targets: NAT Gateway ids, or the NAT instances' network interface ids */
  readonly deviceIds: string[];
  /** Elastic IPs created here (none with brought allocations) */
  readonly eips: Eip[];
  readonly routes: Route[];
  readonly natGateways: NatGateway[];
  readonly instances: Instance[];
  readonly networkInterfaces: NetworkInterface[];
}

export interface NatInstanceProps {
  /** EC2 instance type; its architecture picks the AMI. @default "t4g.nano" */
  readonly instanceType?: string;
  /** The AMI. @default - the latest Amazon Linux 2023 for the type's architecture (SSM public parameter) */
  readonly amiId?: string;
  /** Root volume size (GiB), encrypted gp3. @default 8 */
  readonly rootVolumeGb?: number;
}

export const NAT_INSTANCE_DEFAULTS = { instanceType: "t4g.nano", rootVolumeGb: 8 } as const;

/** Graviton types (t4g, c7gn, m6gd, …) run arm64 images. */
export const isArm64 = (instanceType: string): boolean => /^[a-z]+\d+[a-z]*g[a-z]*\./.test(instanceType);

/** The Elastic IP of device `i`: created here, or brought. Same construct ids for both providers. */
function elasticIp(scope: Construct, i: number, o: ConfigureNatOptions, eips: Eip[]): { allocationId: string; publicIp: string } {
  const brought = o.eipAllocationIds?.[i];
  if (brought) return { allocationId: brought, publicIp: new DataAwsEip(scope, `brought-eip-${i}`, { id: brought }).publicIp };
  const lifecycle: TerraformResourceLifecycle | undefined = o.protectEgressIps ? { preventDestroy: true } : undefined;
  const adopted = o.adoptedNatGateways?.[i];
  const eip = adoptInto(
    new Eip(scope, `eip-${i}`, { domain: "vpc", lifecycle, tags: o.tags(`egress-${o.name}-${o.availabilityZones[i]}`, adopted?.eipTags) }),
    adopted?.allocationId,
  );
  eips.push(eip);
  return { allocationId: eip.allocationId, publicIp: eip.publicIp };
}

/** Each private route table's 0.0.0.0/0, through its AZ's device (perAz) or device 0 (single); `target` names the device. */
function defaultRoutes(o: ConfigureNatOptions, target: (device: number) => { natGatewayId: string } | { networkInterfaceId: string }): Route[] {
  return o.privateRouteTables.map((table, j) =>
    adoptInto(
      new Route(o.routeScope, `default-route-${j}`, { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", ...target(o.deviceCount > 1 ? table.azIndex : 0) }),
      table.adoptedId && routeImportId(table.adoptedId),
    ),
  );
}

/**
 * Who does the NAT (as aws-cdk's `NatProvider`): the devices, their Elastic IPs, the private default
 * routes, the egress IPs, and what it costs. FixedEgressNetwork asks its provider and never branches on it.
 */
export abstract class NatProvider {
  /** Managed NAT Gateways (the default): no upkeep, scales to 100 Gbps, billed per hour and per GB. */
  public static gateway(): NatProvider {
    return new NatGatewayProvider();
  }

  /** A small EC2 instance per device that forwards and masquerades: the same fixed IP for a fraction of the price. */
  public static instance(props: NatInstanceProps = {}): NatProvider {
    return new NatInstanceProvider(props);
  }

  /** "gateway" or "instance", for names and messages. */
  public abstract readonly kind: "gateway" | "instance";

  /** Creates the devices under `scope` and points each private route table's 0.0.0.0/0 at one. */
  public abstract configure(scope: Construct, options: ConfigureNatOptions): NatResult;

  /** The monthly cost of `devices` devices carrying `gbPerMonth`, line by line (the public IPv4 included). */
  public abstract monthlyCost(prices: RegionPrices, devices: number, gbPerMonth: number, hoursPerMonth: number): CostLine[];

  /** Why this provider cannot adopt existing NAT Gateways (`adopt.natGateways`), or undefined when it can. */
  public adoptionProblem(): string | undefined {
    return undefined;
  }
}

class NatGatewayProvider extends NatProvider {
  public readonly kind = "gateway" as const;

  public configure(scope: Construct, o: ConfigureNatOptions): NatResult {
    const eips: Eip[] = [];
    const ips = Array.from({ length: o.deviceCount }, (_, i) => elasticIp(scope, i, o, eips));
    const natGateways = ips.map(({ allocationId }, i) =>
      adoptInto(
        new NatGateway(scope, `gateway-${i}`, {
          allocationId,
          connectivityType: "public",
          subnetId: o.publicSubnets[i].id,
          tags: o.tags(`nat-${o.name}-${o.availabilityZones[i]}`, o.adoptedNatGateways?.[i]?.tags),
          // The NAT Gateway cannot send traffic before the VPC has its Internet Gateway route.
          dependsOn: o.dependsOn,
        }),
        o.adoptedNatGateways?.[i]?.id,
      ),
    );
    const routes = defaultRoutes(o, (d) => ({ natGatewayId: natGateways[d].id }));
    return { egressIps: ips.map((x) => x.publicIp), deviceIds: natGateways.map((g) => g.id), eips, routes, natGateways, instances: [], networkInterfaces: [] };
  }

  public monthlyCost(p: RegionPrices, devices: number, gb: number, hours: number): CostLine[] {
    return [
      { label: `NAT Gateway hours (${p.natGatewayHour} USD/h each)`, usd: devices * hours * p.natGatewayHour },
      { label: `public IPv4 (${p.publicIpv4Hour} USD/h per EIP)`, usd: devices * hours * p.publicIpv4Hour },
      { label: `NAT processing ${gb} GB (${p.natGatewayGb} USD/GB)`, usd: devices > 0 ? gb * p.natGatewayGb : 0 },
    ];
  }
}

class NatInstanceProvider extends NatProvider {
  public readonly kind = "instance" as const;
  private readonly instanceType: string;
  private readonly rootVolumeGb: number;

  constructor(private readonly props: NatInstanceProps) {
    super();
    this.instanceType = props.instanceType ?? NAT_INSTANCE_DEFAULTS.instanceType;
    this.rootVolumeGb = props.rootVolumeGb ?? NAT_INSTANCE_DEFAULTS.rootVolumeGb;
  }

  public configure(scope: Construct, o: ConfigureNatOptions): NatResult {
    const ami =
      this.props.amiId ??
      new DataAwsSsmParameter(scope, "ami", {
        name: `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${isArm64(this.instanceType) ? "arm64" : "x86_64"}`,
      }).insecureValue;
    // Everything the private subnets send, and nothing from anywhere else.
    const group = new SecurityGroup(scope, "instance-security-group", {
      namePrefix: `${o.name}-nat-`,
      description: `NAT instances of ${o.name}: all traffic from the private subnets, out anywhere`,
      vpcId: o.vpcId,
      ingress: [{ description: "From the private subnets", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: o.privateSubnetCidrs }],
      egress: [{ description: "Anywhere (what it forwards)", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
      tags: o.tags(`nat-${o.name}`),
      lifecycle: { createBeforeDestroy: true },
    });
    const eips: Eip[] = [];
    const networkInterfaces: NetworkInterface[] = [];
    const instances: Instance[] = [];
    const egressIps: string[] = [];
    for (let i = 0; i < o.deviceCount; i++) {
      const az = o.availabilityZones[i];
      const ip = elasticIp(scope, i, o, eips);
      // The Elastic IP belongs to this interface, not to the instance: a new instance (AMI, type) keeps the IP.
      const eni = new NetworkInterface(scope, `interface-${i}`, {
        subnetId: o.publicSubnets[i].id,
        securityGroups: [group.id],
        sourceDestCheck: false,
        description: `NAT ${o.name} ${az}: holds the egress IP`,
        tags: o.tags(`nat-${o.name}-${az}`),
      });
      new EipAssociation(scope, `eip-association-${i}`, { allocationId: ip.allocationId, networkInterfaceId: eni.id });
      instances.push(
        new Instance(scope, `instance-${i}`, {
          ami,
          instanceType: this.instanceType,
          networkInterface: [{ deviceIndex: 0, networkInterfaceId: eni.id }],
          metadataOptions: { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 1 },
          rootBlockDevice: { encrypted: true, volumeType: "gp3", volumeSize: this.rootVolumeGb, deleteOnTermination: true },
          ebsOptimized: true,
          userData: NAT_INSTANCE_USER_DATA,
          userDataReplaceOnChange: true,
          tags: o.tags(`nat-${o.name}-${az}`),
          dependsOn: o.dependsOn,
        }),
      );
      networkInterfaces.push(eni);
      egressIps.push(ip.publicIp);
    }
    const routes = defaultRoutes(o, (d) => ({ networkInterfaceId: networkInterfaces[d].id }));
    return { egressIps, deviceIds: networkInterfaces.map((n) => n.id), eips, routes, natGateways: [], instances, networkInterfaces };
  }

  public adoptionProblem(): string {
    return "is \"instance\" with adopt.natGateways; an adopted network keeps its NAT Gateways, so use the gateway provider (a move to NAT instances is a later, reviewed change)";
  }

  public monthlyCost(p: RegionPrices, devices: number, _gb: number, hours: number): CostLine[] {
    const hour = p.instanceHour[this.instanceType];
    if (hour === undefined) {
      throw new Error(`no price for instance type "${this.instanceType}"; known: ${Object.keys(p.instanceHour).join(", ")} (add it to config/prices.json)`);
    }
    return [
      { label: `${this.instanceType} hours (${hour} USD/h each)`, usd: devices * hours * hour },
      { label: `EBS gp3 ${this.rootVolumeGb} GB each (${p.ebsGbMonth} USD/GB-month)`, usd: devices * this.rootVolumeGb * p.ebsGbMonth },
      { label: `public IPv4 (${p.publicIpv4Hour} USD/h per EIP)`, usd: devices * hours * p.publicIpv4Hour },
      { label: "NAT processing (none with an instance)", usd: 0 },
    ];
  }
}
