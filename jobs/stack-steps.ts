/** Terraform on one synthesized stack, as the jobs run it: init, plan to a saved file and its review, apply of that file. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import { isDeepStrictEqual } from "util";
import { join } from "path";
import { stackNames } from "../stacks";
import type { AppConfig } from "../stacks/config";
import { bootstrapState, checkStateBucket } from "./bootstrap-state";
import { fail } from "./cli";
import { PlanJson, StackReview, parsePlan, reviewPlan } from "@fixed-egress/guard";
import { NETWORK_CONTRACT } from "@fixed-egress/constructs";
import { Progress, StepResult, say, step } from "./steps";
import { RUN_DIR, shown, stackDir } from "./paths";
import { failStep } from "./terraform-text";
import { synth } from "./app";

export const PLANS_DIR = join(RUN_DIR, "plans");

/**
 * What every job does before Terraform plans: the state bucket checked (or, with `bootstrap`, made), both
 * stacks synthesized, and both initialized at once. Exits with one sentence when the bucket is not there.
 * Returns the stacks in the order they deploy: network, then app.
 */
export async function readyStacks(config: AppConfig, job: string, opts: { bootstrap?: (line: string) => void } = {}): Promise<string[]> {
  try {
    if (opts.bootstrap) await bootstrapState(config, opts.bootstrap);
    else await checkStateBucket(config);
  } catch (err) {
    fail(`state bucket: ${(err as Error).message}`);
  }
  synth(config);
  const names = stackNames(config);
  const stacks = [names.network, names.app];
  await Promise.all(stacks.map((stack) => initStack(config, stack, `${job}-${stack}`)));
  return stacks;
}

/**
 * Whether `terraform init` already ran in this folder for the backend and provider versions the stack names now:
 * the backend Terraform recorded holds every setting the synthesized one sets, and the lock file pins the same
 * provider constraints. Init again would only hash the 700 MB provider once more.
 */
/** Terraform records every setting of a block, unset ones as null: the recorded block holds the wanted one when they agree on what it sets. */
const isBlock = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const holds = (recorded: unknown, wanted: unknown): boolean =>
  isBlock(wanted) && isBlock(recorded)
    ? Object.entries(wanted).every(([k, v]) => holds(recorded[k], v)) && Object.entries(recorded).every(([k, v]) => k in wanted || v === null)
    : isDeepStrictEqual(recorded, wanted);

export function initializedFor(dir: string): boolean {
  const recorded = join(dir, ".terraform", "terraform.tfstate");
  const lockFile = join(dir, ".terraform.lock.hcl");
  if (!existsSync(recorded) || !existsSync(lockFile) || !existsSync(join(dir, ".terraform", "providers"))) return false;
  try {
    const stack = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as { terraform?: { backend?: Record<string, Record<string, unknown>>; required_providers?: Record<string, { version?: string }> } };
    const backend = (JSON.parse(readFileSync(recorded, "utf8")) as { backend?: { type: string; config: Record<string, unknown> } }).backend;
    const [[type, wanted]] = Object.entries(stack.terraform?.backend ?? { local: {} });
    if (!backend || backend.type !== type || !holds(backend.config, wanted)) return false;
    const lock = readFileSync(lockFile, "utf8");
    return Object.values(stack.terraform?.required_providers ?? {}).every((p) => p.version === undefined || lock.includes(`constraints = "${p.version}"`));
  } catch {
    return false;
  }
}

/**
 * `terraform init`, unless the folder is already initialized for the same backend. A folder initialized for another backend (the emulator now on another port, say) is
 * initialized again for the emulator, whose state lives only as long as it runs; for real AWS that would
 * move or drop state, so it stops and says how to decide.
 */
export async function initStack(config: AppConfig, stack: string, log: string): Promise<void> {
  const dir = stackDir(stack);
  if (initializedFor(dir)) return;
  const init = (extra: string[]) => step(`${stack}: terraform init`, "terraform", [`-chdir=${dir}`, "init", "-input=false", "-no-color", ...extra], `${log}-init`);
  let r = await init([]);
  if (r.code !== 0 && /Backend configuration changed/.test(r.output)) {
    if (!config.emulator) {
      const rel = shown(dir);
      fail(
        `${stack}: ${rel} was initialized for another state backend than the config now names. Decide what happens to its state: ` +
          `to copy it to the new backend, run scripts/tf-env.sh terraform -chdir=${rel} init -migrate-state; to use the new backend as it is, run scripts/tf-env.sh terraform -chdir=${rel} init -reconfigure. Then deploy again.`,
      );
    }
    say(`    ${stack}: the folder was initialized for another emulator endpoint; initializing it for ${config.emulator.endpoint}`);
    r = await init(["-reconfigure"]);
  }
  if (r.code !== 0) failStep(`terraform init of ${stack}`, r, dir);
}

export interface PlannedStack {
  readonly stack: string;
  /** the saved plan, what apply runs */
  readonly planFile: string;
  /** `terraform show -json` of it */
  readonly jsonFile: string;
  readonly plan: PlanJson;
  readonly review: StackReview;
  /** Terraform's -detailed-exitcode: false when the plan changes nothing */
  readonly changes: boolean;
}

/**
 * `terraform plan -out` to .run/plans/<stack>.tfplan, its JSON and its review. Returns undefined (having said
 * why) when the app stack cannot be planned yet because the network stack was never applied. With
 * `onlyIfChanged`, a plan that changes nothing (Terraform's exit code 0) is not shown as JSON: there is nothing
 * to review or apply, and `terraform show` would start the provider once more; its review is then empty.
 */
export async function planStack(
  stack: string,
  log: string,
  opts: { refreshOnly?: boolean; lock?: boolean; onlyIfChanged?: boolean; replace?: string[]; destinations?: readonly string[] } = {},
): Promise<PlannedStack | undefined> {
  const dir = stackDir(stack);
  mkdirSync(PLANS_DIR, { recursive: true });
  const suffix = opts.refreshOnly ? ".drift" : "";
  const planFile = join(PLANS_DIR, `${stack}${suffix}.tfplan`);
  const jsonFile = join(PLANS_DIR, `${stack}${suffix}.plan.json`);
  // A plan writes nothing: without the lock (a pull request's plan) it needs no write access to the state's bucket.
  const lock = opts.lock === false ? ["-lock=false"] : ["-lock-timeout=60s"];
  const replace = (opts.replace ?? []).map((a) => `-replace=${a}`);
  const args = [`-chdir=${dir}`, "plan", "-input=false", "-no-color", ...lock, "-detailed-exitcode", `-out=${planFile}`, ...(opts.refreshOnly ? ["-refresh-only"] : []), ...replace];
  const plan = await step(`${stack}: terraform plan${opts.refreshOnly ? " -refresh-only" : ""}`, "terraform", args, `${log}-plan`, { progress: new Progress("plan"), ok: [0, 2] });
  if (plan.code === 1) {
    // No state object at all (Terraform: "Unable to find remote state"), or one without outputs (the precondition).
    if (plan.output.includes(NETWORK_CONTRACT.notAppliedMarker) || plan.output.includes("Unable to find remote state")) {
      say(`    ${stack}: not planned; it reads the network stack's outputs, so it is planned once the network stack is applied`);
      return undefined;
    }
    failStep(`terraform plan of ${stack}`, plan, dir);
  }
  if (plan.code === 0 && opts.onlyIfChanged) {
    const unchanged: PlanJson = { format_version: "1.2", resource_changes: [] };
    return { stack, planFile, jsonFile, plan: unchanged, review: reviewPlan(unchanged, stack, undefined, { destinations: opts.destinations }), changes: false };
  }
  const show = await step(`${stack}: terraform show -json`, "terraform", [`-chdir=${dir}`, "show", "-json", planFile], `${log}-show`);
  if (show.code !== 0) failStep(`terraform show of ${stack}`, show);
  writeFileSync(jsonFile, show.stdout);
  const parsed = parsePlan(show.stdout, jsonFile);
  return { stack, planFile, jsonFile, plan: parsed, review: reviewPlan(parsed, stack, jsonFile, { destinations: opts.destinations }), changes: plan.code === 2 };
}

/** `terraform apply` of exactly the saved plan: nothing is planned again between review and apply. */
export async function applyPlan(planned: PlannedStack, log: string): Promise<StepResult> {
  const c = planned.review.counts;
  const steps = c.add + c.change + c.destroy + 2 * c.replace + c.import;
  const dir = stackDir(planned.stack);
  const r = await step(`${planned.stack}: terraform apply (the reviewed plan)`, "terraform", [`-chdir=${dir}`, "apply", "-input=false", "-no-color", "-lock-timeout=60s", planned.planFile], `${log}-apply`, { progress: new Progress("apply", steps) });
  if (r.code !== 0) failStep(`apply of ${planned.stack}`, r, dir);
  return r;
}

/** The stack's outputs after apply, as plain values. */
export async function outputsOf(stack: string, log: string): Promise<Record<string, unknown>> {
  const r = await step(`${stack}: terraform output`, "terraform", [`-chdir=${stackDir(stack)}`, "output", "-json"], `${log}-${stack}-output`);
  if (r.code !== 0) failStep(`terraform output of ${stack}`, r);
  return Object.fromEntries(Object.entries(JSON.parse(r.stdout) as Record<string, { value: unknown }>).map(([k, v]) => [k, v.value]));
}
