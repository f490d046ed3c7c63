import type { FixedEgressNetwork } from "./fixed-egress-network";
import type { EgressIpDetail } from "./nat-provider";

/**
 * The network stack's contract with whoever reads its state (an app stack here, app stacks in other
 * repositories, the jobs that run them): output names and descriptions, the precondition a reader puts on
 * them, and the marker its failure carries. Renaming an output breaks every reader: add, deprecate, remove.
 */
export const NETWORK_CONTRACT = {
  outputs: {
    egressIps: { name: "egress_ips", description: "Public IPs to allow-list at the database" },
    egressIpDetails: { name: "egress_ip_details", description: "Each egress IP with its zone, NAT device and role (primary or secondary): address, zone, device, role" },
    vpcId: { name: "vpc_id", description: "The VPC the functions run in" },
    publicSubnetIds: { name: "public_subnet_ids", description: "Subnets routed to the Internet Gateway (the NAT lives here)" },
    privateSubnetIds: { name: "private_subnet_ids", description: "Subnets routed to the NAT: run functions here" },
    natDeviceIds: { name: "nat_device_ids", description: "What the private routes point at, one per NAT device: NAT Gateway ids, or NAT instances' network interface ids" },
    natGatewayIds: { name: "nat_gateway_ids", description: "Deprecated (removed in 0.5.0): the same list as nat_device_ids, under its old name" },
  },
  /** Put in the precondition's error message; the jobs look for it to tell "apply the network first" from other failures. */
  notAppliedMarker: "[network-not-applied]",
} as const;

export type NetworkOutputKey = keyof typeof NETWORK_CONTRACT.outputs;

/** Output names by key (`NETWORK_OUTPUTS.egressIps` is "egress_ips"). */
export const NETWORK_OUTPUTS = Object.fromEntries(Object.entries(NETWORK_CONTRACT.outputs).map(([k, o]) => [k, o.name])) as {
  readonly [K in NetworkOutputKey]: (typeof NETWORK_CONTRACT.outputs)[K]["name"];
};

/** What a reader gives `terraform_remote_state` as `defaults`, so a network not yet applied reads as empty instead of failing. */
export const NOT_APPLIED_OUTPUTS = {
  [NETWORK_OUTPUTS.vpcId]: "",
  [NETWORK_OUTPUTS.privateSubnetIds]: [] as string[],
  [NETWORK_OUTPUTS.egressIps]: [] as string[],
};

/**
 * The precondition for a resource that needs the network (`lifecycle.precondition`): the network state
 * `stateFqn` (a remote state's `fqn`) has private subnets. `networkName` names the stack to apply first.
 */
export function networkAppliedPrecondition(stateFqn: string, networkName: string): { condition: string; error_message: string } {
  const out = NETWORK_OUTPUTS.privateSubnetIds;
  return {
    condition: `\${length(${stateFqn}.outputs.${out}) > 0}`,
    error_message: `${NETWORK_CONTRACT.notAppliedMarker} The state of ${networkName} has no ${out} output: apply ${networkName} first.`,
  };
}

/** The outputs a network stack declares (`NETWORK_CONTRACT`): name, value and description of each. */
export function networkOutputs(network: FixedEgressNetwork): { name: string; value: string | string[] | EgressIpDetail[]; description: string }[] {
  const values: Record<keyof typeof NETWORK_CONTRACT.outputs, string | string[] | EgressIpDetail[]> = {
    egressIps: network.egressIps,
    egressIpDetails: network.egressIpDetails,
    vpcId: network.vpcId,
    publicSubnetIds: network.publicSubnetIds,
    privateSubnetIds: network.privateSubnetIds,
    natDeviceIds: network.natDeviceIds,
    natGatewayIds: network.natDeviceIds,
  };
  return Object.entries(NETWORK_CONTRACT.outputs).map(([key, o]) => ({ ...o, value: values[key as keyof typeof values] }));
}
