/** perAz NAT on three AZs, and bring-your-own Elastic IPs that outlive the stack. */
import { AllocateAddressCommand, DescribeAddressesCommand, DescribeNatGatewaysCommand, DescribeRouteTablesCommand, DescribeSubnetsCommand, EC2Client, ReleaseAddressCommand } from "@aws-sdk/client-ec2";
import { Deployment, emulatorConfig, prepare } from "../helpers/deploy";
import { clientFor, Emulator, startEmulator } from "../helpers/emulator";

jest.setTimeout(600_000);

let emu: Emulator;
let ec2: EC2Client;
beforeAll(() => {
  emu = startEmulator();
  ec2 = new EC2Client(clientFor(emu.endpoint));
});
afterAll(() => emu?.stop());

describe("NAT modes on the emulator", () => {
  let d: Deployment | undefined;
  afterEach(async () => {
    await d?.cleanup();
    d = undefined;
  });

  it("perAz on 3 AZs: three NAT Gateways, three EIPs, three private route tables, each to the NAT of its own AZ", async () => {
    d = await prepare(
      emulatorConfig(emu.endpoint, "peraz", (c) => {
        c.network.natGateways = "perAz";
        c.network.availabilityZones = ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"];
        c.network.publicSubnetCidrs = ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"];
        c.network.privateSubnetCidrs = ["10.0.10.0/24", "10.0.11.0/24", "10.0.12.0/24"];
      }),
    );
    await d.apply("network");
    const net = await d.outputs("network");
    expect(net.egress_ips).toHaveLength(3);
    expect(new Set(net.egress_ips).size).toBe(3);

    const { NatGateways } = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: net.nat_gateway_ids }));
    expect(NatGateways).toHaveLength(3);
    expect(NatGateways!.map((n) => n.NatGatewayAddresses![0].PublicIp).sort()).toEqual([...net.egress_ips].sort());

    const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [...net.public_subnet_ids, ...net.private_subnet_ids] }));
    const azOf = (subnetId: string) => Subnets!.find((s) => s.SubnetId === subnetId)!.AvailabilityZone;
    const { RouteTables } = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [net.vpc_id] }] }));
    const privateTables = RouteTables!.filter((t) => t.Associations?.some((a) => net.private_subnet_ids.includes(a.SubnetId)));
    expect(privateTables).toHaveLength(3);
    for (const table of privateTables) {
      const subnetId = table.Associations!.find((a) => a.SubnetId)!.SubnetId!;
      const natId = table.Routes!.find((r) => r.DestinationCidrBlock === "0.0.0.0/0")!.NatGatewayId;
      const nat = NatGateways!.find((n) => n.NatGatewayId === natId)!;
      expect(azOf(nat.SubnetId!)).toBe(azOf(subnetId));
    }
    expect(await d.planExitCode("network")).toBe(0);
  });

  it("bring-your-own EIPs: the NAT Gateways use them, and after destroy they still exist with the same IPs", async () => {
    const brought = await Promise.all([0, 1].map(() => ec2.send(new AllocateAddressCommand({ Domain: "vpc" }))));
    const ids = brought.map((b) => b.AllocationId!);
    try {
      d = await prepare(
        emulatorConfig(emu.endpoint, "byo", (c) => {
          c.network.natGateways = "perAz";
          c.network.eipAllocationIds = ids;
        }),
      );
      await d.apply("network");
      const net = await d.outputs("network");
      expect(net.egress_ips).toEqual(brought.map((b) => b.PublicIp));
      const { NatGateways } = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: net.nat_gateway_ids }));
      expect(NatGateways!.map((n) => n.NatGatewayAddresses![0].AllocationId).sort()).toEqual([...ids].sort());

      await d.destroy("network");
      const { Addresses } = await ec2.send(new DescribeAddressesCommand({ AllocationIds: ids }));
      const pairs = (list: { AllocationId?: string; PublicIp?: string }[]) => list.map((a) => `${a.AllocationId}=${a.PublicIp}`).sort();
      expect(pairs(Addresses!)).toEqual(pairs(brought));
    } finally {
      await d?.cleanup();
      d = undefined;
      for (const id of ids) await ec2.send(new ReleaseAddressCommand({ AllocationId: id })).catch(() => undefined);
    }
  });
});
