/**
 * What destroy does with an adopted network: the resources it imported were built by hand and may serve other
 * workloads, so by default they leave the state (AWS keeps them as they are) and only what fixed-egress created
 * is destroyed. Deleting them takes --delete-adopted, refused while anything else uses them; even then the VPC's
 * main route table's default route is only forgotten.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { DeleteTagsCommand, DescribeNatGatewaysCommand, DescribeRouteTablesCommand, DescribeSubnetsCommand, EC2Client, paginateDescribeNetworkInterfaces } from "@aws-sdk/client-ec2";
import { ADOPTION_MARKER_TAG } from "@fixed-egress/constructs";
import type { AppConfig } from "../stacks/config";
import { functionNameOf } from "../stacks/config";
import { stackNames } from "../stacks";
import { defaultTagsOf } from "../stacks/wiring";
import { label } from "./adopt-facts";
import { clientSettings } from "./aws";
import { aws } from "./bootstrap-state";
import { failStep } from "./terraform-text";
import { say, step } from "./steps";

/** The import blocks of a synthesized stack: each adopted resource's address and the id it was imported from. */
export function adoptedResources(dir: string): { address: string; id: string }[] {
  const json = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as { import?: { to: string; id: string }[] };
  return (json.import ?? []).map((i) => ({ address: i.to, id: i.id }));
}

/** The adopted resources destroy must never delete: all of them, or (deleting) the main route table's default route. */
export function toForget(config: AppConfig, adopted: { address: string; id: string }[], deleting: boolean): string[] {
  if (!deleting) return adopted.map((a) => a.address);
  const a = config.network.adopt;
  const mains = [...(a?.publicRouteTables ?? []), ...(a?.privateRouteTables ?? [])].filter((t) => t.main).map((t) => `${t.id}_0.0.0.0/0`);
  return adopted.filter((r) => mains.includes(r.id)).map((r) => r.address);
}

/**
 * Takes this network's marker tag, and the provider's default tags naming its stack (Project, Environment,
 * Stack), off what it adopted, so the resources are free to be adopted again, under any name; only where each
 * tag has this network's value (DeleteTags with the value).
 */
export async function unmark(config: AppConfig): Promise<void> {
  const a = config.network.adopt;
  if (!a) return;
  const ids = [
    ...[...a.publicSubnets, ...a.privateSubnets].flatMap((s) => (s ? [s.id] : [])),
    ...new Set([...a.publicRouteTables, ...a.privateRouteTables].filter((t) => !t.main).map((t) => t.id)),
    ...a.natGateways.flatMap((n) => [n.id, n.allocationId, ...(n.secondaryAddresses ?? []).map((x) => x.allocationId)]),
  ];
  const ec2 = new EC2Client(clientSettings(config));
  try {
    const owner = Object.entries(defaultTagsOf(config, stackNames(config).network)).map(([Key, Value]) => ({ Key, Value }));
    await aws(config, () => ec2.send(new DeleteTagsCommand({ Resources: ids, Tags: [{ Key: ADOPTION_MARKER_TAG, Value: config.name }, ...owner] })));
  } finally {
    ec2.destroy();
  }
}

/** Takes `addresses` out of the stack's state (those it holds), leaving the resources in AWS as they are. */
export async function forget(stack: string, dir: string, addresses: string[]): Promise<string[]> {
  if (addresses.length === 0) return [];
  const list = await step(`${stack}: terraform state list`, "terraform", [`-chdir=${dir}`, "state", "list", "-no-color"], `destroy-${stack}-state-list`);
  if (list.code !== 0) failStep(`terraform state list of ${stack}`, list, dir);
  const held = new Set(list.stdout.split("\n").map((l) => l.trim()));
  const gone = addresses.filter((a) => held.has(a));
  if (gone.length === 0) return [];
  const rm = await step(`${stack}: forget ${gone.length} adopted resource(s)`, "terraform", [`-chdir=${dir}`, "state", "rm", "-lock-timeout=60s", "-no-color", ...gone], `destroy-${stack}-forget`);
  if (rm.code !== 0) failStep(`forgetting the adopted resources of ${stack}`, rm, dir);
  say(`    ${stack}: forgot ${gone.length} adopted resource(s); AWS keeps them as they are`);
  return gone;
}

/**
 * What else uses the adopted network, one line each: network interfaces in its subnets that are neither its NAT
 * Gateways' nor the probe function's, and subnets outside the config on its route tables (the main one included).
 */
export async function adoptedInUse(config: AppConfig): Promise<string[]> {
  const a = config.network.adopt;
  if (!a || !config.network.existingVpcId) return [];
  const vpc = config.network.existingVpcId;
  const subnets = [...a.publicSubnets, ...a.privateSubnets].flatMap((s) => (s ? [s.id] : []));
  const tables = new Set([...a.publicRouteTables, ...a.privateRouteTables].map((t) => t.id));
  const ec2 = new EC2Client(clientSettings(config));
  try {
    return await aws(config, async () => {
      const { NatGateways } = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: a.natGateways.map((n) => n.id) }));
      const ours = new Set((NatGateways ?? []).flatMap((n) => (n.NatGatewayAddresses ?? []).map((x) => x.NetworkInterfaceId)));
      const fn = functionNameOf(config);
      const uses: string[] = [];
      for await (const page of paginateDescribeNetworkInterfaces({ client: ec2 }, { Filters: [{ Name: "subnet-id", Values: subnets }] })) {
        for (const eni of page.NetworkInterfaces ?? []) {
          if (ours.has(eni.NetworkInterfaceId) || (eni.InterfaceType === "lambda" && eni.Description?.includes(fn))) continue;
          uses.push(`network interface ${eni.NetworkInterfaceId} (${eni.Description || eni.InterfaceType || "in use"}) in subnet ${eni.SubnetId}`);
        }
      }
      const [{ Subnets }, { RouteTables }] = await Promise.all([
        ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc] }] })),
        ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpc] }] })),
      ]);
      const main = RouteTables?.find((t) => t.Associations?.some((x) => x.Main));
      for (const s of Subnets ?? []) {
        if (subnets.includes(s.SubnetId!)) continue;
        const table = RouteTables?.find((t) => t.Associations?.some((x) => x.SubnetId === s.SubnetId)) ?? main;
        if (table && tables.has(table.RouteTableId!)) {
          uses.push(`subnet ${label(s.SubnetId!, s.Tags)} (${s.AvailabilityZone}) uses route table ${table.RouteTableId}${table === main ? " (the VPC's main route table)" : ""}`);
        }
      }
      return uses;
    });
  } finally {
    ec2.destroy();
  }
}
