/**
 * perAz NAT on three AZs, and an existing VPC with bring-your-own Elastic IPs that outlive the stack.
 *
 * Each command starts its own provider (no @shared-providers): on a shared one, the removal of two secondary
 * addresses failed once in seven runs, DisassociateNatGatewayAddress answering that an association it had just
 * read did not exist; the cause is not found yet.
 */
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateNetworkInterfaceCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteNetworkInterfaceCommand,
  DeleteSubnetCommand,
  DescribeAddressesCommand,
  DescribeInternetGatewaysCommand,
  DescribeManagedPrefixListsCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DisassociateAddressCommand,
  EC2Client,
  GetManagedPrefixListEntriesCommand,
  ReleaseAddressCommand,
} from "@aws-sdk/client-ec2";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { reviewPlan } from "@fixed-egress/guard";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { tmpdir } from "os";
import { join } from "path";
import { bootstrapState } from "../../jobs/bootstrap-state";
import { broughtEipProblems } from "../../jobs/preflight";
import { LOCAL_CONFIG, ROOT, rawConfig } from "../helpers/config";
import { runJob } from "../helpers/terraform";
import { Deployment, emulatorConfig, prepare } from "../helpers/deploy";
import { clientFor, Emulator, emulatorCall, startEmulator } from "../helpers/emulator";

jest.setTimeout(600_000);

let emu: Emulator;
let ec2: EC2Client;
beforeAll(() => {
  emu = startEmulator({ natAddressQuota: 8 }); // a quota increase: the secondary-address case holds four
  ec2 = new EC2Client(clientFor(emu.endpoint));
});
afterAll(() => emu?.stop());

/** RAM's GetResourceShareAssociations. */
async function ramAssociations(query: object): Promise<{ resourceShareArn: string; associatedEntity: string }[]> {
  return (JSON.parse(await emulatorCall(emu.endpoint, "ram", "/getresourceshareassociations", { body: JSON.stringify(query) })) as { resourceShareAssociations: { resourceShareArn: string; associatedEntity: string }[] }).resourceShareAssociations;
}

/**
 * The network's egress IPs as published: a prefix list of one /32 each (zone and role described), sized for them
 * and shared with the principal through RAM, and the SSM parameter; returns the prefix list's id.
 */
async function expectPublished(details: { address: string; zone: string; role: string }[]): Promise<string> {
  const { PrefixLists } = await ec2.send(new DescribeManagedPrefixListsCommand({ Filters: [{ Name: "prefix-list-name", Values: ["egress-ips-peraz"] }] }));
  expect(PrefixLists).toHaveLength(1);
  const list = PrefixLists![0];
  expect(list.MaxEntries).toBe(details.length);
  const { Entries } = await ec2.send(new GetManagedPrefixListEntriesCommand({ PrefixListId: list.PrefixListId }));
  const byCidr = (a: { Cidr?: string }, b: { Cidr?: string }) => a.Cidr!.localeCompare(b.Cidr!);
  expect([...Entries!].sort(byCidr)).toEqual(details.map((x) => ({ Cidr: `${x.address}/32`, Description: `${x.zone} ${x.role}` })).sort(byCidr));
  const { Parameter } = await new SSMClient(clientFor(emu.endpoint)).send(new GetParameterCommand({ Name: "/partners/peraz/egress-ips" }));
  expect(Parameter).toMatchObject({ Type: "StringList" });
  expect(Parameter!.Value!.split(",").sort()).toEqual(details.map((x) => x.address).sort());
  const held = await ramAssociations({ associationType: "RESOURCE", resourceArn: list.PrefixListArn });
  expect(held).toHaveLength(1);
  const principals = await ramAssociations({ associationType: "PRINCIPAL", resourceShareArns: [held[0].resourceShareArn] });
  expect(principals.map((p) => p.associatedEntity)).toEqual(["111122223333"]);
  return list.PrefixListId!;
}

// Each test has a network of its own name; none is destroyed only to clean up (the emulator forgets all when stopped).
describe("NAT modes on the emulator", () => {
  let d: Deployment | undefined;

  it("perAz on 3 AZs, deployed by release 0.3.0 (ids by position): today's release plans only moves, then three NAT Gateways, three EIPs, three private route tables, each to the NAT of its own AZ; dropping the first zone touches that zone only", async () => {
    const zones = (c: any, from = 0) => {
      c.network.natPlacement = "perAz";
      c.network.availabilityZones = ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"].slice(from);
      c.network.publicSubnetCidrs = ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"].slice(from);
      c.network.privateSubnetCidrs = ["10.0.10.0/24", "10.0.11.0/24", "10.0.12.0/24"].slice(from);
    };
    const config = emulatorConfig(emu.endpoint, "peraz", (c) => zones(c));
    d = await prepare(config);
    // What 0.3.0 synthesized for this config, with this deployment's provider endpoints and state.
    const file = join(d.synth.stackDir("network"), "cdk.tf.json");
    const today = JSON.parse(readFileSync(file, "utf8"));
    const released = JSON.parse(readFileSync(join(ROOT, "__tests__", "fixtures", "release-0.3", "peraz-network-stack.json"), "utf8"));
    writeFileSync(file, JSON.stringify({ ...released, provider: today.provider, terraform: today.terraform }));
    await d.apply("network");
    const deployed = await d.outputs("network");

    // Today's synthesis: every resource is moved to its zone-keyed address, and nothing else changes.
    await d.resynth(config);
    const upgrade = JSON.parse(readFileSync(await d.planJsonFile("network"), "utf8"));
    const changes = upgrade.resource_changes.filter((c: any) => c.mode === "managed");
    expect(changes.filter((c: any) => c.change.actions.join() !== "no-op").map((c: any) => `${c.address} ${c.change.actions}`)).toEqual([]);
    const moved = changes.filter((c: any) => c.previous_address);
    expect(moved.length).toBe(24); // per zone: 2 subnets, 2 associations, a private table and its route, a NAT Gateway and its EIP
    for (const c of moved) expect(c.address).toMatch(/ap-northeast-1[acd]/);
    await d.applyReviewed("network");
    // The outputs added since 0.3.0: nat_device_ids (the gateways again) and egress_ip_details (each address with its zone and gateway).
    const upgraded = await d.outputs("network");
    expect(upgraded).toEqual({ ...deployed, nat_device_ids: deployed.nat_gateway_ids, egress_ip_details: upgraded.egress_ip_details });
    expect(upgraded.egress_ip_details).toEqual(
      deployed.egress_ips.map((address: string, i: number) => ({ address, zone: ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"][i], device: deployed.nat_gateway_ids[i], role: "primary" })),
    );

    const net = await d.outputs("network");
    expect(net.egress_ips).toHaveLength(3);
    expect(new Set(net.egress_ips).size).toBe(3);

    const { NatGateways } = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: net.nat_device_ids }));
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

    // Without the first zone: that zone's resources are deleted, the other two zones' are untouched.
    await d.resynth(emulatorConfig(emu.endpoint, "peraz", (c) => zones(c, 1)));
    const plan = JSON.parse(readFileSync(await d.planJsonFile("network"), "utf8"));
    const acting = plan.resource_changes.filter((c: any) => c.mode === "managed" && c.change.actions.join() !== "no-op");
    const deleted = acting.filter((c: any) => c.change.actions.join() === "delete").map((c: any) => c.address);
    expect(deleted).toHaveLength(8);
    for (const a of deleted) expect(a).toMatch(/ap-northeast-1a/);
    // Only the S3 endpoint changes besides: it leaves the deleted table.
    expect(acting.filter((c: any) => c.change.actions.join() !== "delete").map((c: any) => `${c.type} ${c.change.actions}`)).toEqual(["aws_vpc_endpoint update"]);
    const kept = plan.resource_changes.filter((c: any) => /ap-northeast-1[cd]/.test(c.address));
    expect(kept.length).toBe(16);
    for (const c of kept) expect([c.address, c.change.actions]).toEqual([c.address, ["no-op"]]);
    // The guard names that zone's NAT Gateway, Elastic IP, route and subnet, nothing of the others.
    const review = reviewPlan(plan, "peraz-network");
    expect(review.findings.length).toBeGreaterThan(0);
    for (const f of review.findings) expect(f.address).toMatch(/ap-northeast-1a/);
    expect(review.egressAfter.sort()).toEqual(net.egress_ips.filter((_: string, i: number) => i > 0).sort());

    // Published (prefix list shared through RAM, SSM parameter) on two zones, then the third zone added: the list,
    // its size and the parameter follow in the same apply, which the guard finds consistent.
    const publish = (c: any, from: number) => {
      zones(c, from);
      c.network.publishEgressIps = { prefixList: true, shareWith: ["111122223333"], ssmParameter: "/partners/peraz/egress-ips" };
    };
    await d.resynth(emulatorConfig(emu.endpoint, "peraz", (c) => publish(c, 1)));
    await d.apply("network");
    const list = await expectPublished((await d.outputs("network")).egress_ip_details);
    await d.resynth(emulatorConfig(emu.endpoint, "peraz", (c) => publish(c, 0)));
    const grow = JSON.parse(readFileSync(await d.planJsonFile("network"), "utf8"));
    expect(grow.resource_changes.find((c: any) => c.type === "aws_ec2_managed_prefix_list").change.actions).toEqual(["update"]);
    const growing = reviewPlan(grow, "peraz-network");
    expect([...growing.findings, ...growing.warnings].filter((f) => f.rule.startsWith("prefix-list"))).toEqual([]);
    await d.applyReviewed("network");
    const three = (await d.outputs("network")).egress_ip_details;
    expect(three.map((x: any) => x.zone).sort()).toEqual(["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]);
    expect(await expectPublished(three)).toBe(list);
    expect(await d.planExitCode("network")).toBe(0);
  });

  it("a NAT Gateway with two secondary addresses: three egress IPs, all expected by the probe, whose canary schedule and alarms exist; a third secondary is added in place, which the review refuses as an address change (its IP is known only after apply)", async () => {
    const topic = "arn:aws:sns:ap-northeast-1:123456789012:second-egress";
    const config = (n: number) => emulatorConfig(emu.endpoint, "second", (c) => ((c.network.natGatewaySecondaryEips = n), (c.network.alarms = { topicArn: topic }), (c.lambda.canary = {})));
    d = await prepare(config(2));
    await d.apply("network");
    await d.apply("app");
    const net = await d.outputs("network");
    expect(net.egress_ips).toHaveLength(3);
    const { NatGateways } = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: net.nat_device_ids }));
    const addresses = NatGateways![0].NatGatewayAddresses!;
    // The primary first; the secondary ones are a set to AWS (and to the provider's secondary_allocation_ids).
    expect(addresses.find((a) => a.IsPrimary)!.PublicIp).toBe(net.egress_ips[0]);
    expect(addresses.map((a) => a.PublicIp).sort()).toEqual([...net.egress_ips].sort());
    expect(addresses.filter((a) => !a.IsPrimary)).toHaveLength(2);
    const fn = await new LambdaClient(clientFor(emu.endpoint)).send(new GetFunctionConfigurationCommand({ FunctionName: "second-egress-probe" }));
    expect(fn.Environment!.Variables!.EGRESS_IPS.split(",")).toEqual(net.egress_ips);
    expect(fn.Environment!.Variables!.NETWORK_NAME).toBe("second");
    expect(await d.planExitCode("network")).toBe(0);

    // The egress canary: the schedule runs the probe with {"canary": true}; both alarms watch its metrics.
    const schedule = JSON.parse(await emulatorCall(emu.endpoint, "scheduler", "/schedules/second-egress-canary", { method: "GET" }));
    expect(schedule).toMatchObject({ ScheduleExpression: "rate(5 minutes)", State: "ENABLED", FlexibleTimeWindow: { Mode: "OFF" }, Target: { Arn: fn.FunctionArn, Input: '{"canary":true}' } });
    const alarms = await emulatorCall(emu.endpoint, "monitoring", "/", { form: true, body: "Action=DescribeAlarms&Version=2010-08-01&AlarmNamePrefix=second-" });
    for (const [name, metric] of [["second-egress-ip-unexpected", "EgressIpExpected"], ["second-database-unreachable", "DatabaseReachable"]]) {
      // The XML of one alarm: from its name to the next alarm's.
      const at = alarms.indexOf(`<AlarmName>${name}</AlarmName>`);
      expect(at).toBeGreaterThanOrEqual(0);
      const next = alarms.indexOf("<AlarmName>", at + 1);
      const alarm = alarms.slice(at, next < 0 ? undefined : next);
      for (const part of [`<MetricName>${metric}</MetricName>`, "<Namespace>FixedEgress</Namespace>", "<TreatMissingData>breaching</TreatMissingData>", "<Period>300</Period>", topic]) expect(alarm).toContain(part);
    }
    expect(await d.planExitCode("app")).toBe(0);

    // make egress-ips reads the same addresses from the state: zone, gateway and role each; JSON, /32s, a table, a check.
    const work = mkdtempSync(join(tmpdir(), "fixed-egress-ips-"));
    const file = join(work, "config.json");
    writeFileSync(file, JSON.stringify(rawConfig(LOCAL_CONFIG, (c) => Object.assign(c, { name: "second", emulator: { endpoint: emu.endpoint }, backend: { ...c.backend, bucket: "fixed-egress-e2e-state" }, network: { ...c.network, natGatewaySecondaryEips: 2 } }))));
    const job = (name: string, ...args: string[]) => runJob({ FIXED_EGRESS_CONFIG: file, FIXED_EGRESS_OUTDIR: d!.synth.outdir, FIXED_EGRESS_RUN_DIR: join(work, "run") }, name, ...args);
    const ips = (...args: string[]) => job("egress-ips", ...args);
    const json = await ips("--format", "json");
    expect(json.code).toBe(0);
    const roles = ["primary", "secondary", "secondary"];
    expect(JSON.parse(json.stdout)).toEqual({ network: "second-network", egress_ips: net.egress_ips.map((address: string, i: number) => ({ address, zone: "ap-northeast-1a", device: net.nat_device_ids[0], role: roles[i] })) });
    expect((await ips("--format", "cidr")).stdout).toBe(net.egress_ips.map((a: string) => `${a}/32\n`).join(""));
    const text = await ips();
    expect(text.stdout).toContain(`Egress IPs of second-network (3):`);
    expect(text.stdout).toMatch(new RegExp(`  ${net.egress_ips[1].replace(/\./g, "\\.")} +ap-northeast-1a +${net.nat_device_ids[0]} +secondary\n`));
    const allowList = join(work, "partner.txt");
    writeFileSync(allowList, `# what the partner admits\n${net.egress_ips[0]}\n${net.egress_ips[2]}\n198.51.100.7\n`);
    const check = await ips("--check", allowList);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`missing: ${net.egress_ips[1]} (ap-northeast-1a, ${net.nat_device_ids[0]}, secondary) is an egress IP ${allowList} does not hold`);
    expect(check.stdout).toContain(`stale: 198.51.100.7 is in ${allowList} but is no egress IP of the network`);

    // make verify: the emulator runs no function, so the probe's bundle runs in the data plane's namespaces.
    const verified = await job("verify");
    expect([verified.code, verified.stdout]).toEqual([0, expect.stringContaining("the database saw 203.0.113.10: the data plane's NAT address, standing for the egress IPs of second-network (")]);
    expect(verified.stdout).toContain("the probe ran as the probe's bundle in network namespaces (the emulator runs no function)");

    // 2 → 3: the NAT Gateway is updated in place (same id, same primary allocation); the guard names the new address.
    await d.resynth(config(3));
    const plan = JSON.parse(readFileSync(await d.planJsonFile("network"), "utf8"));
    const gateway = plan.resource_changes.find((c: any) => c.type === "aws_nat_gateway");
    expect(gateway.change.actions).toEqual(["update"]);
    const review = reviewPlan(plan, "second-network");
    expect(review.findings.map((f) => f.rule)).toEqual(["nat-gateway-addresses"]);
    expect([...review.egressBefore].sort()).toEqual([...net.egress_ips].sort());
    await d.applyReviewed("network");
    const after = await d.outputs("network");
    expect(after.egress_ips.slice(0, 3)).toEqual(net.egress_ips);
    // The review names the change as a secondary address (its IP is known only after apply).
    expect(review.findings[0].reason).toMatch(/secondary/);
    expect(after.egress_ips).toHaveLength(4);
    const { NatGateways: now } = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: after.nat_device_ids }));
    expect(now![0].NatGatewayId).toBe(NatGateways![0].NatGatewayId);
    expect(now![0].NatGatewayAddresses!.find((a) => a.IsPrimary)!.AllocationId).toBe(addresses[0].AllocationId);
    expect(now![0].NatGatewayAddresses).toHaveLength(4);
    expect(await d.planExitCode("network")).toBe(0);

    // 3 → 1: the emulator refuses, as AWS does, to release an address the gateway still holds; the secondaries'
    // create_before_destroy makes Terraform update the gateway first, then release them.
    await d.resynth(config(1));
    await d.apply("network");
    const fewer = await d.outputs("network");
    expect(fewer.egress_ips).toEqual(after.egress_ips.slice(0, 2));
    const { Addresses } = await ec2.send(new DescribeAddressesCommand({}));
    for (const gone of after.egress_ips.slice(2)) expect(Addresses!.map((a) => a.PublicIp)).not.toContain(gone);
    expect(await d.planExitCode("network")).toBe(0);
  });

  it("an existing VPC with its own Internet Gateway and bring-your-own EIPs: no second gateway, the EIPs checked before apply and kept after destroy", async () => {
    // The VPC and its Internet Gateway made by hand, as in the console.
    const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
    const vpcId = Vpc!.VpcId!;
    const { InternetGateway } = await ec2.send(new CreateInternetGatewayCommand({}));
    const igwId = InternetGateway!.InternetGatewayId!;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
    const brought = await Promise.all([0, 1].map(() => ec2.send(new AllocateAddressCommand({ Domain: "vpc" }))));
    const ids = brought.map((b) => b.AllocationId!);
    const config = emulatorConfig(emu.endpoint, "byo", (c) => {
      c.network.existingVpcId = vpcId;
      c.network.natPlacement = "perAz";
      c.network.eipAllocationIds = ids;
    });
    try {
      // An allocation someone else holds is refused before any apply, naming it, its IP and its holder.
      const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.200.0/24", AvailabilityZone: "ap-northeast-1a" }));
      const { NetworkInterface } = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: Subnet!.SubnetId! }));
      const eni = NetworkInterface!.NetworkInterfaceId!;
      const { AssociationId } = await ec2.send(new AssociateAddressCommand({ AllocationId: ids[1], NetworkInterfaceId: eni }));
      const held = `network.eipAllocationIds[1]: Elastic IP allocation ${ids[1]} (${brought[1].PublicIp}) is already associated with network interface ${eni}; a NAT Gateway cannot take an address in use: disassociate it first (aws ec2 disassociate-address --association-id ${AssociationId}) or bring another allocation`;
      expect(await broughtEipProblems(config, [])).toEqual([held]);
      // make deploy says it after planning and before applying anything.
      await bootstrapState(config, () => undefined);
      const work = mkdtempSync(join(tmpdir(), "fixed-egress-byo-"));
      const file = join(work, "config.json");
      writeFileSync(file, JSON.stringify(rawConfig(LOCAL_CONFIG, (c) => Object.assign(c, { name: "byo", emulator: { endpoint: emu.endpoint }, backend: { type: "s3", bucket: "fixed-egress-e2e-state" } }, { network: { ...c.network, existingVpcId: vpcId, natPlacement: "perAz", eipAllocationIds: ids } }))));
      const deploy = await runJob({ FIXED_EGRESS_CONFIG: file, FIXED_EGRESS_OUTDIR: join(work, "out"), FIXED_EGRESS_RUN_DIR: join(work, "run") }, "deploy", "--no-bootstrap");
      expect(deploy.code).toBe(1);
      expect(deploy.stderr.trim()).toBe(`${held}\nNothing was applied.`);
      expect(deploy.stdout).not.toContain("terraform apply");
      const { NatGateways: none } = await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: "vpc-id", Values: [vpcId] }] }));
      expect((none ?? []).filter((n) => n.State !== "deleted")).toEqual([]);
      await ec2.send(new DisassociateAddressCommand({ AssociationId }));
      await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni }));
      await ec2.send(new DeleteSubnetCommand({ SubnetId: Subnet!.SubnetId! }));
      expect(await broughtEipProblems(config, [])).toEqual([]);

      d = await prepare(config);
      await d.apply("network");
      const net = await d.outputs("network");
      expect(net.vpc_id).toBe(vpcId);
      expect(net.egress_ips).toEqual(brought.map((b) => b.PublicIp));
      const { NatGateways } = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: net.nat_device_ids }));
      expect(NatGateways!.map((n) => n.NatGatewayAddresses![0].AllocationId).sort()).toEqual([...ids].sort());

      // One Internet Gateway in the VPC, the one made by hand, and the public route uses it.
      const { InternetGateways } = await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: "attachment.vpc-id", Values: [vpcId] }] }));
      expect(InternetGateways!.map((g) => g.InternetGatewayId)).toEqual([igwId]);
      const { RouteTables } = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "association.subnet-id", Values: net.public_subnet_ids }] }));
      expect(RouteTables).toHaveLength(1);
      expect(RouteTables![0].Routes!.find((r) => r.DestinationCidrBlock === "0.0.0.0/0")!.GatewayId).toBe(igwId);

      // Held by this stack's own NAT Gateways they pass; seen from another stack they are refused.
      expect(await broughtEipProblems(config, net.nat_device_ids)).toEqual([]);
      const other = await broughtEipProblems(config, []);
      expect(other).toHaveLength(2);
      expect(other[0]).toMatch(new RegExp(`^network\\.eipAllocationIds\\[0\\]: Elastic IP allocation ${ids[0]} \\(${brought[0].PublicIp!.replace(/\./g, "\\.")}\\) is already associated with NAT Gateway nat-\\w+ \\(not this stack's\\)`));

      await d.destroy("network");
      const { Addresses } = await ec2.send(new DescribeAddressesCommand({ AllocationIds: ids }));
      const pairs = (list: { AllocationId?: string; PublicIp?: string }[]) => list.map((a) => `${a.AllocationId}=${a.PublicIp}`).sort();
      expect(pairs(Addresses!)).toEqual(pairs(brought));
    } finally {
      for (const id of ids) await ec2.send(new ReleaseAddressCommand({ AllocationId: id })).catch(() => undefined);
    }
  });

  it("accepts a brought allocation held by this stack's own NAT instance interface, and refuses it for another stack", async () => {
    const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.7.0.0/16" }));
    const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: Vpc!.VpcId!, CidrBlock: "10.7.0.0/24" }));
    const { NetworkInterface } = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: Subnet!.SubnetId! }));
    const { AllocationId, PublicIp } = await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
    await ec2.send(new AssociateAddressCommand({ AllocationId, NetworkInterfaceId: NetworkInterface!.NetworkInterfaceId }));
    const config = emulatorConfig(emu.endpoint, "own", (c) => ((c.network.natProvider = "instance"), (c.network.eipAllocationIds = [AllocationId])));
    expect(await broughtEipProblems(config, [NetworkInterface!.NetworkInterfaceId!])).toEqual([]);
    expect(await broughtEipProblems(config, [])).toEqual([expect.stringContaining(`Elastic IP allocation ${AllocationId} (${PublicIp}) is already associated with network interface ${NetworkInterface!.NetworkInterfaceId}`)]);
  });

  it("names a brought allocation that does not exist", async () => {
    const config = emulatorConfig(emu.endpoint, "missing", (c) => (c.network.eipAllocationIds = ["eipalloc-0123456789abcdef0"]));
    expect(await broughtEipProblems(config, [])).toEqual([
      "network.eipAllocationIds[0]: Elastic IP allocation eipalloc-0123456789abcdef0 does not exist in ap-northeast-1; allocate one (aws ec2 allocate-address --domain vpc) or fix the id",
    ]);
  });
});
