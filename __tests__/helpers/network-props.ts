import type { AdoptedNatGateway, FixedEgressNetworkProps } from "../../constructs";

/** A valid two-AZ network; tests override what they examine. */
export function networkProps(over: Partial<FixedEgressNetworkProps> = {}): FixedEgressNetworkProps {
  return {
    name: "demo",
    vpcCidr: "10.0.0.0/16",
    availabilityZones: ["ap-northeast-1a", "ap-northeast-1c"],
    publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/24"],
    privateSubnetCidrs: ["10.0.10.0/24", "10.0.11.0/24"],
    ...over,
  };
}

export const THREE_AZS: Partial<FixedEgressNetworkProps> = {
  availabilityZones: ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"],
  publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
  privateSubnetCidrs: ["10.0.10.0/24", "10.0.11.0/24", "10.0.12.0/24"],
};

/** The zones of THREE_AZS (and the first two of networkProps), in order: per-zone construct ids are keyed by these. */
export const ZONES = THREE_AZS.availabilityZones!;

/** The console's network, adopted: public 1a on the main table, public 1c on its own, both private subnets on one table, one NAT Gateway. */
export function consoleAdoption(natGateway: Partial<AdoptedNatGateway> = {}): Partial<FixedEgressNetworkProps> {
  return {
    existingVpcId: "vpc-0123456789abcdef0",
    vpcCidr: undefined,
    adopt: {
      publicSubnets: [{ id: "subnet-0000000000000a001" }, { id: "subnet-0000000000000a002" }],
      privateSubnets: [{ id: "subnet-0000000000000b001" }, { id: "subnet-0000000000000b002" }],
      publicRouteTables: [{ id: "rtb-0000000000000000a", main: true }, { id: "rtb-0000000000000000b" }],
      privateRouteTables: [{ id: "rtb-0000000000000000c" }, { id: "rtb-0000000000000000c" }],
      natGateways: [{ id: "nat-0000000000000000d", allocationId: "eipalloc-0000000000000000e", ...natGateway }],
    },
  };
}
