/**
 * The constructs' import and moved blocks (constructs/address-blocks.ts): the same JSON, HCL and metadata as cdktf's
 * `importFrom` and `moveFromId`, and no `terraform version` run at synth, which those two add to every synth.
 */
import { execFileSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { importInto, moveFrom } from "../../constructs/address-blocks";
import { ROOT } from "../helpers/config";

/** A stack of one subnet, imported and moved from an old address by cdktf's methods or by ours: every file of the stack. */
function synthOne(way: "cdktf" | "ours", hclOutput: boolean): Record<string, string> {
  const outdir = mkdtempSync(join(tmpdir(), "fixed-egress-blocks-"));
  const app = new App({ outdir, hclOutput, skipValidation: true });
  const stack = new TerraformStack(app, "s");
  new AwsProvider(stack, "aws", { region: "ap-northeast-1" });
  const subnet = new Subnet(stack, "subnet", { vpcId: "vpc-1", cidrBlock: "10.0.0.0/24" });
  if (way === "cdktf") {
    subnet.importFrom("subnet-0123");
    subnet.moveFromId("aws_subnet.subnet-0");
  } else {
    importInto(subnet, "subnet-0123");
    moveFrom(subnet, "aws_subnet.subnet-0");
  }
  app.synth();
  const dir = join(outdir, "stacks", "s");
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), "utf8")]));
}

describe("import and moved blocks", () => {
  it.each([false, true])("are written as cdktf's importFrom and moveFromId write them (hclOutput %s), metadata included", (hcl) => {
    const ours = synthOne("ours", hcl);
    expect(ours).toEqual(synthOne("cdktf", hcl));
    if (!hcl) {
      const json = JSON.parse(ours["cdk.tf.json"]);
      expect(json.import).toEqual([{ id: "subnet-0123", to: "aws_subnet.subnet" }]);
      expect(json.moved).toEqual([{ from: "aws_subnet.subnet-0", to: "aws_subnet.subnet" }]);
    }
  });

  it("the app's synth runs no `terraform version` (cdktf's checks ran it once per synth of a network with moved blocks, once per import)", () => {
    // A terraform first on PATH that counts its calls, in a process of its own (jest's process.env is not the child's).
    const bin = mkdtempSync(join(tmpdir(), "fixed-egress-fake-terraform-"));
    writeFileSync(join(bin, "terraform"), `#!/bin/sh\necho "$@" >> "${bin}/calls"\necho "Terraform v1.11.4"\n`, { mode: 0o755 });
    const calls = () => (existsSync(join(bin, "calls")) ? readFileSync(join(bin, "calls"), "utf8").trim().split("\n").length : 0);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const synth = (code: string) => execFileSync(process.execPath, ["--import", "tsx", "-e", code], { cwd: ROOT, env, stdio: "pipe" });
    // The fake is found: cdktf's own moved block runs it.
    synth(`const { App, TerraformStack } = require("cdktf"); const { Subnet } = require("@cdktf/provider-aws/lib/subnet"); const app = new App({ outdir: "${mkdtempSync(join(tmpdir(), "fixed-egress-blocks-"))}" }); const s = new TerraformStack(app, "s"); new (require("@cdktf/provider-aws/lib/provider").AwsProvider)(s, "aws", { region: "ap-northeast-1" }); new Subnet(s, "subnet", { vpcId: "vpc-1", cidrBlock: "10.0.0.0/24" }).moveFromId("aws_subnet.old"); app.synth();`);
    expect(calls()).toBe(1);
    execFileSync(process.execPath, ["scripts/app.js"], { cwd: ROOT, env: { ...env, CDKTF_OUTDIR: mkdtempSync(join(tmpdir(), "fixed-egress-app-")) }, stdio: "pipe" });
    expect(calls()).toBe(1);
  });
});
