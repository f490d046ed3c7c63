import { Eip } from "@cdktf/provider-aws/lib/eip";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { DataTerraformRemoteStateLocal, TerraformOutput, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { FixedEgressNetwork, FixedEgressNetworkProps, IPrivateNetwork, NETWORK_OUTPUTS, ValidationError } from "../../constructs";
import { all, byPath, one, ref, synthStack, Synthesized } from "../helpers/synth";
import { ZONES, networkProps, THREE_AZS } from "../helpers/network-props";

function synthNetwork(over: Partial<FixedEgressNetworkProps> = {}): Synthesized {
  return synthStack((scope) => new FixedEgressNetwork(scope, "network", networkProps(over)));
}

/** The NAT Gateway logical id that a private route table's 0.0.0.0/0 targets. */
function natTargetOf(s: Synthesized, i: number): string {
  const [table] = byPath(s, "aws_route_table", `private/route-table-${ZONES[i]}`);
  const routes = all(s, "aws_route").filter(([, r]) => r.route_table_id === ref("aws_route_table", table));
  expect(routes).toHaveLength(1);
  expect(routes[0][1].destination_cidr_block).toBe("0.0.0.0/0");
  const target = /^\$\{aws_nat_gateway\.([^.]+)\.id\}$/.exec(routes[0][1].nat_gateway_id);
  expect(target).not.toBeNull();
  return target![1];
}

describe("FixedEgressNetwork", () => {
  describe("a new VPC, single NAT (the default)", () => {
    const s = synthNetwork();

    it("creates a VPC from the CIDR with DNS support and hostnames", () => {
      expect(s.text).toHaveResourceWithProperties(Vpc, { cidr_block: "10.0.0.0/16", enable_dns_support: true, enable_dns_hostnames: true });
    });

    it("attaches an Internet Gateway to the VPC", () => {
      const [vpc] = one(s, "aws_vpc");
      expect(one(s, "aws_internet_gateway")[1].vpc_id).toBe(ref("aws_vpc", vpc));
    });

    it("leaves the default security group with no rules", () => {
      const [, sg] = one(s, "aws_default_security_group");
      expect(sg.ingress).toBeUndefined();
      expect(sg.egress).toBeUndefined();
    });

    it("creates one public and one private subnet per AZ, with the given CIDRs and no public IPs on launch", () => {
      const expected = [
        ["public/subnet-ap-northeast-1a", "ap-northeast-1a", "10.0.0.0/24", "public-demo-ap-northeast-1a"],
        ["public/subnet-ap-northeast-1c", "ap-northeast-1c", "10.0.1.0/24", "public-demo-ap-northeast-1c"],
        ["private/subnet-ap-northeast-1a", "ap-northeast-1a", "10.0.10.0/24", "private-demo-ap-northeast-1a"],
        ["private/subnet-ap-northeast-1c", "ap-northeast-1c", "10.0.11.0/24", "private-demo-ap-northeast-1c"],
      ];
      expect(all(s, "aws_subnet")).toHaveLength(4);
      const [vpc] = one(s, "aws_vpc");
      for (const [path, az, cidr, name] of expected) {
        const [, subnet] = byPath(s, "aws_subnet", path);
        expect(subnet).toMatchObject({ availability_zone: az, cidr_block: cidr, map_public_ip_on_launch: false, vpc_id: ref("aws_vpc", vpc) });
        expect(subnet.tags.Name).toBe(name);
      }
    });

    it("routes the public route table's 0.0.0.0/0 to the Internet Gateway and associates every public subnet with it", () => {
      const [table, body] = byPath(s, "aws_route_table", "public/route-table");
      expect(body.tags.Name).toBe("public-routing-demo");
      const [igw] = one(s, "aws_internet_gateway");
      const [, route] = byPath(s, "aws_route", "public/default-route");
      expect(route).toMatchObject({ route_table_id: ref("aws_route_table", table), destination_cidr_block: "0.0.0.0/0", gateway_id: ref("aws_internet_gateway", igw) });
      for (const i of [0, 1]) {
        const [subnet] = byPath(s, "aws_subnet", `public/subnet-${ZONES[i]}`);
        const [, assoc] = byPath(s, "aws_route_table_association", `public/association-${ZONES[i]}`);
        expect(assoc).toEqual(expect.objectContaining({ subnet_id: ref("aws_subnet", subnet), route_table_id: ref("aws_route_table", table) }));
      }
    });

    it("creates one EIP (domain vpc) and one public NAT Gateway holding it in the first public subnet, after the Internet Gateway", () => {
      const [eip, eipBody] = one(s, "aws_eip");
      expect(eipBody.domain).toBe("vpc");
      expect(eipBody.lifecycle).toBeUndefined();
      const [, nat] = one(s, "aws_nat_gateway");
      const [publicSubnet0] = byPath(s, "aws_subnet", "public/subnet-ap-northeast-1a");
      const [igw] = one(s, "aws_internet_gateway");
      expect(nat).toMatchObject({ allocation_id: ref("aws_eip", eip, "allocation_id"), connectivity_type: "public", subnet_id: ref("aws_subnet", publicSubnet0) });
      expect(nat.depends_on).toContain(`aws_internet_gateway.${igw}`);
    });

    it("routes every private subnet's 0.0.0.0/0 to the one NAT Gateway, through a private route table per AZ", () => {
      const [nat] = one(s, "aws_nat_gateway");
      for (const i of [0, 1]) {
        expect(natTargetOf(s, i)).toBe(nat);
        const [table, body] = byPath(s, "aws_route_table", `private/route-table-${ZONES[i]}`);
        expect(body.tags.Name).toBe(`private-routing-demo-${["ap-northeast-1a", "ap-northeast-1c"][i]}`);
        const [subnet] = byPath(s, "aws_subnet", `private/subnet-${ZONES[i]}`);
        const [, assoc] = byPath(s, "aws_route_table_association", `private/association-${ZONES[i]}`);
        expect(assoc).toMatchObject({ subnet_id: ref("aws_subnet", subnet), route_table_id: ref("aws_route_table", table) });
      }
    });

    it("never routes a private subnet to the Internet Gateway", () => {
      const privateTables = all(s, "aws_route_table").filter(([, b]) => b.tags.Name.startsWith("private-")).map(([id]) => ref("aws_route_table", id));
      const privateRoutes = all(s, "aws_route").filter(([, r]) => privateTables.includes(r.route_table_id));
      expect(privateRoutes).toHaveLength(2);
      privateRoutes.forEach(([, r]) => expect(r.gateway_id).toBeUndefined());
    });

    it("adds an S3 gateway endpoint on the private route tables", () => {
      const [, endpoint] = one(s, "aws_vpc_endpoint");
      const tables = [0, 1].map((i) => ref("aws_route_table", byPath(s, "aws_route_table", `private/route-table-${ZONES[i]}`)[0]));
      expect(endpoint.vpc_endpoint_type).toBe("Gateway");
      expect(endpoint.service_name).toMatch(/^com\.amazonaws\.\$\{data\.aws_region\.[^}]+\.name\}\.s3$/);
      expect(endpoint.route_table_ids).toEqual(tables);
    });

    it("exposes egress IPs, subnet ids and NAT ids as typed attributes", () => {
      let network!: FixedEgressNetwork;
      synthStack((scope) => {
        network = new FixedEgressNetwork(scope, "network", networkProps());
      });
      expect(network.egressIps).toHaveLength(1);
      expect(network.publicSubnetIds).toHaveLength(2);
      expect(network.privateSubnetIds).toHaveLength(2);
      expect(network.natGatewayIds).toHaveLength(1);
      expect(network.privateRouteTableIds).toHaveLength(2);
      expect(network.eips).toHaveLength(1);
    });
  });

  describe("perAz NAT", () => {
    const s = synthNetwork({ ...THREE_AZS, natPlacement: "perAz" });

    it("creates one NAT Gateway and one EIP per AZ, each NAT in the public subnet of its AZ", () => {
      expect(all(s, "aws_eip")).toHaveLength(3);
      expect(all(s, "aws_nat_gateway")).toHaveLength(3);
      for (const i of [0, 1, 2]) {
        const [, nat] = byPath(s, "aws_nat_gateway", `nat/gateway-${ZONES[i]}`);
        const [eip] = byPath(s, "aws_eip", `nat/eip-${ZONES[i]}`);
        const [subnet] = byPath(s, "aws_subnet", `public/subnet-${ZONES[i]}`);
        expect(nat.subnet_id).toBe(ref("aws_subnet", subnet));
        expect(nat.allocation_id).toBe(ref("aws_eip", eip, "allocation_id"));
      }
    });

    it("routes each private subnet's 0.0.0.0/0 to the NAT gateway in its own AZ", () => {
      for (const i of [0, 1, 2]) {
        const natId = natTargetOf(s, i);
        const nat = s.json.resource.aws_nat_gateway[natId];
        const natSubnetId = /^\$\{aws_subnet\.([^.]+)\.id\}$/.exec(nat.subnet_id)![1];
        const natAz = s.json.resource.aws_subnet[natSubnetId].availability_zone;
        const [, privateSubnet] = byPath(s, "aws_subnet", `private/subnet-${ZONES[i]}`);
        expect(natAz).toBe(privateSubnet.availability_zone);
      }
    });
  });

  describe("bring-your-own Elastic IPs", () => {
    const ids = ["eipalloc-0123456789abcdef0", "eipalloc-0fedcba9876543210"];
    const s = synthNetwork({ natPlacement: "perAz", eipAllocationIds: ids });

    it("creates no EIP and gives each NAT Gateway the given allocation, in order", () => {
      expect(s.text).not.toHaveResource(Eip);
      ids.forEach((id, i) => expect(byPath(s, "aws_nat_gateway", `nat/gateway-${ZONES[i]}`)[1].allocation_id).toBe(id));
    });

    it("looks the brought addresses up for the egress IPs", () => {
      expect(all(s, "aws_eip", "data").map(([, d]) => d.id)).toEqual(ids);
    });
  });

  it("puts prevent_destroy on created EIPs when protectEgressIps is set", () => {
    const s = synthNetwork({ protectEgressIps: true });
    expect(one(s, "aws_eip")[1].lifecycle).toEqual({ prevent_destroy: true });
  });

  it("leaves the S3 endpoint out when s3Endpoint is false", () => {
    expect(synthNetwork({ s3Endpoint: false }).text).not.toHaveResource(VpcEndpoint);
  });

  it("sends VPC flow logs to a log group with retention through a role only VPC Flow Logs can assume", () => {
    const s = synthNetwork({ flowLogs: { retentionDays: 14 } });
    const [group, body] = one(s, "aws_cloudwatch_log_group");
    expect(body).toMatchObject({ name: "/vpc/demo/flow-logs", retention_in_days: 14 });
    const [role] = one(s, "aws_iam_role");
    const [vpc] = one(s, "aws_vpc");
    expect(one(s, "aws_flow_log")[1]).toMatchObject({
      vpc_id: ref("aws_vpc", vpc),
      traffic_type: "ALL",
      log_destination_type: "cloud-watch-logs",
      log_destination: ref("aws_cloudwatch_log_group", group, "arn"),
      iam_role_arn: ref("aws_iam_role", role, "arn"),
    });
    const trust = all(s, "aws_iam_policy_document", "data").find(([id]) => id.includes("trust"))![1];
    expect(trust.statement[0].principals[0].identifiers).toEqual(["vpc-flow-logs.amazonaws.com"]);
  });

  it("lets VPC Flow Logs assume the flow-log role only for this account's flow logs (confused deputy), under a per-deployment name", () => {
    const s = synthNetwork({ flowLogs: {} });
    const [vpc] = one(s, "aws_vpc");
    // one region lookup serves the S3 endpoint and the flow-log trust
    expect(all(s, "aws_region", "data")).toHaveLength(1);
    const [region] = all(s, "aws_region", "data")[0];
    const [partition] = all(s, "aws_partition", "data")[0];
    const trust = all(s, "aws_iam_policy_document", "data").find(([id]) => id.includes("trust"))![1];
    const acct = ref("aws_vpc", vpc, "owner_id");
    expect(trust.statement[0].condition).toEqual([
      { test: "StringEquals", variable: "aws:SourceAccount", values: [acct] },
      { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:\${data.aws_partition.${partition}.partition}:ec2:\${data.aws_region.${region}.name}:${acct}:vpc-flow-log/*`] },
    ]);
    // An existing VPC: its owner, looked up.
    const e = synthNetwork({ flowLogs: {}, vpcCidr: undefined, existingVpcId: "vpc-0a1b2c3d4e5f67890", existingInternetGatewayId: "igw-0a1b2c3d4e5f67890" });
    const [lookup, body] = all(e, "aws_vpc", "data")[0];
    expect(body.id).toBe("vpc-0a1b2c3d4e5f67890");
    const t = all(e, "aws_iam_policy_document", "data").find(([id]) => id.includes("trust"))![1];
    expect(t.statement[0].condition[0].values).toEqual([`\${data.aws_vpc.${lookup}.owner_id}`]);
    const role = one(s, "aws_iam_role")[1];
    expect(role.name).toBeUndefined();
    expect(role.name_prefix).toBe("demo-flow-logs-");
  });

  it("reads another stack's network from its documented outputs", () => {
    const s = synthStack((scope) => {
      const net: IPrivateNetwork = FixedEgressNetwork.fromRemoteState(new DataTerraformRemoteStateLocal(scope, "net", { path: "/tmp/x.tfstate" }));
      new TerraformOutput(scope, "vpc", { value: net.vpcId });
      new TerraformOutput(scope, "private", { value: net.privateSubnetIds });
      new TerraformOutput(scope, "egress", { value: net.egressIps });
    });
    expect(s.json.output.vpc.value).toBe("${data.terraform_remote_state.net.outputs.vpc_id}");
    expect(s.json.output.private.value).toBe("${data.terraform_remote_state.net.outputs.private_subnet_ids}");
    expect(s.json.output.egress.value).toBe("${data.terraform_remote_state.net.outputs.egress_ips}");
    expect(Object.values(NETWORK_OUTPUTS).sort()).toEqual(["egress_ip_details", "egress_ips", "nat_device_ids", "nat_gateway_ids", "private_subnet_ids", "public_subnet_ids", "vpc_id"]);
  });

  it("builds in an existing VPC with its existing Internet Gateway, creating neither", () => {
    const s = synthNetwork({ vpcCidr: undefined, existingVpcId: "vpc-0a1b2c3d4e5f67890", existingInternetGatewayId: "igw-0a1b2c3d4e5f67890" });
    expect(s.text).not.toHaveResource(Vpc);
    expect(s.text).not.toHaveResource(InternetGateway);
    all(s, "aws_subnet").forEach(([, subnet]) => expect(subnet.vpc_id).toBe("vpc-0a1b2c3d4e5f67890"));
    expect(byPath(s, "aws_route", "public/default-route")[1].gateway_id).toBe("igw-0a1b2c3d4e5f67890");
    expect(all(s, "aws_default_security_group")).toHaveLength(0);
  });

  it("uses the Internet Gateway attached to an existing VPC when none is given, never a second one", () => {
    const s = synthNetwork({ vpcCidr: "10.0.0.0/16", existingVpcId: "vpc-0a1b2c3d4e5f67890" });
    expect(s.text).not.toHaveResource(InternetGateway);
    const [igw, lookup] = all(s, "aws_internet_gateway", "data")[0];
    expect(lookup.filter).toEqual([{ name: "attachment.vpc-id", values: ["vpc-0a1b2c3d4e5f67890"] }]);
    expect(byPath(s, "aws_route", "public/default-route")[1].gateway_id).toBe(`\${data.aws_internet_gateway.${igw}.id}`);
    expect(s.text).toHaveResource(NatGateway);
  });

  it("merges tags as Name, then shared tags, then nothing else", () => {
    const s = synthNetwork({ tags: { Owner: "platform", Name: "override" } });
    expect(one(s, "aws_vpc")[1].tags).toEqual({ Name: "override", Owner: "platform" });
    expect(byPath(s, "aws_subnet", "private/subnet-ap-northeast-1a")[1].tags).toEqual({ Name: "override", Owner: "platform" });
  });

  describe("validation", () => {
    const fails = (over: Partial<FixedEgressNetworkProps>, message: RegExp) =>
      expect(() => synthNetwork(over)).toThrow(message);

    it("fails on a CIDR that is not one", () => fails({ vpcCidr: "10.0.0/16" }, /vpcCidr: "10\.0\.0\/16" is not an IPv4 CIDR block; write it as a\.b\.c\.d\/n/));
    it("fails on an octet above 255", () => fails({ publicSubnetCidrs: ["10.0.300.0/24", "10.0.1.0/24"] }, /publicSubnetCidrs\[0\]: .*octet above 255/));
    it("fails on host bits set, naming the right block", () => fails({ privateSubnetCidrs: ["10.0.10.5/24", "10.0.11.0/24"] }, /privateSubnetCidrs\[0\]: .*write "10\.0\.10\.0\/24"/));
    it("fails on a VPC prefix AWS does not accept", () => fails({ vpcCidr: "10.0.0.0/8" }, /vpcCidr: .*\/16 to \/28/));
    it("fails on a subnet outside the VPC", () =>
      fails({ privateSubnetCidrs: ["10.1.10.0/24", "10.0.11.0/24"] }, /privateSubnetCidrs\[0\]: "10\.1\.10\.0\/24" is outside vpcCidr "10\.0\.0\.0\/16"; pick a range inside it/));
    it("fails on overlapping subnets, naming both", () =>
      fails({ privateSubnetCidrs: ["10.0.0.0/23", "10.0.11.0/24"] }, /privateSubnetCidrs\[0\]: "10\.0\.0\.0\/23" overlaps publicSubnetCidrs\[0\] "10\.0\.0\.0\/24"/));
    it("fails when subnet counts differ from the AZ count", () =>
      fails({ publicSubnetCidrs: ["10.0.0.0/24"] }, /publicSubnetCidrs: has 1 block\(s\) for 2 availability zone\(s\); give exactly one CIDR per availability zone/));
    it("fails on duplicate AZs", () =>
      fails({ availabilityZones: ["ap-northeast-1a", "ap-northeast-1a"] }, /availabilityZones\[1\]: "ap-northeast-1a" is listed twice/));
    it("fails on no AZ at all", () => fails({ availabilityZones: [], publicSubnetCidrs: [], privateSubnetCidrs: [] }, /availabilityZones: is empty/));
    it("fails on an unknown NAT placement, under the name it was given", () => {
      fails({ natPlacement: "perAZ" as never }, /natPlacement: "perAZ" is not a NAT placement; use "single" .* or "perAz"/);
      fails({ natGateways: "perAZ" as never }, /natGateways: "perAZ" is not a NAT placement/);
    });

    it("reads the deprecated natGateways as natPlacement, and refuses the two when they disagree", () => {
      expect(all(synthNetwork({ natGateways: "perAz" }), "aws_nat_gateway")).toHaveLength(2);
      fails({ natGateways: "perAz", natPlacement: "single" }, /natGateways: is the deprecated name of natPlacement and says "perAz" where natPlacement says "single"; drop natGateways/);
    });
    it("fails on a malformed EIP allocation id", () => fails({ eipAllocationIds: ["eip-123"] }, /eipAllocationIds\[0\]: "eip-123" is not valid; give an allocation id such as "eipalloc-/));
    it("fails when fewer EIP allocation ids than NAT gateways are given", () =>
      fails({ natPlacement: "perAz", eipAllocationIds: ["eipalloc-0123456789abcdef0"] }, /eipAllocationIds: has 1 id\(s\) for 2 NAT device\(s\) \(natPlacement "perAz"\); give exactly 2/));
    it("fails on an empty name", () => fails({ name: "" }, /name: "" is not valid; use 2-32 lowercase letters/));
    it("fails on a malformed name", () => fails({ name: "Demo_1" }, /name: "Demo_1" is not valid/));
    it("fails on an existing Internet Gateway without an existing VPC", () =>
      fails({ existingInternetGatewayId: "igw-0a1b2c3d4e5f67890" }, /existingInternetGatewayId: is set without existingVpcId/));
    it("fails on a flow log retention CloudWatch does not offer", () => fails({ flowLogs: { retentionDays: 10 } }, /flowLogs\.retentionDays: 10 is not a CloudWatch Logs retention period/));

    it("reports every problem at once, prefixed by the construct path", () => {
      try {
        synthNetwork({ vpcCidr: "bad", natPlacement: "x" as never });
        throw new Error("expected a ValidationError");
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError);
        const lines = (err as Error).message.split("\n");
        expect(lines).toHaveLength(2);
        lines.forEach((l) => expect(l.startsWith("test/network: ")).toBe(true));
      }
    });

    it("creates nothing when the props are bad", () => {
      const s = synthStack((scope) => {
        expect(() => new FixedEgressNetwork(scope, "network", networkProps({ vpcCidr: "nope" }))).toThrow(ValidationError);
      });
      expect(s.json.resource).toBeUndefined();
    });

    it("does not check values that are Terraform tokens", () => {
      const s = synthStack((scope) => {
        const cidr = new TerraformVariable(scope, "private_cidr", { type: "string" });
        new FixedEgressNetwork(scope, "network", networkProps({ privateSubnetCidrs: [cidr.stringValue, "10.0.11.0/24"] }));
      });
      expect(byPath(s, "aws_subnet", "private/subnet-ap-northeast-1a")[1].cidr_block).toBe("${var.private_cidr}");
    });
  });

  it("fails clearly on lists that are Terraform tokens: their length must be known at synth time", () => {
    expect(() =>
      synthStack((scope) => {
        const azs = new TerraformVariable(scope, "azs", { type: "list(string)" }).listValue;
        new FixedEgressNetwork(scope, "network", networkProps({ availabilityZones: azs }));
      }),
    ).toThrow(/^test\/network: availabilityZones: is a Terraform token \(from a data source or variable, say\), so its length is unknown at synth time/);
  });

  it("leaves no child in the tree when its props are bad", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "t");
    expect(() => new FixedEgressNetwork(stack, "network", networkProps({ vpcCidr: "nope" }))).toThrow(/^t\/network: vpcCidr:/);
    expect(stack.node.tryFindChild("network")).toBeUndefined();
  });
});
