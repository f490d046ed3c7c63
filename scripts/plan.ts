/**
 * make plan: synth, then for each stack `terraform plan -out` and its JSON (.run/plans/<stack>.plan.json),
 * then the egress guard's review of all of them, as a pull request shows it.
 * Usage: tsx scripts/plan.ts [--allow-egress-change] [--format markdown|json|sarif] [--sarif FILE] [--no-lock]
 *   --sarif FILE  also write the review as SARIF (code scanning), from the same plans
 *   --no-lock     plan without taking the state lock (a pull request's plan: read-only access to the state)
 * Exit 0 passed, 1 refused or a stack's plan failed, 2 bad arguments.
 */
import { writeFileSync } from "fs";
import { parseArgs } from "util";
import { fail } from "./cli";
import { FORMATS, Format, decideFor, renderReview } from "./plan-review";
import { planStack, readyStacks } from "./stack-steps";
import { configFromEnv, say } from "./steps";

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      args: process.argv.slice(2),
      options: { "allow-egress-change": { type: "boolean" }, format: { type: "string", default: "markdown" }, sarif: { type: "string" }, "no-lock": { type: "boolean" } },
    });
  } catch (err) {
    return fail(`${(err as Error).message}; usage: make plan [ARGS="--allow-egress-change --format markdown|json|sarif --sarif FILE --no-lock"]`, 2);
  }
  const format = args.values.format as Format;
  if (!FORMATS.includes(format)) fail(`--format "${format}" is not known; use ${FORMATS.join(", ")}`, 2);
  const { config } = configFromEnv();
  const stacks = await readyStacks(config, "plan");
  // Plans change nothing, so both stacks are planned at once.
  const lock = args.values["no-lock"] !== true;
  const planned = await Promise.all(stacks.map((stack) => planStack(stack, `plan-${stack}`, { lock })));
  const reviews = planned.flatMap((p) => (p ? [p.review] : []));
  const decision = decideFor(reviews, config, args.values["allow-egress-change"] === true);
  say("");
  process.stdout.write(renderReview(reviews, decision, config, format));
  if (args.values.sarif) writeFileSync(args.values.sarif, renderReview(reviews, decision, config, "sarif"));
  if (decision.refused) {
    for (const f of reviews.flatMap((r) => r.findings)) process.stderr.write(`plan: refused: ${f.address} ${f.reason}\n`);
    process.exitCode = 1;
  }
}

main().catch((err) => fail(`plan failed: ${err instanceof Error ? err.message : String(err)}`));
