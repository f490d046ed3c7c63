/**
 * The main job: bootstrap remote state, deploy the network stack then the app stack with cdktf
 * (terraform init/plan/apply against S3 state with locking), print the egress IPs to allow-list.
 * Usage: FIXED_EGRESS_CONFIG=config/local.json tsx scripts/demo.ts [--no-bootstrap]
 *   make demo: with the bootstrap; make deploy: --no-bootstrap (a missing bucket is an error).
 */
import { readFileSync } from "fs";
import { join } from "path";
import { DEFAULT_CONFIG, stackNames } from "../stacks";
import { bootstrapState, checkStateBucket } from "./bootstrap-state";
import { costLine } from "./cost";
import { fail } from "./cli";
import { RUN_DIR, cdktf, configFromEnv, failStep, say, stackDir, synth, terraformOutcome } from "./steps";

async function main(): Promise<void> {
  const { file, config } = configFromEnv();
  const names = stackNames(config);
  say(`fixed-egress: deploying "${config.name}" (${file}) to ${config.emulator ? `the local emulator at ${config.emulator.endpoint}` : `AWS ${config.region}`}`);

  say("==> state bucket");
  try {
    if (process.argv.includes("--no-bootstrap")) await checkStateBucket(config);
    else await bootstrapState(config, (line) => say(`    ${line}`));
  } catch (err) {
    fail(`state bucket: ${(err as Error).message}`);
  }

  synth(config);

  const outputsFile = (stack: string) => join(RUN_DIR, `outputs-${stack}.json`);
  for (const stack of [names.network, names.app]) {
    const args = ["deploy", stack, "--skip-synth", "--auto-approve", "--skip-provider-lock", "--ignore-missing-stack-dependencies", "--outputs-file", outputsFile(stack)];
    const r = await cdktf(`${stack}: terraform init, plan, apply`, args, `deploy-${stack}`, file);
    if (r.code !== 0) failStep(`deploy of ${stack}`, r, stackDir(stack));
    say(`    ${stack}: ${terraformOutcome(r.output)}`);
  }

  const outputsOf = (stack: string) => (JSON.parse(readFileSync(outputsFile(stack), "utf8")) as Record<string, Record<string, unknown>>)[stack] ?? {};
  const net = outputsOf(names.network);
  const app = outputsOf(names.app);
  say("");
  say(`Egress IPs to allow-list at the database: ${(net.egress_ips as string[]).join(", ")}`);
  say(`VPC: ${net.vpc_id}    function: ${app.function_name}`);
  say(costLine(config));
  say(`Tear down with: ${file === DEFAULT_CONFIG ? "" : `FIXED_EGRESS_CONFIG=${file} `}make destroy`);
}

main().catch((err) => fail(`demo failed: ${err instanceof Error ? err.message : String(err)}`));
