/**
 * The guard as an HCP Terraform run task, against a stand-in of HCP Terraform written from the documented
 * contract (__tests__/helpers/hcp-stand-in.ts), on real plans from the egress corpus: the command's own server
 * (`fixed-egress-guard run-task`), and the Lambda handler behind a function URL.
 */
import { ChildProcess, spawn } from "child_process";
import { readFileSync } from "fs";
import { join } from "path";
import { runTaskHandler } from "../../guard/run-task/lambda";
import { ROOT } from "../helpers/config";
import { StandIn, startStandIn } from "../helpers/hcp-stand-in";

const KEY = "run-task-hmac-key";
const corpusPlan = (name: string) => readFileSync(join(ROOT, "__tests__", "fixtures", "egress-corpus", name), "utf8");
const MOVES = corpusPlan("module/half-to-other-nat.plan.json");
const HARMLESS = corpusPlan("module/tags.plan.json");

let hcp: StandIn;
let guard: ChildProcess;
let guardUrl: string;
const log: string[] = [];

/** Waits for `n` callbacks, or a log line matching `line` (for requests that must not call back). */
async function until(check: () => boolean, ms = 15_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out; log:\n${log.join("\n")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const post = (body: string, headers: Record<string, string> = {}) => fetch(`${guardUrl}/`, { method: "POST", body, headers: { "Content-Type": "application/json", ...headers } });
const signed = (stage: string) => {
  const r = hcp.request(stage);
  return post(r.body, { "X-TFC-Task-Signature": r.signature(KEY) });
};

beforeAll(async () => {
  hcp = await startStandIn();
  // The command as users start it: its own server, a key, any free port.
  guard = spawn(process.execPath, ["--import", require.resolve("tsx"), join(ROOT, "guard", "cli.ts"), "run-task", "--port", "0"], { env: { ...process.env, FIXED_EGRESS_GUARD_HMAC_KEY: KEY }, stdio: ["ignore", "pipe", "pipe"] });
  guard.stdout!.on("data", (d) => log.push(...String(d).trim().split("\n")));
  await until(() => log.some((l) => /listening on port \d+/.test(l)));
  guardUrl = `http://127.0.0.1:${/listening on port (\d+)/.exec(log.join("\n"))![1]}`;
});
afterAll(async () => {
  guard?.kill("SIGTERM");
  await hcp?.close();
});
beforeEach(() => {
  hcp.callbacks.length = 0;
  hcp.failCallbacks = 0;
});

describe("fixed-egress-guard run-task", () => {
  it("fails a plan that moves egress, with one outcome per finding, as the contract wants them", async () => {
    hcp.plan = { kind: "json", text: MOVES };
    expect((await signed("post_plan")).status).toBe(200);
    await until(() => hcp.callbacks.length === 1);
    const [cb] = hcp.callbacks;
    expect(cb.problems).toEqual([]);
    const data = (cb.body as { data: { attributes: { status: string; message: string }; relationships: { outcomes: { data: { attributes: Record<string, unknown> }[] } } } }).data;
    expect(data.attributes.status).toBe("failed");
    expect(data.attributes.message).toMatch(/^Refused: the egress path changes/);
    const outcomes = data.relationships.outcomes.data;
    expect(outcomes.length).toBeGreaterThan(0);
    expect(outcomes[0].attributes["outcome-id"]).toMatch(/^egress-path-changed:[0-9a-f]{32}$/);
    expect(outcomes[0].attributes.tags).toEqual({ Status: [{ label: "Refused", level: "error" }], Severity: [{ label: "High", level: "error" }] });
  });

  it("passes a harmless plan", async () => {
    hcp.plan = { kind: "json", text: HARMLESS };
    await signed("pre_apply");
    await until(() => hcp.callbacks.length === 1);
    expect(hcp.callbacks[0].problems).toEqual([]);
    expect((hcp.callbacks[0].body as { data: { attributes: { status: string } } }).data.attributes).toEqual({ status: "passed", message: "Passed: no change of the egress path." });
  });

  it("refuses an unsigned or wrongly signed request (401, 403) and calls nothing back", async () => {
    hcp.plan = { kind: "json", text: HARMLESS };
    const r = hcp.request("post_plan");
    expect((await post(r.body)).status).toBe(401);
    expect((await post(r.body, { "X-TFC-Task-Signature": r.signature("another key") })).status).toBe(403);
    await until(() => log.filter((l) => /POST \/ 40[13]/.test(l)).length === 2);
    await new Promise((res) => setTimeout(res, 300));
    expect(hcp.callbacks).toEqual([]);
  });

  it.each([
    ["a 404", { kind: "status", status: 404 } as const, /^Could not review the plan, so it is refused: the plan could not be fetched: HTTP 404/],
    ["garbage", { kind: "garbage" } as const, /^Could not review the plan, so it is refused: the plan JSON is not JSON/],
  ])("fails closed when the plan URL answers %s", async (_what, plan, message) => {
    hcp.plan = plan;
    await signed("post_plan");
    await until(() => hcp.callbacks.length === 1);
    expect((hcp.callbacks[0].body as { data: { attributes: { status: string; message: string } } }).data.attributes).toMatchObject({ status: "failed", message: expect.stringMatching(message) });
  });

  it("retries the callback when HCP Terraform answers 503, and delivers it", async () => {
    hcp.plan = { kind: "json", text: HARMLESS };
    hcp.failCallbacks = 2;
    await signed("post_plan");
    await until(() => hcp.callbacks.length === 1);
    expect(hcp.failCallbacks).toBe(0);
    expect(log.filter((l) => /callback attempt [12] failed \(HTTP 503\); retrying/.test(l))).toHaveLength(2);
  });

  it("answers the verification request HCP Terraform sends when the task is registered, and calls nothing back", async () => {
    expect((await signed("test")).status).toBe(200);
    await until(() => log.some((l) => /test request answered/.test(l)));
    expect(hcp.callbacks).toEqual([]);
  });

  it("logs one line per request", () => {
    expect(log.filter((l) => l.startsWith("POST /")).length).toBeGreaterThanOrEqual(7);
  });
});

describe("the run task's Lambda handler (a function URL's event)", () => {
  it("reviews and calls back before it answers; refuses a wrong signature", async () => {
    hcp.plan = { kind: "json", text: MOVES };
    const r = hcp.request("post_plan");
    const event = (sig: string) => ({ body: Buffer.from(r.body).toString("base64"), isBase64Encoded: true, headers: { "x-tfc-task-signature": sig }, requestContext: { http: { method: "POST" } } });
    expect(await runTaskHandler(event(r.signature("wrong")), KEY, { log: () => undefined })).toMatchObject({ statusCode: 403 });
    expect(hcp.callbacks).toEqual([]);
    expect(await runTaskHandler(event(r.signature(KEY)), KEY, { log: () => undefined })).toEqual({ statusCode: 200, body: "reviewed" });
    expect(hcp.callbacks).toHaveLength(1);
    expect((hcp.callbacks[0].body as { data: { attributes: { status: string } } }).data.attributes.status).toBe("failed");
  });
});
