/**
 * The egress guard on plans no one wrote for it: a network in plain HCL (a child module with count-indexed
 * resources, as community modules write them; __tests__/fixtures/hcl-network), applied on the emulator with local
 * state. Its plans are reviewed by the packed guard tarball installed into a project of its own, as another team
 * runs it, under the Node running the tests and under Node 24 LTS.
 *
 * @shared-providers one AWS provider per stack folder for the whole suite (scripts/shared-provider.sh)
 */
import { AllocateAddressCommand, EC2Client } from "@aws-sdk/client-ec2";
import { execFileSync } from "child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ROOT } from "../helpers/config";
import { clientFor, Emulator, startEmulator } from "../helpers/emulator";
import { NODE_LTS_VERSION, nodeLts } from "../helpers/node-lts";
import { Run, run, terraform } from "../helpers/terraform";

jest.setTimeout(600_000);

const work = mkdtempSync(join(tmpdir(), "fixed-egress-guard-hcl-"));
const hcl = join(work, "network");
const project = join(work, "reviewer");
let emu: Emulator;
let allocations: { id: string; ip: string }[];
let guardBin: string;
let packed: { filename: string; files: { path: string }[] };
let node24: string;

/** The tfvars of one variant of the network: today's is one NAT on the first brought Elastic IP, two zones. */
const vars = (v: { zones?: string[]; nat_enabled?: boolean; one_nat_per_zone?: boolean; tags?: Record<string, string> } = {}) => ({
  zones: ["ap-northeast-1a", "ap-northeast-1c"],
  nat_allocation_ids: allocations.map((a) => a.id),
  ...v,
});

/** `terraform plan -out` of a variant and its `terraform show -json`, as any pipeline writes them; returns the JSON's path. */
async function planJson(name: string, v: Parameters<typeof vars>[0] = {}): Promise<string> {
  writeFileSync(join(hcl, `${name}.tfvars.json`), JSON.stringify(vars(v)));
  await terraform(hcl, ["plan", "-input=false", "-no-color", `-var-file=${name}.tfvars.json`, `-out=${name}.tfplan`]);
  const file = join(work, `${name}.plan.json`);
  writeFileSync(file, (await terraform(hcl, ["show", "-json", `${name}.tfplan`])).stdout);
  return file;
}

/** The installed command as npm links it (its own shebang), or under another Node when one is given. */
const guard = (args: string[], node?: string): Promise<Run> => (node ? run(node, [guardBin, ...args], { cwd: project }) : run(guardBin, args, { cwd: project }));

beforeAll(async () => {
  emu = startEmulator();
  const ec2 = new EC2Client(clientFor(emu.endpoint));
  allocations = await Promise.all([0, 1].map(async () => {
    const a = await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
    return { id: a.AllocationId!, ip: a.PublicIp! };
  }));
  // The packed guard, installed as another team installs it (npm pack builds it first).
  packed = JSON.parse(execFileSync("npm", ["pack", "-w", "@fixed-egress/guard", "--json", "--pack-destination", work], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).replace(/^[^[]*/, ""))[0];
  cpSync(join(ROOT, "__tests__", "fixtures", "hcl-network"), hcl, { recursive: true });
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "reviewer", private: true }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", join(work, packed.filename)], { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
  guardBin = join(project, "node_modules", ".bin", "fixed-egress-guard");
  node24 = nodeLts();
  // The emulator stands in for AWS: a profile's endpoint_url points the provider at it, as the app's emulator
  // stacks do (the provider's endpoints block costs 2 CPU-s a plan); the network itself is untouched.
  writeFileSync(join(hcl, "emulator.aws-config"), `[profile emulator]\nendpoint_url = ${emu.endpoint}\n`);
  writeFileSync(join(hcl, "emulator.tf"), `provider "aws" {
  region                      = "ap-northeast-1"
  access_key                  = "test"
  secret_key                  = "test"
  shared_config_files         = ["emulator.aws-config"]
  profile                     = "emulator"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
`);
  await terraform(hcl, ["init", "-input=false", "-no-color"]);
  writeFileSync(join(hcl, "today.tfvars.json"), JSON.stringify(vars()));
  await terraform(hcl, ["apply", "-auto-approve", "-input=false", "-no-color", "-var-file=today.tfvars.json"]);
});
afterAll(() => emu?.stop()); // stopping the emulator forgets everything: no cleanup destroy

describe("the packed guard on a plain-HCL network", () => {
  it("is the package's own command, with no dependency of its own, packed as compiled JavaScript, declarations and docs only", () => {
    const files = packed.files.map((f) => f.path);
    expect(files.filter((f) => !/^dist\/((render|model|run-task)\/)?[\w-]+\.(js|d\.ts)$/.test(f) && !["README.md", "LICENSE", "CHANGELOG.md", "package.json"].includes(f))).toEqual([]);
    for (const f of ["dist/cli.js", "dist/index.d.ts", "dist/rules.js", "dist/render/sarif.js", "README.md", "CHANGELOG.md", "LICENSE"]) expect(files).toContain(f);
    const pkg = JSON.parse(readFileSync(join(project, "node_modules", "@fixed-egress", "guard", "package.json"), "utf8"));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.bin).toEqual({ "fixed-egress-guard": "dist/cli.js" });
  });

  it("refuses one NAT → one NAT per zone, naming the association that moves in place, under Node 20 and Node 24", async () => {
    const file = await planJson("per-zone", { one_nat_per_zone: true });
    for (const node of [undefined, node24]) {
      const r = await guard(["review", file], node);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^fixed-egress-guard: refused: per-zone: module\.network\.aws_route_table_association\.private\[1\] would move private subnet subnet-\w+ from route table rtb-\w+ to a route table known only after apply in place.* \[private-association-moved\]$/m);
      expect(r.stdout).toContain(`- today: ${allocations[0].ip}`);
    }
    expect(execFileSync(node24, ["--version"], { encoding: "utf8" }).trim()).toBe(`v${NODE_LTS_VERSION}`);
  });

  it("passes the same plan with --allow-listed naming both brought IPs, and refuses it when only today's is listed", async () => {
    const file = join(work, "per-zone.plan.json");
    const both = join(work, "both.txt");
    writeFileSync(both, `${allocations[0].ip}\n${allocations[1].ip}\n`);
    const today = join(work, "today.json");
    writeFileSync(today, JSON.stringify([allocations[0].ip]));
    const passed = await guard(["review", "--allow-listed", both, file]);
    expect(passed.stderr).toBe("");
    expect(passed.code).toBe(0);
    expect(passed.stdout).toContain(`- after this plan: ${[allocations[0].ip, allocations[1].ip].sort().join(", ")}`);
    expect(passed.stdout).toContain("**The egress path changes (every egress IP after this plan is allow-listed):**");
    const refused = await guard(["review", "--allow-listed", today, "--format", "json", file]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ refused: true, allowListed: { outside: [allocations[1].ip] } });
  });

  it("refuses the NAT turned off: the NAT Gateway and the private default route named", async () => {
    const r = await guard(["review", "--format", "sarif", await planJson("no-nat", { nat_enabled: false })]);
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout).runs[0].results.map((x: { ruleId: string; locations: { logicalLocations: { fullyQualifiedName: string }[] }[] }) => `${x.ruleId} ${x.locations[0].logicalLocations[0].fullyQualifiedName}`);
    expect(results).toEqual(expect.arrayContaining(["nat-gateway-removed module.network.aws_nat_gateway.this[0]", "private-default-route-changed module.network.aws_route.private_nat[0]"]));
  });

  it("passes a tag change, and a third zone behind the same NAT", async () => {
    const variants: [string, Parameters<typeof vars>[0]][] = [["tags", { tags: { Owner: "data-team" } }], ["third-zone", { zones: ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"] }]];
    for (const [name, v] of variants) {
      const r = await guard(["review", await planJson(name, v)]);
      expect([name, r.code, r.stderr]).toEqual([name, 0, ""]);
      expect(r.stdout).toContain("No egress IP changes.");
    }
  });

  it("fails closed: a stack whose plan failed (no JSON) and a file that is not a plan exit 2", async () => {
    const missing = await guard(["review", join(work, "per-zone.plan.json"), join(work, "app.plan.json")]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe("");
    expect(missing.stderr.trim()).toMatch(/^fixed-egress-guard: cannot read .*app\.plan\.json \(ENOENT\); a stack whose plan failed has no plan to review$/);
    const notPlan = await guard(["review", join(hcl, "today.tfvars.json")], node24);
    expect(notPlan.code).toBe(2);
  });
});
