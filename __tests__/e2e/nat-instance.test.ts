/**
 * The NAT instance provider on the emulator, as users run it (make demo with natProvider "instance"): the
 * instance on its dedicated interface in the public subnet, the Elastic IP on that interface, every private
 * route to it; a newer AMI changes nothing until make nat-upgrade replaces the instance, interface and egress IP
 * staying; a stop outside Terraform is egress drift that deploy repairs; destroy leaves nothing. Changes of the
 * config (AMI, type, provider) run on a network of their own: nat-instance-changes.test.ts.
 *
 * @shared-providers one AWS provider per stack folder for the whole suite (scripts/shared-provider.sh)
 */
import { DescribeAddressesCommand, DescribeInstancesCommand, DescribeNetworkInterfacesCommand, DescribeRouteTablesCommand, StopInstancesCommand } from "@aws-sdk/client-ec2";
import { NatInstanceEnv, natInstanceEnv } from "../helpers/nat-instance";
import { outputsIn } from "../helpers/terraform";

jest.setTimeout(600_000);

let n: NatInstanceEnv;
beforeAll(async () => {
  n = await natInstanceEnv("nati");
});
// No destroy before the emulator stops: stopping it forgets everything (the last test's destroy is the asserted one).
afterAll(() => n?.emu.stop());

let first: Awaited<ReturnType<NatInstanceEnv["natNow"]>>;

it("make demo deploys it: the instance in the first public subnet on its own interface, which holds the EIP, and every private route goes to it", async () => {
  const r = await n.job("deploy");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("nati-network: 26 to add, 0 to change, 0 to replace, 0 to destroy. Monthly cost: 0.00 → 8.36 USD (+8.36).");
  expect(r.stdout).toContain("about 8.56 USD per month for 1 NAT instance(s) (t4g.nano)");
  first = await n.natNow();
  expect(r.stdout).toContain(`Egress IPs to allow-list at the database: ${first.publicIp}`);
  const net = await outputsIn(n.stackDir("network"));
  expect(first.instance.SubnetId).toBe(net.public_subnet_ids[0]);
  expect(first.instance.InstanceType).toBe("t4g.nano");
  expect(first.instance.KeyName).toBeUndefined();
  expect(first.instance.MetadataOptions?.HttpTokens).toBe("required");
  expect(first.instance.ImageId).toBe(await n.al2023("arm64"));
  const { NetworkInterfaces } = await n.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [first.eni] }));
  expect(NetworkInterfaces![0].SourceDestCheck).toBe(false);
  expect(NetworkInterfaces![0].SubnetId).toBe(net.public_subnet_ids[0]);
  expect(net.egress_ips).toEqual([first.publicIp]);
  expect(net.nat_device_ids).toEqual([first.eni]);
  const { RouteTables } = await n.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "association.subnet-id", Values: net.private_subnet_ids }] }));
  expect(RouteTables).toHaveLength(2);
  for (const t of RouteTables!) expect(t.Routes!.find((x) => x.DestinationCidrBlock === "0.0.0.0/0")!.NetworkInterfaceId).toBe(first.eni);
});

it("a newer AMI published: make plan changes nothing in either stack and says so; make nat-upgrade replaces the instance, keeping interface, allocation and IP; the next deploy changes nothing", async () => {
  const newer = await n.al2023("x86_64");
  await n.publish(newer);
  // The plan make deploy would apply: nothing, though the AMI parameter moved on.
  const plan = await n.job("plan");
  expect(plan.code).toBe(0);
  expect(plan.stdout.match(/0 to add, 0 to change, 0 to replace, 0 to destroy\./g)).toHaveLength(2);
  expect(plan.stdout).toContain(`note: NAT instance ${first.instance.InstanceId} runs ${first.instance.ImageId}; ${newer} is published. It stays until make nat-upgrade replaces it`);
  expect((await n.natNow()).instance.InstanceId).toBe(first.instance.InstanceId);

  const r = await n.job("nat-upgrade");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  // The instance, and its managed state with it; its alarms follow the new id in place.
  expect(r.stdout).toMatch(/nati-network: 0 to add, 2 to change, 2 to replace, 0 to destroy\./);
  expect(r.stdout).toMatch(/expected: aws_instance\.network_nat_instance-ap-northeast-1a_\w+ would be replaced/);
  expect(r.stdout).toContain("this zone's egress stops until the new instance forwards");
  expect(r.stdout).toContain("Upgraded 1 NAT instance(s); the egress IPs are unchanged.");
  const now = await n.natNow();
  expect(now.instance.InstanceId).not.toBe(first.instance.InstanceId);
  expect(now.instance.ImageId).toBe(newer);
  expect({ eni: now.eni, allocationId: now.allocationId, publicIp: now.publicIp }).toEqual({ eni: first.eni, allocationId: first.allocationId, publicIp: first.publicIp });
  const again = await n.job("deploy", "--no-bootstrap");
  expect(again.code).toBe(0);
  expect(again.stdout).toContain("nati-network: no changes");
  expect(again.stdout).toContain("nati-app: no changes");
  first = now;
});

it("stopped outside Terraform: make drift reports it as egress (exit 2), make deploy starts it again, and drift then finds nothing", async () => {
  await n.ec2.send(new StopInstancesCommand({ InstanceIds: [first.instance.InstanceId!] }));
  const drift = await n.job("drift");
  expect(drift.code).toBe(2);
  expect(drift.stdout).toMatch(/EGRESS nati-network: aws_ec2_instance_state\.network_nat_state-ap-northeast-1a_\w+ was changed outside Terraform: egress through it stops\./);
  const r = await n.job("deploy", "--no-bootstrap");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("nati-network: 0 to add, 1 to change, 0 to replace, 0 to destroy.");
  const { Reservations } = await n.ec2.send(new DescribeInstancesCommand({ InstanceIds: [first.instance.InstanceId!] }));
  expect(Reservations![0].Instances![0].State!.Name).toBe("running");
  // Right after a deploy, nothing has drifted.
  const again = await n.job("drift");
  expect(again.code).toBe(0);
  expect(again.stdout).toContain("No drift: every resource is as Terraform last left it.");
});

it("make destroy leaves nothing: no instance running, no interface, no Elastic IP", async () => {
  const eni = async () => (await n.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "network-interface-id", Values: [first.eni] }] }))).NetworkInterfaces;
  // The same queries find the NAT before destroy, so the empty answers after it mean something.
  expect(await eni()).toHaveLength(1);
  expect((await n.ec2.send(new DescribeAddressesCommand({}))).Addresses).toHaveLength(1);
  const r = await n.job("destroy");
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/nati-network: Destroy complete! Resources: \d+ destroyed\./);
  const { Reservations } = await n.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "instance-state-name", Values: ["running", "pending", "stopped"] }] }));
  expect((Reservations ?? []).flatMap((x) => x.Instances ?? [])).toEqual([]);
  expect(await eni()).toEqual([]);
  const { Addresses } = await n.ec2.send(new DescribeAddressesCommand({}));
  expect(Addresses).toEqual([]);
});
