/**
 * Faults on the emulator. They need state, not a fresh network each: one network ("faults", reached through a
 * relay that a test can close) carries an apply killed after it created resources (its lock explained and
 * released, its VPC an orphan), an apply interrupted by SIGINT that leaks nothing and converges, a second apply
 * refused while the first holds the state lock, and a dead endpoint named with the state untouched. A missing
 * state bucket is reported (never local state).
 */
import { existsSync, readdirSync } from "fs";
import { join } from "path";
import { DescribeNatGatewaysCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { lockHint } from "../../jobs/terraform-text";
import { loadConfig } from "../../stacks/config";
import { synthApp } from "../helpers/app";
import { ROOT, rawConfig, writeTempConfig, LOCAL_CONFIG } from "../helpers/config";
import { Deployment, emulatorConfig, prepare } from "../helpers/deploy";
import { clientFor, Emulator, startEmulator } from "../helpers/emulator";
import { Relay, startRelay } from "../helpers/proxy";
import { run, runJob, startTerraform, terraform } from "../helpers/terraform";

jest.setTimeout(600_000);

const BUCKET = "fixed-egress-e2e-state";
let emu: Emulator;
let s3: S3Client;
let ec2: EC2Client;
let relay: Relay;
/** The shared network, deployed through the relay by the first test. */
let d: Deployment;
let endpoint: string;

beforeAll(async () => {
  emu = startEmulator();
  s3 = new S3Client(clientFor(emu.endpoint));
  ec2 = new EC2Client(clientFor(emu.endpoint));
  relay = await startRelay(Number(new URL(emu.endpoint).port));
  endpoint = `http://127.0.0.1:${relay.port}`;
  d = await prepare(emulatorConfig(endpoint, "faults"));
});
// Stopping the emulator forgets everything: no cleanup destroy.
afterAll(async () => {
  await relay?.close().catch(() => undefined);
  emu?.stop();
});

const exists = (key: string) => s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then(() => true, () => false);
async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const vpcsOf = async (env: string) => (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:Environment", Values: [env] }] }))).Vpcs ?? [];
const natsIn = async (vpcId: string) =>
  ((await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: "vpc-id", Values: [vpcId] }] }))).NatGateways ?? []).filter((n) => n.State !== "deleted");
const stateList = async (dir: string) => (await terraform(dir, ["state", "list"])).stdout.trim().split("\n");

it("explains a lock left by an apply killed after it created resources; released, an apply interrupted by SIGINT leaks nothing, and the next apply converges", async () => {
  const dir = d.synth.stackDir("network");
  await d.init("network");
  const lockKey = "fixed-egress/faults-network.tfstate.tflock";
  const killed = startTerraform(dir, ["apply", "-auto-approve", "-input=false", "-no-color"]);
  // Killed once AWS has a resource of it: what it created is left behind, its state never written.
  await until("the VPC to exist", async () => (await vpcsOf("faults")).length > 0);
  process.kill(-killed.child.pid!, "SIGKILL"); // the whole group: terraform and its provider
  await killed.done;
  const [orphan] = await vpcsOf("faults");
  expect(await exists(lockKey)).toBe(true);
  const lock = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: lockKey }))).Body!.transformToString()) as { ID: string };

  const refused = await terraform(dir, ["apply", "-auto-approve", "-input=false", "-no-color", "-lock-timeout=0s"], { allowFail: true });
  expect(refused.code).toBe(1);
  const hint = lockHint(refused.stderr, dir);
  expect(hint).toContain(`The state is locked (lock ${lock.ID}`);
  const command = hint!.split("\n").pop()!.trim();
  expect(command).toMatch(new RegExp(`^scripts/tf-env\\.sh terraform -chdir=\\S+ force-unlock -force ${lock.ID}$`));
  const [, ...args] = command.split(/\s+/);
  const unlock = await run(args[0], args.slice(1), { cwd: ROOT });
  expect(unlock.stderr).toBe("");
  expect(await exists(lockKey)).toBe(false);

  // Interrupted (Ctrl-C) once it has made a VPC of its own: Terraform stops gracefully and releases the lock.
  const interrupted = startTerraform(dir, ["apply", "-auto-approve", "-input=false", "-no-color"]);
  await until("a second VPC to exist", async () => (await vpcsOf("faults")).length > 1);
  process.kill(interrupted.child.pid!, "SIGINT");
  const stopped = await interrupted.done;
  // A graceful stop: what is in flight finishes and nothing new starts (Terraform may then exit 0, so the exit
  // code proves nothing; the next apply having work left does).
  expect(stopped.stdout + stopped.stderr).toMatch(/Interrupt received|operation canceled|context canceled/i);
  expect(await exists(lockKey)).toBe(false);

  const converged = await terraform(dir, ["apply", "-auto-approve", "-input=false", "-no-color"]);
  expect(converged.stdout).toMatch(/Apply complete! Resources: [1-9]\d* added/);
  expect(await d.planExitCode("network")).toBe(0);
  // The state knows one VPC with its NAT Gateway, and it is the only VPC besides the orphan: the interrupted
  // apply recorded what it made (the next apply kept or replaced it, never left it behind). The killed apply's
  // VPC is an orphan Terraform never recorded.
  const vpcInState = (await d.outputs("network")).vpc_id as string;
  const vpcs = (await vpcsOf("faults")).map((v) => v.VpcId);
  expect(vpcs.sort()).toEqual([orphan.VpcId, vpcInState].sort());
  expect(await natsIn(vpcInState)).toHaveLength(1);
  expect(await natsIn(orphan.VpcId!)).toEqual([]);
  expect((await stateList(dir)).filter((l) => l.startsWith("aws_vpc."))).toHaveLength(1);
});

it("refuses a second apply while the first holds the state lock, and leaves the state intact", async () => {
  // A change whose apply lasts: the S3 endpoint's delete waits for AWS, so the lock is held for seconds.
  await d.resynth(emulatorConfig(endpoint, "faults", (c) => ((c.network.s3Endpoint = false), (c.tags = { Owner: "lock-test" }))));
  const dir = d.synth.stackDir("network");
  const lockKey = "fixed-egress/faults-network.tfstate.tflock";
  const first = d.apply("network");
  await until("the first apply to take the lock", () => exists(lockKey), 30_000);
  const second = await terraform(dir, ["apply", "-auto-approve", "-input=false", "-no-color", "-lock-timeout=0s"], { allowFail: true });
  expect(second.code).toBe(1);
  expect(second.stderr).toMatch(/Error acquiring the state lock/);
  expect(second.stderr).toMatch(/Lock Info:/);

  await first;
  expect(await exists(lockKey)).toBe(false);
  const list = await stateList(dir);
  expect(list.filter((l) => l.startsWith("aws_nat_gateway."))).toHaveLength(1);
  expect(list.filter((l) => l.startsWith("aws_vpc."))).toHaveLength(1);
  expect(list.filter((l) => l.startsWith("aws_vpc_endpoint."))).toEqual([]);
  expect(await d.planExitCode("network")).toBe(0);
});

describe("the emulator down", () => {
  it("fails the plan with a clear error naming the endpoint, and leaves the state untouched", async () => {
    const key = "fixed-egress/faults-network.tfstate";
    const before = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));

    await relay.close();
    const config = writeTempConfig(rawConfig(LOCAL_CONFIG, (c) => {
      c.name = "faults";
      c.emulator = { endpoint };
      c.backend.bucket = BUCKET;
    }));
    const plan = await runJob({ FIXED_EGRESS_CONFIG: config }, "plan");
    expect(plan.code).toBe(1);
    expect(plan.stderr.trim()).toBe(`state bucket: nothing answers at the emulator at ${endpoint}; start it with: make emulator-start`);

    const raw = await terraform(d.synth.stackDir("network"), ["plan", "-input=false", "-no-color"], { allowFail: true, timeoutMs: 240_000 });
    expect(raw.code).toBe(1);
    expect(raw.stderr).toContain(`127.0.0.1:${relay.port}`);

    await relay.reopen();
    const after = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(after.ETag).toBe(before.ETag);
    expect(after.VersionId).toBe(before.VersionId);
    expect(await d.planExitCode("network")).toBe(0);
  });
});

describe("the emulator restarted (state bucket gone)", () => {
  it("deploy says the bucket is missing and how to bootstrap it; Terraform never falls back to local state", async () => {
    // moto's reset API forgets every resource, as a restart does (the last test here: nothing else needs them).
    const reset = await fetch(`${emu.endpoint}/moto-api/reset`, { method: "POST" });
    expect(reset.ok).toBe(true);
    const config = writeTempConfig(rawConfig(LOCAL_CONFIG, (c) => {
      c.name = "gone";
      c.emulator = { endpoint: emu.endpoint };
    }));
    const deploy = await runJob({ FIXED_EGRESS_CONFIG: config }, "deploy", "--no-bootstrap");
    expect(deploy.code).toBe(1);
    expect(deploy.stderr.trim()).toBe(
      "state bucket: the state bucket fixed-egress-state-demo does not exist in ap-northeast-1 (the emulator keeps everything in memory: was it restarted?); create it with: make bootstrap",
    );

    // Terraform itself, asked directly, refuses too and writes no local state.
    const dir = synthApp(loadConfig(config)).stackDir("network");
    const init = await terraform(dir, ["init", "-input=false", "-no-color"], { allowFail: true });
    expect(init.code).toBe(1);
    expect(init.stderr).toMatch(/bucket.*(does not exist|NoSuchBucket)|NoSuchBucket/is);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tfstate"))).toEqual([]);
    // Init stops before it records any backend: there is none to fall back from.
    expect(existsSync(join(dir, ".terraform", "terraform.tfstate"))).toBe(false);
  });
});
