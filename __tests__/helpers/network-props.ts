import type { FixedEgressNetworkProps } from "../../constructs";

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
