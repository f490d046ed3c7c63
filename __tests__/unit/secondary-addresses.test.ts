/** Secondary Elastic IPs on NAT Gateways: created (natGatewaySecondaryEips) or adopted with the gateway; every one an egress IP. */
import { TerraformOutput } from "cdktf";
import { FixedEgressNetwork, FixedEgressNetworkProps, NatProvider, networkOutputs } from "../../constructs";
import { ZONES, THREE_AZS, consoleAdoption, networkProps } from "../helpers/network-props";
import { all, byPath, ref, synthStack, Synthesized } from "../helpers/synth";

const synth = (over: Partial<FixedEgressNetworkProps>): Synthesized =>
  synthStack((scope) => {
    const network = new FixedEgressNetwork(scope, "network", networkProps(over));
    for (const { name, value } of networkOutputs(network)) new TerraformOutput(scope, name, { value });
  });
const fails = (over: Partial<FixedEgressNetworkProps>, message: RegExp) => expect(() => synth(over)).toThrow(message);

describe("secondary addresses", () => {
  it("natGatewaySecondaryEips: 2 gives the NAT Gateway two more Elastic IPs of its zone, and egress_ips all three, primary first", () => {
    const s = synth({ natGatewaySecondaryEips: 2 });
    const [primary, body] = byPath(s, "aws_eip", `nat/eip-${ZONES[0]}`);
    const [second] = byPath(s, "aws_eip", `nat/eip-${ZONES[0]}-1`);
    const [third, thirdBody] = byPath(s, "aws_eip", `nat/eip-${ZONES[0]}-2`);
    expect(all(s, "aws_eip")).toHaveLength(3);
    expect(thirdBody.tags).toMatchObject({ Name: `egress-demo-${ZONES[0]}-2` });
    expect(body.tags).toMatchObject({ Name: `egress-demo-${ZONES[0]}` });
    const [, gateway] = byPath(s, "aws_nat_gateway", `nat/gateway-${ZONES[0]}`);
    expect(gateway.allocation_id).toBe(ref("aws_eip", primary, "allocation_id"));
    expect(gateway.secondary_allocation_ids).toEqual([ref("aws_eip", second, "allocation_id"), ref("aws_eip", third, "allocation_id")]);
    expect(s.json.output.egress_ips.value).toEqual([primary, second, third].map((e) => ref("aws_eip", e, "public_ip")));
  });

  it("creates each secondary before, and destroys it after, the gateway's update (AWS refuses to release an address a gateway holds); the primary keeps no such order", () => {
    const s = synth({ natGatewaySecondaryEips: 2 });
    for (const n of [1, 2]) expect(byPath(s, "aws_eip", `nat/eip-${ZONES[0]}-${n}`)[1].lifecycle).toEqual({ create_before_destroy: true });
    expect(byPath(s, "aws_eip", `nat/eip-${ZONES[0]}`)[1].lifecycle).toBeUndefined();
    expect(byPath(synth({ natGatewaySecondaryEips: 1, protectEgressIps: true }), "aws_eip", `nat/eip-${ZONES[0]}-1`)[1].lifecycle).toEqual({ create_before_destroy: true, prevent_destroy: true });
  });

  it("never replaces a NAT Gateway create-before-destroy (AWS refuses an allocation the old gateway still holds): destroy first", () => {
    const s = synth({ natGatewaySecondaryEips: 1 });
    for (const [, body] of all(s, "aws_nat_gateway")) expect(body.lifecycle?.create_before_destroy).toBeUndefined();
  });

  it("perAz: each zone's NAT Gateway gets its own, keyed by its zone", () => {
    const s = synth({ ...THREE_AZS, natPlacement: "perAz", natGatewaySecondaryEips: 1 });
    for (const zone of ZONES) {
      const [second] = byPath(s, "aws_eip", `nat/eip-${zone}-1`);
      expect(byPath(s, "aws_nat_gateway", `nat/gateway-${zone}`)[1].secondary_allocation_ids).toEqual([ref("aws_eip", second, "allocation_id")]);
    }
    expect(s.json.output.egress_ips.value).toHaveLength(6);
  });

  it("sets no secondary_allocation_ids without secondaries: a network of 0.3.x plans no change", () => {
    expect(byPath(synth({}), "aws_nat_gateway", `nat/gateway-${ZONES[0]}`)[1].secondary_allocation_ids).toBeUndefined();
  });

  it("keeps an adopted gateway's secondary addresses: each imported by its allocation, on the gateway, in egress_ips", () => {
    const s = synth(consoleAdoption({ secondaryAddresses: [{ allocationId: "eipalloc-0000000000000000f", tags: { Name: "second" } }] }));
    const [second, body] = byPath(s, "aws_eip", "nat/eip-eipalloc-0000000000000000f");
    expect(body.tags).toMatchObject({ Name: "second" });
    expect((s.json.import as { to: string; id: string }[]).find((i) => i.to === `aws_eip.${second}`)?.id).toBe("eipalloc-0000000000000000f");
    expect(byPath(s, "aws_nat_gateway", `nat/gateway-${ZONES[0]}`)[1].secondary_allocation_ids).toEqual([ref("aws_eip", second, "allocation_id")]);
    expect(s.json.output.egress_ips.value).toHaveLength(2);
  });

  it("refuses what AWS or the provider cannot do, before anything is built", () => {
    fails({ natGatewaySecondaryEips: 8 }, /natGatewaySecondaryEips: 8 is out of range; use a whole number of addresses from 0 to 7/);
    fails({ natGatewaySecondaryEips: 1, natProvider: NatProvider.instance() }, /natGatewaySecondaryEips: asks for 2 addresses per NAT device, but natProvider "instance" holds 1; use NatProvider\.gateway\(\)/);
    fails(
      {
        existingVpcId: "vpc-0123456789abcdef0",
        vpcCidr: undefined,
        natGatewaySecondaryEips: 1,
        adopt: {
          publicSubnets: [{ id: "subnet-0000000000000a001" }, { id: "subnet-0000000000000a002" }],
          privateSubnets: [{ id: "subnet-0000000000000b001" }, { id: "subnet-0000000000000b002" }],
          publicRouteTables: [{ id: "rtb-0000000000000000a" }, { id: "rtb-0000000000000000a" }],
          privateRouteTables: [{ id: "rtb-0000000000000000c" }, { id: "rtb-0000000000000000c" }],
          natGateways: [{ id: "nat-0000000000000000d", allocationId: "eipalloc-0000000000000000e", secondaryAddresses: [{ allocationId: "eipalloc-0000000000000000e" }] }],
        },
      },
      /adopt\.natGateways\[0\]\.secondaryAddresses\[0\]\.allocationId: "eipalloc-0000000000000000e" is the gateway's primary allocation[\s\S]*natGatewaySecondaryEips: is set with adopt; an adopted NAT Gateway keeps the addresses it has/,
    );
  });
});
