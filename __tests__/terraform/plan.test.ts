/**
 * The synthesized Terraform is accepted by Terraform itself: validate both stacks, and plan the network
 * stack of the real-AWS example with a local backend and fake credentials (a create-only plan makes no AWS call).
 */
import { mkdtempSync, readFileSync, readdirSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { App } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { buildStacks, stackNames } from "../../stacks";
import type { AppConfig } from "../../stacks";
import { filesOf } from "../helpers/app";
import { AWS_EXAMPLE, LOCAL_CONFIG, ROOT, derivedConfig } from "../helpers/config";
import { run, summarizePlan, terraform } from "../helpers/terraform";

jest.setTimeout(300_000);

const OFFLINE = { AWS_ACCESS_KEY_ID: "fake", AWS_SECRET_ACCESS_KEY: "fake", AWS_EC2_METADATA_DISABLED: "true" };

/** Synthesizes a config with a local backend and a provider that makes no AWS call before it must. */
function synthOffline(config: AppConfig): { network: string; app: string } {
  const outdir = mkdtempSync(join(tmpdir(), "fixed-egress-tf-"));
  const app = new App({ outdir });
  const stacks = buildStacks(app, config);
  for (const stack of [stacks.network, stacks.app]) {
    const provider = stack.node.findChild("aws") as AwsProvider;
    provider.skipCredentialsValidation = true;
    provider.skipRequestingAccountId = true;
    provider.skipMetadataApiCheck = "true";
  }
  app.synth();
  const names = stackNames(config);
  return { network: join(outdir, "stacks", names.network), app: join(outdir, "stacks", names.app) };
}

const exampleWith = (edit: (c: any) => void) =>
  derivedConfig(AWS_EXAMPLE, (c) => {
    c.backend = { type: "local" };
    edit(c);
  });

async function planCounts(dir: string): Promise<Record<string, number>> {
  await terraform(dir, ["init", "-input=false", "-no-color"]);
  await terraform(dir, ["plan", "-input=false", "-lock=false", "-no-color", "-out=plan.bin"], { env: OFFLINE });
  const show = await terraform(dir, ["show", "-json", "plan.bin"]);
  const summary = summarizePlan(show.stdout);
  expect(summary.update).toEqual([]);
  expect(summary.delete).toEqual([]);
  return summary.countsByType;
}

const COMMON = {
  aws_vpc: 1,
  aws_default_security_group: 1,
  aws_internet_gateway: 1,
  aws_subnet: 4,
  aws_route_table: 3,
  aws_route: 3,
  aws_route_table_association: 4,
  aws_vpc_endpoint: 1,
  aws_cloudwatch_log_group: 1,
  aws_iam_role: 1,
  aws_iam_role_policy: 1,
  aws_flow_log: 1,
  // publishEgressIps: the prefix list and the SSM parameter
  aws_ec2_managed_prefix_list: 1,
  aws_ssm_parameter: 1,
};

describe("terraform", () => {
  it("validates both stacks", async () => {
    const dirs = synthOffline(exampleWith(() => undefined));
    for (const dir of [dirs.network, dirs.app]) {
      await terraform(dir, ["init", "-backend=false", "-input=false", "-no-color"]);
      const r = await terraform(dir, ["validate", "-json"]);
      expect(JSON.parse(r.stdout)).toMatchObject({ valid: true, error_count: 0 });
    }
  });

  it("plans the network stack of the AWS example, single NAT: one NAT Gateway and one EIP", async () => {
    const counts = await planCounts(synthOffline(exampleWith(() => undefined)).network);
    expect(counts).toEqual({ ...COMMON, aws_eip: 1, aws_nat_gateway: 1 });
  });

  it("plans the network stack of the AWS example, perAz: a NAT Gateway and an EIP per AZ", async () => {
    const counts = await planCounts(synthOffline(exampleWith((c) => (c.network.natPlacement = "perAz"))).network);
    expect(counts).toEqual({ ...COMMON, aws_eip: 2, aws_nat_gateway: 2 });
  });

  it("synthesizes byte-identical stacks in two separate `cdktf synth`-style runs", async () => {
    const outs = [0, 1].map(() => mkdtempSync(join(tmpdir(), "fixed-egress-det-")));
    for (const out of outs) {
      // A bundle cache of its own (the cache follows XDG_CACHE_HOME): each process really builds the Lambda zip.
      const cache = mkdtempSync(join(tmpdir(), "fixed-egress-cache-"));
      const r = await run("node", ["scripts/app.js"], { env: { CDKTF_OUTDIR: out, FIXED_EGRESS_CONFIG: LOCAL_CONFIG, XDG_CACHE_HOME: cache } });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(readdirSync(join(cache, "fixed-egress", "bundles")).filter((f) => f.endsWith(".zip"))).toHaveLength(1);
    }
    const [a, b] = outs.map((o) => filesOf(join(o, "stacks")));
    // per stack its JSON and the emulator's profile; the app's Lambda zip
    expect(Object.keys(a).map((f) => f.replace(/\/[0-9A-F]{32}\//, "/<hash>/").replace(/[0-9a-f]{64}\.zip$/, "<sha>.zip")).sort()).toEqual([
      "demo-app/assets/emulator-aws-config/<hash>/aws-config",
      "demo-app/assets/probe_code_F97A2196/<hash>/<sha>.zip",
      "demo-app/cdk.tf.json",
      "demo-network/assets/emulator-aws-config/<hash>/aws-config",
      "demo-network/cdk.tf.json",
    ]);
    expect(b).toEqual(a);
    expect(JSON.parse(readFileSync(join(outs[0], "stacks", "demo-app", "cdk.tf.json"), "utf8")).resource.aws_lambda_function).toBeDefined();
    expect(Object.keys(a).filter((f) => f.endsWith(".zip"))).toHaveLength(1);
  });

  it("exits non-zero with the config's problems and writes no stack for a bad config", async () => {
    const out = mkdtempSync(join(tmpdir(), "fixed-egress-bad-"));
    const bad = join(ROOT, "__tests__", "fixtures", "bad-overlap.json");
    const r = await run("node", ["scripts/app.js"], { env: { CDKTF_OUTDIR: out, FIXED_EGRESS_CONFIG: bad } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`${bad}: $.network.privateSubnetCidrs[0]: "10.0.0.0/23" overlaps publicSubnetCidrs[0] "10.0.0.0/24"; subnets must not share addresses`);
    expect(() => filesOf(join(out, "stacks"))).toThrow(/ENOENT/);
  });
});
