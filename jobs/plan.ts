/**
 * make plan: synth, then for each stack `terraform plan -out` and its JSON (.run/plans/<stack>.plan.json),
 * then the egress guard's review of all of them, as a pull request shows it.
 * Usage: tsx jobs/main.ts plan [--allow-egress-change] [--format markdown|json|sarif] [--sarif FILE] [--no-lock]
 *   --sarif FILE  also write the review as SARIF (code scanning), from the same plans
 *   --no-lock     plan without taking the state lock (a pull request's plan: read-only access to the state)
 * Exit 0 passed, 1 refused or a stack's plan failed, 2 bad arguments.
 */
import { writeFileSync } from "fs";
import { Job, JobValues, fail } from "./cli";
import { FORMATS, Format, decideFor, destinationsOf, newerAmiNotes, renderReview } from "./plan-review";
import { planStack, readyStacks } from "./stack-steps";
import { configFromEnv } from "./app";
import { say } from "./steps";

async function plan(values: JobValues): Promise<number> {
  const format = values.format as Format;
  if (!FORMATS.includes(format)) fail(`--format "${format}" is not known; use ${FORMATS.join(", ")}`, 2);
  const { config } = configFromEnv();
  const stacks = await readyStacks(config, "plan");
  // Plans change nothing, so both stacks are planned at once.
  const lock = values["no-lock"] !== true;
  const planned = await Promise.all(stacks.map((stack) => planStack(stack, `plan-${stack}`, { lock, destinations: destinationsOf(config) })));
  const reviews = planned.flatMap((p) => (p ? [p.review] : []));
  const decision = decideFor(reviews, config, values["allow-egress-change"] === true);
  say("");
  process.stdout.write(renderReview(reviews, decision, config, format));
  // Said beside the review (on stderr with a machine format): a newer NAT AMI is news, not a change.
  for (const n of planned.flatMap((p) => (p ? newerAmiNotes(p.plan) : []))) (format === "markdown" ? process.stdout : process.stderr).write(`note: ${n}\n`);
  if (typeof values.sarif === "string") writeFileSync(values.sarif, renderReview(reviews, decision, config, "sarif"));
  if (decision.refused) {
    for (const f of reviews.flatMap((r) => r.findings)) process.stderr.write(`plan: refused: ${f.address} ${f.reason}\n`);
    return 1;
  }
  return 0;
}

export const planJob: Job = {
  summary: "plan both stacks and review the plans with the egress guard, as a pull request shows it",
  usage: 'make plan [ARGS="--allow-egress-change --format markdown|json|sarif --sarif FILE --no-lock"]',
  options: { "allow-egress-change": { type: "boolean" }, format: { type: "string", default: "markdown" }, sarif: { type: "string" }, "no-lock": { type: "boolean" } },
  run: plan,
};
