/** What make adopt reads of a VPC through the AWS API (Describe calls only), and how it names what it found. */
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

export const DEFAULT = "0.0.0.0/0";

/** A resource's tags as a map, without the keys AWS reserves (aws:…), which cannot be set. */
export const tagsOf = (tags: Tag[] | undefined): { tags?: Record<string, string> } => {
  const kept = (tags ?? []).filter((t) => t.Key && !t.Key.startsWith("aws:"));
  return kept.length > 0 ? { tags: Object.fromEntries(kept.map((t) => [t.Key!, t.Value ?? ""])) } : {};
};

export const nameOf = (tags: Tag[] | undefined) => tags?.find((t) => t.Key === "Name")?.Value;
/** "subnet-0abc (public-a)" */
export const label = (id: string, tags?: Tag[]) => (nameOf(tags) ? `${id} (${nameOf(tags)})` : id);

/** What a 0.0.0.0/0 route goes to, in words, for a refusal. */
export function targetOf(r: Route): string {
  if (r.NatGatewayId) return `NAT Gateway ${r.NatGatewayId}`;
  if (r.InstanceId) return `instance ${r.InstanceId}`;
  if (r.NetworkInterfaceId) return `network interface ${r.NetworkInterfaceId}`;
  if (r.VpcPeeringConnectionId) return `peering connection ${r.VpcPeeringConnectionId}`;
  if (r.TransitGatewayId) return `transit gateway ${r.TransitGatewayId}`;
  return r.GatewayId ?? r.EgressOnlyInternetGatewayId ?? r.CarrierGatewayId ?? r.LocalGatewayId ?? "an unknown target";
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
