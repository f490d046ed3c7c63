/**
 * Checks made before an apply, through the AWS API, for what Terraform would only find out halfway:
 * a brought Elastic IP that something else already holds makes the NAT Gateway fail and get tainted.
 */
import { DescribeAddressesCommand, DescribeNatGatewaysCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetServiceQuotaCommand, ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
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

export interface WaitOptions {
  /** give up after this long, in ms @default 180000 */
  readonly timeoutMs?: number;
  /** between two looks, in ms @default 2000 */
  readonly everyMs?: number;
  readonly say?: (line: string) => void;
}

/**
 * After a NAT device is deleted AWS may keep its Elastic IPs associated for a short while (a NAT Gateway reads
 * `deleted` before its addresses are free): waits, bounded and saying so every 10 s, until none of `allocationIds`
 * is associated with anything, so the device that takes them next is not refused. Throws when time runs out.
 */
export async function waitUntilReleased(ec2: Pick<EC2Client, "send">, allocationIds: string[], o: WaitOptions = {}): Promise<number> {
  // DescribeAddresses without ids lists every address of the account: nothing freed, nothing to wait for.
  if (allocationIds.length === 0) return 0;
  const timeout = o.timeoutMs ?? 180_000;
  const every = o.everyMs ?? 2_000;
  const started = Date.now();
  let lastSaid = started;
  for (;;) {
    const { Addresses = [] } = await ec2.send(new DescribeAddressesCommand({ AllocationIds: allocationIds }));
    const held = Addresses.filter((a) => a.AssociationId || a.NetworkInterfaceId || a.InstanceId).map((a) => a.AllocationId!);
    const waited = Date.now() - started;
    if (held.length === 0) return waited;
    if (waited + every > timeout) {
      throw new Error(`Elastic IP allocation(s) ${held.join(", ")} still associated ${Math.round(waited / 1000)} s after their NAT device was deleted; run make deploy again in a few minutes`);
    }
    if (Date.now() - lastSaid >= 10_000) {
      o.say?.(`    waiting for AWS to release ${held.join(", ")} (${Math.round(waited / 1000)} s)`);
      lastSaid = Date.now();
    }
    await new Promise((r) => setTimeout(r, every));
  }
}

/** AWS's quota on the addresses of one public NAT Gateway (Service Quotas), and its default. */
export const NAT_ADDRESS_QUOTA = { serviceCode: "vpc", quotaCode: "L-5F53652F", name: "Elastic IP addresses per public NAT gateway", awsDefault: 2 } as const;

type QuotaReader = (serviceCode: string, quotaCode: string) => Promise<number | undefined>;

/** The most Elastic IPs the config gives one NAT Gateway, and the field that asks for them. */
function mostAddresses(network: AppConfig["network"]): { count: number; field: string } {
  if (network.natProvider !== "gateway") return { count: 1, field: "" };
  const created = { count: 1 + (network.natGatewaySecondaryEips ?? 0), field: "network.natGatewaySecondaryEips" };
  const adopted = (network.adopt?.natGateways ?? []).map((n, i) => ({ count: 1 + (n.secondaryAddresses?.length ?? 0), field: `network.adopt.natGateways[${i}].secondaryAddresses` }));
  return [created, ...adopted].sort((a, b) => b.count - a.count)[0];
}

/**
 * One sentence when the config gives a NAT Gateway more Elastic IPs than the account's quota allows (read from
 * Service Quotas; AWS's default of 2 when it cannot be read, and the sentence says so). Empty when all is well.
 */
export async function natAddressQuotaProblem(config: Pick<AppConfig, "region" | "network">, read: QuotaReader): Promise<string | undefined> {
  const { count, field } = mostAddresses(config.network);
  if (count <= NAT_ADDRESS_QUOTA.awsDefault) return undefined;
  let quota: number | undefined;
  let unread = "";
  try {
    quota = await read(NAT_ADDRESS_QUOTA.serviceCode, NAT_ADDRESS_QUOTA.quotaCode);
  } catch (err) {
    unread = ` (Service Quotas could not be read: ${(err as Error).name}; taken as AWS's default)`;
  }
  const limit = quota ?? NAT_ADDRESS_QUOTA.awsDefault;
  if (count <= limit) return undefined;
  return (
    `${field}: a NAT Gateway would hold ${count} Elastic IPs, but the quota "${NAT_ADDRESS_QUOTA.name}" (${NAT_ADDRESS_QUOTA.serviceCode} ${NAT_ADDRESS_QUOTA.quotaCode}) is ${limit} in ${config.region}${unread}; ` +
    `ask for ${count} (aws service-quotas request-service-quota-increase --service-code ${NAT_ADDRESS_QUOTA.serviceCode} --quota-code ${NAT_ADDRESS_QUOTA.quotaCode} --desired-value ${count}; up to 8), or give fewer addresses. Nothing was applied.`
  );
}

/** A quota's value in the config's region (the emulator answers Service Quotas too). */
export async function readQuota(config: Pick<AppConfig, "region" | "emulator">, serviceCode: string, quotaCode: string): Promise<number | undefined> {
  const sq = new ServiceQuotasClient(clientSettings(config));
  try {
    return (await sq.send(new GetServiceQuotaCommand({ ServiceCode: serviceCode, QuotaCode: quotaCode }))).Quota?.Value;
  } finally {
    sq.destroy();
  }
}
