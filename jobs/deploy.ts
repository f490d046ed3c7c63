/**
 * The main job, and `make deploy`: for each stack (network, then app), `terraform plan -out`, the review of
 * that plan by the egress guard, then `terraform apply` of exactly that saved plan. A plan that would change the
 * egress path is refused (nothing applied) unless --allow-egress-change, or unless every egress IP after it is in
 * the config's network.allowListedEgressIps; the app stack is planned after the network is applied.
 * Every applied plan's review is kept under .run/reviews/. Prints the egress IPs to allow-list.
 * Usage: FIXED_EGRESS_CONFIG=config/local.json tsx jobs/main.ts deploy [--no-bootstrap] [--allow-egress-change]
 *   make demo: with the bootstrap; make deploy: --no-bootstrap (a missing bucket is an error).
 */
import { mkdirSync, writeFileSync } from "fs";
import { join } from "path";
import { DEFAULT_CONFIG, stackNames } from "../stacks";
import type { AppConfig } from "../stacks";
import { Job, JobValues, fail } from "./cli";
import { costLine } from "./cost";
import { decideFor, destinationsOf, headline, heldByLeaving, newerAmiNotes, priorIds, renderReview } from "./plan-review";
import { EC2Client } from "@aws-sdk/client-ec2";
import { holdersOf } from "@fixed-egress/guard";
import { clientSettings } from "./aws";
import { aws } from "./bootstrap-state";
import { broughtEipProblems, natAddressQuotaProblem, readQuota, waitUntilReleased } from "./preflight";
import { PlannedStack, applyPlan, outputsOf, planStack, readyStacks } from "./stack-steps";
import { RUN_DIR, shown, stackDir } from "./paths";
import { configFromEnv } from "./app";
import { say, step } from "./steps";
import { failStep, terraformOutcome } from "./terraform-text";

async function deploy(values: JobValues): Promise<void> {
  const allowed = values["allow-egress-change"] === true;
  const isDeploy = values["no-bootstrap"] === true;
  const { file, config } = configFromEnv();
  const names = stackNames(config);
  const envPrefix = file === DEFAULT_CONFIG ? "" : `FIXED_EGRESS_CONFIG=${file} `;
  say(`fixed-egress: deploying "${config.name}" (${file}) to ${config.emulator ? `the local emulator at ${config.emulator.endpoint}` : `AWS ${config.region}`}`);

  say("==> state bucket");
  const stacks = await readyStacks(config, "deploy", isDeploy ? {} : { bootstrap: (line) => say(`    ${line}`) });
  const reviews = join(RUN_DIR, "reviews");
  mkdirSync(reviews, { recursive: true });

  for (const stack of stacks) {
    const started = Date.now();
    const took = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
    let planned = await planStack(stack, `deploy-${stack}`, { onlyIfChanged: true, destinations: destinationsOf(config) });
    if (!planned) fail(`${stack} could not be planned after ${names.network} was applied; see ${shown(join(RUN_DIR, `deploy-${stack}-plan.log`))}`);
    const review = planned.review;
    say(`    ${stack}: ${headline(review)}`);
    for (const w of review.warnings) say(`    note: ${w.address} ${w.reason}`);
    for (const n of newerAmiNotes(planned.plan)) say(`    note: ${n}`);
    const decision = decideFor([review], config, allowed);
    const record = join(reviews, `${new Date().toISOString().replace(/[:.]/g, "-")}-${stack}${decision.refused ? "-refused" : ""}.md`);
    if (planned.changes) writeFileSync(record, renderReview([review], decision, config));
    const offenders = review.findings.map((f) => `${f.address} ${f.reason}`);
    if (decision.refused) {
      for (const o of offenders) say(`    refused: ${o}`);
      const how = `${envPrefix}make ${isDeploy ? "deploy" : "demo"} ARGS=--allow-egress-change`;
      fail(
        `${stack}: the plan changes the egress path, so nothing of it was applied (the review: ${shown(record)}).\n` +
          `Once the new egress path is intended and any new IP is allow-listed at the database, apply it with: ${how}`,
      );
    }
    for (const o of offenders) say(`    ${decision.because}: ${o}`);
    // Brought Elastic IPs are checked before an apply; a plan that changes nothing applies nothing.
    if (stack === names.network && planned.changes) {
      const own = [...priorIds(planned.plan, "aws_nat_gateway"), ...priorIds(planned.plan, "aws_network_interface")];
      const problems = await broughtEipProblems(config, own).catch((err: Error) => fail(`checking the brought Elastic IPs: ${err.message}`));
      if (problems.length > 0) fail(`${problems.join("\n")}\nNothing was applied.`);
      const quota = await natAddressQuotaProblem(config, (service, code) => readQuota(config, service, code));
      if (quota) fail(quota);
    }
    if (!planned.changes) {
      say(`    ${stack}: no changes (planned in ${took()}; nothing to review)`);
      continue;
    }
    // Allowed, a switch of NAT devices on the same Elastic IP runs in order: the old holder goes first.
    const leaving = heldByLeaving(planned.plan);
    if (leaving.length > 0) planned = await freeFirst(stack, planned, leaving, config, allowed);
    const applied = await applyPlan(planned, `deploy-${stack}`);
    say(`    ${stack}: ${terraformOutcome(applied.output)} (planned, reviewed and applied in ${took()}; review kept in ${shown(record)})`);
  }

  const [net, app] = await Promise.all([outputsOf(names.network, "deploy"), outputsOf(names.app, "deploy")]);
  say("");
  say(`Egress IPs to allow-list at the database: ${(net.egress_ips as string[]).join(", ")}`);
  say(`VPC: ${net.vpc_id}    function: ${app.function_name}`);
  say(costLine(config));
  say(`Tear down with: ${envPrefix}make destroy`);
}

/**
 * Destroys `leaving` (NAT devices giving their Elastic IPs to new ones) on its own, waits until AWS has released
 * their addresses, then plans the stack again and reviews it as before: the new devices take addresses nobody holds.
 */
async function freeFirst(stack: string, planned: PlannedStack, leaving: string[], config: AppConfig, allowed: boolean): Promise<PlannedStack> {
  say(`    ${stack}: ${leaving.join(", ")} hold Elastic IPs the new NAT devices take; AWS refuses to give an address another device holds, so they go first`);
  const dir = stackDir(stack);
  const args = [`-chdir=${dir}`, "apply", "-destroy", "-auto-approve", "-input=false", "-no-color", "-lock-timeout=60s", ...leaving.map((a) => `-target=${a}`)];
  const freed = await step(`${stack}: terraform apply -destroy (free the Elastic IPs)`, "terraform", args, `deploy-${stack}-free`);
  if (freed.code !== 0) failStep(`freeing the Elastic IPs of ${stack}`, freed, dir);
  const holders = holdersOf(planned.plan);
  const freedAllocations = [...holders].filter(([, holder]) => leaving.includes(holder)).map(([allocation]) => allocation);
  const ec2 = new EC2Client(clientSettings(config));
  try {
    await aws(config, () => waitUntilReleased(ec2, freedAllocations, { say }));
  } catch (err) {
    fail(`${stack}: ${(err as Error).message}`);
  } finally {
    ec2.destroy();
  }
  const again = (await planStack(stack, `deploy-${stack}`, { onlyIfChanged: true, destinations: destinationsOf(config) }))!;
  say(`    ${stack}: ${headline(again.review)}`);
  if (decideFor([again.review], config, allowed).refused) fail(`${stack}: the plan after freeing the Elastic IPs is refused; nothing more was applied`);
  return again;
}

export const deployJob: Job = {
  summary: "plan, review and apply both stacks (make demo bootstraps the state bucket first; make deploy does not)",
  usage: "make demo | make deploy [ARGS=--allow-egress-change]  (tsx jobs/main.ts deploy [--no-bootstrap] [--allow-egress-change])",
  options: { "no-bootstrap": { type: "boolean" }, "allow-egress-change": { type: "boolean" } },
  run: deploy,
};
