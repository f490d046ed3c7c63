/**
 * How npm run bench measures (scripts/bench.ts): one command through scripts/tf-env.sh under /usr/bin/time, its
 * wall seconds, peak RSS and CPU (user + sys); and two CPU comparisons, medians of `runs` with the two ways taking
 * turns (CPU, not wall: the tests are CPU-bound): one Terraform command that loads the AWS provider
 * (`terraform show -json` of a saved plan) with the provider from the mirror, as make demo has it, and through the
 * tests' launchers (scripts/provider-launchers.sh); and a job's process (`cost`) as make starts it
 * (scripts/jobs.js) and through tsx.
 */
import { spawnSync } from "child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

const ROOT = join(__dirname, "..");
const TF_ENV = join(__dirname, "tf-env.sh");
const CONFIG = {
  terraform: { required_providers: { aws: { source: "hashicorp/aws", version: "5.100.0" } } },
  provider: { aws: [{ region: "ap-northeast-1", access_key: "bench", secret_key: "bench", skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: true }] },
  resource: { aws_vpc: { v: { cidr_block: "10.0.0.0/16" } } },
};

export interface Sample {
  readonly seconds: number;
  readonly maxRssMb: number;
  /** user + sys seconds of the command and what it waited for */
  readonly cpu: number;
  readonly stdout: string;
}

/** One run of `args` through scripts/tf-env.sh under /usr/bin/time, from `cwd` (the project by default). */
export function measure(args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): Sample {
  const dir = mkdtempSync(join(tmpdir(), "fixed-egress-bench-time-"));
  try {
    const out = join(dir, "time.txt");
    const r = spawnSync("/usr/bin/time", ["-f", "%e %M %U %S", "-o", out, TF_ENV, ...args], { cwd, env: { ...process.env, NODE_NO_WARNINGS: "1", ...env }, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${args.join(" ")} failed (${r.status}):\n${(r.stderr || r.stdout).slice(-2000)}`);
    const [seconds, kb, user, sys] = readFileSync(out, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
    return { seconds, maxRssMb: kb / 1024, cpu: user + sys, stdout: r.stdout ?? "" };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const cpuOf = (cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) => measure(args, env, cwd).cpu;
const tf = (dir: string, launchers: string, args: string[]) => cpuOf(dir, ["terraform", ...args], { FIXED_EGRESS_PROVIDER_LAUNCHERS: launchers });
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median CPU-s of the cost job's process: as make runs it (a bundle) and through tsx. */
export function jobStartCpu(runs: number): { bundled: number; tsx: number } {
  const bundled: number[] = [];
  const tsx: number[] = [];
  for (let i = 0; i < runs; i++) {
    bundled.push(cpuOf(ROOT, ["node", "scripts/jobs.js", "cost"]));
    tsx.push(cpuOf(ROOT, ["node", "--import", "tsx", "jobs/main.ts", "cost"]));
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
