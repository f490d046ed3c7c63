/**
 * The jobs as a user runs them (make demo, make deploy, make plan, make drift, make destroy: jobs/main.ts) on an
 * emulator of their own, with remote S3 state: deploy applies exactly the reviewed plan and builds the topology
 * the design asks for (checked through the AWS API), keeps the database password out of every file, refuses an
 * egress change until it is allowed, lets a harmless change through, replaces the function's security group
 * without cutting it off, drift finds what changed outside Terraform, and destroy leaves nothing behind.
 *
 * @shared-providers one AWS provider per stack folder for the whole suite (scripts/shared-provider.sh)
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import {
  AllocateAddressCommand,
  CreateNatGatewayCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteNatGatewayCommand,
  DeleteRouteCommand,
  DescribeAddressesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  RouteTable,
} from "@aws-sdk/client-ec2";
import { GetRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand, ListRolesCommand } from "@aws-sdk/client-iam";
import { GetFunctionConfigurationCommand, LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { GetBucketLifecycleConfigurationCommand, GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { filesOf } from "../helpers/app";
import { LOCAL_CONFIG, rawConfig } from "../helpers/config";
import { clientFor, Emulator, startEmulator } from "../helpers/emulator";
import { outputsIn, runJob } from "../helpers/terraform";

jest.setTimeout(600_000);

const BUCKET = "fixed-egress-state-demo";
const STATE_KEYS = ["fixed-egress/demo-network.tfstate", "fixed-egress/demo-app.tfstate"];
const PASSWORD = "e2e-db-password-4b9d1f";
let emu: Emulator;
let ec2: EC2Client;
let env: NodeJS.ProcessEnv;
let work: string;
let secretArn: string;
const configFile = () => env.FIXED_EGRESS_CONFIG!;
/** Writes the config the next job reads: local.json on this emulator, the password in the secret, with `edit` applied. */
const configure = (edit: (c: any) => void = () => undefined) =>
  writeFileSync(
    configFile(),
    JSON.stringify(rawConfig(LOCAL_CONFIG, (c) => ((c.emulator.endpoint = emu.endpoint), (c.lambda.database.passwordSecretArn = secretArn), edit(c))), null, 2),
  );

beforeAll(async () => {
  emu = startEmulator();
  ec2 = new EC2Client(clientFor(emu.endpoint));
  work = mkdtempSync(join(tmpdir(), "fixed-egress-job-"));
  env = {
    FIXED_EGRESS_CONFIG: join(work, "config.json"),
    FIXED_EGRESS_OUTDIR: join(work, "cdktf.out"),
    FIXED_EGRESS_RUN_DIR: join(work, "run"),
    // Endpoints set for other work rank above the emulator's profile in the AWS SDK: the jobs drop them for an
    // emulator config. Nothing listens on port 9, so a call that followed them would fail.
    AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    AWS_ENDPOINT_URL_EC2: "http://127.0.0.1:9",
  };
  secretArn = (await new SecretsManagerClient(clientFor(emu.endpoint)).send(new CreateSecretCommand({ Name: "e2e/db", SecretString: PASSWORD }))).ARN!;
  configure();
});
// No destroy before the emulator stops: stopping it forgets everything (the last test's destroy is the asserted one).
afterAll(() => emu?.stop());

const job = (name: string, ...args: string[]) => runJob(env, name, ...args);
/** A stack's outputs after apply, as plain values. */
const outputs = (stack: "network" | "app") => outputsIn(join(work, "cdktf.out", "stacks", `demo-${stack}`));
const defaultRoute = (t: RouteTable) => t.Routes?.find((r) => r.DestinationCidrBlock === "0.0.0.0/0");
const lambda = () => new LambdaClient(clientFor(emu.endpoint));
const iam = () => new IAMClient(clientFor(emu.endpoint));

/** What carries egress today, and the state's serial: a refused deploy must change none of it. */
async function egressNow() {
  const { NatGateways: all } = await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: "state", Values: ["available"] }] }));
  const NatGateways = all!.filter((n) => n.Tags?.some((t) => t.Key === "Environment" && t.Value === "demo"));
  expect(NatGateways).toHaveLength(1);
  const address = NatGateways![0].NatGatewayAddresses![0];
  const state = await new S3Client(clientFor(emu.endpoint)).send(new GetObjectCommand({ Bucket: BUCKET, Key: STATE_KEYS[0] }));
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
    expect(first.stdout).toContain("demo-app: 6 to add, 0 to change, 0 to replace, 0 to destroy.");
    expect(first.stdout).toMatch(/demo-app: Apply complete! Resources: 6 added, 0 changed, 0 destroyed\./);
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

  it("builds the VPC, the Internet Gateway and the routing the design asks for; each NAT Gateway's Elastic IP is an egress IP", async () => {
    const net = await outputs("network");
    const { Vpcs } = await ec2.send(new DescribeVpcsCommand({ VpcIds: [net.vpc_id] }));
    expect(Vpcs![0].CidrBlock).toBe("10.0.0.0/16");
    const { InternetGateways } = await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: "attachment.vpc-id", Values: [net.vpc_id] }] }));
    expect(InternetGateways).toHaveLength(1);
    const { RouteTables } = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [net.vpc_id] }] }));
    const tableOf = (subnetId: string) => RouteTables!.find((t) => t.Associations?.some((a) => a.SubnetId === subnetId))!;
    expect(net.public_subnet_ids).toHaveLength(2);
    expect(net.private_subnet_ids).toHaveLength(2);
    for (const subnetId of net.public_subnet_ids as string[]) expect(defaultRoute(tableOf(subnetId))?.GatewayId).toBe(InternetGateways![0].InternetGatewayId);
    const { NatGateways } = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: net.nat_device_ids }));
    expect(NatGateways).toHaveLength(1);
    for (const subnetId of net.private_subnet_ids as string[]) {
      const route = defaultRoute(tableOf(subnetId));
      expect(route?.GatewayId).toBeUndefined();
      expect(route?.NatGatewayId).toBe(NatGateways![0].NatGatewayId);
    }
    expect(net.public_subnet_ids).toContain(NatGateways![0].SubnetId);
    const { Addresses } = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [NatGateways![0].NatGatewayAddresses![0].AllocationId!] }));
    expect(Addresses![0].Domain).toBe("vpc");
    expect(net.egress_ips).toEqual([Addresses![0].PublicIp]);
  });

  it("runs the function in exactly the private subnets, with its security group and a role of inline policies only, reading the password only through the secret", async () => {
    const net = await outputs("network");
    const app = await outputs("app");
    const fn = await lambda().send(new GetFunctionConfigurationCommand({ FunctionName: app.function_name }));
    // moto reports a made-up VpcId for functions; subnets and security groups are what it keeps.
    expect([...fn.VpcConfig!.SubnetIds!].sort()).toEqual([...net.private_subnet_ids].sort());
    expect(fn.VpcConfig!.SecurityGroupIds).toEqual([app.security_group_id]);
    expect(fn.Environment!.Variables!.EGRESS_IPS).toBe((net.egress_ips as string[]).join(","));
    expect(fn.Environment!.Variables!.PASSWORD_SECRET_ARN).toBe(secretArn);
    const roleName = fn.Role!.split("/").pop()!;
    expect(roleName).toMatch(/^demo-egress-probe-role-/);
    expect((await iam().send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }))).AttachedPolicies).toEqual([]);
    const { PolicyNames } = await iam().send(new ListRolePoliciesCommand({ RoleName: roleName }));
    expect([...PolicyNames!].sort()).toEqual(["read-database-password", "vpc-access-and-logs"]);
    const doc = await iam().send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: "read-database-password" }));
    expect(JSON.parse(decodeURIComponent(doc.PolicyDocument!)).Statement).toEqual([expect.objectContaining({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArn })]);
  });

  it("keeps each stack's state in the bucket under its own key, old versions expiring by the bootstrap's lifecycle rule, and never writes the password into synthesized JSON, the reviewed plans or state", async () => {
    const s3 = new S3Client(clientFor(emu.endpoint));
    const { Rules } = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET }));
    expect(Rules).toEqual([expect.objectContaining({ ID: "fixed-egress-expire-noncurrent-state", Status: "Enabled", NoncurrentVersionExpiration: expect.objectContaining({ NoncurrentDays: 90 }) })]);
    const places: Record<string, string> = {};
    for (const [file, b64] of Object.entries(filesOf(join(work, "cdktf.out")))) places[`synth:${file}`] = Buffer.from(b64, "base64").toString("latin1");
    // The plans make demo reviewed and applied: every attribute of every resource it created.
    for (const stack of ["demo-network", "demo-app"]) places[`plan:${stack}`] = readFileSync(join(work, "run", "plans", `${stack}.plan.json`), "utf8");
    for (const key of STATE_KEYS) {
      expect((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ContentLength).toBeGreaterThan(100);
      places[`state:${key}`] = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();
    }
    expect(Object.keys(places).filter((k) => k.startsWith("synth:")).length).toBeGreaterThan(2);
    // The places are the right ones: the plan and the state of the app carry the secret's ARN.
    expect(places["plan:demo-app"]).toContain(secretArn);
    expect(places[`state:${STATE_KEYS[1]}`]).toContain(secretArn);
    expect(Object.entries(places).filter(([, text]) => text.includes(PASSWORD)).map(([where]) => where)).toEqual([]);
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

  it("applies a harmless change without the flag: new tags on the network, and a new database port that replaces the function's security group without cutting it off (the new group exists first, the function moves to it)", async () => {
    const group = (await outputs("app")).security_group_id as string;
    configure((c) => {
      c.network.publicSubnetCidrs[0] = "10.0.5.0/24";
      c.tags = { Owner: "data-team" };
      // Another database port changes the group's description, which AWS cannot update in place.
      c.lambda.database.port = 6432;
    });
    const r = await job("deploy", "--no-bootstrap");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/demo-network: 0 to add, [1-9]\d* to change, 0 to replace, 0 to destroy\./);
    expect(r.stdout).toMatch(/demo-app: 0 to add, [1-9]\d* to change, 1 to replace, 0 to destroy\./);
    const reviews = readdirSync(join(work, "run", "reviews")).filter((f) => f.endsWith("-demo-network.md")).sort();
    const record = readFileSync(join(work, "run", "reviews", reviews[reviews.length - 1]), "utf8");
    expect(record).toContain(`- today: ${today.publicIp}`);
    expect(record).toContain("No egress IP changes.");
    const after = await egressNow();
    expect({ ...after, serial: 0 }).toEqual({ ...today, serial: 0 });

    const app = await outputs("app");
    expect(app.security_group_id).not.toBe(group);
    const fn = await lambda().send(new GetFunctionConfigurationCommand({ FunctionName: app.function_name }));
    expect(fn.VpcConfig!.SecurityGroupIds).toEqual([app.security_group_id]);
    const { SecurityGroups } = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-id", Values: [group, app.security_group_id] }] }));
    expect(SecurityGroups!.map((g) => g.GroupId)).toEqual([app.security_group_id]);
    expect(SecurityGroups![0].IpPermissionsEgress!.map((p) => p.FromPort).sort()).toEqual([443, 6432]);
  });

  it("make drift names a private default route deleted outside Terraform (exit 2); deploy restores it; right after that deploy, drift finds nothing (exit 0)", async () => {
    const { RouteTables } = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "tag:Name", Values: ["private-routing-demo-ap-northeast-1a"] }] }));
    await ec2.send(new DeleteRouteCommand({ RouteTableId: RouteTables![0].RouteTableId!, DestinationCidrBlock: "0.0.0.0/0" }));
    const drift = await job("drift");
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain("Drift: 1 resource(s) changed outside Terraform (egress first):");
    expect(drift.stdout).toMatch(new RegExp(`- EGRESS demo-network: aws_route\\.network_private_default-route-ap-northeast-1a_\\w+ was deleted outside Terraform: the private subnets behind it lose the route to NAT ${today.natId}\\.`));

    const deploy = await job("deploy", "--no-bootstrap");
    expect(deploy.code).toBe(0);
    expect(deploy.stdout).toContain("demo-network: 1 to add, 0 to change, 0 to replace, 0 to destroy.");
    // The app stack converged after its security group was replaced: its plan is empty.
    expect(deploy.stdout).toContain("demo-app: no changes");
    // Right after a deploy, nothing has drifted.
    const again = await job("drift");
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("No drift: every resource is as Terraform last left it.");
    const restored = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [RouteTables![0].RouteTableId!] }));
    expect(restored.RouteTables![0].Routes!.find((r) => r.DestinationCidrBlock === "0.0.0.0/0")!.NatGatewayId).toBe(today.natId);
  });

  it("make destroy removes everything, app first: no VPC, subnet, NAT Gateway, Elastic IP, function or role of the project", async () => {
    const net = await outputs("network");
    // The same queries find the project before destroy, so the empty answers after it mean something.
    const { Vpcs: before } = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:Project", Values: ["fixed-egress"] }] }));
    expect(before!.map((v) => v.VpcId)).toEqual([net.vpc_id]);
    expect((await lambda().send(new ListFunctionsCommand({}))).Functions).toHaveLength(1);
    expect(((await iam().send(new ListRolesCommand({}))).Roles ?? []).filter((r) => r.RoleName?.startsWith("demo"))).toHaveLength(1);
    const addresses = async () => (await ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: "tag:Project", Values: ["fixed-egress"] }] }))).Addresses;
    expect(await addresses()).toHaveLength(1);
    const destroy = await job("destroy");
    expect(destroy.code).toBe(0);
    expect(destroy.stdout).toMatch(/demo-app: Destroy complete! Resources: \d+ destroyed\./);
    expect(destroy.stdout).toMatch(/demo-network: Destroy complete! Resources: 20 destroyed\./);
    expect(destroy.stdout.indexOf("demo-app: Destroy complete!")).toBeLessThan(destroy.stdout.indexOf("demo-network: Destroy complete!"));
    const { Vpcs } = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:Project", Values: ["fixed-egress"] }] }));
    expect(Vpcs).toEqual([]);
    const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [net.vpc_id] }] }));
    expect(Subnets).toEqual([]);
    const { NatGateways } = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: net.nat_device_ids }));
    (NatGateways ?? []).forEach((n) => expect(n.State).toBe("deleted"));
    expect(await addresses()).toEqual([]);
    expect((await lambda().send(new ListFunctionsCommand({}))).Functions).toEqual([]);
    expect(((await iam().send(new ListRolesCommand({}))).Roles ?? []).filter((r) => r.RoleName?.startsWith("demo"))).toEqual([]);
  });
});
