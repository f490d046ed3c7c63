/**
 * Destroys both stacks of a config, the app stack first (it reads the network's state).
 * Usage: FIXED_EGRESS_CONFIG=config/local.json tsx scripts/destroy.ts   (make destroy)
 */
import { stackNames } from "../stacks";
import { fail } from "./cli";
import { cdktf, configFromEnv, failStep, say, stackDir, terraformOutcome } from "./steps";

async function main(): Promise<void> {
  const { file, config } = configFromEnv();
  if (config.emulator) {
    const up = await fetch(`${config.emulator.endpoint.replace(/\/$/, "")}/moto-api/`).then(() => true, () => false);
    if (!up) {
      say(`The emulator at ${config.emulator.endpoint} is not running. It keeps everything in memory, so nothing of "${config.name}" is left to destroy.`);
      return;
    }
  }
  const names = stackNames(config);
  const synth = await cdktf("synth", ["synth"], "synth", file);
  if (synth.code !== 0) failStep("synth", synth);
  for (const stack of [names.app, names.network]) {
    const args = ["destroy", stack, "--skip-synth", "--auto-approve", "--skip-provider-lock", "--ignore-missing-stack-dependencies"];
    const r = await cdktf(`${stack}: terraform destroy`, args, `destroy-${stack}`, file);
    if (r.code !== 0) failStep(`destroy of ${stack}`, r, stackDir(stack));
    say(`    ${stack}: ${terraformOutcome(r.output)}`);
  }
  say(`Destroyed "${config.name}". The state bucket stays; ${config.emulator ? "stop the emulator with: make emulator-stop" : "delete it by hand if you no longer need it"}.`);
}

main().catch((err) => fail(`destroy failed: ${err instanceof Error ? err.message : String(err)}`));
