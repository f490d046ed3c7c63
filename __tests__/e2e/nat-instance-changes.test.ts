/**
 * Config changes of a NAT-instance network on the emulator, through make deploy and its review: a pinned AMI
 * replaces the instance (interface, Elastic IP and public IP staying), a new instance type alone modifies it in
 * place, and a switch to a NAT Gateway on the same Elastic IP runs in the order AWS needs. A network of its own,
 * beside nat-instance.test.ts, so the two run side by side.
 *
 * @shared-providers one AWS provider per stack folder for the whole suite (scripts/shared-provider.sh)
 */
import { DescribeNatGatewaysCommand } from "@aws-sdk/client-ec2";
import { NatInstanceEnv, natInstanceEnv } from "../helpers/nat-instance";

jest.setTimeout(600_000);

let n: NatInstanceEnv;
let first: Awaited<ReturnType<NatInstanceEnv["natNow"]>>;
beforeAll(async () => {
  n = await natInstanceEnv("natc");
  const r = await n.job("deploy");
  if (r.code !== 0) throw new Error(`make demo failed:\n${r.stdout}\n${r.stderr}`);
  first = await n.natNow();
});
// Stopping the emulator forgets everything: no cleanup destroy.
afterAll(() => n?.emu.stop());

it("a new AMI replaces the instance, which the guard names as an egress stop (allowed here); the interface, EIP and public IP stay", async () => {
  // The instance runs the published arm64 AMI; the config pins another.
  const pinned = await n.al2023("x86_64");
  expect(first.instance.ImageId).not.toBe(pinned);
  n.configure((c) => ((c.network.natInstanceAmiId = pinned), (c.network.natInstanceType = "t3.nano")));
  const r = await n.job("deploy", "--no-bootstrap", "--allow-egress-change");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/natc-network: 0 to add, \d+ to change, 2 to replace, 0 to destroy\./);
  expect(r.stdout).toMatch(/allowed by --allow-egress-change: aws_instance\.network_nat_instance-ap-northeast-1a_\w+ would be replaced: it is a NAT instance \(i-\w+\); the new instance takes over its interface and Elastic IP \(the egress IP stays\)/);
  const now = await n.natNow();
  expect(now.instance.InstanceId).not.toBe(first.instance.InstanceId);
  expect(now.instance.ImageId).toBe(pinned);
  expect(now.instance.InstanceType).toBe("t3.nano");
  expect({ eni: now.eni, allocationId: now.allocationId, publicIp: now.publicIp }).toEqual({ eni: first.eni, allocationId: first.allocationId, publicIp: first.publicIp });
});

it("a new instance type alone modifies the instance in place (stop, modify, start), which the guard refuses until allowed: same interface and IP", async () => {
  const before = await n.natNow();
  n.configure((c) => {
    c.network.natInstanceAmiId = before.instance.ImageId;
    c.network.natInstanceType = "t3.micro";
  });
  const refused = await n.job("deploy", "--no-bootstrap");
  expect(refused.code).toBe(1);
  expect(refused.stdout).toMatch(/refused: aws_instance\.network_nat_instance-ap-northeast-1a_\w+ would be stopped, modified \(instance_type\) and started again/);
  expect((await n.natNow()).instance.InstanceType).toBe("t3.nano");
  const r = await n.job("deploy", "--no-bootstrap", "--allow-egress-change");
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("natc-network: 0 to add, 1 to change, 0 to replace, 0 to destroy.");
  const now = await n.natNow();
  expect(now.instance.InstanceType).toBe("t3.micro");
  expect({ eni: now.eni, publicIp: now.publicIp }).toEqual({ eni: first.eni, publicIp: first.publicIp });
});

it("switching to a NAT Gateway on the same Elastic IP: refused with the two applies it takes; allowed, the instance's association goes first and the gateway takes the address (the emulator refuses an address another interface holds, as AWS does)", async () => {
  const before = await n.natNow();
  n.configure((c) => (c.network.natProvider = "gateway"));
  const refused = await n.job("deploy", "--no-bootstrap");
  expect(refused.code).toBe(1);
  expect(refused.stdout).toMatch(new RegExp(`refused: aws_nat_gateway\\.network_nat_gateway-ap-northeast-1a_\\w+ would take Elastic IP allocation ${before.allocationId}, which aws_eip_association\\.\\S+ holds: .*first remove`));
  const r = await n.job("deploy", "--no-bootstrap", "--allow-egress-change");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/aws_eip_association\.network_nat_eip-association-ap-northeast-1a_\w+ hold Elastic IPs the new NAT devices take; .* so they go first/);
  const { NatGateways } = await n.ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: "state", Values: ["available"] }] }));
  expect(NatGateways!.map((n) => n.NatGatewayAddresses![0].AllocationId)).toEqual([before.allocationId]);
  expect(NatGateways![0].NatGatewayAddresses![0].PublicIp).toBe(first.publicIp);
  expect(r.stdout).toContain(`Egress IPs to allow-list at the database: ${first.publicIp}`);
});
