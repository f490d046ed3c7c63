/** fixed-egress-guard, the command: exit 0 passed, 1 refused, 2 could not review; it fails closed on anything that is not a finished plan. */
import { spawnSync } from "child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { EXIT, main } from "@fixed-egress/guard";
import { ROOT } from "../helpers/config";
import { TODAY, planOf, valuesAt } from "../helpers/plans";

const dir = mkdtempSync(join(tmpdir(), "fx-guard-"));
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
};
function guard(...argv: string[]) {
  let out = "";
  let err = "";
  const code = main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const quiet = file("net.plan.json", planOf({ prior: TODAY }));
const refused = file("refused.plan.json", planOf({ prior: TODAY, changes: [{ address: "aws_eip.eip", type: "aws_eip", actions: ["delete"], before: valuesAt(TODAY, "aws_eip.eip") }] }));

describe("fixed-egress-guard review", () => {
  it("exits 0 on a plan that leaves egress alone", () => {
    const r = guard("review", quiet);
    expect([r.code, r.err]).toEqual([EXIT.passed, ""]);
    expect(r.out).toContain("### net");
    expect(r.out).toContain("No egress IP changes.");
  });

  it("exits 1 on a plan that changes egress, with one line per finding on stderr, in every format", () => {
    for (const format of ["markdown", "json", "sarif"]) {
      const r = guard("review", "--format", format, refused, quiet);
      expect(r.code).toBe(EXIT.refused);
      expect(r.err.trim().split("\n")).toEqual([
        "fixed-egress-guard: refused: refused: aws_eip.eip would be destroyed: its public IP 198.51.100.7 is an egress IP the database allow-lists. [eip-released]",
        "fixed-egress-guard: refused (egress check failed): the egress path changes",
      ]);
      if (format !== "markdown") expect(() => JSON.parse(r.out)).not.toThrow();
    }
    expect(JSON.parse(guard("review", "--format", "sarif", refused).out).runs[0].results[0].ruleId).toBe("eip-released");
  });

  it("exits 0 with --allow-egress-change, and with an allow-list holding every egress IP after the plan (one a line, or a JSON array)", () => {
    expect(guard("review", "--allow-egress-change", refused).code).toBe(EXIT.passed);
    const moved = file("moved.plan.json", planOf({ prior: TODAY, changes: [{ address: "aws_route.priv", type: "aws_route", actions: ["delete", "create"], before: valuesAt(TODAY, "aws_route.priv"), after: valuesAt(TODAY, "aws_route.priv") }] }));
    expect(guard("review", "--allow-listed", file("ips.txt", "# the database's pg_hba\n198.51.100.7\n"), moved).code).toBe(EXIT.passed);
    expect(guard("review", "--allow-listed", file("ips.json", '["198.51.100.7"]'), moved).code).toBe(EXIT.passed);
    const other = guard("review", "--allow-listed", file("other.txt", "198.51.100.99\n"), moved);
    expect(other.code).toBe(EXIT.refused);
    expect(other.err).toContain("egress IPs after this plan that the allow-list does not hold: 198.51.100.7");
  });

  it.each([
    ["a missing file (a stack whose plan failed)", () => [join(dir, "missing.plan.json")], /^fixed-egress-guard: cannot read .*missing\.plan\.json \(ENOENT\); a stack whose plan failed has no plan to review$/],
    ["an empty file", () => [file("empty.plan.json", "")], /is empty; a stack whose plan failed has no plan to review$/],
    ["text that is not JSON", () => [file("text.plan.json", "Error: Invalid provider configuration")], /text\.plan\.json is not JSON/],
    ["JSON that is not a plan", () => [file("cfg.json", { name: "demo" })], /cfg\.json is JSON but not a Terraform plan/],
    ["the plan of a run that failed", () => [file("errored.plan.json", planOf({ prior: TODAY, errored: true }))], /is the plan of a run that failed \(errored: true\)/],
    ["one good plan beside one missing", () => [quiet, join(dir, "app.plan.json")], /cannot read .*app\.plan\.json/],
    ["no plan at all", () => [], /^fixed-egress-guard: give one or more plan JSON files/],
    ["an unknown format", () => ["--format", "html", quiet], /--format "html" is not known; use markdown, json, sarif/],
    ["an unknown option", () => ["--allow-egress", quiet], /Unknown option '--allow-egress'/],
    ["an allow-list that is not a list of IPv4 addresses", () => ["--allow-listed", file("cidr.txt", "198.51.100.0/24\n"), quiet], /"198\.51\.100\.0\/24" is not an IPv4 address/],
  ])("exits 2 (could not review) on %s, in one sentence, before printing a report", (_what, args, message) => {
    const r = guard("review", ...(args as () => string[])());
    expect(r.code).toBe(EXIT.cannotReview);
    expect(r.err.split("\n")[0]).toMatch(message);
    expect(r.out).toBe("");
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("exits 2 on an unknown command and prints its usage on --help", () => {
    expect(guard("approve", quiet).code).toBe(EXIT.cannotReview);
    const help = guard("--help");
    expect(help.code).toBe(EXIT.passed);
    expect(help.out).toMatch(/^usage: fixed-egress-guard review \[--allow-egress-change\] \[--allow-listed FILE\] \[--destinations CIDR,…\] \[--format markdown\|json\|sarif\]\n\s+\[--json-file FILE\] \[--sarif-file FILE\] <plan\.json>…/);
  });
});

describe("fixed-egress-guard drift", () => {
  it("exits 0 when nothing drifted, and 1 when egress drifted, naming it", () => {
    expect(guard("drift", file("clean.plan.json", planOf({ prior: TODAY, drift: [] }))).out).toBe("No drift: every resource is as Terraform last left it.\n");
    const drifted = file("drifted.plan.json", planOf({ prior: TODAY, drift: [{ address: "aws_route.priv", type: "aws_route", actions: ["delete"], before: valuesAt(TODAY, "aws_route.priv") }] }));
    const r = guard("drift", drifted);
    expect(r.code).toBe(EXIT.refused);
    expect(r.out).toContain("- EGRESS drifted: aws_route.priv was deleted outside Terraform: the private subnets behind it lose the route to NAT nat-111.");
    expect(r.err).toContain("fixed-egress-guard: egress drift: drifted: aws_route.priv would be destroyed");
    expect(guard("drift", "--allow-egress-change", drifted).code).toBe(EXIT.cannotReview);
  });
});

describe("in Atlantis", () => {
  /** The run step guard/README.md documents for custom_policy_check, with the package's command for npx's. */
  const documented = (): string => {
    const block = /<!-- atlantis-policy-check -->[\s\S]*?<!-- \/atlantis-policy-check -->/.exec(readFileSync(join(ROOT, "guard", "README.md"), "utf8"))![0];
    return /- run: (npx --yes @fixed-egress\/guard .*)$/m.exec(block)![1];
  };
  const atlantis = (showfile: string) => {
    const cmd = documented().replace("npx --yes @fixed-egress/guard", `node --import ${require.resolve("tsx")} ${join(ROOT, "guard", "cli.ts")}`);
    // Atlantis runs the step with a shell in the project's folder, $SHOWFILE set, and reads stdout and stderr.
    return spawnSync("sh", ["-c", `${cmd} 2>&1`], { cwd: dir, env: { ...process.env, SHOWFILE: showfile }, encoding: "utf8" });
  };

  it("fails a refused plan by its exit code and by the word Atlantis looks for; passes a harmless one without it", () => {
    writeFileSync(join(dir, "allow-listed-ips.txt"), "203.0.113.99\n");
    const no = atlantis(refused);
    expect(no.status).toBe(EXIT.refused);
    expect(no.stdout).toContain("fail");
    const yes = atlantis(quiet);
    expect(yes.status).toBe(EXIT.passed);
    expect(yes.stdout.toLowerCase()).not.toContain("fail");
  });
});

describe("one review, several formats", () => {
  it("writes the JSON and SARIF of the same review beside the Markdown (--json-file, --sarif-file), refused or not", () => {
    for (const [plan, code] of [[quiet, EXIT.passed], [refused, EXIT.refused]] as const) {
      const json = join(dir, `r-${code}.json`);
      const sarif = join(dir, `r-${code}.sarif`);
      const r = guard("review", "--json-file", json, "--sarif-file", sarif, plan);
      expect(r.code).toBe(code);
      expect(r.out).toContain("## Terraform plan review");
      expect(JSON.parse(readFileSync(json, "utf8")).refused).toBe(code === EXIT.refused);
      expect(JSON.parse(readFileSync(sarif, "utf8")).runs[0].results).toHaveLength(code === EXIT.refused ? 1 : 0);
    }
  });
});
