/**
 * One run task request handled: the plan fetched from HCP Terraform with the request's bearer token (the
 * redirect to the JSON followed), reviewed, and the result PATCHed back, retried with backoff on 5xx and network
 * errors within the 10 minutes HCP Terraform waits. It fails closed: a plan that cannot be fetched, read or
 * reviewed is a failed result saying why, never a passed one.
 */
import { GuardInputError, parsePlan } from "../plan";
import { decide, reviewPlan, VerdictOptions } from "../review";
import { REVIEWED_STAGES, RunTaskRequest, TaskResult, couldNotReview, nothingToReview, resultOf } from "./contract";

export interface TaskOptions extends VerdictOptions {
  /** how long the callback may keep retrying, in ms (HCP Terraform waits 10 minutes for a result) */
  readonly callbackBudgetMs?: number;
  /** the first retry's wait, in ms; each next one doubles */
  readonly firstRetryMs?: number;
  readonly fetch?: typeof fetch;
  readonly log?: (line: string) => void;
}

const DEFAULTS = { callbackBudgetMs: 9 * 60_000, firstRetryMs: 1_000 };

/** The plan JSON behind plan_json_api_url (HCP Terraform answers with a redirect to a short-lived URL). */
async function fetchPlan(req: RunTaskRequest, http: typeof fetch): Promise<string> {
  if (!req.plan_json_api_url) throw new Error(`the ${req.stage} request has no plan_json_api_url`);
  let res: Response;
  try {
    res = await http(req.plan_json_api_url, { headers: { Authorization: `Bearer ${req.access_token}` }, redirect: "follow" });
  } catch (err) {
    throw new Error(`the plan could not be fetched (${(err as Error).message})`);
  }
  if (!res.ok) throw new Error(`the plan could not be fetched: HTTP ${res.status} from plan_json_api_url`);
  return res.text();
}

/** The result for a request: reviewed, nothing to review, or refused because it could not be reviewed. */
export async function resultFor(req: RunTaskRequest, opts: TaskOptions = {}): Promise<TaskResult> {
  if (!REVIEWED_STAGES.includes(req.stage)) return nothingToReview(req.stage);
  try {
    const plan = parsePlan(await fetchPlan(req, opts.fetch ?? fetch), "the plan JSON");
    const stack = req.workspace_name ?? "workspace";
    const review = reviewPlan(plan, stack);
    return resultOf([review], decide([review], opts));
  } catch (err) {
    return couldNotReview(err instanceof GuardInputError ? err.message : (err as Error).message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** PATCHes the result, retrying 5xx and network errors with doubling waits inside the budget; throws when it cannot deliver. */
export async function deliver(req: RunTaskRequest, result: TaskResult, opts: TaskOptions = {}): Promise<number> {
  const http = opts.fetch ?? fetch;
  const budget = opts.callbackBudgetMs ?? DEFAULTS.callbackBudgetMs;
  const started = Date.now();
  let wait = opts.firstRetryMs ?? DEFAULTS.firstRetryMs;
  for (let attempt = 1; ; attempt++) {
    let why: string;
    try {
      const res = await http(req.task_result_callback_url, {
        method: "PATCH",
        headers: { Authorization: `Bearer ${req.access_token}`, "Content-Type": "application/vnd.api+json" },
        body: JSON.stringify(result),
      });
      if (res.ok) return attempt;
      if (res.status < 500) throw new Error(`the callback was refused: HTTP ${res.status}`);
      why = `HTTP ${res.status}`;
    } catch (err) {
      if ((err as Error).message.startsWith("the callback was refused")) throw err;
      why = (err as Error).message;
    }
    if (Date.now() - started + wait > budget) throw new Error(`the callback could not be delivered in ${Math.round(budget / 1000)} s (last: ${why})`);
    opts.log?.(`callback attempt ${attempt} failed (${why}); retrying in ${wait} ms`);
    await sleep(wait);
    wait *= 2;
  }
}

/** Handles one request end to end: the result, then its delivery. */
export async function handle(req: RunTaskRequest, opts: TaskOptions = {}): Promise<TaskResult> {
  const result = await resultFor(req, opts);
  await deliver(req, result, opts);
  return result;
}
