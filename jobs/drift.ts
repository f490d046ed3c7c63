/**
 * make drift: a refresh-only plan of both stacks (`terraform plan -refresh-only -detailed-exitcode`), read by the
 * egress guard's drift review: what changed outside Terraform, the changes that cut or move egress first. Exit 0
 * when nothing drifted, 2 when something did (1 on an error). `make deploy` puts the drifted resources back.
 */
import { renderDriftMarkdown, reviewDrift } from "@fixed-egress/guard";
import { Job } from "./cli";
import { destinationsOf } from "./plan-review";
import { planStack, readyStacks } from "./stack-steps";
import { configFromEnv } from "./app";
import { say } from "./steps";

async function drift(): Promise<number> {
  const { config } = configFromEnv();
  const stacks = await readyStacks(config, "drift");
  // Refresh-only plans change nothing, so both stacks are read at once.
  const planned = await Promise.all(stacks.map((stack) => planStack(stack, `drift-${stack}`, { refreshOnly: true, onlyIfChanged: true })));
  const drifts = planned.flatMap((p) => (p ? [reviewDrift(p.plan, p.stack, p.jsonFile, { destinations: destinationsOf(config) })] : []));
  const drifted = drifts.some((d) => d.drifted.length > 0);
  say("");
  say(renderDriftMarkdown(drifts).trimEnd());
  if (drifted) say("make deploy puts them back as the config says (after its review); or change the config to match.");
  return drifted ? 2 : 0;
}

export const driftJob: Job = {
  summary: "what changed outside Terraform, egress first (exit 2 when something drifted)",
  usage: "make drift",
  options: {},
  run: drift,
};
