/** The plan review on real plans from the emulator: a NAT replacement is refused, a tag change passes. */
import { join } from "path";
import { Deployment, emulatorConfig, prepare } from "../helpers/deploy";
import { AllocateAddressCommand, EC2Client } from "@aws-sdk/client-ec2";
import { clientFor, Emulator, startEmulator } from "../helpers/emulator";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { LOCAL_CONFIG, ROOT, rawConfig } from "../helpers/config";
import { run } from "../helpers/terraform";

jest.setTimeout(600_000);

let emu: Emulator;
let d: Deployment;
beforeAll(async () => {
  emu = startEmulator();
  d = await prepare(emulatorConfig(emu.endpoint, "review"));
  await d.apply("network");
});
afterAll(async () => {
  await d?.cleanup();
  emu?.stop();
});

const review = (...args: string[]) => run("node", ["--import", "tsx", join(ROOT, "scripts", "plan-review.ts"), ...args]);

it("refuses a plan that replaces the NAT Gateway, naming the resources, unless allowed", async () => {
  // Moving the first public subnet forces a new subnet, hence a new NAT Gateway and new private routes.
  const moved = await prepare(emulatorConfig(emu.endpoint, "review", (c) => (c.network.publicSubnetCidrs[0] = "10.0.5.0/24")));
  const file = await moved.planJsonFile("network");
  const r = await review(file);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^plan-review: aws_nat_gateway\.network_nat_gateway-0_\w+ would be replaced/m);
  expect(r.stderr).toMatch(/^plan-review: aws_route\.network_private_default-route-0_\w+ would point 0\.0\.0\.0\/0 at a NAT Gateway known only after apply instead of nat-\w+: these subnets. egress moves to another NAT Gateway\.$/m);
  expect(r.stderr).toMatch(/^plan-review: aws_nat_gateway\.network_nat_gateway-0_\w+ would be replaced: it keeps Elastic IP allocation eipalloc-\w+, but egress through it stops/m);
  expect(r.stdout).toContain("### review-network");
  expect(r.stdout).toMatch(/\| replace \| `aws_nat_gateway\.network_nat_gateway-0_\w+` \|/);
  expect(r.stdout).toContain("this plan is refused");
  expect(r.stdout).toMatch(/- today: (\S+)\n- after this plan: \1\n/); // the NAT keeps its Elastic IP
  expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace

  const allowed = await review("--allow-egress-change", file);
  expect(allowed.code).toBe(0);
  expect(allowed.stdout).toContain("allowed by --allow-egress-change");
});

it("refuses a plan that would release the created Elastic IP for a brought one, naming the IP", async () => {
  const net = await d.outputs("network");
  const brought = await new EC2Client(clientFor(emu.endpoint)).send(new AllocateAddressCommand({ Domain: "vpc" }));
  const byo = await prepare(emulatorConfig(emu.endpoint, "review", (c) => (c.network.eipAllocationIds = [brought.AllocationId])));
  const r = await review(await byo.planJsonFile("network"));
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`would be destroyed: its public IP ${net.egress_ips[0]} is an egress IP the database allow-lists.`);
  expect(r.stderr).toMatch(/^plan-review: aws_eip\.network_nat_eip-0_\w+ would be destroyed/m);
  expect(r.stdout).toContain(`- today: ${net.egress_ips[0]}`);
  expect(r.stdout).toContain(`- after this plan: ${brought.PublicIp}`);
});

it("refuses a real plan that replaces a private subnet: the subnet and its association are named, told apart from public ones by their routes", async () => {
  const moved = await prepare(emulatorConfig(emu.endpoint, "review", (c) => (c.network.privateSubnetCidrs[0] = "10.0.20.0/24")));
  const r = await review("--format", "json", await moved.planJsonFile("network"));
  expect(r.code).toBe(1);
  const out = JSON.parse(r.stdout);
  expect(out.refused).toBe(true);
  const reasons = out.findings.map((f: { address: string; reason: string }) => `${f.address} ${f.reason}`);
  expect(reasons).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^aws_subnet\.network_private_subnet-0_\w+ would be replaced: it is a private subnet \(subnet-\w+\) where the function's network interfaces live/),
      expect.stringMatching(/^aws_route_table_association\.network_private_association-0_\w+ would be replaced: private subnet subnet-\w+ falls back to the VPC's main route table/),
    ]),
  );
  // nothing public is named
  expect(reasons.filter((x: string) => /network_public_/.test(x))).toEqual([]);
  expect(out.stacks).toEqual([expect.objectContaining({ name: "review-network", replace: expect.any(Number) })]);
});

it("passes a plan that only changes a tag, and shows today's egress IP", async () => {
  const net = await d.outputs("network");
  const tagged = await prepare(emulatorConfig(emu.endpoint, "review", (c) => (c.tags = { Owner: "data-team" })));
  const r = await review(await tagged.planJsonFile("network"));
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/\d+ to add, [1-9]\d* to change, 0 to replace, 0 to destroy\./);
  expect(r.stdout).toContain(`- today: ${net.egress_ips[0]}`);
  expect(r.stdout).toContain("No egress IP changes.");
});

it("make plan before the network stack was ever applied: plans the network, and says the app stack waits for it", async () => {
  const work = mkdtempSync(join(tmpdir(), "fixed-egress-fresh-"));
  const file = join(work, "config.json");
  writeFileSync(file, JSON.stringify(rawConfig(LOCAL_CONFIG, (c) => Object.assign(c, { name: "fresh", emulator: { endpoint: emu.endpoint }, backend: { type: "s3", bucket: "fixed-egress-e2e-state" } }))));
  const r = await run("node", ["--import", "tsx", join(ROOT, "scripts", "plan.ts")], { env: { FIXED_EGRESS_CONFIG: file, FIXED_EGRESS_OUTDIR: join(work, "out"), FIXED_EGRESS_RUN_DIR: join(work, "run") } });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("fresh-app: not planned; it reads the network stack's outputs, so it is planned once the network stack is applied");
  expect(r.stdout).toContain("### fresh-network");
  expect(r.stdout).not.toContain("### fresh-app");
});

it("rejects a file that is not a plan with one sentence and exit 2", async () => {
  const r = await review(join(ROOT, "config", "local.json"));
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stderr).toMatch(/local\.json is JSON but not a Terraform plan/);
});
