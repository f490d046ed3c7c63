/**
 * The jobs as a user runs them (make demo, make deploy, make drift, make destroy: scripts/demo.ts, drift.ts,
 * destroy.ts) on an emulator of their own: deploy applies exactly the reviewed plan, refuses an egress change
 * until it is allowed, lets a harmless change through, and drift finds what changed outside Terraform.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { CreateNatGatewayCommand, CreateSubnetCommand, CreateVpcCommand, AllocateAddressCommand, DeleteNatGatewayCommand, DeleteRouteCommand, DescribeAddressesCommand, DescribeNatGatewaysCommand, DescribeRouteTablesCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { JOB_MAIN, LOCAL_CONFIG, rawConfig } from "../helpers/config";
import { clientFor, Emulator, startEmulator } from "../helpers/emulator";
import { run } from "../helpers/terraform";

jest.setTimeout(600_000);

let emu: Emulator;
let ec2: EC2Client;
let env: NodeJS.ProcessEnv;
let work: string;
const configFile = () => env.FIXED_EGRESS_CONFIG!;
/** Writes the config the next job reads: local.json on this emulator, with `edit` applied. */
const configure = (edit: (c: any) => void = () => undefined) =>
  writeFileSync(configFile(), JSON.stringify(rawConfig(LOCAL_CONFIG, (c) => ((c.emulator.endpoint = emu.endpoint), edit(c))), null, 2));

beforeAll(() => {
  emu = startEmulator();
  ec2 = new EC2Client(clientFor(emu.endpoint));
  work = mkdtempSync(join(tmpdir(), "fixed-egress-job-"));
  env = { FIXED_EGRESS_CONFIG: join(work, "config.json"), FIXED_EGRESS_OUTDIR: join(work, "cdktf.out"), FIXED_EGRESS_RUN_DIR: join(work, "run") };
  configure();
});
// No destroy before the emulator stops: stopping it forgets everything (the last test's destroy is the asserted one).
afterAll(() => emu?.stop());

const job = (name: string, ...args: string[]) => run("node", ["--import", "tsx", JOB_MAIN, name, ...args], { env });

/** What carries egress today, and the state's serial: a refused deploy must change none of it. */
async function egressNow() {
  const { NatGateways: all } = await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: "state", Values: ["available"] }] }));
  const NatGateways = all!.filter((n) => n.Tags?.some((t) => t.Key === "Environment" && t.Value === "demo"));
  expect(NatGateways).toHaveLength(1);
  const address = NatGateways![0].NatGatewayAddresses![0];
  const state = await new S3Client(clientFor(emu.endpoint)).send(new GetObjectCommand({ Bucket: "fixed-egress-state-demo", Key: "fixed-egress/demo-network.tfstate" }));
  const serial = (JSON.parse(await state.Body!.transformToString()) as { serial: number }).serial;
  return { natId: NatGateways![0].NatGatewayId, allocationId: address.AllocationId, publicIp: address.PublicIp, serial };
}

describe("the emulator behaves like AWS where the guard needs it", () => {
  it("releases a NAT Gateway's Elastic IP when the gateway is deleted, so a replacement can take it", async () => {
    const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }));
    const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: Vpc!.VpcId!, CidrBlock: "10.9.0.0/24" }));
    const { AllocationId } = await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
    const { NatGateway } = await ec2.send(new CreateNatGatewayCommand({ SubnetId: Subnet!.SubnetId!, AllocationId }));
    const held = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [AllocationId!] }));
    expect(held.Addresses![0].AssociationId).toBeDefined();
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: NatGateway!.NatGatewayId! }));
    const free = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [AllocationId!] }));
    expect(free.Addresses![0].AssociationId).toBeUndefined();
    const again = await ec2.send(new CreateNatGatewayCommand({ SubnetId: Subnet!.SubnetId!, AllocationId }));
    expect(again.NatGateway!.NatGatewayAddresses![0].AllocationId).toBe(AllocationId);
  });
});

describe("make demo, deploy, drift", () => {
  let today: Awaited<ReturnType<typeof egressNow>>;

  it("make demo: deploys both stacks from reviewed plans and prints the egress IP; run again, it changes nothing", async () => {
    const first = await job("deploy");
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/state bucket fixed-egress-state-demo is missing.*: creating it/);
    expect(first.stdout).toContain("demo-network: 20 to add, 0 to change, 0 to replace, 0 to destroy. Monthly cost: 0.00 → 55.11 USD (+55.11).");
    expect(first.stdout).toMatch(/==> demo-network: terraform apply \(the reviewed plan\)\n[\s\S]*?demo-network: Apply complete! Resources: 20 added, 0 changed, 0 destroyed\. \(planned, reviewed and applied in [\d.]+ s; review kept in \//);
    expect(first.stdout).toContain("demo-app: 5 to add, 0 to change, 0 to replace, 0 to destroy.");
    expect(first.stdout).toMatch(/demo-app: Apply complete! Resources: 5 added, 0 changed, 0 destroyed\./);
    // the app stack is planned only once the network stack is applied
    expect(first.stdout.indexOf("==> demo-app: terraform plan")).toBeGreaterThan(first.stdout.indexOf("demo-network: Apply complete!"));
    const ip = /Egress IPs to allow-list at the database: (\d+\.\d+\.\d+\.\d+)\n/.exec(first.stdout)?.[1];
    expect(ip).toBeDefined();
    expect(first.stdout).toContain("function: demo-egress-probe");
    expect(first.stdout).toContain("Cost on AWS (ap-northeast-1, list price): about 55.11 USD per month");
    const reviews = readdirSync(join(work, "run", "reviews"));
    expect(reviews.filter((f) => f.endsWith("-demo-network.md"))).toHaveLength(1);
    const record = readFileSync(join(work, "run", "reviews", reviews.find((f) => f.endsWith("-demo-network.md"))!), "utf8");
    expect(record).toContain("### demo-network");
    expect(record).toContain("No egress IP changes.");

    const second = await job("deploy");
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("state bucket fixed-egress-state-demo (ap-northeast-1): already set up, no changes");
    expect(second.stdout).toContain("demo-network: no changes");
    expect(second.stdout).toContain("demo-app: no changes");
    expect(second.stdout).toContain(`Egress IPs to allow-list at the database: ${ip}`);
    today = await egressNow();
    expect(today.publicIp).toBe(ip);
  });

  it("make drift: nothing drifted right after a deploy (exit 0)", async () => {
    const drift = await job("drift");
    expect(drift.stderr).toBe("");
    expect(drift.code).toBe(0);
    expect(drift.stdout).toContain("No drift: every resource is as Terraform last left it.");
  });

  it("make plan: the guard refuses a real plan that releases the created Elastic IP for a brought one and replaces a private subnet, naming each, and nothing public", async () => {
    const brought = await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
    configure((c) => ((c.network.eipAllocationIds = [brought.AllocationId]), (c.network.privateSubnetCidrs[0] = "10.0.20.0/24")));
    const r = await job("plan", "--format", "json");
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout.slice(r.stdout.indexOf("{")));
    expect(out.refused).toBe(true);
    expect(out.egressIps).toEqual({ before: [today.publicIp], after: [brought.PublicIp] });
    const reasons = out.findings.map((f: { rule: string; address: string; reason: string }) => `${f.rule} ${f.address} ${f.reason}`);
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^eip-released aws_eip\\.network_nat_eip-ap-northeast-1a_\\w+ would be destroyed: its public IP ${today.publicIp!.replace(/\./g, "\\.")} is an egress IP the database allow-lists\\.$`)),
        expect.stringMatching(/^private-subnet-removed aws_subnet\.network_private_subnet-ap-northeast-1a_\w+ would be replaced: it is a private subnet \(subnet-\w+\) where the function's network interfaces live/),
        expect.stringMatching(/^private-association-moved aws_route_table_association\.network_private_association-ap-northeast-1a_\w+ would be replaced: private subnet subnet-\w+ falls back to the VPC's main route table/),
      ]),
    );
    expect(reasons.filter((x: string) => /network_public_/.test(x))).toEqual([]);
    expect(out.stacks).toEqual(expect.arrayContaining([expect.objectContaining({ name: "demo-network", replace: expect.any(Number) })]));
    expect(r.stderr).toMatch(/^plan: refused: aws_eip\.network_nat_eip-ap-northeast-1a_\w+ would be destroyed/m);
    expect(await egressNow()).toEqual(today); // a plan changes nothing
  });

  it("make deploy refuses a plan that replaces the NAT Gateway, applying nothing, and says the way through", async () => {
    // Moving the first public subnet forces a new subnet, hence a new NAT Gateway (same Elastic IP) and new routes.
    configure((c) => (c.network.publicSubnetCidrs[0] = "10.0.5.0/24"));
    const refused = await job("deploy", "--no-bootstrap");
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/demo-network: \d+ to add, \d+ to change, [1-9]\d* to replace, 0 to destroy\./);
    expect(refused.stdout).toMatch(/refused: aws_nat_gateway\.network_nat_gateway-ap-northeast-1a_\w+ would be replaced: it keeps Elastic IP allocation eipalloc-\w+, but egress through it stops/);
    expect(refused.stdout).toMatch(/refused: aws_route\.network_private_default-route-ap-northeast-1a_\w+ would point 0\.0\.0\.0\/0 at a NAT Gateway known only after apply/);
    expect(refused.stdout).not.toContain("terraform apply");
    expect(refused.stderr).toMatch(/^demo-network: the plan changes the egress path, so nothing of it was applied \(the review: .*-demo-network-refused\.md\)\.\n/);
    expect(refused.stderr).toContain(`apply it with: FIXED_EGRESS_CONFIG=${configFile()} make deploy ARGS=--allow-egress-change`);
    // The refused review kept for the record: the replacement in the table, and the NAT keeping its Elastic IP.
    const record = readFileSync(join(work, "run", "reviews", readdirSync(join(work, "run", "reviews")).find((f) => f.endsWith("-demo-network-refused.md"))!), "utf8");
    expect(record).toMatch(/\| replace \| `aws_nat_gateway\.network_nat_gateway-ap-northeast-1a_\w+` \|/);
    expect(record).toContain("this plan is refused");
    expect(record).toContain(`- today: ${today.publicIp}\n- after this plan: ${today.publicIp}\n`);
    expect(await egressNow()).toEqual(today);
  });

  it("applies the same change with --allow-egress-change: a new NAT Gateway with the same Elastic IP and address", async () => {
    const allowed = await job("deploy", "--no-bootstrap", "--allow-egress-change");
    expect(allowed.stderr).toBe("");
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/allowed by --allow-egress-change: aws_nat_gateway\.\S+ would be replaced/);
    const after = await egressNow();
    expect(after.natId).not.toBe(today.natId);
    expect(after.allocationId).toBe(today.allocationId);
    expect(after.publicIp).toBe(today.publicIp);
    expect(after.serial).toBeGreaterThan(today.serial);
    today = after;
  });

  it("applies a tag-only change without the flag", async () => {
    configure((c) => {
      c.network.publicSubnetCidrs[0] = "10.0.5.0/24";
      c.tags = { Owner: "data-team" };
    });
    const tagged = await job("deploy", "--no-bootstrap");
    expect(tagged.stderr).toBe("");
    expect(tagged.code).toBe(0);
    expect(tagged.stdout).toMatch(/demo-network: 0 to add, [1-9]\d* to change, 0 to replace, 0 to destroy\./);
    const reviews = readdirSync(join(work, "run", "reviews")).filter((f) => f.endsWith("-demo-network.md")).sort();
    const record = readFileSync(join(work, "run", "reviews", reviews[reviews.length - 1]), "utf8");
    expect(record).toContain(`- today: ${today.publicIp}`);
    expect(record).toContain("No egress IP changes.");
    const after = await egressNow();
    expect({ ...after, serial: 0 }).toEqual({ ...today, serial: 0 });
  });

  it("make drift names a private default route deleted outside Terraform (exit 2); deploy restores it; drift is clean again", async () => {
    const { RouteTables } = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "tag:Name", Values: ["private-routing-demo-ap-northeast-1a"] }] }));
    await ec2.send(new DeleteRouteCommand({ RouteTableId: RouteTables![0].RouteTableId!, DestinationCidrBlock: "0.0.0.0/0" }));
    const drift = await job("drift");
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain("Drift: 1 resource(s) changed outside Terraform (egress first):");
    expect(drift.stdout).toMatch(new RegExp(`- EGRESS demo-network: aws_route\\.network_private_default-route-ap-northeast-1a_\\w+ was deleted outside Terraform: the private subnets behind it lose the route to NAT ${today.natId}\\.`));

    const deploy = await job("deploy", "--no-bootstrap");
    expect(deploy.code).toBe(0);
    expect(deploy.stdout).toContain("demo-network: 1 to add, 0 to change, 0 to replace, 0 to destroy.");
    const again = await job("drift");
    expect(again.code).toBe(0);
    const restored = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [RouteTables![0].RouteTableId!] }));
    expect(restored.RouteTables![0].Routes!.find((r) => r.DestinationCidrBlock === "0.0.0.0/0")!.NatGatewayId).toBe(today.natId);
  });

  it("make destroy removes everything, app first", async () => {
    const destroy = await job("destroy");
    expect(destroy.code).toBe(0);
    expect(destroy.stdout).toMatch(/demo-app: Destroy complete! Resources: 5 destroyed\./);
    expect(destroy.stdout).toMatch(/demo-network: Destroy complete! Resources: 20 destroyed\./);
    const { Vpcs } = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:Project", Values: ["fixed-egress"] }] }));
    expect(Vpcs).toEqual([]);
  });
});
