/** FixedEgressNetwork's `adopt`: a hand-built network imported in the shape it has, its egress IP kept. */
import { ADOPTION_MARKER_TAG, FixedEgressNetwork, FixedEgressNetworkProps, NatProvider, ValidationError } from "../../constructs";
import type { AdoptedNetwork } from "../../constructs";
import { all, byPath, Json, one, ref, synthStack, Synthesized } from "../helpers/synth";
import { ZONES, networkProps } from "../helpers/network-props";

const VPC = "vpc-0123456789abcdef0";
const ids = {
  publicA: "subnet-0000000000000a001",
  publicC: "subnet-0000000000000a002",
  privateA: "subnet-0000000000000b001",
  privateC: "subnet-0000000000000b002",
  main: "rtb-0000000000000000a",
  publicRt: "rtb-0000000000000000b",
  privateRt: "rtb-0000000000000000c",
  nat: "nat-0000000000000000d",
  alloc: "eipalloc-0000000000000000e",
};

/** The console's topology: public 1a on the main table, public 1c on its own, both private subnets on one table. */
const consoleAdopt = (over: Partial<AdoptedNetwork> = {}): AdoptedNetwork => ({
  publicSubnets: [{ id: ids.publicA, tags: { Name: "orders-public-a", Team: "orders" } }, { id: ids.publicC }],
  privateSubnets: [{ id: ids.privateA, tags: { Name: "orders-private-a" } }, { id: ids.privateC }],
  publicRouteTables: [{ id: ids.main, main: true }, { id: ids.publicRt, tags: { Name: "orders-public-rt" } }],
  privateRouteTables: [{ id: ids.privateRt, tags: { Name: "orders-private-rt" } }, { id: ids.privateRt, tags: { Name: "orders-private-rt" } }],
  natGateways: [{ id: ids.nat, allocationId: ids.alloc, tags: { Name: "orders-nat" }, eipTags: { Name: "orders-egress", Owner: "dba" } }],
  ...over,
});

const adoptedProps = (over: Partial<FixedEgressNetworkProps> = {}): FixedEgressNetworkProps =>
  networkProps({ existingVpcId: VPC, vpcCidr: undefined, protectEgressIps: true, tags: { Owner: "platform" }, adopt: consoleAdopt(), ...over });

const synthAdopted = (over: Partial<FixedEgressNetworkProps> = {}): Synthesized => synthStack((scope) => new FixedEgressNetwork(scope, "network", adoptedProps(over)));

/** The import id Terraform is given for the resource at `type`.`logicalId`. */
function importIdOf(s: Synthesized, type: string, logicalId: string): string | undefined {
  return ((s.json.import ?? []) as { to: string; id: string }[]).find((i) => i.to === `${type}.${logicalId}`)?.id;
}

const errorOf = (props: FixedEgressNetworkProps): string => {
  try {
    synthStack((scope) => new FixedEgressNetwork(scope, "network", props));
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as Error).message;
  }
  throw new Error("expected a ValidationError");
};

describe("FixedEgressNetwork adopting a hand-built network", () => {
  const s = synthAdopted();

  it("imports every subnet by its id, with the CIDRs and AZs the config gives", () => {
    const expected: [string, string][] = [
      ["public/subnet-ap-northeast-1a", ids.publicA],
      ["public/subnet-ap-northeast-1c", ids.publicC],
      ["private/subnet-ap-northeast-1a", ids.privateA],
      ["private/subnet-ap-northeast-1c", ids.privateC],
    ];
    for (const [path, id] of expected) {
      const [logical, subnet] = byPath(s, "aws_subnet", path);
      expect(importIdOf(s, "aws_subnet", logical)).toBe(id);
      expect(subnet.vpc_id).toBe(VPC);
    }
  });

  it("keeps one shared private route table for both private subnets, with one 0.0.0.0/0 route to the NAT Gateway", () => {
    const [table] = byPath(s, "aws_route_table", "private/route-table-ap-northeast-1a");
    expect(importIdOf(s, "aws_route_table", table)).toBe(ids.privateRt);
    expect(all(s, "aws_route_table").filter(([id]) => id.includes("_private_"))).toHaveLength(1);
    for (const i of [0, 1]) {
      const [assoc, body] = byPath(s, "aws_route_table_association", `private/association-${ZONES[i]}`);
      expect(body.route_table_id).toBe(ref("aws_route_table", table));
      expect(importIdOf(s, "aws_route_table_association", assoc)).toBe(`${[ids.privateA, ids.privateC][i]}/${ids.privateRt}`);
    }
    const routes = all(s, "aws_route").filter(([, r]) => r.route_table_id === ref("aws_route_table", table));
    expect(routes).toHaveLength(1);
    const [nat] = one(s, "aws_nat_gateway");
    expect(routes[0][1]).toMatchObject({ destination_cidr_block: "0.0.0.0/0", nat_gateway_id: ref("aws_nat_gateway", nat) });
    expect(importIdOf(s, "aws_route", routes[0][0])).toBe(`${ids.privateRt}_0.0.0.0/0`);
  });

  it("manages only the 0.0.0.0/0 route of the VPC's main route table: no table resource, no association for the subnet that uses it implicitly", () => {
    expect(((s.json.import ?? []) as { id: string }[]).map((i) => i.id)).not.toContain(ids.main);
    expect(all(s, "aws_route_table")).toHaveLength(2); // public-rt and private-rt
    const [route, body] = byPath(s, "aws_route", "public/default-route-ap-northeast-1a");
    expect(body).toMatchObject({ route_table_id: ids.main, destination_cidr_block: "0.0.0.0/0" });
    expect(importIdOf(s, "aws_route", route)).toBe(`${ids.main}_0.0.0.0/0`);
    expect(() => byPath(s, "aws_route_table_association", "public/association-ap-northeast-1a")).toThrow();
  });

  it("imports the other public table, its association and its route to the Internet Gateway", () => {
    const [table] = byPath(s, "aws_route_table", "public/route-table-ap-northeast-1c");
    expect(importIdOf(s, "aws_route_table", table)).toBe(ids.publicRt);
    const [assoc, a] = byPath(s, "aws_route_table_association", "public/association-ap-northeast-1c");
    expect(a.route_table_id).toBe(ref("aws_route_table", table));
    expect(importIdOf(s, "aws_route_table_association", assoc)).toBe(`${ids.publicC}/${ids.publicRt}`);
    const [route, r] = byPath(s, "aws_route", "public/default-route-ap-northeast-1c");
    expect(r.route_table_id).toBe(ref("aws_route_table", table));
    expect(r.gateway_id).toMatch(/^\$\{data\.aws_internet_gateway\./);
    expect(importIdOf(s, "aws_route", route)).toBe(`${ids.publicRt}_0.0.0.0/0`);
  });

  it("imports the NAT Gateway and its Elastic IP (the egress IP stays), protected from release", () => {
    const [nat, body] = one(s, "aws_nat_gateway");
    const [eip, e] = one(s, "aws_eip");
    expect(importIdOf(s, "aws_nat_gateway", nat)).toBe(ids.nat);
    expect(importIdOf(s, "aws_eip", eip)).toBe(ids.alloc);
    expect(body).toMatchObject({ allocation_id: ref("aws_eip", eip, "allocation_id"), connectivity_type: "public", subnet_id: ref("aws_subnet", byPath(s, "aws_subnet", "public/subnet-ap-northeast-1a")[0]) });
    expect(e.lifecycle).toEqual({ prevent_destroy: true });
  });

  it("keeps every existing tag value and adds only the project's tags, and on each adopted resource the marker of the network that adopted it", () => {
    const marker = { [ADOPTION_MARKER_TAG]: "demo" };
    expect(byPath(s, "aws_subnet", "public/subnet-ap-northeast-1a")[1].tags).toEqual({ Name: "orders-public-a", Team: "orders", Owner: "platform", ...marker });
    expect(byPath(s, "aws_subnet", "public/subnet-ap-northeast-1c")[1].tags).toEqual({ Name: "public-demo-ap-northeast-1c", Owner: "platform", ...marker });
    expect(one(s, "aws_eip")[1].tags).toEqual({ Name: "orders-egress", Owner: "dba", ...marker });
    expect(one(s, "aws_nat_gateway")[1].tags).toEqual({ Name: "orders-nat", Owner: "platform", ...marker });
    expect(byPath(s, "aws_route_table", "private/route-table-ap-northeast-1a")[1].tags).toEqual({ Name: "orders-private-rt", Owner: "platform", ...marker });
    // Nothing the construct creates carries it (the S3 endpoint is created).
    expect(one(s, "aws_vpc_endpoint")[1].tags[ADOPTION_MARKER_TAG]).toBeUndefined();
  });

  it("creates only what the config adds: the S3 gateway endpoint, on the one private table", () => {
    const imported = new Set(((s.json.import ?? []) as { to: string }[]).map((i) => i.to));
    const created = Object.entries(s.json.resource as Record<string, Json>).flatMap(([type, byId]) => Object.keys(byId).map((id) => `${type}.${id}`)).filter((a) => !imported.has(a));
    expect(created).toEqual([expect.stringMatching(/^aws_vpc_endpoint\./)]);
    const [table] = byPath(s, "aws_route_table", "private/route-table-ap-northeast-1a");
    expect(one(s, "aws_vpc_endpoint")[1].route_table_ids).toEqual([ref("aws_route_table", table)]);
    expect(all(s, "aws_vpc")).toEqual([]);
    expect(all(s, "aws_internet_gateway")).toEqual([]);
  });

  it("exposes the adopted tables: the main one by id only", () => {
    let network!: FixedEgressNetwork;
    synthStack((scope) => (network = new FixedEgressNetwork(scope, "network", adoptedProps())));
    expect(network.publicRouteTableIds[0]).toBe(ids.main);
    expect(network.publicRouteTables).toHaveLength(1);
    expect(network.privateRouteTables).toHaveLength(1);
    expect(network.privateRouteTableIds).toHaveLength(1);
  });

  it("perAz: one table per private subnet, each route to the NAT Gateway of its own AZ", () => {
    const p = synthAdopted({
      natPlacement: "perAz",
      adopt: consoleAdopt({
        privateRouteTables: [{ id: ids.privateRt }, { id: "rtb-0000000000000000f" }],
        natGateways: [
          { id: ids.nat, allocationId: ids.alloc },
          { id: "nat-00000000000000001", allocationId: "eipalloc-00000000000000001" },
        ],
      }),
    });
    for (const i of [0, 1]) {
      const [table] = byPath(p, "aws_route_table", `private/route-table-${ZONES[i]}`);
      const [nat] = byPath(p, "aws_nat_gateway", `nat/gateway-${ZONES[i]}`);
      const [, route] = byPath(p, "aws_route", `private/default-route-${ZONES[i]}`);
      expect(route).toMatchObject({ route_table_id: ref("aws_route_table", table), nat_gateway_id: ref("aws_nat_gateway", nat) });
    }
  });

  it("private subnets left on the main route table: only its 0.0.0.0/0 to the NAT Gateway is managed, and the S3 endpoint uses that table", () => {
    const p = synthAdopted({
      adopt: consoleAdopt({
        publicRouteTables: [{ id: ids.publicRt }, { id: ids.publicRt }],
        privateRouteTables: [{ id: ids.main, main: true }, { id: ids.main, main: true }],
      }),
    });
    expect(() => byPath(p, "aws_route_table", "private/route-table-ap-northeast-1a")).toThrow();
    expect(all(p, "aws_route_table_association").filter(([id]) => id.includes("_private_"))).toEqual([]);
    const [route, body] = byPath(p, "aws_route", "private/default-route-ap-northeast-1a");
    expect(body).toMatchObject({ route_table_id: ids.main, nat_gateway_id: ref("aws_nat_gateway", one(p, "aws_nat_gateway")[0]) });
    expect(importIdOf(p, "aws_route", route)).toBe(`${ids.main}_0.0.0.0/0`);
    expect(one(p, "aws_vpc_endpoint")[1].route_table_ids).toEqual([ids.main]);
    // Both public subnets on one table: one table, one route, two associations.
    expect(all(p, "aws_route_table")).toHaveLength(1);
    expect(all(p, "aws_route_table_association")).toHaveLength(2);
  });

  it("creates the public subnet of a zone that has none, on the adopted public table (a new association, nothing imported for it)", () => {
    const p = synthAdopted({ adopt: consoleAdopt({ publicSubnets: [{ id: ids.publicA }, null], publicRouteTables: [{ id: ids.publicRt }, { id: ids.publicRt }] }) });
    const [subnet, body] = byPath(p, "aws_subnet", "public/subnet-ap-northeast-1c");
    expect(importIdOf(p, "aws_subnet", subnet)).toBeUndefined();
    expect(body).toMatchObject({ cidr_block: "10.0.1.0/24", availability_zone: "ap-northeast-1c", tags: { Name: "public-demo-ap-northeast-1c", Owner: "platform" } });
    const [assoc, a] = byPath(p, "aws_route_table_association", "public/association-ap-northeast-1c");
    expect(a.subnet_id).toBe(ref("aws_subnet", subnet));
    expect(importIdOf(p, "aws_route_table_association", assoc)).toBeUndefined();
    expect(importIdOf(p, "aws_route_table_association", byPath(p, "aws_route_table_association", "public/association-ap-northeast-1a")[0])).toBe(`${ids.publicA}/${ids.publicRt}`);
    // On the main route table it needs no association at all.
    const onMain = synthAdopted({ adopt: consoleAdopt({ publicSubnets: [{ id: ids.publicA }, null], publicRouteTables: [{ id: ids.main, main: true }, { id: ids.main, main: true }] }) });
    expect(all(onMain, "aws_route_table_association").filter(([id]) => id.includes("_public_"))).toEqual([]);
  });

  it("fails when the public subnet of a NAT device is left to be created", () => {
    expect(errorOf(adoptedProps({ adopt: consoleAdopt({ publicSubnets: [null, { id: ids.publicC }] }) }))).toContain(
      "adopt.publicSubnets[0]: is null, but NAT device 0 sits in that zone's public subnet (adopt.natGateways[0]); give the subnet the NAT Gateway is in",
    );
  });

  it("fails without existingVpcId", () => {
    expect(errorOf(adoptedProps({ existingVpcId: undefined }))).toContain("test/network: adopt: is set without existingVpcId; adopted resources live in an existing VPC: set existingVpcId to it");
  });

  it("fails when a private route table is shared with natPlacement perAz", () => {
    const message = errorOf(adoptedProps({ natPlacement: "perAz", adopt: consoleAdopt({ natGateways: [{ id: ids.nat, allocationId: ids.alloc }, { id: "nat-00000000000000001", allocationId: "eipalloc-00000000000000001" }] }) }));
    expect(message).toContain(`adopt.privateRouteTables[1].id: "${ids.privateRt}" is shared with privateRouteTables[0], but natPlacement "perAz" points each AZ's table at its own NAT Gateway`);
  });

  it("fails when the lists do not have one entry per AZ or per NAT device", () => {
    const message = errorOf(adoptedProps({ adopt: consoleAdopt({ privateSubnets: [{ id: ids.privateA }], natGateways: [] }) }));
    expect(message).toContain("adopt.privateSubnets: has 1 entry for 2 availability zone(s); give exactly one per availability zone, in the same order");
    expect(message).toContain("adopt.natGateways: has 0 NAT Gateway(s) for 1 NAT device(s); give exactly 1");
  });

  it("fails on malformed ids, a subnet listed twice, a table both public and private, and reserved tag keys", () => {
    const message = errorOf(
      adoptedProps({
        adopt: consoleAdopt({
          publicSubnets: [{ id: "subnet-xyz" }, { id: ids.privateA }],
          privateRouteTables: [{ id: ids.publicRt }, { id: ids.publicRt }],
          natGateways: [{ id: ids.nat, allocationId: "eip-1", tags: { "aws:cloudformation:stack-name": "x" } }],
        }),
      }),
    );
    expect(message).toContain('adopt.publicSubnets[0].id: "subnet-xyz" is not valid; give an id such as "subnet-0a1b2c3d4e5f67890"');
    expect(message).toContain(`adopt.privateSubnets[0].id: "${ids.privateA}" is already adopt.publicSubnets[1]; each subnet is public or private, once`);
    expect(message).toContain(`adopt.privateRouteTables[0].id: "${ids.publicRt}" is also a public route table`);
    expect(message).toContain('adopt.natGateways[0].allocationId: "eip-1" is not valid');
    expect(message).toContain("adopt.natGateways[0].tags.aws:cloudformation:stack-name: is a tag key AWS reserves");
  });

  it("fails with eipAllocationIds beside adopted NAT Gateways, and with the instance provider", () => {
    const message = errorOf(adoptedProps({ eipAllocationIds: [ids.alloc], protectEgressIps: false, natProvider: NatProvider.instance() }));
    expect(message).toContain("eipAllocationIds: is set with adopt; adopted NAT Gateways keep their own Elastic IPs");
    expect(message).toContain('natProvider: is "instance" with adopt.natGateways; an adopted network keeps its NAT Gateways, so use the gateway provider');
  });

  it("leaves nothing in the tree when it fails", () => {
    synthStack((scope) => {
      expect(() => new FixedEgressNetwork(scope, "network", adoptedProps({ existingVpcId: undefined }))).toThrow(ValidationError);
      expect(scope.node.tryFindChild("network")).toBeUndefined();
    });
  });
});
