/**
 * The egress guard's command on real plans from the emulator: a released Elastic IP and a replaced private subnet
 * are refused (the NAT replacement and the tag-only change are proven through make deploy, in main-job.test.ts;
 * the command's exits on bad input in guard-cli.test.ts and, packed, in guard-hcl.test.ts).
 */
import { join } from "path";
import { Deployment, emulatorConfig, prepare } from "../helpers/deploy";
import { AllocateAddressCommand, EC2Client } from "@aws-sdk/client-ec2";
import { clientFor, Emulator, startEmulator } from "../helpers/emulator";
import { ROOT } from "../helpers/config";
import { run } from "../helpers/terraform";

jest.setTimeout(600_000);

let emu: Emulator;
let d: Deployment;
beforeAll(async () => {
  emu = startEmulator();
  d = await prepare(emulatorConfig(emu.endpoint, "review"));
  await d.apply("network");
});
afterAll(() => emu?.stop()); // stopping the emulator forgets everything: no cleanup destroy

/** The guard's command (fixed-egress-guard review), from its sources. */
const review = (...args: string[]) => run("node", ["--import", "tsx", join(ROOT, "guard", "cli.ts"), "review", ...args]);

it("refuses a plan that would release the created Elastic IP for a brought one, naming the IP", async () => {
  const net = await d.outputs("network");
  const brought = await new EC2Client(clientFor(emu.endpoint)).send(new AllocateAddressCommand({ Domain: "vpc" }));
  const byo = await prepare(emulatorConfig(emu.endpoint, "review", (c) => (c.network.eipAllocationIds = [brought.AllocationId])));
  const r = await review(await byo.planJsonFile("network"));
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`would be destroyed: its public IP ${net.egress_ips[0]} is an egress IP the database allow-lists.`);
  expect(r.stderr).toMatch(/^fixed-egress-guard: refused: review-network: aws_eip\.network_nat_eip-0_\w+ would be destroyed.* \[eip-released\]$/m);
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
