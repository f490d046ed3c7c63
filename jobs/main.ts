/**
 * The one entry of the app's jobs: `node scripts/jobs.js <job> [options]` (the make targets call it; `tsx jobs/main.ts` too). The only place
 * that parses a job's arguments and the only place a job exits: a JobError's sentence, a config's problems, or
 * "<job> failed: …" for anything unexpected, on stderr, with its exit code (1 failed or refused, 2 bad arguments).
 */
import { parseArgs } from "util";
import { ConfigError } from "../stacks/config";
import { adoptJob } from "./adopt";
import { bootstrapJob } from "./bootstrap-state";
import { Job, JobError } from "./cli";
import { costJob } from "./cost";
import { deployJob } from "./deploy";
import { destroyJob } from "./destroy";
import { driftJob } from "./drift";
import { egressIpsJob } from "./egress-ips";
import { natUpgradeJob } from "./nat-upgrade";
import { outputsJob } from "./outputs";
import { planJob } from "./plan";
import { verifyJob } from "./verify";

export const JOBS: Record<string, Job> = {
  deploy: deployJob,
  plan: planJob,
  drift: driftJob,
  destroy: destroyJob,
  adopt: adoptJob,
  cost: costJob,
  bootstrap: bootstrapJob,
  "nat-upgrade": natUpgradeJob,
  outputs: outputsJob,
  "egress-ips": egressIpsJob,
  verify: verifyJob,
};

const list = () => Object.entries(JOBS).map(([name, j]) => `  ${name.padEnd(11)} ${j.summary}`).join("\n");

/** Runs `argv` (`<job> [options]`); resolves to the exit code, or rejects with what to print. */
export async function runJob(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const job = name === undefined ? undefined : JOBS[name];
  if (!job) throw new JobError(`${name === undefined ? "give a job" : `unknown job "${name}"`}; the jobs are:\n${list()}`, 2);
  let values;
  try {
    ({ values } = parseArgs({ args: rest, options: job.options, strict: true, allowPositionals: false }));
  } catch (err) {
    // parseArgs names the option in quotes: "Unknown option '--x'. …", "Option '--vpc <value>' argument missing"
    const e = err as { code?: string; message: string };
    const option = /'(-[^' ]+)/.exec(e.message)?.[1] ?? "";
    const what =
      e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? `unknown option ${option}` : e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" ? `${option} needs a value` : e.message;
    throw new JobError(`${what}; usage: ${job.usage}`, 2);
  }
  try {
    return (await job.run(values)) ?? 0;
  } catch (err) {
    if (err instanceof JobError) throw err;
    if (err instanceof ConfigError) throw new JobError(err.message);
    throw new JobError(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Runs the job `argv` names and sets the process's exit code; prints a failure's sentence on stderr. */
export function main(argv: string[]): Promise<void> {
  return runJob(argv).then(
    (code) => void (process.exitCode = code),
    (err: JobError) => {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = err.code ?? 1;
    },
  );
}

if (require.main === module) void main(process.argv.slice(2));
