/** The app as the jobs use it: the config FIXED_EGRESS_CONFIG names, and its stacks synthesized. */
import { App } from "cdktf";
import { buildStacks } from "../stacks";
import { DEFAULT_CONFIG, loadConfig } from "../stacks/config";
import type { AppConfig } from "../stacks/config";
import { OUTDIR } from "./paths";
import { say } from "./steps";

/**
 * Variables with which the AWS SDK would take its endpoints from the environment before the emulator's profile the
 * stacks name (environment variables rank above a shared config file), or ignore that profile's endpoint altogether.
 */
const isEndpointVariable = (name: string) => name.startsWith("AWS_ENDPOINT_URL") || name === "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";

/**
 * The config named by FIXED_EGRESS_CONFIG (or the default); its problems are thrown as a ConfigError. For an emulator
 * config, the job's processes (Terraform and its provider among them) go without the environment's endpoint variables:
 * every call goes to the emulator, never to an endpoint set for other work.
 */
export function configFromEnv(): { file: string; config: AppConfig } {
  const file = process.env.FIXED_EGRESS_CONFIG || DEFAULT_CONFIG;
  // A bad config throws its ConfigError: jobs/main.ts prints its problems.
  const config = loadConfig(file);
  if (config.emulator) for (const name of Object.keys(process.env).filter(isEndpointVariable)) delete process.env[name];
  return { file, config };
}

/** Synthesizes both stacks into OUTDIR in this process (what `cdktf synth` runs, without its ~1.5 s of start-up). */
export function synth(config: AppConfig): void {
  const started = Date.now();
  say("==> synth");
  const app = new App({ outdir: OUTDIR });
  buildStacks(app, config);
  app.synth();
  say(`    done in ${((Date.now() - started) / 1000).toFixed(1)} s (${OUTDIR})`);
}
