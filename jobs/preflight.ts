/**
 * Checks made before an apply, through the AWS API, for what Terraform would only find out halfway:
 * a brought Elastic IP that something else already holds makes the NAT Gateway fail and get tainted.
 */
import { DescribeAddressesCommand, DescribeNatGatewaysCommand, EC2Client } from "@aws-sdk/client-ec2";
import type { AppConfig } from "../stacks/config";
import { clientSettings } from "./aws";
import { aws } from "./bootstrap-state";

/**
 * One sentence per brought allocation (`network.eipAllocationIds`) that does not exist, or that is associated
 * with anything but this stack's own NAT devices (`ownDeviceIds`, from its state: NAT Gateway ids, and the
 * network interfaces of NAT instances). Empty when all is well.
 */
export async function broughtEipProblems(config: Pick<AppConfig, "region" | "emulator" | "network">, ownDeviceIds: string[]): Promise<string[]> {
  const ids = config.network.eipAllocationIds ?? [];
  if (ids.length === 0) return [];
  const ec2 = new EC2Client(clientSettings(config));
  try {
    return await aws(config, () => problemsOf(ec2, config, ids, ownDeviceIds));
  } finally {
    ec2.destroy();
  }
}

async function problemsOf(ec2: EC2Client, config: Pick<AppConfig, "region">, ids: string[], ownDeviceIds: string[]): Promise<string[]> {
  // One call per id (at once): DescribeAddresses fails as a whole when any id of a list is unknown.
  const addresses = await Promise.all(
    ids.map((id) =>
      ec2.send(new DescribeAddressesCommand({ AllocationIds: [id] })).then(
        (r) => r.Addresses?.[0],
        (err: { name?: string }) => {
          if (err.name === "InvalidAllocationID.NotFound") return undefined;
          throw err;
        },
      ),
    ),
  );
  const nats = addresses.some((a) => a?.AssociationId || a?.NetworkInterfaceId)
    ? (await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: "state", Values: ["pending", "available"] }] }))).NatGateways ?? []
    : [];
  return ids.flatMap((id, i) => {
    const field = `network.eipAllocationIds[${i}]`;
    const a = addresses[i];
    if (!a) return [`${field}: Elastic IP allocation ${id} does not exist in ${config.region}; allocate one (aws ec2 allocate-address --domain vpc) or fix the id`];
    if (!a.AssociationId && !a.NetworkInterfaceId && !a.InstanceId) return [];
    const nat = nats.find((n) => n.NatGatewayAddresses?.some((x) => x.AllocationId === id));
    if (nat ? ownDeviceIds.includes(nat.NatGatewayId!) : a.NetworkInterfaceId !== undefined && ownDeviceIds.includes(a.NetworkInterfaceId)) return [];
    const holder = nat
      ? `NAT Gateway ${nat.NatGatewayId} (not this stack's)`
      : [a.InstanceId && `instance ${a.InstanceId}`, a.NetworkInterfaceId && `network interface ${a.NetworkInterfaceId}`].filter(Boolean).join(" through ");
    const fix = nat
      ? "bring another allocation, or remove that NAT Gateway first"
      : `disassociate it first (aws ec2 disassociate-address --association-id ${a.AssociationId ?? "<association id>"}) or bring another allocation`;
    return [`${field}: Elastic IP allocation ${id} (${a.PublicIp}) is already associated with ${holder}; a NAT Gateway cannot take an address in use: ${fix}`];
  });
}
