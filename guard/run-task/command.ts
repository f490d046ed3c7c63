/**
 * `fixed-egress-guard run-task [--port N] [--allow-listed FILE] [--allow-egress-change]`: the run task server
 * until SIGINT or SIGTERM. Port 8080 unless --port or PORT says otherwise; the HMAC key from
 * FIXED_EGRESS_GUARD_HMAC_KEY (unset: unsigned requests are accepted, and the start says so).
 */
import { parseArgs } from "util";
import { GuardInputError } from "../plan";
import { startRunTaskServer } from "./server";

export const RUN_TASK_USAGE = "fixed-egress-guard run-task [--port N] [--allow-listed FILE] [--allow-egress-change]   (HMAC key: FIXED_EGRESS_GUARD_HMAC_KEY)";
export const DEFAULT_PORT = 8080;

export interface RunTaskArgs {
  readonly port: number;
  readonly allowListedFile?: string;
  readonly allowEgressChange: boolean;
}

export function parseRunTaskArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): RunTaskArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { port: { type: "string" }, "allow-listed": { type: "string" }, "allow-egress-change": { type: "boolean" } } });
  } catch (err) {
    throw new GuardInputError(`${(err as Error).message}\nusage: ${RUN_TASK_USAGE}`);
  }
  const raw = parsed.values.port ?? env.PORT ?? String(DEFAULT_PORT);
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) throw new GuardInputError(`--port "${raw}" is not a port number; give 1-65535 (or 0 for any free port)`);
  return { port, allowListedFile: parsed.values["allow-listed"], allowEgressChange: parsed.values["allow-egress-change"] === true };
}

/** Serves until a signal; resolves with the exit code. */
export async function serveRunTask(args: RunTaskArgs, allowListed: string[] | undefined, log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const key = env.FIXED_EGRESS_GUARD_HMAC_KEY || undefined;
  const { port, close } = await startRunTaskServer({ port: args.port, key, log, allowListed, allowEgressChange: args.allowEgressChange });
  log(`fixed-egress-guard run-task: listening on port ${port}${key ? "; requests must carry X-TFC-Task-Signature (HMAC-SHA512)" : "; WARNING: FIXED_EGRESS_GUARD_HMAC_KEY is unset, so unsigned requests are accepted: set it to the run task's HMAC key"}`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await close();
  return 0;
}
