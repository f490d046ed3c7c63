/**
 * A network built as an operator builds it in the AWS console, step by step, through the SDK: what
 * `make adopt` is for. Nothing here knows of fixed-egress (no project tags, default request values).
 */
import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateNetworkInterfaceCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeRouteTablesCommand,
  EC2Client,
  ResourceType,
} from "@aws-sdk/client-ec2";

const named = (type: ResourceType, name: string, extra: Record<string, string> = {}) => [
  { ResourceType: type, Tags: [{ Key: "Name", Value: name }, ...Object.entries(extra).map(([Key, Value]) => ({ Key, Value }))] },
];

export interface ConsoleNetwork {
  readonly vpcId: string;
  readonly internetGatewayId: string;
  readonly mainRouteTableId: string;
  readonly publicRouteTableId: string;
  readonly privateRouteTableId: string;
  /** [1a, 1c] (only 1a without publicInEveryZone) */
  readonly publicSubnetIds: string[];
  readonly privateSubnetIds: string[];
  readonly natGatewayId: string;
  readonly allocationId: string;
  readonly publicIp: string;
  /** with `secondaryAddress`: the NAT Gateway's second Elastic IP */
  readonly secondary?: { readonly allocationId: string; readonly publicIp: string };
  /** with `otherWorkload`: a subnet of another team in 1d, left on the main route table, with a network interface in it */
  readonly other?: { readonly subnetId: string; readonly networkInterfaceId: string };
}

export interface ConsoleOptions {
  readonly prefix?: string;
  readonly cidr?: string;
  readonly publicInEveryZone?: boolean;
  /** the NAT Gateway gets a second Elastic IP (CreateNatGateway's SecondaryAllocationIds) */
  readonly secondaryAddress?: boolean;
  /** another team's subnet in 1d on the main route table, with a network interface in it */
  readonly otherWorkload?: boolean;
  /** extra tags on the NAT Gateway (a Project tag of its own, another tool's marker) */
  readonly natTags?: Record<string, string>;
}

/**
 * VPC 10.30.0.0/16 with an Internet Gateway; public subnets in 1a (left on the VPC's main route table, whose
 * 0.0.0.0/0 goes to the gateway) and 1c (its own table `public-rt`); one NAT Gateway with an Elastic IP in
 * the 1a public subnet; private subnets in 1a and 1c sharing one table `private-rt` whose 0.0.0.0/0 goes to
 * the NAT Gateway. Without `publicInEveryZone`, 1c has no public subnet (only the NAT Gateway's zone has one).
 */
export async function buildConsoleNetwork(ec2: EC2Client, { prefix = "orders", cidr = "10.30", publicInEveryZone = true, secondaryAddress = false, otherWorkload = false, natTags = {} }: ConsoleOptions = {}): Promise<ConsoleNetwork> {
  const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: `${cidr}.0.0/16`, TagSpecifications: named("vpc", `${prefix}-vpc`) }));
  const vpcId = Vpc!.VpcId!;
  const { InternetGateway } = await ec2.send(new CreateInternetGatewayCommand({ TagSpecifications: named("internet-gateway", `${prefix}-igw`) }));
  const igw = InternetGateway!.InternetGatewayId!;
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  const subnet = async (name: string, block: string, az: string) =>
    (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `${cidr}.${block}`, AvailabilityZone: az, TagSpecifications: named("subnet", `${prefix}-${name}`, { Team: "orders" }) }))).Subnet!.SubnetId!;
  const publicA = await subnet("public-a", "0.0/24", "ap-northeast-1a");
  const publicC = publicInEveryZone ? await subnet("public-c", "1.0/24", "ap-northeast-1c") : undefined;
  const privateA = await subnet("private-a", "10.0/24", "ap-northeast-1a");
  const privateC = await subnet("private-c", "11.0/24", "ap-northeast-1c");

  const { RouteTables } = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }, { Name: "association.main", Values: ["true"] }] }));
  const main = RouteTables![0].RouteTableId!;
  await ec2.send(new CreateRouteCommand({ RouteTableId: main, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }));
  const table = async (name: string) => (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: named("route-table", `${prefix}-${name}`) }))).RouteTable!.RouteTableId!;
  const publicRt = await table("public-rt");
  await ec2.send(new CreateRouteCommand({ RouteTableId: publicRt, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }));
  if (publicC) await ec2.send(new AssociateRouteTableCommand({ RouteTableId: publicRt, SubnetId: publicC }));

  const { AllocationId, PublicIp } = await ec2.send(new AllocateAddressCommand({ Domain: "vpc", TagSpecifications: named("elastic-ip", `${prefix}-egress`) }));
  const second = secondaryAddress ? await ec2.send(new AllocateAddressCommand({ Domain: "vpc", TagSpecifications: named("elastic-ip", `${prefix}-egress-2`) })) : undefined;
  // No ConnectivityType, as the console's form and `aws ec2 create-nat-gateway` leave it out by default.
  const { NatGateway } = await ec2.send(
    new CreateNatGatewayCommand({
      SubnetId: publicA,
      AllocationId,
      SecondaryAllocationIds: second ? [second.AllocationId!] : undefined,
      TagSpecifications: named("natgateway", `${prefix}-nat`, natTags),
    }),
  );
  let other: ConsoleNetwork["other"];
  if (otherWorkload) {
    const subnetId = await subnet("batch", "20.0/24", "ap-northeast-1d");
    const { NetworkInterface } = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Description: `${prefix} batch worker` }));
    other = { subnetId, networkInterfaceId: NetworkInterface!.NetworkInterfaceId! };
  }
  const privateRt = await table("private-rt");
  await ec2.send(new CreateRouteCommand({ RouteTableId: privateRt, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: NatGateway!.NatGatewayId }));
  for (const s of [privateA, privateC]) await ec2.send(new AssociateRouteTableCommand({ RouteTableId: privateRt, SubnetId: s }));
  return {
    vpcId,
    internetGatewayId: igw,
    mainRouteTableId: main,
    publicRouteTableId: publicRt,
    privateRouteTableId: privateRt,
    publicSubnetIds: publicC ? [publicA, publicC] : [publicA],
    privateSubnetIds: [privateA, privateC],
    natGatewayId: NatGateway!.NatGatewayId!,
    allocationId: AllocationId!,
    publicIp: PublicIp!,
    secondary: second && { allocationId: second.AllocationId!, publicIp: second.PublicIp! },
    other,
  };
}

// Run directly, it builds that network on the emulator of FIXED_EGRESS_CONFIG (to try make adopt by hand):
//   node --import tsx __tests__/helpers/console-network.ts
if (require.main === module) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { configFromEnv } = require("../../jobs/app") as typeof import("../../jobs/app");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { clientSettings } = require("../../jobs/aws") as typeof import("../../jobs/aws");
  const { config } = configFromEnv();
  if (!config.emulator) {
    process.stderr.write("this builds a test network on the emulator only; FIXED_EGRESS_CONFIG names real AWS\n");
    process.exit(1);
  }
  // With a secondary address and another team's subnet on the main route table, as real networks have.
  buildConsoleNetwork(new EC2Client(clientSettings(config)), { secondaryAddress: true, otherWorkload: true }).then(
    (n) => process.stdout.write(`built by hand on the emulator: ${n.vpcId} (NAT Gateway ${n.natGatewayId}, Elastic IPs ${n.publicIp}, ${n.secondary!.publicIp})\n`),
    (err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    },
  );
}
