/**
 * make plan: synth, then for each stack `terraform plan -out` and its JSON (.run/plans/<stack>.plan.json),
 * then the review of all of them, as a pull request shows it. Arguments go to the review
 * (--allow-egress-change, --format json).
 */
import { fail } from "./cli";
import { main as review } from "./plan-review";
import { planStack, readyStacks } from "./stack-steps";
import { configFromEnv, say } from "./steps";

async function main(): Promise<void> {
  const { config } = configFromEnv();
  const stacks = await readyStacks(config, "plan");
  // Plans change nothing, so both stacks are planned at once.
  const planned = await Promise.all(stacks.map((stack) => planStack(stack, `plan-${stack}`)));
  const files = planned.flatMap((p) => (p ? [p.jsonFile] : []));
  say("");
  process.exitCode = review([...process.argv.slice(2), ...files]);
}

main().catch((err) => fail(`plan failed: ${err instanceof Error ? err.message : String(err)}`));
