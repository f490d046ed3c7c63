/**
 * The tests' provider mirror (scripts/provider-launchers.sh): a launcher per provider of a mirror, at the same
 * path, that runs that provider with its arguments; one per mirror content (a provider added or replaced gets a
 * new one); and Terraform through scripts/tf-env.sh installs from it only when FIXED_EGRESS_PROVIDER_LAUNCHERS=1,
 * running the real AWS provider (validate needs its schema).
 */
import { spawnSync } from "child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ROOT } from "../helpers/config";
import { terraform } from "../helpers/terraform";

jest.setTimeout(60_000);
const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

const launchersOf = (mirror: string): string => {
  const r = spawnSync(join(ROOT, "scripts", "provider-launchers.sh"), [mirror], { encoding: "utf8" });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const out = r.stdout.trim();
  if (out !== mirror) made.push(out);
  return out;
};

/** A mirror holding one fake provider that prints its arguments. */
function fakeMirror(version: string): { mirror: string; rel: string } {
  const mirror = mkdtempSync(join(tmpdir(), "fx-mirror-"));
  made.push(mirror);
  const rel = `registry.terraform.io/example/fake/${version}/linux_amd64/terraform-provider-fake_v${version}`;
  mkdirSync(join(mirror, rel, ".."), { recursive: true });
  writeFileSync(join(mirror, rel), `#!/bin/sh\necho "fake ${version}: $*"\n`);
  chmodSync(join(mirror, rel), 0o755);
  writeFileSync(join(mirror, rel, "..", "LICENSE.txt"), "not a provider\n");
  return { mirror, rel };
}

it("puts a launcher at each provider's path that runs it with its arguments; one per mirror content", () => {
  const { mirror, rel } = fakeMirror("1.0.0");
  const launchers = launchersOf(mirror);
  expect(launchers.startsWith(join(ROOT, ".run", "provider-launchers"))).toBe(true);
  const run = spawnSync(join(launchers, rel), ["-debug", "two words"], { encoding: "utf8" });
  expect(run.stdout).toBe("fake 1.0.0: -debug two words\n");
  expect(readFileSync(join(launchers, rel), "utf8").length).toBeLessThan(300);
  expect(launchersOf(mirror)).toBe(launchers);

  // A provider replaced (another size) or added: another launcher mirror, holding every provider.
  writeFileSync(join(mirror, rel), `#!/bin/sh\necho "fake 1.0.0 rebuilt: $*"\n`);
  const rebuilt = launchersOf(mirror);
  expect(rebuilt).not.toBe(launchers);
  expect(spawnSync(join(rebuilt, rel), ["x"], { encoding: "utf8" }).stdout).toBe("fake 1.0.0 rebuilt: x\n");
});

it("gives the mirror itself when it holds no provider", () => {
  const empty = mkdtempSync(join(tmpdir(), "fx-mirror-"));
  made.push(empty);
  expect(launchersOf(empty)).toBe(empty);
});

it("is what Terraform installs from only with FIXED_EGRESS_PROVIDER_LAUNCHERS=1, and the real AWS provider runs through it", async () => {
  const config = JSON.stringify({
    terraform: { required_providers: { aws: { source: "hashicorp/aws", version: "5.100.0" } } },
    provider: { aws: [{ region: "ap-northeast-1", skip_credentials_validation: true, skip_requesting_account_id: true }] },
    resource: { aws_vpc: { v: { cidr_block: "10.0.0.0/16" } } },
  });
  const installed = async (launchers: string) => {
    const dir = mkdtempSync(join(tmpdir(), "fx-launch-"));
    made.push(dir);
    writeFileSync(join(dir, "main.tf.json"), config);
    const env = { FIXED_EGRESS_PROVIDER_LAUNCHERS: launchers };
    await terraform(dir, ["init", "-input=false", "-no-color"], { env });
    return { dir, env, at: readlinkSync(join(dir, ".terraform/providers/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64")) };
  };
  const through = await installed("1");
  expect(through.at.startsWith(join(ROOT, ".run", "provider-launchers"))).toBe(true);
  expect((await terraform(through.dir, ["validate", "-no-color"], { env: through.env })).stdout).toMatch(/The configuration is valid/);
  const real = await installed("0");
  expect(real.at.includes("provider-launchers")).toBe(false);
});
