/**
 * make nat-upgrade: the one way a NAT instance gets a newer AMI (its parameter's value now) and today's user data.
 * Each instance is replaced on its own, one zone after the other, from a plan that replaces exactly it (-replace)
 * and is reviewed like any deploy: anything else in that plan refuses the upgrade. The instance's interface, and
 * with it the Elastic IP, stay; that zone's egress stops while its instance is replaced: on AWS typically one to
 * three minutes (terminate, launch, boot, user data). The other zones keep forwarding meanwhile.
 */
import { readFileSync } from "fs";
import { join } from "path";
import type { PlanJson } from "@fixed-egress/guard";
import { stackNames } from "../stacks";
import { configFromEnv } from "./app";
import { Job, fail } from "./cli";
import { headline } from "./plan-review";
import { stackDir } from "./paths";
import { applyPlan, planStack, readyStacks } from "./stack-steps";
import { say } from "./steps";
import { terraformOutcome } from "./terraform-text";

/**
 * What the replacement of `address` changes by itself: the resources whose configuration refers to it (its
 * managed state, its alarms), read from the plan's configuration.
 */
export function followers(plan: PlanJson, address: string): Set<string> {
  const resources = (plan.configuration?.root_module as { resources?: { address: string; expressions?: unknown }[] } | undefined)?.resources ?? [];
  return new Set(resources.filter((r) => JSON.stringify(r.expressions ?? {}).includes(`"${address}`)).map((r) => r.address));
}

/** The NAT instances of a synthesized network stack, by address, in zone order (the order they were built). */
export function natInstances(dir: string): string[] {
  const json = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as { resource?: Record<string, Record<string, unknown>> };
  return Object.keys(json.resource?.aws_instance ?? {}).map((name) => `aws_instance.${name}`);
}

async function natUpgrade(): Promise<void> {
  const { config } = configFromEnv();
  const network = stackNames(config).network;
  say(`fixed-egress: upgrading the NAT instances of "${config.name}" one zone at a time`);
  await readyStacks(config, "nat-upgrade");
  const instances = natInstances(stackDir(network));
  if (instances.length === 0) fail(`${network} has no NAT instance (natProvider is "${config.network.natProvider}"): nothing to upgrade`);
  for (const address of instances) {
    const started = Date.now();
    const planned = (await planStack(network, "nat-upgrade", { replace: [address] }))!;
    const review = planned.review;
    // The upgrade replaces that instance and what follows it (its state, its alarms), nothing else: its own
    // findings are the expected egress stop.
    const following = followers(planned.plan, address);
    const others = review.actions.filter((a) => a.address !== address && !following.has(a.address) && a.action !== "no-op");
    if (others.length > 0) {
      fail(`${network}: the upgrade plan of ${address} also changes ${others.map((a) => `${a.address} (${a.action})`).join(", ")}; nothing was applied. Bring the network up to date with make deploy first, then run make nat-upgrade again.`);
    }
    say(`    ${network}: ${headline(review)}`);
    for (const f of review.findings) say(`    expected: ${f.address} ${f.reason}`);
    say(`    ${address}: replacing; this zone's egress stops until the new instance forwards (on AWS typically 1-3 minutes), the interface and Elastic IP stay`);
    const applied = await applyPlan(planned, "nat-upgrade");
    say(`    ${address}: ${terraformOutcome(applied.output)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  say(`Upgraded ${instances.length} NAT instance(s); the egress IPs are unchanged.`);
}

export const natUpgradeJob: Job = {
  summary: "replace each NAT instance, one zone at a time, with the AMI its parameter names now (the IP stays)",
  usage: "make nat-upgrade",
  options: {},
  run: natUpgrade,
};
