/**
 * make plan: synth, `terraform plan -out` and `terraform show -json` for each stack, then the review.
 * Plans land in .run/plans/<stack>.plan.json. Extra arguments go to the review (--allow-egress-change).
 */
import { mkdirSync, writeFileSync } from "fs";
import { join } from "path";
import { stackNames } from "../stacks";
import { checkStateBucket } from "./bootstrap-state";
import { fail } from "./cli";
import { main as review } from "./plan-review";
import { RUN_DIR, configFromEnv, failStep, say, stackDir, step, synth } from "./steps";

async function main(): Promise<void> {
  const { config } = configFromEnv();
  try {
    await checkStateBucket(config);
  } catch (err) {
    fail(`state bucket: ${(err as Error).message}`);
  }
  synth(config);
  const plansDir = join(RUN_DIR, "plans");
  mkdirSync(plansDir, { recursive: true });
  const files: string[] = [];
  const names = stackNames(config);
  for (const stack of [names.network, names.app]) {
    const dir = stackDir(stack);
    const tf = (label: string, args: string[]) => step(`${stack}: ${label}`, "terraform", [`-chdir=${dir}`, ...args], `plan-${stack}-${args[0]}`);
    const init = await tf("terraform init", ["init", "-input=false", "-no-color"]);
    if (init.code !== 0) failStep(`terraform init of ${stack}`, init);
    const plan = await tf("terraform plan", ["plan", "-input=false", "-no-color", "-lock-timeout=60s", "-out=review.tfplan"]);
    if (plan.code !== 0) {
      if (stack === names.app && /cross-stack-output|Unsupported attribute/.test(plan.output)) {
        say(`    ${stack}: not planned; it reads ${names.network}'s state, so plan it after ${names.network} is applied`);
        continue;
      }
      failStep(`terraform plan of ${stack}`, plan, dir);
    }
    const show = await tf("terraform show -json", ["show", "-json", "review.tfplan"]);
    if (show.code !== 0) failStep(`terraform show of ${stack}`, show);
    const out = join(plansDir, `${stack}.plan.json`);
    writeFileSync(out, show.stdout);
    files.push(out);
  }
  say("");
  process.exitCode = review([...process.argv.slice(2), ...files]);
}

main().catch((err) => fail(`plan failed: ${err instanceof Error ? err.message : String(err)}`));
