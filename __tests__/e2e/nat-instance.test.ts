/**
 * The NAT instance provider on the emulator, as users run it (make demo with natProvider "instance"): the
 * instance on its dedicated interface in the public subnet, the Elastic IP on that interface, every private
 * route to it; a second run changes nothing; a new AMI replaces the instance and a new type modifies it, the
 * interface and the egress IP staying; destroy leaves nothing.
 */
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { DescribeAddressesCommand, DescribeInstancesCommand, DescribeNatGatewaysCommand, DescribeNetworkInterfacesCommand, DescribeRouteTablesCommand, EC2Client, Instance, StopInstancesCommand } from "@aws-sdk/client-ec2";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { JOB_MAIN, LOCAL_CONFIG, rawConfig } from "../helpers/config";
import { clientFor, Emulator, startEmulator } from "../helpers/emulator";
import { run } from "../helpers/terraform";

jest.setTimeout(600_000);

let emu: Emulator;
let ec2: EC2Client;
let env: NodeJS.ProcessEnv;
/** The SSM parameter the config names for the AMI: one this test may write (moto refuses writes under /aws/). */
const AMI_PARAMETER = "/fixed-egress-e2e/nat-ami";
const configure = (edit: (c: any) => void = () => undefined) =>
  writeFileSync(
    env.FIXED_EGRESS_CONFIG!,
    JSON.stringify(
      rawConfig(LOCAL_CONFIG, (c) => ((c.name = "nati"), (c.emulator.endpoint = emu.endpoint), (c.network.natProvider = "instance"), (c.network.natInstanceAmiParameter = AMI_PARAMETER), edit(c))),
    ),
  );
const ssm = () => new SSMClient(clientFor(emu.endpoint));
/** The public AL2023 AMI of an architecture, as the emulator serves it. */
const al2023 = async (arch: "arm64" | "x86_64") => (await ssm().send(new GetParameterCommand({ Name: `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}` }))).Parameter!.Value!;
const publish = async (ami: string) => ssm().send(new PutParameterCommand({ Name: AMI_PARAMETER, Value: ami, Type: "String", Overwrite: true }));
const job = (name: string, ...args: string[]) => run("node", ["--import", "tsx", JOB_MAIN, name, ...args], { env });

beforeAll(async () => {
  emu = startEmulator();
  ec2 = new EC2Client(clientFor(emu.endpoint));
  const work = mkdtempSync(join(tmpdir(), "fixed-egress-nati-"));
  env = { FIXED_EGRESS_CONFIG: join(work, "config.json"), FIXED_EGRESS_OUTDIR: join(work, "cdktf.out"), FIXED_EGRESS_RUN_DIR: join(work, "run") };
  configure();
  await publish(await al2023("arm64"));
});
// No destroy before the emulator stops: stopping it forgets everything (the last test's destroy is the asserted one).
afterAll(() => emu?.stop());

/** The running NAT instance, its interface, and the Elastic IP on that interface. */
async function natNow() {
  const { Reservations } = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "instance-state-name", Values: ["running", "pending"] }] }));
  const instances = (Reservations ?? []).flatMap((r) => r.Instances ?? []).filter((i: Instance) => i.Tags?.some((t) => t.Key === "Environment" && t.Value === "nati"));
  expect(instances).toHaveLength(1);
  const instance = instances[0];
  const primary = instance.NetworkInterfaces!.find((n) => n.Attachment?.DeviceIndex === 0)!;
  const { Addresses } = await ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: "network-interface-id", Values: [primary.NetworkInterfaceId!] }] }));
  expect(Addresses).toHaveLength(1);
  return { instance, eni: primary.NetworkInterfaceId!, allocationId: Addresses![0].AllocationId!, publicIp: Addresses![0].PublicIp! };
}

let first: Awaited<ReturnType<typeof natNow>>;

it("make demo deploys it: the instance in the first public subnet on its own interface, which holds the EIP, and every private route goes to it", async () => {
  const r = await job("deploy");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("nati-network: 26 to add, 0 to change, 0 to replace, 0 to destroy. Monthly cost: 0.00 → 8.36 USD (+8.36).");
  expect(r.stdout).toContain("about 8.56 USD per month for 1 NAT instance(s) (t4g.nano)");
  first = await natNow();
  expect(r.stdout).toContain(`Egress IPs to allow-list at the database: ${first.publicIp}`);
  const net = JSON.parse((await run("terraform", [`-chdir=${join(env.FIXED_EGRESS_OUTDIR!, "stacks", "nati-network")}`, "output", "-json"])).stdout);
  expect(first.instance.SubnetId).toBe(net.public_subnet_ids.value[0]);
  expect(first.instance.InstanceType).toBe("t4g.nano");
  expect(first.instance.KeyName).toBeUndefined();
  expect(first.instance.MetadataOptions?.HttpTokens).toBe("required");
  expect(first.instance.ImageId).toBe(await al2023("arm64"));
  const { NetworkInterfaces } = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [first.eni] }));
  expect(NetworkInterfaces![0].SourceDestCheck).toBe(false);
  expect(NetworkInterfaces![0].SubnetId).toBe(net.public_subnet_ids.value[0]);
  expect(net.egress_ips.value).toEqual([first.publicIp]);
  expect(net.nat_device_ids.value).toEqual([first.eni]);
  const { RouteTables } = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "association.subnet-id", Values: net.private_subnet_ids.value }] }));
  expect(RouteTables).toHaveLength(2);
  for (const t of RouteTables!) expect(t.Routes!.find((x) => x.DestinationCidrBlock === "0.0.0.0/0")!.NetworkInterfaceId).toBe(first.eni);
});

it("plans no change on a second run, and make drift finds nothing", async () => {
  const r = await job("deploy", "--no-bootstrap");
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("nati-network: no changes");
  expect(r.stdout).toContain("nati-app: no changes");
  const drift = await job("drift");
  expect(drift.stdout).toContain("No drift: every resource is as Terraform last left it.");
  expect(drift.code).toBe(0);
});

it("a newer AMI published: make plan changes no NAT and says so, make deploy replaces nothing; make nat-upgrade replaces the instance, keeping interface, allocation and IP", async () => {
  const newer = await al2023("x86_64");
  await publish(newer);
  const plan = await job("plan");
  expect(plan.code).toBe(0);
  expect(plan.stdout).toContain("0 to add, 0 to change, 0 to replace, 0 to destroy.");
  expect(plan.stdout).toContain(`note: NAT instance ${first.instance.InstanceId} runs ${first.instance.ImageId}; ${newer} is published. It stays until make nat-upgrade replaces it`);
  const deploy = await job("deploy", "--no-bootstrap");
  expect(deploy.code).toBe(0);
  expect(deploy.stdout).toContain("nati-network: no changes");
  expect((await natNow()).instance.InstanceId).toBe(first.instance.InstanceId);

  const r = await job("nat-upgrade");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  // The instance, and its managed state with it; its alarms follow the new id in place.
  expect(r.stdout).toMatch(/nati-network: 0 to add, 2 to change, 2 to replace, 0 to destroy\./);
  expect(r.stdout).toMatch(/expected: aws_instance\.network_nat_instance-ap-northeast-1a_\w+ would be replaced/);
  expect(r.stdout).toContain("this zone's egress stops until the new instance forwards");
  expect(r.stdout).toContain("Upgraded 1 NAT instance(s); the egress IPs are unchanged.");
  const now = await natNow();
  expect(now.instance.InstanceId).not.toBe(first.instance.InstanceId);
  expect(now.instance.ImageId).toBe(newer);
  expect({ eni: now.eni, allocationId: now.allocationId, publicIp: now.publicIp }).toEqual({ eni: first.eni, allocationId: first.allocationId, publicIp: first.publicIp });
  expect((await job("deploy", "--no-bootstrap")).stdout).toContain("nati-network: no changes");
  first = now;
});

it("stopped outside Terraform: make drift reports it as egress (exit 2), make deploy starts it again", async () => {
  await ec2.send(new StopInstancesCommand({ InstanceIds: [first.instance.InstanceId!] }));
  const drift = await job("drift");
  expect(drift.code).toBe(2);
  expect(drift.stdout).toMatch(/EGRESS nati-network: aws_ec2_instance_state\.network_nat_state-ap-northeast-1a_\w+ was changed outside Terraform: egress through it stops\./);
  const r = await job("deploy", "--no-bootstrap");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("nati-network: 0 to add, 1 to change, 0 to replace, 0 to destroy.");
  const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [first.instance.InstanceId!] }));
  expect(Reservations![0].Instances![0].State!.Name).toBe("running");
  expect((await job("drift")).code).toBe(0);
});

it("a new AMI replaces the instance, which the guard names as an egress stop (allowed here); the interface, EIP and public IP stay", async () => {
  const pinned = await al2023("arm64");
  configure((c) => ((c.network.natInstanceAmiId = pinned), (c.network.natInstanceType = "t3.nano")));
  const r = await job("deploy", "--no-bootstrap", "--allow-egress-change");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/nati-network: 0 to add, \d+ to change, 2 to replace, 0 to destroy\./);
  expect(r.stdout).toMatch(/allowed by --allow-egress-change: aws_instance\.network_nat_instance-ap-northeast-1a_\w+ would be replaced: it is a NAT instance \(i-\w+\); the new instance takes over its interface and Elastic IP \(the egress IP stays\)/);
  const now = await natNow();
  expect(now.instance.InstanceId).not.toBe(first.instance.InstanceId);
  expect(now.instance.ImageId).toBe(pinned);
  expect(now.instance.InstanceType).toBe("t3.nano");
  expect({ eni: now.eni, allocationId: now.allocationId, publicIp: now.publicIp }).toEqual({ eni: first.eni, allocationId: first.allocationId, publicIp: first.publicIp });
});

it("a new instance type alone modifies the instance in place (stop, modify, start), which the guard refuses until allowed: same interface and IP", async () => {
  const before = await natNow();
  configure((c) => {
    c.network.natInstanceAmiId = before.instance.ImageId;
    c.network.natInstanceType = "t3.micro";
  });
  const refused = await job("deploy", "--no-bootstrap");
  expect(refused.code).toBe(1);
  expect(refused.stdout).toMatch(/refused: aws_instance\.network_nat_instance-ap-northeast-1a_\w+ would be stopped, modified \(instance_type\) and started again/);
  expect((await natNow()).instance.InstanceType).toBe("t3.nano");
  const r = await job("deploy", "--no-bootstrap", "--allow-egress-change");
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("nati-network: 0 to add, 1 to change, 0 to replace, 0 to destroy.");
  const now = await natNow();
  expect(now.instance.InstanceType).toBe("t3.micro");
  expect({ eni: now.eni, publicIp: now.publicIp }).toEqual({ eni: first.eni, publicIp: first.publicIp });
});

it("switching to a NAT Gateway on the same Elastic IP: refused with the two applies it takes; allowed, the instance's association goes first and the gateway takes the address (the emulator refuses an address another interface holds, as AWS does)", async () => {
  const before = await natNow();
  configure((c) => (c.network.natProvider = "gateway"));
  const refused = await job("deploy", "--no-bootstrap");
  expect(refused.code).toBe(1);
  expect(refused.stdout).toMatch(new RegExp(`refused: aws_nat_gateway\\.network_nat_gateway-ap-northeast-1a_\\w+ would take Elastic IP allocation ${before.allocationId}, which aws_eip_association\\.\\S+ holds: .*first remove`));
  const r = await job("deploy", "--no-bootstrap", "--allow-egress-change");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/aws_eip_association\.network_nat_eip-association-ap-northeast-1a_\w+ hold Elastic IPs the new NAT devices take; .* so they go first/);
  const { NatGateways } = await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: "state", Values: ["available"] }] }));
  expect(NatGateways!.map((n) => n.NatGatewayAddresses![0].AllocationId)).toEqual([before.allocationId]);
  expect(NatGateways![0].NatGatewayAddresses![0].PublicIp).toBe(first.publicIp);
  expect(r.stdout).toContain(`Egress IPs to allow-list at the database: ${first.publicIp}`);
});

it("make destroy leaves nothing: no instance running, no interface, no Elastic IP", async () => {
  const r = await job("destroy");
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/nati-network: Destroy complete! Resources: \d+ destroyed\./);
  const { Reservations } = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "instance-state-name", Values: ["running", "pending", "stopped"] }] }));
  expect((Reservations ?? []).flatMap((x) => x.Instances ?? [])).toEqual([]);
  const { NetworkInterfaces } = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: undefined, Filters: [{ Name: "network-interface-id", Values: [first.eni] }] }));
  expect(NetworkInterfaces).toEqual([]);
  const { Addresses } = await ec2.send(new DescribeAddressesCommand({}));
  expect(Addresses).toEqual([]);
});
