/** The main job as a user runs it (scripts/demo.ts and scripts/destroy.ts, i.e. make demo / make destroy) on an emulator of its own. */
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { LOCAL_CONFIG, ROOT, rawConfig, writeTempConfig } from "../helpers/config";
import { clientFor, Emulator, startEmulator } from "../helpers/emulator";
import { run } from "../helpers/terraform";

jest.setTimeout(600_000);

let emu: Emulator;
let env: NodeJS.ProcessEnv;
beforeAll(() => {
  emu = startEmulator();
  const work = mkdtempSync(join(tmpdir(), "fixed-egress-job-"));
  env = {
    FIXED_EGRESS_CONFIG: writeTempConfig(rawConfig(LOCAL_CONFIG, (c) => (c.emulator.endpoint = emu.endpoint))),
    FIXED_EGRESS_OUTDIR: join(work, "cdktf.out"),
    FIXED_EGRESS_RUN_DIR: join(work, "run"),
  };
});
afterAll(async () => {
  await run("node", ["--import", "tsx", join(ROOT, "scripts", "destroy.ts")], { env });
  emu?.stop();
});

const job = (script: string) => run("node", ["--import", "tsx", join(ROOT, "scripts", script)], { env });

it("deploys both stacks with remote state and prints the egress IP; run again, it changes nothing; destroy removes all", async () => {
  const first = await job("demo.ts");
  expect(first.stderr).toBe("");
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(/state bucket fixed-egress-state-demo is missing.*: creating it/);
  expect(first.stdout).toMatch(/==> demo-network: terraform init, plan, apply\n.*done in [\d.]+ s/);
  expect(first.stdout).toMatch(/demo-network: Apply complete! Resources: 20 added, 0 changed, 0 destroyed\./);
  expect(first.stdout).toMatch(/demo-app: Apply complete! Resources: 5 added, 0 changed, 0 destroyed\./);
  const ip = /Egress IPs to allow-list at the database: (\d+\.\d+\.\d+\.\d+)\n/.exec(first.stdout)?.[1];
  expect(ip).toBeDefined();
  expect(first.stdout).toContain("function: demo-egress-probe");
  expect(first.stdout).toContain("Cost on AWS (ap-northeast-1, list price): about 55.11 USD per month");

  const second = await job("demo.ts");
  expect(second.code).toBe(0);
  expect(second.stdout).toContain("state bucket fixed-egress-state-demo (ap-northeast-1): already set up, no changes");
  expect(second.stdout).toContain("demo-network: no changes");
  expect(second.stdout).toContain("demo-app: no changes");
  expect(second.stdout).toContain(`Egress IPs to allow-list at the database: ${ip}`);

  const destroy = await job("destroy.ts");
  expect(destroy.code).toBe(0);
  expect(destroy.stdout).toMatch(/demo-app: Destroy complete! Resources: 5 destroyed\./);
  expect(destroy.stdout).toMatch(/demo-network: Destroy complete! Resources: 20 destroyed\./);
  const { Vpcs } = await new EC2Client(clientFor(emu.endpoint)).send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:Project", Values: ["fixed-egress"] }] }));
  expect(Vpcs).toEqual([]);
});
