/** Errors reach people as one sentence on stderr and a non-zero exit, never a stack trace. */
export function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}
