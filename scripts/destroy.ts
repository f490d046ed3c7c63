/**
 * Destroys both stacks of a config, the app stack first (it reads the network's state).
 * Usage: FIXED_EGRESS_CONFIG=config/local.json tsx scripts/destroy.ts   (make destroy)
 */
import { stackNames } from "../stacks";
import { fail } from "./cli";
import { configFromEnv, failStep, say, stackDir, step, synth, terraformOutcome } from "./steps";

async function main(): Promise<void> {
  const { config } = configFromEnv();
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
  const order = [names.app, names.network];
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
  say(`Destroyed "${config.name}". The state bucket stays; ${config.emulator ? "stop the emulator with: make emulator-stop" : "delete it by hand if you no longer need it"}.`);
}

main().catch((err) => fail(`destroy failed: ${err instanceof Error ? err.message : String(err)}`));
