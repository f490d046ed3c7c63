/**
 * Changes on a deployment of the embedded default made by the jobs (beside main-job.test.ts, on an emulator of
 * its own): a harmless change goes through without the flag, replacing the function's security group without
 * cutting it off; make drift finds a private route deleted outside Terraform, deploy restores it, and drift is
 * clean right after.
 */
import { readdirSync, readFileSync } from "fs";
import { join } from "path";
import { DeleteRouteCommand, DescribeRouteTablesCommand, DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { demoDeployment } from "../helpers/demo-deployment";
import { clientFor } from "../helpers/emulator";

jest.setTimeout(600_000);

const d = demoDeployment();
const { work, job, outputs, egressNow, configure } = d;
const lambda = () => new LambdaClient(clientFor(d.emu.endpoint));

describe("make deploy and make drift on a deployed network", () => {
  let today: Awaited<ReturnType<typeof egressNow>>;

  it("make demo deploys both stacks (the jobs suite checks what it prints and builds)", async () => {
    const demo = await job("deploy");
    expect(demo.stderr).toBe("");
    expect(demo.code).toBe(0);
    today = await egressNow();
    expect(demo.stdout).toContain(`Egress IPs to allow-list at the database: ${today.publicIp}`);
  });

  it("applies a harmless change without the flag: new tags on the network, and a new database port that replaces the function's security group without cutting it off (the new group exists first, the function moves to it)", async () => {
    const group = (await outputs("app")).security_group_id as string;
    configure((c) => {
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
    const { SecurityGroups } = await d.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-id", Values: [group, app.security_group_id] }] }));
    expect(SecurityGroups!.map((g) => g.GroupId)).toEqual([app.security_group_id]);
    expect(SecurityGroups![0].IpPermissionsEgress!.map((p) => p.FromPort).sort()).toEqual([443, 6432]);
  });

  it("make drift names a private default route deleted outside Terraform (exit 2); deploy restores it; right after that deploy, drift finds nothing (exit 0)", async () => {
    const { RouteTables } = await d.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "tag:Name", Values: ["private-routing-demo-ap-northeast-1a"] }] }));
    await d.ec2.send(new DeleteRouteCommand({ RouteTableId: RouteTables![0].RouteTableId!, DestinationCidrBlock: "0.0.0.0/0" }));
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
    const restored = await d.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [RouteTables![0].RouteTableId!] }));
    expect(restored.RouteTables![0].Routes!.find((r) => r.DestinationCidrBlock === "0.0.0.0/0")!.NatGatewayId).toBe(today.natId);
  });

});
