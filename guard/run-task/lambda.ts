/**
 * `@fixed-egress/guard/run-task`: the run task as a Lambda function behind a function URL. The HMAC key is read
 * once from Secrets Manager (FIXED_EGRESS_GUARD_HMAC_SECRET_ARN, through the AWS SDK the Node.js runtime ships)
 * or FIXED_EGRESS_GUARD_HMAC_KEY. A function stops when it answers, so it reviews and calls back first, then
 * answers 200 (a review takes seconds; HCP Terraform waits for the answer).
 */
import { SIGNATURE_HEADER, screen } from "./contract";
import { TaskOptions, handle } from "./task";

export interface FunctionUrlEvent {
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly headers?: Record<string, string | undefined>;
  readonly requestContext?: { readonly http?: { readonly method?: string } };
}
export interface FunctionUrlResult {
  readonly statusCode: number;
  readonly body: string;
}

let cachedKey: Promise<string | undefined> | undefined;

async function keyFromEnvironment(): Promise<string | undefined> {
  const arn = process.env.FIXED_EGRESS_GUARD_HMAC_SECRET_ARN;
  if (!arn) return process.env.FIXED_EGRESS_GUARD_HMAC_KEY || undefined;
  // The Node.js runtime of Lambda ships AWS SDK v3; the package itself depends on nothing.
  const sdk = (await import("@aws-sdk/client-secrets-manager" as string)) as {
    SecretsManagerClient: new (c: object) => { send: (c: unknown) => Promise<{ SecretString?: string }> };
    GetSecretValueCommand: new (i: { SecretId: string }) => unknown;
  };
  const out = await new sdk.SecretsManagerClient({}).send(new sdk.GetSecretValueCommand({ SecretId: arn }));
  if (!out.SecretString) throw new Error(`secret ${arn} has no string value: store the run task's HMAC key as its SecretString`);
  return out.SecretString;
}

/** The handler, with what it reads passed in (tests); `handler` below reads the environment. */
export async function runTaskHandler(event: FunctionUrlEvent, key: string | undefined, opts: TaskOptions = {}): Promise<FunctionUrlResult> {
  if ((event.requestContext?.http?.method ?? "POST") !== "POST") return { statusCode: 405, body: "POST the run task request" };
  const body = Buffer.from(event.body ?? "", event.isBase64Encoded ? "base64" : "utf8");
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const screened = screen(body, headers[SIGNATURE_HEADER], key);
  if (!("request" in screened)) return { statusCode: screened.status, body: screened.text };
  const { request } = screened;
  const log = opts.log ?? console.log;
  try {
    const result = await handle(request, opts);
    log(`${request.stage} ${request.run_id ?? ""}: ${result.data.attributes.status}: ${result.data.attributes.message}`);
    return { statusCode: 200, body: "reviewed" };
  } catch (err) {
    // HCP Terraform marks the task errored when no result arrives: the run does not pass.
    log(`${request.stage} ${request.run_id ?? ""}: the result could not be delivered: ${(err as Error).message}`);
    return { statusCode: 200, body: "the result could not be delivered" };
  }
}

export async function handler(event: FunctionUrlEvent): Promise<FunctionUrlResult> {
  cachedKey ??= keyFromEnvironment();
  return runTaskHandler(event, await cachedKey, {
    // Inside the function's timeout (GuardRunTask gives it 60 s).
    callbackBudgetMs: Number(process.env.FIXED_EGRESS_GUARD_CALLBACK_BUDGET_MS ?? 45_000),
    allowEgressChange: process.env.FIXED_EGRESS_GUARD_ALLOW_EGRESS_CHANGE === "true",
    allowListed: process.env.FIXED_EGRESS_GUARD_ALLOW_LISTED ? process.env.FIXED_EGRESS_GUARD_ALLOW_LISTED.split(",").map((s) => s.trim()) : undefined,
  });
}
