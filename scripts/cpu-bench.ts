/**
 * For npm run bench, CPU figures (not wall: the tests are CPU-bound), median of `runs`, the two ways taking turns:
 * one Terraform command that loads the AWS provider (`terraform show -json` of a saved plan) with the provider
 * installed from the mirror as make demo does and through the tests' launchers (scripts/provider-launchers.sh);
 * and a job's process (`cost`) started as make does (scripts/jobs.js) and through tsx.
 */
import { spawnSync } from "child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

const TF_ENV = join(__dirname, "tf-env.sh");
const CONFIG = {
  terraform: { required_providers: { aws: { source: "hashicorp/aws", version: "5.100.0" } } },
  provider: { aws: [{ region: "ap-northeast-1", access_key: "bench", secret_key: "bench", skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: true }] },
  resource: { aws_vpc: { v: { cidr_block: "10.0.0.0/16" } } },
};

/** User + sys CPU-s of one command (run through scripts/tf-env.sh). */
const timeDir = mkdtempSync(join(tmpdir(), "fixed-egress-cpu-bench-"));
function cpuOf(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  const time = join(timeDir, "time.txt");
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S", "-o", time, TF_ENV, ...args], { cwd: dir, env: { ...process.env, ...env }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed:\n${r.stderr}`);
  return readFileSync(time, "utf8").trim().split("\n").pop()!.split(" ").map(Number).reduce((a, b) => a + b, 0);
}
const tf = (dir: string, launchers: string, args: string[]) => cpuOf(dir, ["terraform", ...args], { FIXED_EGRESS_PROVIDER_LAUNCHERS: launchers });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median CPU-s of the cost job's process: as make runs it (a bundle) and through tsx. */
export function jobStartCpu(runs: number): { bundled: number; tsx: number } {
  const root = join(__dirname, "..");
  const bundled: number[] = [];
  const tsx: number[] = [];
  for (let i = 0; i < runs; i++) {
    bundled.push(cpuOf(root, ["node", "scripts/jobs.js", "cost"]));
    tsx.push(cpuOf(root, ["node", "--import", "tsx", "jobs/main.ts", "cost"]));
  }
  return { bundled: median(bundled), tsx: median(tsx) };
}

/** Median CPU-s of `terraform show -json` per way of installing the provider, the two ways taking turns. */
export function providerLoadCpu(runs: number): { mirror: number; launchers: number } {
  const ways = { mirror: "0", launchers: "1" };
  const dirs = Object.fromEntries(Object.keys(ways).map((way) => [way, mkdtempSync(join(tmpdir(), "fixed-egress-provider-bench-"))]));
  const samples: Record<string, number[]> = { mirror: [], launchers: [] };
  try {
    for (const [way, flag] of Object.entries(ways)) {
      writeFileSync(join(dirs[way], "main.tf.json"), JSON.stringify(CONFIG));
      tf(dirs[way], flag, ["init", "-input=false"]);
      tf(dirs[way], flag, ["plan", "-refresh=false", "-input=false", "-out=plan.bin"]);
    }
    for (let i = 0; i < runs; i++) for (const [way, flag] of Object.entries(ways)) samples[way].push(tf(dirs[way], flag, ["show", "-json", "plan.bin"]));
  } finally {
    Object.values(dirs).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  }
  return { mirror: median(samples.mirror), launchers: median(samples.launchers) };
}
