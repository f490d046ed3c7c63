/**
 * make adopt on the emulator, as a user runs it: a network built by hand through the API (as in the console),
 * adopted into a config, planned (imports only, nothing replaced, the guard passes), deployed (the NAT Gateway,
 * its allocation and its public IP unchanged, the function in the adopted private subnets), and planned again
 * (empty). A network that cannot be adopted is refused in one sentence and no file is written.
 *
 * @shared-providers one AWS provider per stack folder for the whole suite (scripts/shared-provider.sh)
 */
import { CreateNetworkInterfaceCommand, DescribeAddressesCommand, DescribeNatGatewaysCommand, DescribeRouteTablesCommand, DescribeSubnetsCommand, EC2Client, ModifySubnetAttributeCommand, ReplaceRouteCommand } from "@aws-sdk/client-ec2";
import { ADOPTION_MARKER_TAG } from "../../constructs";
import { S3_ENDPOINT_NOTE } from "../../jobs/adoption";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { bootstrapState } from "../../jobs/bootstrap-state";
import { loadConfig } from "../../stacks/config";
import { ConsoleNetwork, buildConsoleNetwork } from "../helpers/console-network";
import { LOCAL_CONFIG, rawConfig } from "../helpers/config";
import { clientFor, Emulator, startEmulator } from "../helpers/emulator";
import { run, runJob } from "../helpers/terraform";

jest.setTimeout(600_000);

let emu: Emulator;
let ec2: EC2Client;
let work: string;
let base: string;
beforeAll(async () => {
  emu = startEmulator();
  ec2 = new EC2Client(clientFor(emu.endpoint));
  work = mkdtempSync(join(tmpdir(), "fixed-egress-adopt-"));
  // The base config make adopt reads its settings from: local.json on this emulator.
  base = join(work, "base.json");
  writeFileSync(base, JSON.stringify(rawConfig(LOCAL_CONFIG, (c) => ((c.emulator.endpoint = emu.endpoint), (c.backend.bucket = "fixed-egress-e2e-state"))), null, 2));
  await bootstrapState(loadConfig(base), () => undefined);
});
afterAll(() => emu?.stop());

const job = (config: string, script: string, ...args: string[]) =>
  runJob({ FIXED_EGRESS_CONFIG: config, FIXED_EGRESS_OUTDIR: join(work, "cdktf.out"), FIXED_EGRESS_RUN_DIR: join(work, "run") }, script, ...args);

/** What carries egress in the VPC now: its NAT Gateways (not deleted), their primary and secondary allocations and public IPs. */
async function egressOf(vpcId: string) {
  const { NatGateways } = await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: "vpc-id", Values: [vpcId] }] }));
  return (NatGateways ?? [])
    .filter((n) => n.State !== "deleted")
    .map((n) => ({ id: n.NatGatewayId, addresses: n.NatGatewayAddresses!.map((a) => `${a.IsPrimary ? "primary" : "secondary"} ${a.AllocationId} ${a.PublicIp}`).sort() }));
}
const egressBuilt = (n: ConsoleNetwork) => [
  { id: n.natGatewayId, addresses: [`primary ${n.allocationId} ${n.publicIp}`, ...(n.secondary ? [`secondary ${n.secondary.allocationId} ${n.secondary.publicIp}`] : [])].sort() },
];

describe("make adopt on the emulator", () => {
  let net: ConsoleNetwork;
  const out = () => join(work, "config", "orders.json");

  it("writes config/<name>.json describing the console's network as it is (primary and secondary address, a NAT Gateway with a Project tag of its own, another team's subnet left alone), and prints what it found", async () => {
    net = await buildConsoleNetwork(ec2, { secondaryAddress: true, otherWorkload: true, natTags: { Project: "payments" } });
    const r = await job(base, "adopt", "--vpc", net.vpcId, "--name", "orders", "--out", out());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/AZ\s+public subnet\s+private subnet\s+route tables \(public \/ private\)\s+NAT Gateway\s+Elastic IP/);
    expect(r.stdout).toContain(`ap-northeast-1a  ${net.publicSubnetIds[0]} 10.30.0.0/24`);
    expect(r.stdout).toContain(`${net.mainRouteTableId} (main) / ${net.privateRouteTableId} (shared)`);
    expect(r.stdout).toContain(`${net.natGatewayId}    ${net.publicIp} ${net.allocationId}, ${net.secondary!.publicIp} ${net.secondary!.allocationId}`);
    expect(r.stdout).toContain(`Egress IPs kept: ${net.publicIp}, ${net.secondary!.publicIp}`);
    expect(r.stdout).toContain(`note: ${S3_ENDPOINT_NOTE}`);
    expect(r.stdout).toContain(`note: public subnet ${net.other!.subnetId} (orders-batch) (ap-northeast-1d) is in a zone without a private subnet: left as it is`);
    expect(r.stdout).toContain(`Next: FIXED_EGRESS_CONFIG=${out()} make plan`);

    const config = loadConfig(out());
    expect(config.network).toMatchObject({ existingVpcId: net.vpcId, existingInternetGatewayId: net.internetGatewayId, natPlacement: "single", protectEgressIps: true, s3Endpoint: false });
    expect(config.network.adopt).toEqual({
      publicSubnets: [
        { id: net.publicSubnetIds[0], tags: { Name: "orders-public-a", Team: "orders" } },
        { id: net.publicSubnetIds[1], tags: { Name: "orders-public-c", Team: "orders" } },
      ],
      privateSubnets: [
        { id: net.privateSubnetIds[0], tags: { Name: "orders-private-a", Team: "orders" } },
        { id: net.privateSubnetIds[1], tags: { Name: "orders-private-c", Team: "orders" } },
      ],
      publicRouteTables: [{ id: net.mainRouteTableId, main: true }, { id: net.publicRouteTableId, tags: { Name: "orders-public-rt" } }],
      privateRouteTables: [0, 1].map(() => ({ id: net.privateRouteTableId, tags: { Name: "orders-private-rt" } })),
      natGateways: [
        {
          id: net.natGatewayId,
          allocationId: net.allocationId,
          tags: { Name: "orders-nat", Project: "payments" },
          eipTags: { Name: "orders-egress" },
          secondaryAddresses: [{ allocationId: net.secondary!.allocationId, tags: { Name: "orders-egress-2" } }],
        },
      ],
    });
    // Describing is all it did.
    expect(await egressOf(net.vpcId)).toEqual(egressBuilt(net));
  });

  it("plans imports only: nothing created, destroyed or replaced, no NAT Gateway attribute changed, the guard passes and lists the imports", async () => {
    const r = await job(out(), "plan");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("orders-app: not planned; it reads the network stack's outputs");
    expect(r.stdout).toContain("### orders-network");
    expect(r.stdout).not.toContain("### orders-app");
    expect(r.stdout).toContain("No egress IP changes.");
    // The review lists egress IPs in sorted order (the emulator's addresses are random).
    const ips = [net.publicIp, net.secondary!.publicIp].sort().join(", ");
    expect(r.stdout).toContain(`- today: ${ips}\n`);
    expect(r.stdout).toContain(`- after this plan: ${ips}\n`);
    const plan = JSON.parse(readFileSync(join(work, "run", "plans", "orders-network.plan.json"), "utf8")) as {
      resource_changes: { address: string; type: string; change: { actions: string[]; importing?: { id: string }; before?: Record<string, unknown>; after?: Record<string, unknown> } }[];
    };
    const changes = plan.resource_changes.filter((c) => !c.change.actions.includes("read"));
    expect(changes.filter((c) => c.change.actions.includes("delete"))).toEqual([]);
    expect(changes.filter((c) => c.change.actions.includes("create")).map((c) => c.type)).toEqual([]);
    // The NAT Gateway's import changes its tags only: primary and secondary allocations as they are.
    const gateway = changes.find((c) => c.type === "aws_nat_gateway")!.change;
    const differs = Object.keys(gateway.after!).filter((k) => JSON.stringify(gateway.after![k]) !== JSON.stringify(gateway.before![k]));
    expect(differs.sort()).toEqual(["tags", "tags_all"]);
    expect(gateway.after).toMatchObject({ allocation_id: net.allocationId, secondary_allocation_ids: [net.secondary!.allocationId] });
    const imported = changes.filter((c) => c.change.importing).map((c) => `${c.type} ${c.change.importing!.id}`).sort();
    expect(imported).toEqual(
      [
        `aws_eip ${net.allocationId}`,
        `aws_eip ${net.secondary!.allocationId}`,
        `aws_nat_gateway ${net.natGatewayId}`,
        `aws_route ${net.mainRouteTableId}_0.0.0.0/0`,
        `aws_route ${net.publicRouteTableId}_0.0.0.0/0`,
        `aws_route ${net.privateRouteTableId}_0.0.0.0/0`,
        `aws_route_table ${net.publicRouteTableId}`,
        `aws_route_table ${net.privateRouteTableId}`,
        `aws_route_table_association ${net.publicSubnetIds[1]}/${net.publicRouteTableId}`,
        ...net.privateSubnetIds.map((s) => `aws_route_table_association ${s}/${net.privateRouteTableId}`),
        ...[...net.publicSubnetIds, ...net.privateSubnetIds].map((s) => `aws_subnet ${s}`),
      ].sort(),
    );
    // The review's Markdown lists each import.
    expect(r.stdout).toContain("0 to add, 9 to change, 0 to replace, 0 to destroy, 15 to import.");
    expect(r.stdout.match(/^\| import(, update)? \| `aws_/gm)).toHaveLength(15);
    expect(r.stdout).toContain("The 9 import(s) marked update change in place only: tags.");
  });

  it("make deploy imports and applies; the NAT Gateway, allocation and IP are the ones built by hand, and the function runs in the adopted private subnets", async () => {
    const r = await job(out(), "deploy", "--no-bootstrap");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("orders-network: Apply complete! Resources: 15 imported, 0 added, 9 changed, 0 destroyed.");
    expect(r.stdout).toContain(`Egress IPs to allow-list at the database: ${net.publicIp}, ${net.secondary!.publicIp}`);
    expect(await egressOf(net.vpcId)).toEqual(egressBuilt(net));
    const { Addresses } = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [net.allocationId] }));
    expect(Addresses![0].PublicIp).toBe(net.publicIp);
    // Existing tag values kept; the project's tags added.
    expect(Object.fromEntries(Addresses![0].Tags!.map((t) => [t.Key, t.Value]))).toMatchObject({ Name: "orders-egress", Owner: "platform", Project: "fixed-egress", Environment: "orders", [ADOPTION_MARKER_TAG]: "orders" });
    // The NAT Gateway's own Project tag wins over the provider's default tags; the marker is on it all the same.
    const { NatGateways } = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [net.natGatewayId] }));
    expect(Object.fromEntries(NatGateways![0].Tags!.map((t) => [t.Key, t.Value]))).toMatchObject({ Project: "payments", [ADOPTION_MARKER_TAG]: "orders" });

    const fn = await new LambdaClient(clientFor(emu.endpoint)).send(new GetFunctionConfigurationCommand({ FunctionName: "orders-egress-probe" }));
    expect([...fn.VpcConfig!.SubnetIds!].sort()).toEqual([...net.privateSubnetIds].sort());

    // Still the console's shape: one private table for both subnets, its route to the same NAT Gateway, the public subnet of 1a on the main table.
    const { RouteTables } = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [net.vpcId] }] }));
    expect(RouteTables).toHaveLength(3);
    const priv = RouteTables!.find((t) => t.RouteTableId === net.privateRouteTableId)!;
    expect(priv.Associations!.map((a) => a.SubnetId).sort()).toEqual([...net.privateSubnetIds].sort());
    expect(priv.Routes!.find((x) => x.DestinationCidrBlock === "0.0.0.0/0")!.NatGatewayId).toBe(net.natGatewayId);
    expect(RouteTables!.flatMap((t) => t.Associations ?? []).some((a) => a.SubnetId === net.publicSubnetIds[0])).toBe(false);
  });

  it("plans no change afterwards, for both stacks, and make drift finds none", async () => {
    const r = await job(out(), "plan");
    expect(r.code).toBe(0);
    expect(r.stdout.match(/0 to add, 0 to change, 0 to replace, 0 to destroy\./g)).toHaveLength(2);
    expect(readdirSync(join(work, "run", "plans"))).toEqual(expect.arrayContaining(["orders-network.plan.json", "orders-app.plan.json"]));
    const drift = await job(out(), "drift");
    expect(drift.code).toBe(0);
    expect(drift.stdout).toContain("No drift: every resource is as Terraform last left it.");
  });

  it("gives a zone without a public subnet a new one: the plan's one creation", async () => {
    const lean = await buildConsoleNetwork(ec2, { prefix: "lean", cidr: "10.50", publicInEveryZone: false });
    const file = join(work, "config", "lean.json");
    const r = await job(base, "adopt", "--vpc", lean.vpcId, "--name", "lean", "--out", file);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("ap-northeast-1c has no public subnet: a new one, 10.50.1.0/24, is created there");
    expect(r.stdout).toMatch(/ap-northeast-1c\s+\(new\) 10\.50\.1\.0\/24/);
    const plan = await job(file, "plan");
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("No egress IP changes.");
    const json = JSON.parse(readFileSync(join(work, "run", "plans", "lean-network.plan.json"), "utf8")) as { resource_changes: { type: string; change: { actions: string[]; importing?: unknown } }[] };
    expect(json.resource_changes.filter((c) => c.change.actions.includes("delete"))).toEqual([]);
    // The new subnet sits on the main route table with the NAT's subnet: no association to create.
    expect(json.resource_changes.filter((c) => c.change.actions.includes("create")).map((c) => c.type).sort()).toEqual(["aws_subnet"]);
    // NAT Gateway, Elastic IP, three subnets, the private table, its two associations, two default routes.
    expect(json.resource_changes.filter((c) => c.change.importing)).toHaveLength(10);
  });

  it("refuses, in one sentence and without writing a file, a network whose private subnets leave through a NAT instance", async () => {
    const other = await buildConsoleNetwork(ec2, { prefix: "legacy", cidr: "10.40" });
    // The private route now goes to an instance's interface, as a NAT instance set up by hand.
    const { NetworkInterface } = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: other.publicSubnetIds[0] }));
    const eni = NetworkInterface!.NetworkInterfaceId!;
    await ec2.send(new ReplaceRouteCommand({ RouteTableId: other.privateRouteTableId, DestinationCidrBlock: "0.0.0.0/0", NetworkInterfaceId: eni }));
    const file = join(work, "config", "legacy.json");
    const r = await job(base, "adopt", "--vpc", other.vpcId, "--name", "legacy", "--out", file);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `cannot adopt: route table ${other.privateRouteTableId} (legacy-private-rt), used by subnets ${other.privateSubnetIds[0]} (legacy-private-a) in ap-northeast-1a, ${other.privateSubnetIds[1]} (legacy-private-c) in ap-northeast-1c, ` +
        `sends 0.0.0.0/0 to network interface ${eni}, a NAT instance; make adopt takes NAT Gateways only: replace the NAT instance by a NAT Gateway that takes over its Elastic IP, then run make adopt again\nNothing was written.`,
    );
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(join(work, "config")).sort()).toEqual(["lean.json", "orders.json"]);
  });

  it("refuses a VPC that does not exist, and bad arguments, in one sentence each", async () => {
    const missing = await job(base, "adopt", "--vpc", "vpc-0123456789abcdef0", "--name", "ghost", "--out", join(work, "config", "ghost.json"));
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(
      "cannot adopt: VPC vpc-0123456789abcdef0 does not exist in ap-northeast-1 (the region of FIXED_EGRESS_CONFIG); check the id, or adopt with a config of the VPC's region\nNothing was written.",
    );
    const noVpc = await job(base, "adopt", "--name", "ghost");
    expect(noVpc.code).toBe(2);
    expect(noVpc.stderr.trim()).toMatch(/^give the VPC to adopt; usage: make adopt VPC=<vpc-id> NAME=<env-name>/);
    const unknown = await job(base, "adopt", "--vpc", net.vpcId, "--name", "ghost", "--outt", "x.json");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toMatch(/^unknown option --outt; usage: make adopt/);
    const badName = await job(base, "adopt", "--vpc", net.vpcId, "--name", "Orders_1");
    expect(badName.code).toBe(2);
    expect(badName.stderr.trim()).toBe('--name "Orders_1" is not valid; use 2-32 lowercase letters, digits or hyphens, starting with a letter, for example "orders"');
    expect(existsSync(join(work, "config", "ghost.json"))).toBe(false);
  });

  it("refuses a name whose network stack already has state, an existing file, and a network already managed", async () => {
    const taken = await job(base, "adopt", "--vpc", net.vpcId, "--name", "orders", "--out", join(work, "config", "again.json"));
    expect(taken.code).toBe(1);
    expect(taken.stderr.trim()).toBe(
      'orders-network already has a state (s3://fixed-egress-e2e-state/fixed-egress/orders-network.tfstate): an environment named "orders" is deployed, and adopting into it would replace its network; choose another NAME',
    );
    const exists = await job(base, "adopt", "--vpc", net.vpcId, "--name", "orders2", "--out", out());
    expect(exists.code).toBe(1);
    expect(exists.stderr.trim()).toBe(`${out()} already exists; give another --out (OUT=…), or --force to replace it`);
    // Under another name, what orders adopted is not imported twice: the marker on each resource says so,
    // though the NAT Gateway's own Project tag ("payments") hides the provider's.
    const twice = await job(base, "adopt", "--vpc", net.vpcId, "--name", "orders2", "--out", join(work, "config", "orders2.json"));
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain(`cannot adopt: NAT Gateway ${net.natGatewayId} (orders-nat) was adopted by the fixed-egress network "orders" (its ${ADOPTION_MARKER_TAG} tag)`);
    expect(twice.stderr).toContain(`cannot adopt: Elastic IP ${net.secondary!.publicIp} (${net.secondary!.allocationId}) was adopted by the fixed-egress network "orders"`);
    expect(existsSync(join(work, "config", "orders2.json"))).toBe(false);
  });

  it("refuses a network CloudFormation owns, naming the stack and the way out", async () => {
    const cfn = await buildConsoleNetwork(ec2, { prefix: "cfn", cidr: "10.60", natTags: { "aws:cloudformation:stack-name": "legacy-network" } });
    const file = join(work, "config", "cfn.json");
    const r = await job(base, "adopt", "--vpc", cfn.vpcId, "--name", "cfn", "--out", file);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `cannot adopt: NAT Gateway ${cfn.natGatewayId} (cfn-nat) belongs to CloudFormation stack "legacy-network" (its aws:cloudformation:stack-name tag), which would change it back or delete it with itself; take it out of that stack first (DeletionPolicy: Retain on it, update the stack, then remove it from the template and update again), then run make adopt again\nNothing was written.`,
    );
    expect(existsSync(file)).toBe(false);
  });

  it("refuses a network whose subnets the first apply would rewrite (one public subnet gives public IPs on launch, the other not), naming the subnet and the command that fixes it", async () => {
    const mixed = await buildConsoleNetwork(ec2, { prefix: "mixed", cidr: "10.61" });
    await ec2.send(new ModifySubnetAttributeCommand({ SubnetId: mixed.publicSubnetIds[0], MapPublicIpOnLaunch: { Value: true } }));
    const file = join(work, "config", "mixed.json");
    const r = await job(base, "adopt", "--vpc", mixed.vpcId, "--name", "mixed", "--out", file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`public subnet ${mixed.publicSubnetIds[0]} \\(.*\\) has MapPublicIpOnLaunch true, which the network would change on its first apply .* --subnet-id ${mixed.publicSubnetIds[0]} --\\[no-\\]map-public-ip-on-launch\\), then run make adopt again`));
    expect(existsSync(file)).toBe(false);
  });

  it("make destroy forgets what was adopted: the NAT Gateway, both addresses, the routes and the other team's subnet stay, the state is empty; deleting the adopted resources is refused while that subnet uses the main table", async () => {
    const refused = await job(out(), "destroy", "--delete-adopted", "--release-egress-ips");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("--delete-adopted would delete what others still use, so nothing was destroyed:");
    expect(refused.stderr).toContain(`  subnet ${net.other!.subnetId} (orders-batch) (ap-northeast-1d) uses route table ${net.mainRouteTableId} (the VPC's main route table)`);
    const lambda = new LambdaClient(clientFor(emu.endpoint));
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "orders-egress-probe" }))).FunctionName).toBe("orders-egress-probe");

    const r = await job(out(), "destroy");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("orders-network: forgot 15 adopted resource(s); AWS keeps them as they are");
    expect(r.stdout).toContain("The 15 adopted resource(s) stay in AWS as they were built, no longer managed");
    expect(await egressOf(net.vpcId)).toEqual(egressBuilt(net));
    const { RouteTables } = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [net.vpcId] }] }));
    const defaultOf = (id: string) => RouteTables!.find((t) => t.RouteTableId === id)!.Routes!.find((x) => x.DestinationCidrBlock === "0.0.0.0/0");
    expect(defaultOf(net.mainRouteTableId)!.GatewayId).toBe(net.internetGatewayId);
    expect(defaultOf(net.privateRouteTableId)!.NatGatewayId).toBe(net.natGatewayId);
    const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [net.other!.subnetId, ...net.publicSubnetIds, ...net.privateSubnetIds] }));
    expect(Subnets).toHaveLength(5);
    // Free to be adopted again: the marker is gone from what was adopted.
    const { Addresses } = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [net.allocationId, net.secondary!.allocationId] }));
    expect(Addresses!.flatMap((a) => a.Tags ?? []).filter((t) => t.Key === ADOPTION_MARKER_TAG)).toEqual([]);
    await expect(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "orders-egress-probe" }))).rejects.toThrow();
    const state = await run("terraform", [`-chdir=${join(work, "cdktf.out", "stacks", "orders-network")}`, "state", "list"]);
    expect([state.code, state.stdout.trim()]).toEqual([0, ""]);
    // Its empty state is no deployment: the same network can be adopted again under the same name.
    const again = await job(base, "adopt", "--vpc", net.vpcId, "--name", "orders", "--out", out(), "--force");
    expect([again.code, again.stderr]).toEqual([0, ""]);
    expect(again.stdout).toContain(`Egress IPs kept: ${net.publicIp}, ${net.secondary!.publicIp}`);
    // And under another name: nothing of the destroyed stack's own tags says the network is still its.
    const elsewhere = join(work, "billing.json");
    const other = await job(base, "adopt", "--vpc", net.vpcId, "--name", "billing", "--out", elsewhere);
    expect([other.code, other.stderr]).toEqual([0, ""]);
    const { Subnets: tagged } = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: net.privateSubnetIds }));
    expect(tagged!.flatMap((x) => x.Tags ?? []).filter((t) => ["Project", "Environment", "Stack"].includes(t.Key!))).toEqual([]);
  });
});
