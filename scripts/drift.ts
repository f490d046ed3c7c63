/**
 * make drift: a refresh-only plan of both stacks (`terraform plan -refresh-only -detailed-exitcode`), read by the
 * egress guard's drift review: what changed outside Terraform, the changes that cut or move egress first. Exit 0
 * when nothing drifted, 2 when something did (1 on an error). `make deploy` puts the drifted resources back.
 */
import { renderDriftMarkdown, reviewDrift } from "@fixed-egress/guard";
import { fail } from "./cli";
import { planStack, readyStacks } from "./stack-steps";
import { configFromEnv, say } from "./steps";

async function main(): Promise<void> {
  const { config } = configFromEnv();
  const stacks = await readyStacks(config, "drift");
  // Refresh-only plans change nothing, so both stacks are read at once.
  const planned = await Promise.all(stacks.map((stack) => planStack(stack, `drift-${stack}`, { refreshOnly: true, onlyIfChanged: true })));
  const drifts = planned.flatMap((p) => (p ? [reviewDrift(p.plan, p.stack, p.jsonFile)] : []));
  const drifted = drifts.some((d) => d.drifted.length > 0);
  say("");
  say(renderDriftMarkdown(drifts).trimEnd());
  if (drifted) say("make deploy puts them back as the config says (after its review); or change the config to match.");
  process.exitCode = drifted ? 2 : 0;
}

main().catch((err) => fail(`drift failed: ${err instanceof Error ? err.message : String(err)}`));
