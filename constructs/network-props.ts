import { AdoptedNetwork } from "./adopt";
import type { PublishEgressIpsProps } from "./egress-publishing";
import { NatPlacement, NatProvider } from "./nat-provider";

export interface FlowLogsProps {
  /** Days CloudWatch Logs keeps the flow logs. @default 30 */
  readonly retentionDays?: number;
}

export interface NatAlarmsProps {
  /** The SNS topic (its ARN) every NAT alarm notifies, firing and back to OK. */
  readonly topicArn: string;
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
  /** Availability zones, one public and one private subnet each. Each zone's resources are keyed by its name. */
  readonly availabilityZones: string[];
  /** One CIDR per AZ, same order as `availabilityZones`. */
  readonly publicSubnetCidrs: string[];
  /** One CIDR per AZ, same order as `availabilityZones`. The function runs here. */
  readonly privateSubnetCidrs: string[];
  /** Where NAT devices go: one in the first zone for all zones, or one in every zone (for any provider). @default "single" */
  readonly natPlacement?: NatPlacement;
  /** @deprecated since 0.4.0: the old name of `natPlacement` (it never meant NAT Gateways only); removed in 0.5.0. */
  readonly natGateways?: NatPlacement;
  /** Who does the NAT: `NatProvider.gateway()` (managed NAT Gateways), `NatProvider.instance({ instanceType })`, or your own. @default NatProvider.gateway() */
  readonly natProvider?: NatProvider;
  /**
   * Existing Elastic IP allocations for the NAT devices (one per device, in zone order), so the egress IPs outlive this stack.
   * @default - new Elastic IPs, owned by this construct
   */
  readonly eipAllocationIds?: string[];
  /**
   * Secondary Elastic IPs per NAT Gateway, created here, each another egress IP to allow-list: one address
   * carries 55,000 simultaneous connections to one destination, so more addresses end `ErrorPortAllocation`.
   * Changing the number updates the NAT Gateway in place. AWS allows 2 addresses per NAT Gateway until a quota
   * increase (up to 8; Service Quotas `vpc` `L-5F53652F`). Only with providers whose devices hold several
   * addresses (the gateway provider).
   * @default 0
   */
  readonly natGatewaySecondaryEips?: number;
  /** `prevent_destroy` on the Elastic IPs this construct creates: a plan that would release one fails. @default false */
  readonly protectEgressIps?: boolean;
  /** Public subnets give instances a public IP on launch. @default false */
  readonly mapPublicIpOnLaunch?: boolean;
  /** A free S3 gateway endpoint on the private route tables, so S3 traffic skips the NAT's per-GB charge. @default true */
  readonly s3Endpoint?: boolean;
  /**
   * CloudWatch alarms on the NAT devices that notify a topic: NAT Gateways' port allocation errors and dropped
   * packets; NAT instances' CPU credits. (NAT instances always get status-check alarms that recover or reboot
   * them; with this they notify the topic too.) Each alarm's description says what to do.
   * @default - no notification
   */
  readonly alarms?: NatAlarmsProps;
  /**
   * Publish the egress IPs where partners read them: a prefix list (shared through RAM with `shareWith`) and an
   * SSM parameter; both follow the network in the same apply. @default - not published
   */
  readonly publishEgressIps?: PublishEgressIpsProps;
  /** VPC flow logs to CloudWatch Logs. @default - none */
  readonly flowLogs?: FlowLogsProps;
  /** Tags on every resource, after `Name`. @default {} */
  readonly tags?: Record<string, string>;
  /**
   * A network built by hand, adopted by Terraform import blocks in the shape it has: subnets, route tables
   * (shared ones stay shared; the VPC's main route table keeps its implicit associations), their 0.0.0.0/0
   * routes and associations, NAT Gateways and their Elastic IPs (the egress IPs stay). Existing tags are
   * kept; only this construct's tags are added. Needs `existingVpcId`.
   * @default - every resource is created
   */
  readonly adopt?: AdoptedNetwork;
}

export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
