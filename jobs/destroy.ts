/**
 * Destroys both stacks of a config, the app stack first (it reads the network's state).
 * With protectEgressIps, the created Elastic IPs carry prevent_destroy: Terraform would refuse the network
 * stack after the app stack is gone, so nothing starts unless the user says what to do:
 *   --release-egress-ips   destroy everything, the egress IPs too (the protection is lifted for this run)
 *   --app-only             destroy the app stack only; the network and its IPs stay
 * An adopted network (network.adopt) is forgotten, not deleted: its imported resources leave the state and stay in
 * AWS; --delete-adopted deletes them too (never the VPC's main route table's default route), refused while anything
 * else uses them.
 * Usage: FIXED_EGRESS_CONFIG=config/local.json tsx jobs/main.ts destroy [flag]   (make destroy ARGS=…)
 */
import { stackNames } from "../stacks";
import type { AppConfig } from "../stacks";
import { Job, JobValues, fail } from "./cli";
import { configFromEnv, synth } from "./app";
import { failStep, terraformOutcome } from "./terraform-text";
import { say, step } from "./steps";
import { stackDir } from "./paths";
import { adoptedInUse, adoptedResources, forget, toForget, unmark } from "./adopted-state";
import { ADOPTION_MARKER_TAG } from "@fixed-egress/constructs";

type Flags = { releaseEgressIps?: boolean; appOnly?: boolean; deleteAdopted?: boolean };

/** Why destroy must not start, or undefined: the protected egress IPs would stop it halfway. */
export function protectedStop(config: AppConfig, flags: Flags): string | undefined {
  if (!config.network.protectEgressIps || flags.releaseEgressIps || flags.appOnly) return undefined;
  const network = stackNames(config).network;
  // An adopted network's Elastic IPs are forgotten, never released, unless its adopted resources are deleted.
  if (config.network.adopt) {
    if (!flags.deleteAdopted) return undefined;
    return `${network} protects its adopted Elastic IPs (protectEgressIps: true), and --delete-adopted would release them; nothing was destroyed. To release them too: make destroy ARGS="--delete-adopted --release-egress-ips"`;
  }
  return [
    `${network} protects its Elastic IPs (protectEgressIps: true): Terraform would refuse to destroy them after the app stack is gone, so nothing was destroyed.`,
    "Either release the egress IPs too (the database's allow-list must then change): make destroy ARGS=--release-egress-ips",
    "or destroy only the app stack and keep the network and its IPs: make destroy ARGS=--app-only",
  ].join("\n");
}

/** Contradictory flags, in one sentence; undefined when they go together. */
function conflict(config: AppConfig, f: Flags): string | undefined {
  if (f.appOnly && (f.releaseEgressIps || f.deleteAdopted)) return `--app-only keeps the network, so it cannot go with ${f.releaseEgressIps ? "--release-egress-ips" : "--delete-adopted"}; give one`;
  if (f.deleteAdopted && !config.network.adopt) return "--delete-adopted is for an adopted network (network.adopt), and this config adopts nothing; leave it out";
  return undefined;
}

async function destroy(values: JobValues): Promise<void> {
  const flags: Flags = { releaseEgressIps: values["release-egress-ips"] === true, appOnly: values["app-only"] === true, deleteAdopted: values["delete-adopted"] === true };
  const { config: loaded } = configFromEnv();
  const bad = conflict(loaded, flags);
  if (bad) fail(bad, 2);
  const stop = protectedStop(loaded, flags);
  if (stop) fail(stop);
  // Lifted for this run only: the user asked for the IPs to go.
  const config = flags.releaseEgressIps ? { ...loaded, network: { ...loaded.network, protectEgressIps: false } } : loaded;
  if (config.emulator) {
    const up = await fetch(`${config.emulator.endpoint}/moto-api/`).then(() => true, () => false);
    if (!up) {
      say(`The emulator at ${config.emulator.endpoint} is not running. It keeps everything in memory, so nothing of "${config.name}" is left to destroy.`);
      return;
    }
  }
  const names = stackNames(config);
  // Checked before anything is destroyed: hand-built infrastructure that serves others is never deleted under them.
  if (flags.deleteAdopted) {
    const uses = await adoptedInUse(config);
    if (uses.length > 0) {
      fail(`--delete-adopted would delete what others still use, so nothing was destroyed:\n${uses.map((u) => `  ${u}`).join("\n")}\nMove them off first, or run make destroy without --delete-adopted (it forgets the adopted resources and leaves them in AWS).`);
    }
  }
  synth(config);
  // Terraform directly: the same init and destroy cdktf would run, without its start-up per stack.
  // Both inits run at once; the destroys run app first (the network cannot go while the function uses it).
  const order = flags.appOnly ? [names.app] : [names.app, names.network];
  const inits = await Promise.all(
    order.map((stack) => step(`${stack}: terraform init`, "terraform", [`-chdir=${stackDir(stack)}`, "init", "-input=false", "-no-color"], `destroy-${stack}-init`)),
  );
  inits.forEach((init, i) => init.code !== 0 && failStep(`terraform init of ${order[i]}`, init, stackDir(order[i])));
  const forgotten: string[] = [];
  for (const stack of order) {
    const dir = stackDir(stack);
    // What the stack adopted leaves its state first (all of it, or with --delete-adopted the main table's route),
    // without the marker that says this network adopted it.
    const adopted = adoptedResources(dir);
    if (adopted.length > 0 && !flags.deleteAdopted) await unmark(config);
    forgotten.push(...(await forget(stack, dir, toForget(config, adopted, flags.deleteAdopted === true))));
    const r = await step(`${stack}: terraform destroy`, "terraform", [`-chdir=${dir}`, "destroy", "-auto-approve", "-input=false", "-no-color"], `destroy-${stack}`);
    if (r.code !== 0) failStep(`destroy of ${stack}`, r, dir);
    say(`    ${stack}: ${terraformOutcome(r.output)}`);
  }
  const kept = forgotten.length > 0 ? ` The ${forgotten.length} adopted resource(s) stay in AWS as they were built, no longer managed (their ${ADOPTION_MARKER_TAG} tag removed).` : "";
  say(`Destroyed ${order.join(" and ")}.${kept} The state bucket stays; ${config.emulator ? "stop the emulator with: make emulator-stop" : "delete it by hand if you no longer need it"}.`);
}

export const destroyJob: Job = {
  summary: "destroy both stacks, the app first; an adopted network's resources are forgotten, not deleted",
  usage:
    "make destroy [ARGS=--release-egress-ips | ARGS=--app-only | ARGS=--delete-adopted]  " +
    "(--delete-adopted also deletes what make adopt imported: subnets, route tables and routes (never the VPC's main table or its default route), NAT Gateways, and with --release-egress-ips their Elastic IPs; refused while anything else uses them)",
  options: { "release-egress-ips": { type: "boolean" }, "app-only": { type: "boolean" }, "delete-adopted": { type: "boolean" } },
  run: destroy,
};
