/**
 * Faults on the emulator: an interrupted apply converges, a dead endpoint is named, a lock left by a
 * crashed apply is explained and released, and a missing state bucket is reported (never local state).
 */
import { existsSync, readFileSync, readdirSync } from "fs";
import { join } from "path";
import { DescribeNatGatewaysCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { lockHint } from "../../scripts/steps";
import { loadConfig } from "../../stacks/config";
import { synthApp } from "../helpers/app";
import { ROOT, rawConfig, writeTempConfig, LOCAL_CONFIG } from "../helpers/config";
import { Deployment, emulatorConfig, prepare } from "../helpers/deploy";
import { clientFor, Emulator, startEmulator } from "../helpers/emulator";
import { Relay, startRelay } from "../helpers/proxy";
import { run, startTerraform, terraform } from "../helpers/terraform";

jest.setTimeout(600_000);

const BUCKET = "fixed-egress-e2e-state";
let emu: Emulator;
let s3: S3Client;
let ec2: EC2Client;
const deployments: Deployment[] = [];

beforeAll(() => {
  emu = startEmulator();
  s3 = new S3Client(clientFor(emu.endpoint));
  ec2 = new EC2Client(clientFor(emu.endpoint));
});
afterAll(async () => {
  for (const d of deployments) await d.cleanup();
  emu?.stop();
});

async function deployment(name: string, endpoint = emu.endpoint): Promise<Deployment> {
  const d = await prepare(emulatorConfig(endpoint, name));
  deployments.push(d);
  return d;
}

const exists = (key: string) => s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then(() => true, () => false);
async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const vpcsOf = async (env: string) => (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:Environment", Values: [env] }] }))).Vpcs ?? [];

it("converges after an apply interrupted by SIGINT: one VPC, one NAT Gateway, an empty plan", async () => {
  const d = await deployment("sigint");
  const dir = d.synth.stackDir("network");
  await terraform(dir, ["init", "-input=false", "-no-color"]);
  const apply = startTerraform(dir, ["apply", "-auto-approve", "-input=false", "-no-color"]);
  await until("the VPC to exist", async () => (await vpcsOf("sigint")).length > 0);
  process.kill(apply.child.pid!, "SIGINT");
  const interrupted = await apply.done;
  expect(interrupted.code).not.toBe(0);
  expect(interrupted.stdout + interrupted.stderr).toMatch(/Interrupt received|operation canceled|context canceled/i);

  await d.apply("network");
  expect(await d.planExitCode("network")).toBe(0);
  const vpcs = await vpcsOf("sigint");
  expect(vpcs).toHaveLength(1);
  const nats = (await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: "vpc-id", Values: [vpcs[0].VpcId!] }] }))).NatGateways ?? [];
  expect(nats.filter((n) => n.State !== "deleted")).toHaveLength(1);
});

describe("the emulator down", () => {
  let relay: Relay;
  afterAll(async () => relay?.close().catch(() => undefined));

  it("fails the plan with a clear error naming the endpoint, and leaves the state untouched", async () => {
    relay = await startRelay(Number(new URL(emu.endpoint).port));
    const endpoint = `http://127.0.0.1:${relay.port}`;
    const d = await deployment("down", endpoint);
    await d.apply("network");
    const key = "fixed-egress/down-network.tfstate";
    const before = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));

    await relay.close();
    const config = writeTempConfig(rawConfig(LOCAL_CONFIG, (c) => {
      c.name = "down";
      c.emulator = { endpoint };
      c.backend.bucket = BUCKET;
    }));
    const plan = await run("node", ["--import", "tsx", join(ROOT, "scripts", "plan.ts")], { env: { FIXED_EGRESS_CONFIG: config } });
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

it("explains a lock left by a crashed apply and how to release it; released, the apply converges", async () => {
  const d = await deployment("crash");
  const dir = d.synth.stackDir("network");
  await terraform(dir, ["init", "-input=false", "-no-color"]);
  const lockKey = "fixed-egress/crash-network.tfstate.tflock";
  const apply = startTerraform(dir, ["apply", "-auto-approve", "-input=false", "-no-color"]);
  await until("the lock", () => exists(lockKey));
  process.kill(-apply.child.pid!, "SIGKILL"); // the whole group: terraform and its provider
  await apply.done;
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
  await d.apply("network");
  expect(await d.planExitCode("network")).toBe(0);
});

describe("the emulator restarted (state bucket gone)", () => {
  let fresh: Emulator;
  afterAll(() => fresh?.stop());

  it("deploy says the bucket is missing and how to bootstrap it; Terraform never falls back to local state", async () => {
    fresh = startEmulator();
    const config = writeTempConfig(rawConfig(LOCAL_CONFIG, (c) => {
      c.name = "gone";
      c.emulator = { endpoint: fresh.endpoint };
    }));
    const deploy = await run("node", ["--import", "tsx", join(ROOT, "scripts", "demo.ts"), "--no-bootstrap"], { env: { FIXED_EGRESS_CONFIG: config } });
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
    // If init got as far as recording a backend, it is the S3 one, never a local fallback.
    const backendFile = join(dir, ".terraform", "terraform.tfstate");
    if (existsSync(backendFile)) expect(JSON.parse(readFileSync(backendFile, "utf8")).backend.type).toBe("s3");
  });
});
