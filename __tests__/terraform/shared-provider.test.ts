/**
 * The tests' shared providers (scripts/shared-provider.sh through scripts/tf-env.sh): the commands of one stack
 * folder attach to one AWS provider process that runs in that folder, it takes a configuration again at each
 * command (with a CA bundle in the environment too), and it stops when its suite ends or its owner is gone.
 * A command that runs no provider starts none, nor does any command without a registry (the variable empty or 0).
 */
import { ChildProcess, spawn } from "child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { run } from "../helpers/terraform";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { stopSharedProviders, alive } = require("../../scripts/jest-cpu-environment.js") as {
  stopSharedProviders(registry: string): Promise<{ user: number; sys: number }>;
  alive(pid: number): boolean;
};

jest.setTimeout(120_000);

/** A configuration whose plan configures the provider without calling AWS (the region is known locally). */
const MAIN_TF = `terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}
provider "aws" {
  region                      = "ap-northeast-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
data "aws_region" "here" {}
output "region" { value = data.aws_region.here.name }
`;

const until = async (ok: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; Date.now() < end && !ok(); ) await new Promise((r) => setTimeout(r, 200));
  return ok();
};
/** The pid of each provider a registry holds. */
const providers = (registry: string) => readdirSync(registry).map((slot) => Number(readFileSync(join(registry, slot, "pid"), "utf8")));

let dir: string;
let registry: string;
let owner: ChildProcess;
const shared = () => ({ FIXED_EGRESS_SHARED_PROVIDERS: registry, FIXED_EGRESS_SHARED_PROVIDERS_OWNER: String(owner.pid), AWS_CA_BUNDLE: "/etc/ssl/certs/ca-certificates.crt" });
const plan = (env: NodeJS.ProcessEnv) => run("terraform", ["plan", "-input=false", "-no-color", "-lock=false"], { cwd: dir, env });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "fixed-egress-shared-provider-"));
  writeFileSync(join(dir, "main.tf"), MAIN_TF);
  const init = await run("terraform", ["init", "-input=false", "-no-color"], { cwd: dir });
  expect(init.code).toBe(0);
});
beforeEach(() => {
  registry = mkdtempSync(join(tmpdir(), "fixed-egress-providers-"));
  // The owner: a process standing for the jest worker, whose end the providers watch.
  owner = spawn("sleep", ["300"], { stdio: "ignore" });
});
afterEach(async () => {
  owner.kill();
  if (existsSync(registry)) await stopSharedProviders(registry);
});

it("runs the commands of a folder on one provider, in that folder, configured again at each command, and the suite's end stops it, counting its CPU", async () => {
  for (let i = 0; i < 2; i++) {
    const r = await plan(shared());
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toContain('region = "ap-northeast-1"');
  }
  const [pid, ...more] = providers(registry);
  expect(more).toEqual([]);
  expect(readlinkSync(`/proc/${pid}/cwd`)).toBe(dir);
  expect(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")).toEqual([expect.stringMatching(/\/terraform-provider-aws_v5\.100\.0_x5$/), "-debug", ""]);
  const spent = await stopSharedProviders(registry);
  expect(spent.user + spent.sys).toBeGreaterThan(0.1); // a provider's start alone is more
  expect(alive(pid)).toBe(false);
  expect(existsSync(registry)).toBe(false);
});

it("stops the provider by itself once its owner is gone", async () => {
  expect((await plan(shared())).code).toBe(0);
  const [pid] = providers(registry);
  expect(alive(pid)).toBe(true);
  owner.kill();
  expect(await until(() => !alive(pid), 10_000)).toBe(true);
});

it("starts none for a command that runs no provider (output, providers), nor without a registry", async () => {
  for (const args of [["output", "-json"], ["providers"]]) expect((await run("terraform", args, { cwd: dir, env: shared() })).code).toBe(0);
  // Empty, or 0 as `FIXED_EGRESS_SHARED_PROVIDERS=0 npx jest` sets it: no registry, not a folder named 0.
  for (const off of ["", "0"]) expect((await plan({ FIXED_EGRESS_SHARED_PROVIDERS: off, AWS_CA_BUNDLE: "/etc/ssl/certs/ca-certificates.crt" })).code).toBe(0);
  expect(readdirSync(registry)).toEqual([]);
  expect(existsSync(join(dir, "0"))).toBe(false);
});
