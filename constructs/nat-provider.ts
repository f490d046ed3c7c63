import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { Ec2InstanceState } from "@cdktf/provider-aws/lib/ec2-instance-state";
import { EipAssociation } from "@cdktf/provider-aws/lib/eip-association";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { NetworkInterface } from "@cdktf/provider-aws/lib/network-interface";
import { RouteConfig } from "@cdktf/provider-aws/lib/route";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { AdoptedResource, adoptInto } from "./adopt";
import { moveFromLegacyId } from "./legacy-ids";
import { NetworkLookups, alarmCount, gatewayAlarms, instanceAlarms } from "./nat-alarms";
import { NAT_INSTANCE_USER_DATA } from "./nat-instance-user-data";

/** `single`: one NAT device, in the first zone, for all zones (cheapest; that zone's outage cuts egress). `perAz`: one in every zone. */
export type NatPlacement = "single" | "perAz";
export const NAT_PLACEMENTS: readonly NatPlacement[] = ["single", "perAz"];
/** @deprecated since 0.4.0: `NatPlacement` */
export type NatMode = NatPlacement;
/** @deprecated since 0.4.0: `NAT_PLACEMENTS` */
export const NAT_MODES = NAT_PLACEMENTS;

/** AWS's ceiling of Elastic IPs per public NAT Gateway (2 until a quota increase). */
export const NAT_GATEWAY_MAX_ADDRESSES = 8;

/** How many NAT devices a placement needs for `azCount` availability zones: the one place this is decided. */
export const natDeviceCount = (placement: NatPlacement, azCount: number): number => (placement === "perAz" ? azCount : 1);

/** What a private route's 0.0.0.0/0 points at: one of the `aws_route` target arguments. */
export type NatRouteTarget = Pick<RouteConfig, "natGatewayId" | "networkInterfaceId" | "gatewayId" | "transitGatewayId" | "vpcEndpointId">;

/**
 * What a device is billed as, for whoever prices it (the library holds no prices): `{ item: "nat-gateway" }`,
 * `{ item: "ec2-instance", instanceType, rootVolumeGb }`, or a provider's own item and details.
 */
export interface NatBilling {
  readonly item: string;
  readonly [detail: string]: string | number;
}

/** A NAT device as the network sees it, whoever provides it. */
export interface NatDevice {
  /** the zone it sits in */
  readonly zone: string;
  /** what the private routes of the zones it serves point at */
  readonly routeTarget: NatRouteTarget;
  /** the Elastic IP allocations it sends from (the first is the one the network gave it) */
  readonly allocationIds: string[];
  /** their public IPs: what the database allow-lists */
  readonly publicIps: string[];
  readonly billing: NatBilling;
}

/** The id of a device's route target (`{ natGatewayId: x }` → x): a NAT Gateway id, or a network interface id. */
export const deviceIdOf = (d: NatDevice): string => Object.values(d.routeTarget).find((v) => v !== undefined) as string;

/** One egress IP of a network: where it leaves from. */
export interface EgressIpDetail {
  readonly address: string;
  readonly zone: string;
  /** the NAT device holding it (`deviceIdOf`) */
  readonly device: string;
  /** "primary": the device's first address; "secondary": a NAT Gateway's further ones */
  readonly role: "primary" | "secondary";
}

/** A device's addresses, the first one primary. */
export const egressIpDetailsOf = (d: NatDevice): EgressIpDetail[] =>
  d.publicIps.map((address, i) => ({ address, zone: d.zone, device: deviceIdOf(d), role: i === 0 ? "primary" : "secondary" }));

/** Where the network wants a device: its zone, its public subnet and the Elastic IP it must hold. */
export interface NatDevicePlacement {
  readonly zone: string;
  readonly publicSubnetId: string;
  readonly allocationId: string;
  readonly publicIp: string;
  /** the Elastic IPs it holds besides (none unless the provider's `maxAddressesPerDevice` allows them) */
  readonly secondaryAllocationIds: string[];
  readonly secondaryPublicIps: string[];
  /** an existing NAT Gateway to import (adoption) @default - a new device */
  readonly adopted?: AdoptedResource;
  /** its zone's position in `availabilityZones`, for `moveFromLegacyId` of ids before 0.4.0 (new providers ignore it) */
  readonly legacyIndex: number;
}

export interface NatDevicesOptions {
  /** the `name` of the network, for Name tags */
  readonly name: string;
  readonly vpcId: string;
  /** the private subnets' ranges: what a device admits */
  readonly privateSubnetCidrs: string[];
  readonly devices: NatDevicePlacement[];
  /** what a device must wait for (the Internet Gateway and its route) */
  readonly dependsOn: ITerraformDependable[];
  /** the SNS topic every NAT alarm notifies @default - no notification (a provider's self-repairing alarms stay) */
  readonly alarmTopicArn?: string;
  /** the network's region and partition, looked up once and only when asked (for ARNs) */
  readonly lookups: NetworkLookups;
  /** a resource's tags from its Name (and, for an adopted resource, the tags it has today) */
  readonly tags: (name: string, existing?: Record<string, string>) => Record<string, string>;
}

export interface NatInstanceProps {
  /** EC2 instance type; its architecture picks the AMI. @default "t4g.nano" */
  readonly instanceType?: string;
  /**
   * The AMI. Changing it replaces the instances (reviewed: the guard refuses until allowed).
   * @default - `amiParameter`'s value when the instance is created, kept until `terraform apply -replace`
   */
  readonly amiId?: string;
  /**
   * The SSM parameter that names the AMI when an instance is created. A newer value does not replace a running
   * instance: the AMI stays until an explicit replace.
   * @default - the latest Amazon Linux 2023 for the type's architecture (`/aws/service/ami-amazon-linux-latest/…`)
   */
  readonly amiParameter?: string;
  /** Root volume size (GiB), encrypted gp3. @default 8 */
  readonly rootVolumeGb?: number;
}

export const NAT_INSTANCE_DEFAULTS = { instanceType: "t4g.nano", rootVolumeGb: 8 } as const;

/** Graviton types (t4g, c7gn, m6gd, …) run arm64 images. */
export const isArm64 = (instanceType: string): boolean => /^[a-z]+\d+[a-z]*g[a-z]*\./.test(instanceType);

/**
 * Who does the NAT (as aws-cdk's `NatProvider`): an open extension point. The network plans where devices go
 * and which Elastic IP each holds; a provider creates its devices under `scope` (construct ids keyed by zone)
 * and returns them as neutral `NatDevice`s. The network never branches on the provider.
 */
export abstract class NatProvider {
  /** Managed NAT Gateways (the default): no upkeep, scales to 100 Gbps, billed per hour and per GB. */
  public static gateway(): NatGatewayProvider {
    return new NatGatewayProvider();
  }

  /** A small EC2 instance per device that forwards and masquerades: the same fixed IP for a fraction of the price. */
  public static instance(props: NatInstanceProps = {}): NatInstanceProvider {
    return new NatInstanceProvider(props);
  }

  /** A short name for messages and outputs ("gateway", "instance", or a provider's own). */
  public abstract readonly kind: string;

  /** What each device is billed as. */
  public abstract readonly billing: NatBilling;

  /** How many Elastic IPs one device can send from (secondary addresses are refused beyond it). */
  public readonly maxAddressesPerDevice: number = 1;

  /** How many CloudWatch alarms each device gets, with or without a topic to notify (what the cost counts). */
  public alarmsPerDevice(_notify: boolean): number {
    return 0;
  }

  /** Creates one device per placement under `scope`. */
  public abstract createDevices(scope: Construct, options: NatDevicesOptions): NatDevice[];

  /** Why this provider cannot adopt existing NAT Gateways (`adopt.natGateways`), or undefined when it can. */
  public adoptionProblem(): string | undefined {
    return "cannot adopt existing NAT Gateways; an adopted network keeps its NAT Gateways, so use NatProvider.gateway() (a move to another provider is a later, reviewed change)";
  }
}

/** `NatProvider.gateway()`: its NAT Gateways are its own escape hatches (`gateways`, in zone order). */
export class NatGatewayProvider extends NatProvider {
  public readonly kind = "gateway";
  public readonly billing = { item: "nat-gateway" } as const;
  public readonly maxAddressesPerDevice = NAT_GATEWAY_MAX_ADDRESSES;
  public readonly gateways: NatGateway[] = [];

  public alarmsPerDevice(notify: boolean): number {
    return alarmCount("gateway", notify);
  }

  public createDevices(scope: Construct, o: NatDevicesOptions): NatDevice[] {
    return o.devices.map((d) => {
      const gateway = adoptInto(
        new NatGateway(scope, `gateway-${d.zone}`, {
          allocationId: d.allocationId,
          // Added or removed in place (AssociateNatGatewayAddress): the gateway and its primary address stay.
          secondaryAllocationIds: d.secondaryAllocationIds.length > 0 ? d.secondaryAllocationIds : undefined,
          connectivityType: "public",
          subnetId: d.publicSubnetId,
          tags: o.tags(`nat-${o.name}-${d.zone}`, d.adopted?.tags),
          // The NAT Gateway cannot send traffic before the VPC has its Internet Gateway route.
          dependsOn: o.dependsOn,
        }),
        d.adopted?.id,
      );
      moveFromLegacyId(gateway, `gateway-${d.legacyIndex}`);
      gatewayAlarms(scope, { zone: d.zone, name: o.name, natGatewayId: gateway.id, topicArn: o.alarmTopicArn, lookups: o.lookups });
      this.gateways.push(gateway);
      return {
        zone: d.zone,
        routeTarget: { natGatewayId: gateway.id },
        allocationIds: [d.allocationId, ...d.secondaryAllocationIds],
        publicIps: [d.publicIp, ...d.secondaryPublicIps],
        billing: this.billing,
      };
    });
  }

  public adoptionProblem(): undefined {
    return undefined;
  }
}

/** `NatProvider.instance()`: its instances and their interfaces (which hold the Elastic IPs) are its own escape hatches, in zone order. */
export class NatInstanceProvider extends NatProvider {
  public readonly kind = "instance";
  public readonly billing: { readonly item: "ec2-instance"; readonly instanceType: string; readonly rootVolumeGb: number };
  public readonly instances: Instance[] = [];
  public readonly networkInterfaces: NetworkInterface[] = [];
  /** each instance's desired state, `running`: a stop outside Terraform is drift, and a deploy starts it again */
  public readonly states: Ec2InstanceState[] = [];
  private readonly instanceType: string;

  constructor(private readonly props: NatInstanceProps) {
    super();
    this.instanceType = props.instanceType ?? NAT_INSTANCE_DEFAULTS.instanceType;
    this.billing = { item: "ec2-instance", instanceType: this.instanceType, rootVolumeGb: props.rootVolumeGb ?? NAT_INSTANCE_DEFAULTS.rootVolumeGb };
  }

  public alarmsPerDevice(notify: boolean): number {
    return alarmCount("instance", notify, this.instanceType);
  }

  public createDevices(scope: Construct, o: NatDevicesOptions): NatDevice[] {
    const pinned = this.props.amiId !== undefined;
    const ami =
      this.props.amiId ??
      new DataAwsSsmParameter(scope, "ami", {
        name: this.props.amiParameter ?? `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${isArm64(this.instanceType) ? "arm64" : "x86_64"}`,
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
    return o.devices.map((d) => {
      // The Elastic IP belongs to this interface, not to the instance: a new instance (AMI, type) keeps the IP.
      const eni = new NetworkInterface(scope, `interface-${d.zone}`, {
        subnetId: d.publicSubnetId,
        securityGroups: [group.id],
        sourceDestCheck: false,
        description: `NAT ${o.name} ${d.zone}: holds the egress IP`,
        tags: o.tags(`nat-${o.name}-${d.zone}`),
      });
      // An Elastic IP may need the VPC's Internet Gateway before it can be associated (the provider's docs).
      const association = new EipAssociation(scope, `eip-association-${d.zone}`, { allocationId: d.allocationId, networkInterfaceId: eni.id, dependsOn: o.dependsOn });
      const instance = new Instance(scope, `instance-${d.zone}`, {
        ami,
        instanceType: this.instanceType,
        networkInterface: [{ deviceIndex: 0, networkInterfaceId: eni.id }],
        metadataOptions: { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 1 },
        rootBlockDevice: { encrypted: true, volumeType: "gp3", volumeSize: this.billing.rootVolumeGb, deleteOnTermination: true },
        ebsOptimized: true,
        userData: NAT_INSTANCE_USER_DATA,
        userDataReplaceOnChange: true,
        tags: o.tags(`nat-${o.name}-${d.zone}`),
        // It boots with its address in place: nothing in its user data waits for the network.
        dependsOn: [...o.dependsOn, association],
        // The AMI and the user data the instance was created with stay: a newer "latest", or a newer script in a
        // library upgrade, never replaces a running NAT. An explicit amiId is followed (a reviewed change); make
        // nat-upgrade replaces the instance on purpose, and the new one gets both.
        lifecycle: { ignoreChanges: pinned ? ["user_data"] : ["ami", "user_data"] },
      });
      this.states.push(new Ec2InstanceState(scope, `state-${d.zone}`, { instanceId: instance.id, state: "running" }));
      instanceAlarms(scope, { zone: d.zone, name: o.name, instanceId: instance.id, instanceType: this.instanceType, topicArn: o.alarmTopicArn, lookups: o.lookups });
      moveFromLegacyId(eni, `interface-${d.legacyIndex}`);
      moveFromLegacyId(association, `eip-association-${d.legacyIndex}`);
      moveFromLegacyId(instance, `instance-${d.legacyIndex}`);
      this.networkInterfaces.push(eni);
      this.instances.push(instance);
      return { zone: d.zone, routeTarget: { networkInterfaceId: eni.id }, allocationIds: [d.allocationId], publicIps: [d.publicIp], billing: this.billing };
    });
  }

  public adoptionProblem(): string {
    return "is \"instance\" with adopt.natGateways; an adopted network keeps its NAT Gateways, so use the gateway provider (a move to NAT instances is a later, reviewed change)";
  }
}
