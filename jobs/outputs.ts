/** Prints the outputs of both deployed stacks of FIXED_EGRESS_CONFIG (after `make demo` or `make synth`). */
import { existsSync } from "fs";
import { join } from "path";
import { stackNames } from "../stacks";
import { Job, fail } from "./cli";
import { configFromEnv } from "./app";
import { stackDir } from "./paths";
import { step } from "./steps";

async function outputs(): Promise<void> {
  const { config } = configFromEnv();
  for (const stack of Object.values(stackNames(config))) {
    const dir = stackDir(stack);
    if (!existsSync(join(dir, ".terraform"))) fail(`${stack} has not been deployed from this folder (no ${dir}/.terraform); run make demo first`);
    const r = await step(`${stack} outputs`, "terraform", [`-chdir=${dir}`, "output", "-no-color"], `outputs-${stack}`);
    if (r.code !== 0) fail(`terraform output of ${stack} failed: ${r.output.trim()}`);
    process.stdout.write(r.stdout);
  }
}

export const outputsJob: Job = { summary: "the outputs of both deployed stacks", usage: "npm run outputs", options: {}, run: outputs };
