import { ChildProcess, spawn } from "child_process";
import { join } from "path";
import { JOB_MAIN, ROOT } from "./config";

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const TF_ENV = join(ROOT, "scripts", "tf-env.sh");

/** Runs a command through scripts/tf-env.sh (the project's Terraform CLI config and provider mirror). */
export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(TF_ENV, [cmd, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, NODE_NO_WARNINGS: "1", ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGTERM"), opts.timeoutMs ?? 300_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** A job as `make` runs it (`node scripts/jobs.js <job> [options]`), with `env` added to this process's. */
export const runJob = (env: NodeJS.ProcessEnv, job: string, ...args: string[]): Promise<Run> => run("node", [JOB_MAIN, job, ...args], { env });

/** Starts `terraform <args>` in its own process group (so a signal reaches its provider plugins too). */
export function startTerraform(dir: string, args: string[]): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(TF_ENV, ["terraform", ...args], {
    cwd: dir,
    env: { ...process.env, TF_INPUT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const done = new Promise<Run>((resolve) => child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr })));
  return { child, done };
}

/** `terraform <args>` in a stack folder; throws with Terraform's own error text unless `allowFail`. */
export async function terraform(dir: string, args: string[], opts: { env?: NodeJS.ProcessEnv; allowFail?: boolean; timeoutMs?: number } = {}): Promise<Run> {
  const r = await run("terraform", [...args], { cwd: dir, env: { TF_INPUT: "0", ...opts.env }, timeoutMs: opts.timeoutMs });
  if (r.code !== 0 && !opts.allowFail) {
    throw new Error(`terraform ${args.join(" ")} in ${dir} exited ${r.code}:\n${r.stderr || r.stdout}`);
  }
  return r;
}

/** `terraform output -json` of a stack folder, as plain values. */
export async function outputsIn(dir: string): Promise<Record<string, any>> {
  const r = await terraform(dir, ["output", "-json"]);
  return Object.fromEntries(Object.entries(JSON.parse(r.stdout) as Record<string, { value: unknown }>).map(([k, v]) => [k, v.value]));
}

/** Resource addresses by action from `terraform show -json <plan>`. */
export interface PlanSummary {
  readonly create: string[];
  readonly update: string[];
  readonly delete: string[];
  readonly countsByType: Record<string, number>;
}

export function summarizePlan(planJson: string): PlanSummary {
  const plan = JSON.parse(planJson) as { resource_changes?: { address: string; type: string; mode: string; change: { actions: string[] } }[] };
  const changes = (plan.resource_changes ?? []).filter((c) => c.mode === "managed");
  const pick = (a: string) => changes.filter((c) => c.change.actions.includes(a)).map((c) => c.address);
  const countsByType: Record<string, number> = {};
  changes.filter((c) => c.change.actions.includes("create")).forEach((c) => (countsByType[c.type] = (countsByType[c.type] ?? 0) + 1));
  return { create: pick("create"), update: pick("update"), delete: pick("delete"), countsByType };
}
