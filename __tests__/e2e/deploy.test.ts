/**
 * Both stacks applied with real Terraform on the emulator against remote S3 state; the topology checked
 * through the AWS API; a second plan is empty; destroy leaves nothing of the project behind.
 */
import { DescribeAddressesCommand, DescribeInternetGatewaysCommand, DescribeSecurityGroupsCommand, DescribeNatGatewaysCommand, DescribeRouteTablesCommand, DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client, RouteTable } from "@aws-sdk/client-ec2";
import { GetRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand, ListRolesCommand } from "@aws-sdk/client-iam";
import { GetFunctionConfigurationCommand, LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { GetBucketLifecycleConfigurationCommand, GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { readFileSync } from "fs";
import { filesOf } from "../helpers/app";
import { Deployment, emulatorConfig, prepare } from "../helpers/deploy";
import { clientFor, Emulator, startEmulator } from "../helpers/emulator";

jest.setTimeout(600_000);

let emu: Emulator;
let d: Deployment;
let ec2: EC2Client;

const defaultRoute = (t: RouteTable) => t.Routes?.find((r) => r.DestinationCidrBlock === "0.0.0.0/0");

const PASSWORD = "e2e-db-password-4b9d1f";
let secretArn: string;

beforeAll(async () => {
  emu = startEmulator();
  ec2 = new EC2Client(clientFor(emu.endpoint));
  const secret = await new SecretsManagerClient(clientFor(emu.endpoint)).send(new CreateSecretCommand({ Name: "e2e/db", SecretString: PASSWORD }));
  secretArn = secret.ARN!;
  d = await prepare(emulatorConfig(emu.endpoint, "e2e", (c) => (c.lambda.database.passwordSecretArn = secretArn)));
  await d.apply("network");
  await d.apply("app");
});

afterAll(() => emu?.stop()); // stopping the emulator forgets everything: no cleanup destroy

describe("deploy on the emulator", () => {
  it("builds the VPC, the Internet Gateway and the routing the design asks for", async () => {
    const net = await d.outputs("network");
    const vpcId: string = net.vpc_id;
    const { Vpcs } = await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
    expect(Vpcs![0].CidrBlock).toBe("10.0.0.0/16");

    const { InternetGateways } = await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: "attachment.vpc-id", Values: [vpcId] }] }));
    expect(InternetGateways).toHaveLength(1);
    const igwId = InternetGateways![0].InternetGatewayId;

    const { RouteTables } = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }));
    const tableOf = (subnetId: string) => RouteTables!.find((t) => t.Associations?.some((a) => a.SubnetId === subnetId))!;

    expect(net.public_subnet_ids).toHaveLength(2);
    expect(net.private_subnet_ids).toHaveLength(2);
    for (const subnetId of net.public_subnet_ids as string[]) {
      expect(defaultRoute(tableOf(subnetId))?.GatewayId).toBe(igwId);
    }
    const { NatGateways } = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: net.nat_device_ids }));
    expect(NatGateways).toHaveLength(1);
    for (const subnetId of net.private_subnet_ids as string[]) {
      const route = defaultRoute(tableOf(subnetId));
      expect(route?.GatewayId).toBeUndefined();
      const nat = NatGateways!.find((n) => n.NatGatewayId === route?.NatGatewayId);
      expect(nat).toBeDefined();
      expect(net.public_subnet_ids).toContain(nat!.SubnetId);
    }
  });

  it("gives each NAT Gateway an Elastic IP whose public IP is in the egress_ips output", async () => {
    const net = await d.outputs("network");
    const { NatGateways } = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: net.nat_device_ids }));
    const { Addresses } = await ec2.send(new DescribeAddressesCommand({}));
    expect(NatGateways).toHaveLength(1);
    for (const nat of NatGateways!) {
      const allocationId = nat.NatGatewayAddresses![0].AllocationId;
      const eip = Addresses!.find((a) => a.AllocationId === allocationId)!;
      expect(eip.Domain).toBe("vpc");
      expect(net.egress_ips).toContain(eip.PublicIp);
    }
    expect(net.egress_ips).toHaveLength(NatGateways!.length);
  });

  it("runs the function in exactly the private subnets, with our security group and a role of inline policies only", async () => {
    const net = await d.outputs("network");
    const app = await d.outputs("app");
    const lambda = new LambdaClient(clientFor(emu.endpoint));
    const fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: app.function_name }));
    // moto reports a made-up VpcId for functions; subnets and security groups are what it keeps.
    expect(net.private_subnet_ids).toHaveLength(2);
    expect([...fn.VpcConfig!.SubnetIds!].sort()).toEqual([...net.private_subnet_ids].sort());
    expect(fn.VpcConfig!.SecurityGroupIds).toEqual([app.security_group_id]);
    expect(fn.Environment!.Variables!.EGRESS_IPS).toBe((net.egress_ips as string[]).join(","));
    const roleName = fn.Role!.split("/").pop()!;
    const iam = new IAMClient(clientFor(emu.endpoint));
    expect(roleName).toMatch(/^e2e-egress-probe-role-/);
    const { AttachedPolicies } = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
    expect(AttachedPolicies).toEqual([]);
    const { PolicyNames } = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }));
    expect([...PolicyNames!].sort()).toEqual(["read-database-password", "vpc-access-and-logs"]);
  });

  it("keeps each stack's state in the bucket under its own key, old versions expiring by the bootstrap's lifecycle rule", async () => {
    const s3 = new S3Client(clientFor(emu.endpoint));
    const { Rules } = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: "fixed-egress-e2e-state" }));
    expect(Rules).toEqual([
      expect.objectContaining({ ID: "fixed-egress-expire-noncurrent-state", Status: "Enabled", NoncurrentVersionExpiration: expect.objectContaining({ NoncurrentDays: 90 }) }),
    ]);
    for (const key of ["fixed-egress/e2e-network.tfstate", "fixed-egress/e2e-app.tfstate"]) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: "fixed-egress-e2e-state", Key: key }));
      expect(head.ContentLength).toBeGreaterThan(100);
    }
  });

  it("reads the password only through the secret: the function may read exactly that secret", async () => {
    const app = await d.outputs("app");
    const fn = await new LambdaClient(clientFor(emu.endpoint)).send(new GetFunctionConfigurationCommand({ FunctionName: app.function_name }));
    expect(fn.Environment!.Variables!.PASSWORD_SECRET_ARN).toBe(secretArn);
    const iam = new IAMClient(clientFor(emu.endpoint));
    const roleName = fn.Role!.split("/").pop()!;
    const doc = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: "read-database-password" }));
    expect(JSON.parse(decodeURIComponent(doc.PolicyDocument!)).Statement).toEqual([
      expect.objectContaining({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArn }),
    ]);
  });

  it("never writes the password into synthesized JSON, plan JSON or state", async () => {
    const places: Record<string, string> = {};
    for (const [file, b64] of Object.entries(filesOf(d.synth.outdir))) places[`synth:${file}`] = Buffer.from(b64, "base64").toString("latin1");
    for (const w of ["network", "app"] as const) places[`plan:${w}`] = readFileSync(await d.planJsonFile(w), "utf8");
    const s3 = new S3Client(clientFor(emu.endpoint));
    for (const key of ["fixed-egress/e2e-network.tfstate", "fixed-egress/e2e-app.tfstate"]) {
      places[`state:${key}`] = await (await s3.send(new GetObjectCommand({ Bucket: "fixed-egress-e2e-state", Key: key }))).Body!.transformToString();
    }
    expect(Object.keys(places).length).toBeGreaterThan(5);
    expect(places["state:fixed-egress/e2e-app.tfstate"]).toContain(secretArn);
    expect(Object.entries(places).filter(([, text]) => text.includes(PASSWORD)).map(([where]) => where)).toEqual([]);
  });

  it("plans no change on a second plan of each stack", async () => {
    expect(await d.planExitCode("network")).toBe(0);
    expect(await d.planExitCode("app")).toBe(0);
  });

  it("replaces the function's security group without cutting it off: the new group exists first, the function moves to it", async () => {
    const before = (await d.outputs("app")).security_group_id as string;
    // Another database port changes the group's description, which AWS cannot update in place.
    await d.resynth(emulatorConfig(emu.endpoint, "e2e", (c) => {
      c.lambda.database.passwordSecretArn = secretArn;
      c.lambda.database.port = 6432;
    }));
    await d.apply("app");
    const after = (await d.outputs("app")).security_group_id as string;
    expect(after).not.toBe(before);
    const app = await d.outputs("app");
    const fn = await new LambdaClient(clientFor(emu.endpoint)).send(new GetFunctionConfigurationCommand({ FunctionName: app.function_name }));
    expect(fn.VpcConfig!.SecurityGroupIds).toEqual([after]);
    const { SecurityGroups } = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-id", Values: [before, after] }] }));
    expect(SecurityGroups!.map((g) => g.GroupId)).toEqual([after]);
    expect(SecurityGroups![0].IpPermissionsEgress!.map((p) => p.FromPort).sort()).toEqual([443, 6432]);
    expect(await d.planExitCode("app")).toBe(0);
  });

  it("leaves nothing of the project after destroy (app first)", async () => {
    const net = await d.outputs("network");
    // The same queries find the project before destroy, so the empty answers after it mean something.
    const { Vpcs: before } = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:Project", Values: ["fixed-egress"] }] }));
    expect(before!.map((v) => v.VpcId)).toEqual([net.vpc_id]);
    const { Functions: fnsBefore } = await new LambdaClient(clientFor(emu.endpoint)).send(new ListFunctionsCommand({}));
    expect(fnsBefore).toHaveLength(1);
    await d.destroy("app");
    await d.destroy("network");
    const { Vpcs } = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:Project", Values: ["fixed-egress"] }] }));
    expect(Vpcs).toEqual([]);
    const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [net.vpc_id] }] }));
    expect(Subnets).toEqual([]);
    const { NatGateways } = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: net.nat_device_ids }));
    (NatGateways ?? []).forEach((n) => expect(n.State).toBe("deleted"));
    const { Addresses } = await ec2.send(new DescribeAddressesCommand({}));
    expect(Addresses).toEqual([]);
    const { Functions } = await new LambdaClient(clientFor(emu.endpoint)).send(new ListFunctionsCommand({}));
    expect(Functions).toEqual([]);
    const { Roles } = await new IAMClient(clientFor(emu.endpoint)).send(new ListRolesCommand({}));
    expect((Roles ?? []).filter((r) => r.RoleName?.startsWith("e2e"))).toEqual([]);
  });
});
