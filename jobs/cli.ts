import type { ParseArgsConfig } from "util";

/**
 * A job's failure as people read it: one sentence (or a few lines) and the exit code. Thrown from anywhere in
 * a job; printed and turned into the exit code in jobs/main.ts only, never a stack trace.
 */
export class JobError extends Error {
  constructor(message: string, public readonly code = 1) {
    super(message);
    this.name = "JobError";
  }
}

/** Stops the job with `message` (exit `code`: 1 failed or refused, 2 bad arguments). */
export function fail(message: string, code = 1): never {
  throw new JobError(message, code);
}

export type JobOptions = NonNullable<ParseArgsConfig["options"]>;
export type JobValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** One of the app's commands, as jobs/main.ts runs it. */
export interface Job {
  /** what it does, for the list of jobs */
  readonly summary: string;
  /** how to call it, shown with an argument error */
  readonly usage: string;
  readonly options: JobOptions;
  /** the exit code when it does not fail (0 when it returns nothing) */
  run(values: JobValues): Promise<number | void>;
}
