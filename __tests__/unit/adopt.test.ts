/** make adopt's decision, from what the AWS API reports of a VPC: how it is adopted, or why it cannot be. */
import type { NatGateway, Route, RouteTable, Subnet } from "@aws-sdk/client-ec2";
import { Adoption, NetworkFacts, adoptedConfig, adoptionOf, table } from "../../jobs/adopt";
import { S3_ENDPOINT_NOTE } from "../../jobs/adoption";
import type { AdoptionOptions } from "../../jobs/adoption";
import { ADOPTION_MARKER_TAG } from "../../constructs";
import { loadConfig } from "../../stacks/config";
import { LOCAL_CONFIG, rawConfig, writeTempConfig } from "../helpers/config";

const IGW = "igw-0000000000000000a";
const tag = (Name: string, extra: Record<string, string> = {}) => [{ Key: "Name", Value: Name }, ...Object.entries(extra).map(([Key, Value]) => ({ Key, Value }))];
const subnet = (id: string, az: string, cidr: string, name: string): Subnet => ({ SubnetId: id, AvailabilityZone: az, CidrBlock: cidr, MapPublicIpOnLaunch: false, Tags: tag(name) });
const rt = (id: string, subnets: string[], target: Record<string, string> | undefined, main = false, name?: string): RouteTable => ({
  RouteTableId: id,
  Tags: name ? tag(name) : [],
  Associations: [...(main ? [{ Main: true, RouteTableId: id }] : []), ...subnets.map((s) => ({ Main: false, SubnetId: s, RouteTableId: id }))],
  Routes: [{ DestinationCidrBlock: "10.30.0.0/16", GatewayId: "local", State: "active" }, ...(target ? [{ DestinationCidrBlock: "0.0.0.0/0", State: "active", ...target } as Route] : [])],
});
const nat = (id: string, subnetId: string, alloc: string | undefined, ip: string): NatGateway => ({
  NatGatewayId: id,
  SubnetId: subnetId,
  State: "available",
  ConnectivityType: "public",
  NatGatewayAddresses: alloc ? [{ AllocationId: alloc, PublicIp: ip }] : [],
  Tags: tag(`${id}-name`, { "aws:createdBy": "console" }),
});

/** The console's network: public 1a on the main table, public 1c on public-rt, both private subnets on private-rt, one NAT in 1a. */
function consoleFacts(edit: (f: { subnets: Subnet[]; routeTables: RouteTable[]; natGateways: NatGateway[] }) => void = () => undefined): NetworkFacts {
  const f = {
    subnets: [
      subnet("subnet-0000000000000a001", "ap-northeast-1a", "10.30.0.0/24", "public-a"),
      subnet("subnet-0000000000000a002", "ap-northeast-1c", "10.30.1.0/24", "public-c"),
      subnet("subnet-0000000000000b001", "ap-northeast-1a", "10.30.10.0/24", "private-a"),
      subnet("subnet-0000000000000b002", "ap-northeast-1c", "10.30.11.0/24", "private-c"),
    ],
    routeTables: [
      rt("rtb-0000000000000000a", [], { GatewayId: IGW }, true),
      rt("rtb-0000000000000000b", ["subnet-0000000000000a002"], { GatewayId: IGW }, false, "public-rt"),
      rt("rtb-0000000000000000c", ["subnet-0000000000000b001", "subnet-0000000000000b002"], { NatGatewayId: "nat-0000000000000000d" }, false, "private-rt"),
    ],
    natGateways: [nat("nat-0000000000000000d", "subnet-0000000000000a001", "eipalloc-0000000000000000e", "198.51.100.7")],
  };
  edit(f);
  return {
    vpcId: "vpc-0123456789abcdef0",
    region: "ap-northeast-1",
    vpcCidr: "10.30.0.0/16",
    internetGatewayId: IGW,
    ...f,
    addresses: [{ AllocationId: "eipalloc-0000000000000000e", PublicIp: "198.51.100.7", Tags: tag("orders-egress") }],
  };
}

/**
 * Two NAT Gateways (nat-…d in public-a, nat-…1 in `secondIn`) and one private table per subnet: private-a's
 * 0.0.0.0/0 to `forA`, private-c's to `forC`.
 */
function twoNats(f: { routeTables: RouteTable[]; natGateways: NatGateway[] }, forA: string, forC: string, secondIn = "subnet-0000000000000a002"): void {
  f.routeTables[2] = rt("rtb-0000000000000000c", ["subnet-0000000000000b001"], { NatGatewayId: forA });
  f.routeTables.push(rt("rtb-0000000000000000f", ["subnet-0000000000000b002"], { NatGatewayId: forC }));
  f.natGateways.push(nat("nat-00000000000000001", secondIn, "eipalloc-00000000000000001", "198.51.100.8"));
}

function adopted(facts: NetworkFacts, options: Partial<AdoptionOptions> = {}): Adoption {
  const a = adoptionOf(facts, { name: "orders", ...options });
  if ("problems" in a) throw new Error(`refused: ${a.problems.join("\n")}`);
  return a;
}

const refusals = (facts: NetworkFacts, name = "orders"): string[] => {
  const a = adoptionOf(facts, { name });
  if (!("problems" in a)) throw new Error("expected a refusal");
  return a.problems;
};

describe("make adopt: what it decides from the API's answers", () => {
  it("adopts the console's network as it is: single NAT, the shared private table, the main table's public subnet, protected egress", () => {
    const a = adopted(consoleFacts());
    expect(a.network).toMatchObject({
      existingVpcId: "vpc-0123456789abcdef0",
      existingInternetGatewayId: IGW,
      vpcCidr: "10.30.0.0/16",
      availabilityZones: ["ap-northeast-1a", "ap-northeast-1c"],
      publicSubnetCidrs: ["10.30.0.0/24", "10.30.1.0/24"],
      privateSubnetCidrs: ["10.30.10.0/24", "10.30.11.0/24"],
      natPlacement: "single",
      natProvider: "gateway",
      protectEgressIps: true,
      // Off unless asked: an endpoint on shared tables would take the public source IP from everyone's S3 traffic.
      s3Endpoint: false,
    });
    expect(a.network.adopt).toEqual({
      publicSubnets: [
        { id: "subnet-0000000000000a001", tags: { Name: "public-a" } },
        { id: "subnet-0000000000000a002", tags: { Name: "public-c" } },
      ],
      privateSubnets: [
        { id: "subnet-0000000000000b001", tags: { Name: "private-a" } },
        { id: "subnet-0000000000000b002", tags: { Name: "private-c" } },
      ],
      publicRouteTables: [{ id: "rtb-0000000000000000a", main: true }, { id: "rtb-0000000000000000b", tags: { Name: "public-rt" } }],
      privateRouteTables: [
        { id: "rtb-0000000000000000c", tags: { Name: "private-rt" } },
        { id: "rtb-0000000000000000c", tags: { Name: "private-rt" } },
      ],
      // aws: tags are AWS's own: never written back
      natGateways: [{ id: "nat-0000000000000000d", allocationId: "eipalloc-0000000000000000e", tags: { Name: "nat-0000000000000000d-name" }, eipTags: { Name: "orders-egress" } }],
    });
    expect(a.egressIps).toEqual(["198.51.100.7"]);
    expect(a.notes).toEqual([S3_ENDPOINT_NOTE]);
    expect(S3_ENDPOINT_NOTE).toMatch(/aws:SourceIp/);
    expect(adopted(consoleFacts(), { s3Endpoint: true }).network.s3Endpoint).toBe(true);
  });

  it("takes the address AWS marks primary as allocation_id, wherever it is listed, and keeps every secondary one", () => {
    const a = adopted({
      ...consoleFacts((f) => {
        f.natGateways[0].NatGatewayAddresses = [
          { AllocationId: "eipalloc-0000000000000000f", PublicIp: "198.51.100.70", IsPrimary: false, Status: "succeeded" },
          { AllocationId: "eipalloc-0000000000000000e", PublicIp: "198.51.100.7", IsPrimary: true, Status: "succeeded" },
        ];
      }),
      addresses: [
        { AllocationId: "eipalloc-0000000000000000e", PublicIp: "198.51.100.7", Tags: tag("orders-egress") },
        { AllocationId: "eipalloc-0000000000000000f", PublicIp: "198.51.100.70", Tags: tag("orders-egress-2") },
      ],
    });
    expect(a.network.adopt.natGateways[0]).toMatchObject({ allocationId: "eipalloc-0000000000000000e", secondaryAddresses: [{ allocationId: "eipalloc-0000000000000000f", tags: { Name: "orders-egress-2" } }] });
    expect(a.egressIps).toEqual(["198.51.100.7", "198.51.100.70"]);
    expect(a.rows[0].elasticIp).toBe("198.51.100.7 eipalloc-0000000000000000e, 198.51.100.70 eipalloc-0000000000000000f");
  });

  it("refuses a gateway whose addresses are still changing, or that names no primary among several", () => {
    const changing = refusals(consoleFacts((f) => f.natGateways[0].NatGatewayAddresses!.push({ AllocationId: "eipalloc-0000000000000000f", PublicIp: "198.51.100.70", Status: "associating" })));
    expect(changing).toEqual([expect.stringMatching(/^NAT Gateway nat-0000000000000000d \(nat-0000000000000000d-name\) has addresses that are still changing \(eipalloc-0000000000000000f associating\); wait until they settle/)]);
    const unmarked = refusals(consoleFacts((f) => f.natGateways[0].NatGatewayAddresses!.push({ AllocationId: "eipalloc-0000000000000000f", PublicIp: "198.51.100.70" })));
    expect(unmarked).toEqual([expect.stringMatching(/reports 2 addresses and none of them as primary; make adopt cannot tell which one Terraform's allocation_id is, so it would replace the gateway/)]);
  });

  it("puts the AZ of the single NAT Gateway first, since the network places it in the first public subnet", () => {
    const a = adopted(consoleFacts((f) => (f.natGateways[0].SubnetId = "subnet-0000000000000a002")));
    expect(a.network.availabilityZones).toEqual(["ap-northeast-1c", "ap-northeast-1a"]);
    expect(a.network.adopt.publicSubnets[0]!.id).toBe("subnet-0000000000000a002");
    expect(a.network.adopt.privateSubnets[0].id).toBe("subnet-0000000000000b002");
  });

  it("recognizes perAz: each private subnet through the NAT Gateway of its own AZ", () => {
    const a = adopted(
      consoleFacts((f) => twoNats(f, "nat-0000000000000000d", "nat-00000000000000001")),
    );
    expect(a.network.natPlacement).toBe("perAz");
    expect(a.network.adopt.natGateways.map((n) => n.id)).toEqual(["nat-0000000000000000d", "nat-00000000000000001"]);
    expect(a.egressIps).toEqual(["198.51.100.7", "198.51.100.8"]);
  });

  it("creates a public subnet, in a free block on the NAT's route table, where a zone has none (single NAT)", () => {
    const a = adopted(consoleFacts((f) => (f.routeTables[1].Routes!.length = 1))); // public-c no longer reaches the Internet Gateway
    expect(a.network.publicSubnetCidrs).toEqual(["10.30.0.0/24", "10.30.2.0/24"]);
    expect(a.network.adopt.publicSubnets).toEqual([{ id: "subnet-0000000000000a001", tags: { Name: "public-a" } }, null]);
    expect(a.network.adopt.publicRouteTables).toEqual([{ id: "rtb-0000000000000000a", main: true }, { id: "rtb-0000000000000000a", main: true }]);
    expect(a.rows[1].publicSubnet).toBe("(new) 10.30.2.0/24");
    expect(a.notes).toEqual([
      "subnet subnet-0000000000000a002 (public-c) (ap-northeast-1c) has no 0.0.0.0/0 route: left as it is",
      "ap-northeast-1c has no public subnet: a new one, 10.30.2.0/24, is created there on subnet-0000000000000a001's route table (the network keeps one public subnet per zone; with one NAT Gateway nothing routes through it)",
      S3_ENDPOINT_NOTE,
    ]);
    const loaded = loadConfig(writeTempConfig(adoptedConfig(rawConfig(LOCAL_CONFIG), LOCAL_CONFIG, "/tmp/x/orders.json", "orders", a.network)));
    expect(loaded.network.adopt?.publicSubnets[1]).toBeNull();
  });

  it("fails when the VPC has no free block for that public subnet", () => {
    const problems = refusals({ ...consoleFacts((f) => (f.routeTables[1].Routes!.length = 1)), vpcCidr: "10.30.0.0/23" });
    expect(problems).toEqual([expect.stringMatching(/^ap-northeast-1c has private subnet subnet-0000000000000b002 \(private-c\) but no public subnet .*, and 10\.30\.0\.0\/23 has no free \/24 left for one: add a public subnet in ap-northeast-1c/)]);
  });

  it("turns the S3 endpoint off when the VPC has one, and names what it leaves alone", () => {
    const a = adopted({
      ...consoleFacts((f) => {
        f.subnets.push(subnet("subnet-0000000000000c001", "ap-northeast-1a", "10.30.20.0/24", "isolated"));
        f.routeTables.push(rt("rtb-00000000000000010", ["subnet-0000000000000c001"], undefined));
        f.natGateways.push(nat("nat-00000000000000002", "subnet-0000000000000a002", "eipalloc-00000000000000002", "198.51.100.9"));
      }),
      s3GatewayEndpointId: "vpce-0000000000000000a",
    });
    expect(a.network.s3Endpoint).toBe(false);
    expect(a.notes).toEqual([
      "subnet subnet-0000000000000c001 (isolated) (ap-northeast-1a) has no 0.0.0.0/0 route: left as it is",
      "NAT Gateway nat-00000000000000002 (nat-00000000000000002-name) is not the 0.0.0.0/0 target of any subnet: left as it is (it is still billed)",
      "S3 gateway endpoint vpce-0000000000000000a already serves the VPC: s3Endpoint is off, so no second one is made",
    ]);
    expect(adopted({ ...consoleFacts(), s3GatewayEndpointId: "vpce-0000000000000000a" }, { s3Endpoint: true }).network.s3Endpoint).toBe(false);
  });

  it("writes a config that loads, with the base config's settings and lambda section", () => {
    const base = rawConfig(LOCAL_CONFIG);
    const config = adoptedConfig(base, LOCAL_CONFIG, "/tmp/x/orders.json", "orders", adopted(consoleFacts()).network);
    expect(config).toMatchObject({ name: "orders", region: base.region, backend: base.backend, emulator: base.emulator, lambda: base.lambda, tags: base.tags });
    const loaded = loadConfig(writeTempConfig(config));
    expect(loaded.network.adopt?.privateRouteTables.map((t) => t.id)).toEqual(["rtb-0000000000000000c", "rtb-0000000000000000c"]);
  });

  it("prints its findings as aligned columns", () => {
    expect(table([["AZ", "NAT"], ["ap-northeast-1a", "nat-1"]])).toBe("AZ               NAT\nap-northeast-1a  nat-1");
  });

  describe("refusals: one sentence each, naming the resource and what to do", () => {
    it("fails on a private subnet routed to a NAT instance", () => {
      const problems = refusals(consoleFacts((f) => (f.routeTables[2].Routes![1] = { DestinationCidrBlock: "0.0.0.0/0", State: "active", InstanceId: "i-0000000000000000a", NetworkInterfaceId: "eni-0000000000000000a" })));
      expect(problems).toEqual([
        "route table rtb-0000000000000000c (private-rt), used by subnets subnet-0000000000000b001 (private-a) in ap-northeast-1a, subnet-0000000000000b002 (private-c) in ap-northeast-1c, sends 0.0.0.0/0 to instance i-0000000000000000a, a NAT instance; make adopt takes NAT Gateways only: replace the NAT instance by a NAT Gateway that takes over its Elastic IP, then run make adopt again",
      ]);
    });

    it("fails on a private subnet routed through a peering connection", () => {
      const problems = refusals(consoleFacts((f) => (f.routeTables[2].Routes![1] = { DestinationCidrBlock: "0.0.0.0/0", State: "active", VpcPeeringConnectionId: "pcx-0000000000000000a" })));
      expect(problems[0]).toMatch(/sends 0\.0\.0\.0\/0 to peering connection pcx-0000000000000000a: its traffic leaves through another network, whose address this VPC does not own/);
    });

    it("fails on a route to a target that is gone", () => {
      const problems = refusals(consoleFacts((f) => (f.routeTables[2].Routes![1].State = "blackhole")));
      expect(problems[0]).toMatch(/sends 0\.0\.0\.0\/0 to NAT Gateway nat-0000000000000000d, which no longer exists \(a blackhole route\)/);
    });

    it("fails when there is no NAT Gateway at all", () => {
      const problems = refusals(consoleFacts((f) => ((f.routeTables[2].Routes!.length = 1), (f.natGateways.length = 0))));
      expect(problems).toEqual([
        "VPC vpc-0123456789abcdef0 has no NAT Gateway, so there is no egress IP to keep; build the network with make deploy instead (it makes a new one), or add a NAT Gateway with an Elastic IP and route the private subnets to it, then run make adopt again",
      ]);
    });

    it("fails when a NAT Gateway exists but no subnet routes to it", () => {
      expect(refusals(consoleFacts((f) => (f.routeTables[2].Routes!.length = 1)))[0]).toMatch(/^no subnet of VPC vpc-0123456789abcdef0 sends 0\.0\.0\.0\/0 to a NAT Gateway \(nat-0000000000000000d is unused\)/);
    });

    it("fails on a NAT Gateway without an Elastic IP, and on a private NAT Gateway", () => {
      expect(refusals(consoleFacts((f) => (f.natGateways[0].NatGatewayAddresses = []))))
        .toEqual([expect.stringMatching(/^NAT Gateway nat-0000000000000000d \(nat-0000000000000000d-name\) has no Elastic IP, so there is no fixed egress IP to keep/)]);
      expect(refusals(consoleFacts((f) => (f.natGateways[0].ConnectivityType = "private"))))
        .toEqual([expect.stringMatching(/is a private NAT Gateway: it has no Elastic IP and no way to the internet/)]);
    });

    it("fails on a NAT Gateway in a subnet that does not reach the Internet Gateway", () => {
      const problems = refusals(consoleFacts((f) => (f.natGateways[0].SubnetId = "subnet-0000000000000b001")));
      expect(problems).toEqual([expect.stringMatching(/^NAT Gateway nat-0000000000000000d \(nat-0000000000000000d-name\) sits in subnet subnet-0000000000000b001, which does not send 0\.0\.0\.0\/0 to the Internet Gateway/)]);
    });

    it("fails on a zone without a public subnet under perAz, where that zone's NAT Gateway would sit", () => {
      const problems = refusals(
        consoleFacts((f) => {
          f.routeTables[1].Routes!.length = 1; // public-c no longer reaches the Internet Gateway
          twoNats(f, "nat-0000000000000000d", "nat-00000000000000001", "subnet-0000000000000a001");
        }),
      );
      expect(problems).toEqual([expect.stringMatching(/^the private subnets use 2 NAT Gateways for 2 availability zones/)]);
    });

    it("fails on two private subnets in one AZ", () => {
      const problems = refusals(consoleFacts((f) => (f.subnets[3].AvailabilityZone = "ap-northeast-1a")));
      expect(problems[0]).toMatch(/^ap-northeast-1a has 2 private subnets \(subnet-0000000000000b001, subnet-0000000000000b002\); the network keeps one private subnet per availability zone/);
    });

    it("fails on NAT Gateways that are neither single nor one per AZ in its own AZ", () => {
      const problems = refusals(
        consoleFacts((f) => twoNats(f, "nat-00000000000000001", "nat-0000000000000000d")),
      );
      expect(problems).toEqual([expect.stringMatching(/^the private subnets use 2 NAT Gateways for 2 availability zones \(subnet-0000000000000b001 \(ap-northeast-1a\) → nat-00000000000000001 \(ap-northeast-1c\), /)]);
    });

    it("fails on resources a fixed-egress stack already manages (its provider's Project and Stack tags)", () => {
      const problems = refusals(consoleFacts((f) => f.natGateways[0].Tags!.push({ Key: "Project", Value: "fixed-egress" }, { Key: "Stack", Value: "demo-network" })));
      expect(problems).toEqual([
        "NAT Gateway nat-0000000000000000d (nat-0000000000000000d-name) is managed by fixed-egress stack demo-network (its Project and Stack tags); a resource in two states is destroyed by either: deploy that environment's config instead, or remove it from that stack's state first (terraform state rm)",
      ]);
    });

    it("fails on what another network adopted, by the marker on the resource itself, whatever its Project tag says; the same name may adopt it again", () => {
      const facts = consoleFacts((f) => {
        f.natGateways[0].Tags!.push({ Key: "Project", Value: "payments" }, { Key: ADOPTION_MARKER_TAG, Value: "orders" });
        f.subnets[2].Tags!.push({ Key: ADOPTION_MARKER_TAG, Value: "orders" });
      });
      expect(refusals(facts, "orders-2")).toEqual([
        `subnet subnet-0000000000000b001 (private-a) was adopted by the fixed-egress network "orders" (its ${ADOPTION_MARKER_TAG} tag); a resource in two states is changed or deleted by either: deploy "orders"'s config instead, or destroy "orders" first (it forgets what it adopted), then run make adopt again`,
        expect.stringMatching(/^NAT Gateway nat-0000000000000000d \(nat-0000000000000000d-name\) was adopted by the fixed-egress network "orders"/),
      ]);
      expect(adopted(facts).network.adopt.natGateways[0].id).toBe("nat-0000000000000000d");
    });

    it("fails on what CloudFormation, Service Catalog or Elastic Beanstalk own, naming the owner and the way out", () => {
      const problems = refusals({
        ...consoleFacts((f) => f.routeTables[2].Tags!.push({ Key: "aws:cloudformation:stack-name", Value: "legacy-network" })),
        addresses: [{ AllocationId: "eipalloc-0000000000000000e", PublicIp: "198.51.100.7", Tags: [{ Key: "elasticbeanstalk:environment-name", Value: "orders-prod" }] }],
      });
      expect(problems).toEqual([
        'route table rtb-0000000000000000c (private-rt) belongs to CloudFormation stack "legacy-network" (its aws:cloudformation:stack-name tag), which would change it back or delete it with itself; take it out of that stack first (DeletionPolicy: Retain on it, update the stack, then remove it from the template and update again), then run make adopt again',
        'Elastic IP 198.51.100.7 (eipalloc-0000000000000000e) belongs to Elastic Beanstalk environment "orders-prod" (its elasticbeanstalk:environment-name tag), which would change it back or delete it with itself; move the environment off it or terminate the environment first, then run make adopt again',
      ]);
    });

    it("fails on subnet settings the network would rewrite on its first apply: public subnets that disagree on public IPs, DNS64 on a dual-stack private subnet", () => {
      const problems = refusals(
        consoleFacts((f) => {
          f.subnets[0].MapPublicIpOnLaunch = true;
          f.subnets[3].EnableDns64 = true;
        }),
      );
      expect(problems).toEqual([
        "public subnet subnet-0000000000000a001 (public-a) has MapPublicIpOnLaunch true, which the network would change on its first apply (it keeps one setting for all public subnets and none for private ones); give every public subnet the same setting and no private subnet a public IP on launch (aws ec2 modify-subnet-attribute --subnet-id subnet-0000000000000a001 --[no-]map-public-ip-on-launch), then run make adopt again",
        "public subnet subnet-0000000000000a002 (public-c) has MapPublicIpOnLaunch false, which the network would change on its first apply (it keeps one setting for all public subnets and none for private ones); give every public subnet the same setting and no private subnet a public IP on launch (aws ec2 modify-subnet-attribute --subnet-id subnet-0000000000000a002 --[no-]map-public-ip-on-launch), then run make adopt again",
        "private subnet subnet-0000000000000b002 (private-c) has EnableDns64 on, which the network would change on its first apply (it keeps the provider's default, off); turn DNS64 off (aws ec2 modify-subnet-attribute --subnet-id subnet-0000000000000b002 --no-enable-dns64), then run make adopt again",
      ]);
    });

    it("adopts public subnets that all give public IPs on launch, keeping that setting", () => {
      const a = adopted(consoleFacts((f) => [0, 1].forEach((i) => (f.subnets[i].MapPublicIpOnLaunch = true))));
      expect(a.network.mapPublicIpOnLaunch).toBe(true);
    });

    it("fails on a VPC without an Internet Gateway", () => {
      expect(refusals({ ...consoleFacts(), internetGatewayId: undefined })[0]).toMatch(/^VPC vpc-0123456789abcdef0 has no Internet Gateway attached/);
    });
  });
});
