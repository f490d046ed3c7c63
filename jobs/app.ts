/** The app as the jobs use it: the config FIXED_EGRESS_CONFIG names, and its stacks synthesized. */
import { App } from "cdktf";
import { buildStacks } from "../stacks";
import { DEFAULT_CONFIG, loadConfig } from "../stacks/config";
import type { AppConfig } from "../stacks/config";
import { OUTDIR } from "./paths";
import { say } from "./steps";

/** The config named by FIXED_EGRESS_CONFIG (or the default); its problems are thrown as a ConfigError. */
export function configFromEnv(): { file: string; config: AppConfig } {
  const file = process.env.FIXED_EGRESS_CONFIG || DEFAULT_CONFIG;
  // A bad config throws its ConfigError: jobs/main.ts prints its problems.
  return { file, config: loadConfig(file) };
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
