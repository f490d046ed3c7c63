/**
 * HCP Terraform's run task integration contract, as HashiCorp documents it (run-tasks-integration): the request
 * HCP Terraform POSTs to the task's URL, and the task result PATCHed back to `task_result_callback_url`
 * (JSON:API, `application/vnd.api+json`, the payload's `access_token` as bearer).
 */
import { createHmac, timingSafeEqual } from "crypto";
import { Decision, Finding, StackReview } from "../review";
import { ruleById } from "../rules";

/** The request body (payload_version 1); only what the guard reads is typed. */
export interface RunTaskRequest {
  readonly payload_version: number;
  readonly stage: string;
  readonly access_token: string;
  readonly task_result_id?: string;
  readonly task_result_callback_url: string;
  readonly plan_json_api_url?: string;
  readonly run_id?: string;
  readonly workspace_name?: string;
  readonly organization_name?: string;
}

/** The stages whose plan the guard reviews; others are answered "passed" with nothing to review. */
export const REVIEWED_STAGES = ["post_plan", "pre_apply"];
/** HCP Terraform shows at most this many outcomes per task result. */
export const MAX_OUTCOMES = 10;
/** The header carrying the HMAC-SHA512 of the body, hex, when the task has an HMAC key. */
export const SIGNATURE_HEADER = "x-tfc-task-signature";

export type Level = "none" | "info" | "warning" | "error";
export interface Outcome {
  readonly type: "task-result-outcomes";
  readonly attributes: {
    readonly "outcome-id": string;
    readonly description: string;
    readonly body: string;
    readonly tags: { readonly Status: { label: string; level: Level }[]; readonly Severity: { label: string; level: Level }[] };
  };
}
export interface TaskResult {
  readonly data: {
    readonly type: "task-results";
    readonly attributes: { readonly status: "passed" | "failed" | "running"; readonly message: string };
    readonly relationships?: { readonly outcomes: { readonly data: Outcome[] } };
  };
}

/** Whether a body carries the right signature; with no key every request is accepted. */
export function signatureProblem(body: Buffer, signature: string | undefined, key: string | undefined): "unsigned" | "wrongly signed" | undefined {
  if (!key) return undefined;
  if (!signature) return "unsigned";
  const want = createHmac("sha512", key).update(body).digest();
  const got = Buffer.from(signature.trim(), "hex");
  return got.length === want.length && timingSafeEqual(got, want) ? undefined : "wrongly signed";
}

/** Reads and checks a request body: one sentence when it is not a run task request. */
export function parseRequest(body: Buffer): RunTaskRequest {
  let data: unknown;
  try {
    data = JSON.parse(body.toString("utf8"));
  } catch {
    throw new Error("the request body is not JSON");
  }
  const r = data as Partial<RunTaskRequest> | null;
  if (!r || typeof r !== "object" || typeof r.stage !== "string" || typeof r.task_result_callback_url !== "string" || typeof r.access_token !== "string") {
    throw new Error("the request body is not a run task request (stage, access_token and task_result_callback_url are required)");
  }
  return r as RunTaskRequest;
}

/**
 * A request as both the server and the Lambda handler take it: refused (401 unsigned, 403 wrongly signed, 400 not
 * a run task request) with nothing done, answered at once (HCP Terraform's verification, `stage: test`), or to review.
 */
export function screen(body: Buffer, signature: string | undefined, key: string | undefined): { status: number; text: string } | { request: RunTaskRequest } {
  const problem = signatureProblem(body, signature, key);
  if (problem) return { status: problem === "unsigned" ? 401 : 403, text: `request ${problem}` };
  let request: RunTaskRequest;
  try {
    request = parseRequest(body);
  } catch (err) {
    return { status: 400, text: (err as Error).message };
  }
  return request.stage === "test" ? { status: 200, text: "test request answered" } : { request };
}

const oneLine = (text: string) => (text.length > 500 ? `${text.slice(0, 497)}…` : text);

function outcome(f: Finding, refused: boolean): Outcome {
  const rule = ruleById(f.rule);
  const blocking = f.verdict === "refuse" && refused;
  return {
    type: "task-result-outcomes",
    attributes: {
      "outcome-id": `${f.rule}:${f.fingerprint}`,
      description: oneLine(`${f.stack}: ${f.address}: ${rule.title}`),
      body: [`**${f.stack}**: \`${f.address}\` ${f.reason}`, "", `Rule \`${f.rule}\`: ${rule.why}`].join("\n"),
      tags: {
        Status: [{ label: blocking ? "Refused" : f.verdict === "refuse" ? "Allowed" : "Warning", level: blocking ? "error" : "warning" }],
        Severity: [{ label: f.verdict === "refuse" ? "High" : "Medium", level: f.verdict === "refuse" ? "error" : "warning" }],
      },
    },
  };
}

/** The task result of a review: passed or failed, one line, one outcome per finding (refusals first, at most ten). */
export function resultOf(reviews: readonly StackReview[], decision: Decision): TaskResult {
  const findings = [...reviews.flatMap((r) => r.findings), ...reviews.flatMap((r) => r.warnings)];
  const message = decision.refused
    ? `Refused: ${decision.because} (${reviews.flatMap((r) => r.findings).length} finding(s)); allow it with --allow-egress-change or an allow-list holding every egress IP after the plan.`
    : findings.length > 0
      ? `Passed: ${decision.because}.`
      : "Passed: no change of the egress path.";
  const shown = findings.slice(0, MAX_OUTCOMES).map((f) => outcome(f, decision.refused));
  return {
    data: {
      type: "task-results",
      attributes: { status: decision.refused ? "failed" : "passed", message: oneLine(message) },
      ...(shown.length > 0 ? { relationships: { outcomes: { data: shown } } } : {}),
    },
  };
}

/** A task result that fails closed: the plan could not be reviewed. */
export const couldNotReview = (why: string): TaskResult => ({
  data: { type: "task-results", attributes: { status: "failed", message: oneLine(`Could not review the plan, so it is refused: ${why}`) } },
});

/** A stage with no plan to review. */
export const nothingToReview = (stage: string): TaskResult => ({
  data: { type: "task-results", attributes: { status: "passed", message: `Nothing to review at ${stage}: the egress guard reviews plans (post_plan, pre_apply).` } },
});
