/**
 * Destroys both stacks of a config, the app stack first (it reads the network's state).
 * With protectEgressIps, the created Elastic IPs carry prevent_destroy: Terraform would refuse the network
 * stack after the app stack is gone, so nothing starts unless the user says what to do:
 *   --release-egress-ips   destroy everything, the egress IPs too (the protection is lifted for this run)
 *   --app-only             destroy the app stack only; the network and its IPs stay
 * Usage: FIXED_EGRESS_CONFIG=config/local.json tsx scripts/destroy.ts [flag]   (make destroy ARGS=…)
 */
import { stackNames } from "../stacks";
import type { AppConfig } from "../stacks";
import { fail } from "./cli";
import { configFromEnv, failStep, say, stackDir, step, synth, terraformOutcome } from "./steps";

const FLAGS = ["--release-egress-ips", "--app-only"];

/** Why destroy must not start, or undefined: the protected egress IPs would stop it halfway. */
export function protectedStop(config: AppConfig, flags: string[]): string | undefined {
  if (!config.network.protectEgressIps || flags.length > 0) return undefined;
  const network = stackNames(config).network;
  return [
    `${network} protects its Elastic IPs (protectEgressIps: true): Terraform would refuse to destroy them after the app stack is gone, so nothing was destroyed.`,
    "Either release the egress IPs too (the database's allow-list must then change): make destroy ARGS=--release-egress-ips",
    "or destroy only the app stack and keep the network and its IPs: make destroy ARGS=--app-only",
  ].join("\n");
}

async function main(): Promise<void> {
  const flags = process.argv.slice(2);
  const unknown = flags.filter((f) => !FLAGS.includes(f));
  if (unknown.length > 0) fail(`unknown option ${unknown[0]}; make destroy takes ${FLAGS.join(" or ")}`, 2);
  const { config: loaded } = configFromEnv();
  const stop = protectedStop(loaded, flags);
  if (stop) fail(stop);
  // Lifted for this run only: the user asked for the IPs to go.
  const config = flags.includes("--release-egress-ips") ? { ...loaded, network: { ...loaded.network, protectEgressIps: false } } : loaded;
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
  const order = flags.includes("--app-only") ? [names.app] : [names.app, names.network];
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

if (require.main === module) main().catch((err) => fail(`destroy failed: ${err instanceof Error ? err.message : String(err)}`));
