/** checkov (the field's standard IaC scanner) on every stack the configs synthesize: no unexplained failure. */
import { execFile } from "child_process";
import { join } from "path";
import { synthApp } from "../helpers/app";
import { AWS_EXAMPLE, LOCAL_CONFIG, ROOT, derivedConfig } from "../helpers/config";
import { loadConfig } from "../../stacks/config";

jest.setTimeout(300_000);

interface CheckovReport {
  summary: { passed: number; failed: number; parsing_errors: number };
  results: { failed_checks: { check_id: string; check_name: string; resource: string }[] };
}

function scan(dir: string): Promise<CheckovReport> {
  return new Promise((resolve, reject) =>
    execFile(join(ROOT, "scripts", "scan.sh"), [dir, "-o", "json"], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      // checkov exits 1 when a check fails; the JSON still says which.
      try {
        const parsed = JSON.parse(stdout);
        resolve(Array.isArray(parsed) ? parsed[0] : parsed);
      } catch {
        reject(new Error(`checkov gave no JSON (${err?.message}): ${stderr.slice(-2000)}`));
      }
    }),
  );
}

const configs: [string, () => ReturnType<typeof loadConfig>][] = [
  ["config/local.json (emulator, single NAT)", () => loadConfig(LOCAL_CONFIG)],
  ["config/example.aws.json (flow logs, protected EIP, secret, published egress IPs, canary)", () => loadConfig(AWS_EXAMPLE)],
  ["perAz with bring-your-own EIPs and mysql", () =>
    derivedConfig(AWS_EXAMPLE, (c) => {
      c.network.natPlacement = "perAz";
      c.network.protectEgressIps = false;
      c.network.eipAllocationIds = ["eipalloc-0123456789abcdef0", "eipalloc-0fedcba9876543210"];
      c.lambda.database.engine = "mysql";
    })],
  ["NAT instances, perAz", () =>
    derivedConfig(AWS_EXAMPLE, (c) => {
      c.network.natProvider = "instance";
      c.network.natPlacement = "perAz";
    })],
];

describe("checkov", () => {
  it.each(configs)("passes every check not explained in .checkov.yaml: %s", async (_name, config) => {
    const report = await scan(join(synthApp(config()).outdir, "stacks"));
    const failures = report.results.failed_checks.map((c) => `${c.check_id} ${c.check_name} on ${c.resource}`);
    expect(failures).toEqual([]);
    // Every stack read: a file checkov cannot parse is skipped whole, silently (moved blocks did that).
    expect(report.summary.parsing_errors).toBe(0);
    expect(report.summary.passed).toBeGreaterThan(40);
  });
});
