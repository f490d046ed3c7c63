/** Defaults of the optional props, in one place (the config schema is tested against them). */
export const LAMBDA_DEFAULTS = {
  handler: "index.handler",
  runtime: "nodejs22.x",
  memoryMb: 256,
  timeoutSeconds: 30,
  logRetentionDays: 30,
} as const;
