/**
 * Destroys both stacks of a config, the app stack first (it reads the network's state).
 * With protectEgressIps, the created Elastic IPs carry prevent_destroy: Terraform would refuse the network
 * stack after the app stack is gone, so nothing starts unless the user says what to do:
 *   --release-egress-ips   destroy everything, the egress IPs too (the protection is lifted for this run)
 *   --app-only             destroy the app stack only; the network and its IPs stay
 * Usage: FIXED_EGRESS_CONFIG=config/local.json tsx jobs/main.ts destroy [flag]   (make destroy ARGS=…)
 */
import { stackNames } from "../stacks";
import type { AppConfig } from "../stacks";
import { Job, JobValues, fail } from "./cli";
import { configFromEnv, synth } from "./app";
import { failStep, terraformOutcome } from "./terraform-text";
import { say, step } from "./steps";
import { stackDir } from "./paths";

/** Why destroy must not start, or undefined: the protected egress IPs would stop it halfway. */
export function protectedStop(config: AppConfig, flags: { releaseEgressIps?: boolean; appOnly?: boolean }): string | undefined {
  if (!config.network.protectEgressIps || flags.releaseEgressIps || flags.appOnly) return undefined;
  const network = stackNames(config).network;
  return [
    `${network} protects its Elastic IPs (protectEgressIps: true): Terraform would refuse to destroy them after the app stack is gone, so nothing was destroyed.`,
    "Either release the egress IPs too (the database's allow-list must then change): make destroy ARGS=--release-egress-ips",
    "or destroy only the app stack and keep the network and its IPs: make destroy ARGS=--app-only",
  ].join("\n");
}

async function destroy(values: JobValues): Promise<void> {
  const flags = { releaseEgressIps: values["release-egress-ips"] === true, appOnly: values["app-only"] === true };
  if (flags.releaseEgressIps && flags.appOnly) fail("--release-egress-ips and --app-only contradict each other (the first destroys the network, the second keeps it); give one", 2);
  const { config: loaded } = configFromEnv();
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
  synth(config);
  // Terraform directly: the same init and destroy cdktf would run, without its start-up per stack.
  // Both inits run at once; the destroys run app first (the network cannot go while the function uses it).
  const order = flags.appOnly ? [names.app] : [names.app, names.network];
  const inits = await Promise.all(
    order.map((stack) => step(`${stack}: terraform init`, "terraform", [`-chdir=${stackDir(stack)}`, "init", "-input=false", "-no-color"], `destroy-${stack}-init`)),
  );
  inits.forEach((init, i) => init.code !== 0 && failStep(`terraform init of ${order[i]}`, init, stackDir(order[i])));
  for (const stack of order) {
    const dir = stackDir(stack);
    const r = await step(`${stack}: terraform destroy`, "terraform", [`-chdir=${dir}`, "destroy", "-auto-approve", "-input=false", "-no-color"], `destroy-${stack}`);
    if (r.code !== 0) failStep(`destroy of ${stack}`, r, dir);
    say(`    ${stack}: ${terraformOutcome(r.output)}`);
  }
  say(`Destroyed ${order.join(" and ")}. The state bucket stays; ${config.emulator ? "stop the emulator with: make emulator-stop" : "delete it by hand if you no longer need it"}.`);
}

export const destroyJob: Job = {
  summary: "destroy both stacks, the app first (--release-egress-ips or --app-only when the egress IPs are protected)",
  usage: "make destroy [ARGS=--release-egress-ips | ARGS=--app-only]",
  options: { "release-egress-ips": { type: "boolean" }, "app-only": { type: "boolean" } },
  run: destroy,
};
