/**
 * A stand-in of HCP Terraform's side of a run task, written from the documented contract (run-tasks-integration):
 * it signs request bodies (HMAC-SHA512, X-TFC-Task-Signature), serves a plan's JSON behind a bearer token with a
 * redirect (as plan_json_api_url does), and records each task result PATCHed to the callback URL after checking
 * its required fields and types. It knows nothing of the guard.
 */
import { createHmac } from "crypto";
import { IncomingMessage, createServer } from "http";
import { AddressInfo } from "net";

export interface Callback {
  readonly body: unknown;
  /** what the body lacks or gets wrong against the contract; empty when it is right */
  readonly problems: string[];
}

const LEVELS = ["none", "info", "warning", "error"];

/** Every way a task result body departs from the contract. */
export function contractProblems(body: unknown, contentType: string | undefined): string[] {
  const p: string[] = [];
  if (!contentType?.startsWith("application/vnd.api+json")) p.push(`Content-Type ${contentType ?? "missing"}, not application/vnd.api+json`);
  const data = (body as { data?: Record<string, unknown> })?.data;
  if (!data || data.type !== "task-results") return [...p, 'data.type is not "task-results"'];
  const a = data.attributes as Record<string, unknown> | undefined;
  if (!a || !["passed", "failed", "running"].includes(a.status as string)) p.push("data.attributes.status is not passed, failed or running");
  if (a && a.message !== undefined && typeof a.message !== "string") p.push("data.attributes.message is not a string");
  const outcomes = (data.relationships as { outcomes?: { data?: unknown[] } } | undefined)?.outcomes?.data ?? [];
  if (!Array.isArray(outcomes) || outcomes.length > 10) p.push("more than 10 outcomes");
  outcomes.forEach((o, i) => {
    const oa = (o as { type?: string; attributes?: Record<string, unknown> }).attributes;
    if ((o as { type?: string }).type !== "task-result-outcomes") p.push(`outcomes[${i}].type`);
    for (const k of ["outcome-id", "description"]) if (typeof oa?.[k] !== "string" || oa[k] === "") p.push(`outcomes[${i}].${k}`);
    if (oa?.body !== undefined && typeof oa.body !== "string") p.push(`outcomes[${i}].body`);
    for (const [tag, list] of Object.entries((oa?.tags as Record<string, unknown>) ?? {})) {
      if (!Array.isArray(list) || list.some((t) => typeof t?.label !== "string" || (t.level !== undefined && !LEVELS.includes(t.level)))) p.push(`outcomes[${i}].tags.${tag}`);
    }
  });
  return p;
}

const read = (req: IncomingMessage) => new Promise<string>((r) => {
  let s = "";
  req.on("data", (c) => (s += c));
  req.on("end", () => r(s));
});

export interface StandIn {
  readonly url: string;
  /** what plan_json_api_url answers next: a plan's JSON, an HTTP status, or text that is not JSON */
  plan: { kind: "json"; text: string } | { kind: "status"; status: number } | { kind: "garbage" };
  /** how many callbacks to answer 503 before accepting */
  failCallbacks: number;
  readonly callbacks: Callback[];
  readonly token: string;
  /** a request body for `stage`, its signature with `key` */
  request(stage: string): { body: string; signature: (key: string) => string };
  close(): Promise<void>;
}

export async function startStandIn(): Promise<StandIn> {
  const token = "stand-in-run-token";
  const state: Omit<StandIn, "url" | "request" | "close"> = { plan: { kind: "garbage" }, failCallbacks: 0, callbacks: [], token };
  const server = createServer(async (req, res) => {
    const authorized = req.headers.authorization === `Bearer ${token}`;
    if (req.method === "GET" && req.url === "/api/v2/plans/plan-1/json-output") {
      if (!authorized) return res.writeHead(401).end();
      // As HCP Terraform does: a redirect to a short-lived URL of the JSON itself.
      return res.writeHead(307, { Location: "/archivist/plan-1.json" }).end();
    }
    if (req.method === "GET" && req.url === "/archivist/plan-1.json") {
      const p = state.plan;
      if (p.kind === "status") return res.writeHead(p.status).end("no such plan");
      return res.writeHead(200, { "Content-Type": "application/json" }).end(p.kind === "json" ? p.text : "<html>not a plan</html>");
    }
    if (req.method === "PATCH" && req.url === "/api/v2/task-results/taskrs-1/callback") {
      const text = await read(req);
      if (!authorized) return res.writeHead(401).end();
      if (state.failCallbacks > 0) {
        state.failCallbacks--;
        return res.writeHead(503).end();
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      state.callbacks.push({ body, problems: contractProblems(body, req.headers["content-type"]) });
      return res.writeHead(200, { "Content-Type": "application/vnd.api+json" }).end("{}");
    }
    return res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url,
    request(stage: string) {
      const body = JSON.stringify({
        payload_version: 1,
        stage,
        access_token: token,
        is_speculative: false,
        task_result_id: "taskrs-1",
        task_result_enforcement_level: "mandatory",
        task_result_callback_url: `${url}/api/v2/task-results/taskrs-1/callback`,
        run_app_url: `${url}/app/org/ws/runs/run-1`,
        run_id: "run-1",
        workspace_name: "network",
        organization_name: "org",
        plan_json_api_url: stage === "post_plan" || stage === "pre_apply" ? `${url}/api/v2/plans/plan-1/json-output` : undefined,
      });
      return { body, signature: (key: string) => createHmac("sha512", key).update(body).digest("hex") };
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  });
}
