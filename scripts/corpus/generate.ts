/**
 * Regenerates the guard's egress corpus on the emulator (outside `make test`, which checks the guard against
 * the saved result): for each network style and each variant, a fresh emulator state, the network applied as
 * it is, the oracle's reading of every subnet's egress, the variant planned (its `terraform show -json` kept as
 * a fixture), applied, and read again. The verdict is the oracle's: egress moved or not.
 * Usage: npx tsx scripts/corpus/generate.ts [style | style/variant …]    (writes __tests__/fixtures/egress-corpus/)
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { execFileSync, spawnSync } from "child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join } from "path";
import { Egress, egressMoved, observe } from "./oracle";
import { VARIANTS, Variant } from "./variants";

const ROOT = join(__dirname, "..", "..");
const OUT = join(ROOT, "__tests__", "fixtures", "egress-corpus");
const TF_ENV = join(ROOT, "scripts", "tf-env.sh");

export interface Verdict {
  readonly style: string;
  readonly variant: string;
  readonly what: string;
  /** the oracle's answer: some private subnet's egress to a probed public destination changed */
  readonly moves: boolean;
  /** what moved: subnet → destination: before ⇒ after */
  readonly evidence: string[];
}

function terraform(dir: string, args: string[]): string {
  const r = spawnSync(TF_ENV, ["terraform", ...args, "-no-color"], { cwd: dir, encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, TF_IN_AUTOMATION: "1" } });
  if (r.status !== 0) throw new Error(`terraform ${args[0]} in ${dir} exited ${r.status}:\n${(r.stderr || r.stdout).slice(-3000)}`);
  return r.stdout;
}

/** The network's files as they are (HCL, or the JSON its cdktf app synthesizes), plus the provider pointed at the emulator. */
function lay(dir: string, style: string, endpoint: string, variant?: Variant) {
  for (const f of readdirSync(dir)) if (!f.startsWith(".terraform") && !f.startsWith("terraform.tfstate")) rmSync(join(dir, f), { recursive: true, force: true });
  writeFileSync(join(dir, "emulator.aws-config"), `[profile emulator]\nendpoint_url = ${endpoint}\n`);
  const app = join(__dirname, "networks", style, "app.ts");
  if (existsSync(app)) {
    const out = mkdtempSync(join(tmpdir(), "fx-corpus-synth-"));
    execFileSync(process.execPath, ["--import", "tsx", app, out, variant?.synth ?? ""], { cwd: ROOT, stdio: "ignore" });
    cpSync(join(out, "stacks", "net", "cdk.tf.json"), join(dir, "main.tf.json"));
    rmSync(out, { recursive: true, force: true });
    return;
  }
  cpSync(join(__dirname, "networks", style), dir, { recursive: true });
  writeFileSync(
    join(dir, "emulator.tf"),
    'provider "aws" {\n  region = "ap-northeast-1"\n  access_key = "test"\n  secret_key = "test"\n  shared_config_files = ["emulator.aws-config"]\n  profile = "emulator"\n  skip_credentials_validation = true\n  skip_requesting_account_id = true\n  skip_metadata_api_check = true\n}\n',
  );
  for (const [file, from, to] of variant?.edits ?? []) {
    const text = readFileSync(join(dir, file), "utf8");
    if (!text.includes(from)) throw new Error(`${style}/${variant!.name}: ${file} has no text ${JSON.stringify(from.slice(0, 60))}…`);
    writeFileSync(join(dir, file), text.replace(from, to));
  }
  for (const [file, content] of Object.entries(variant?.add ?? {})) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
}

async function main() {
  const asked = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(VARIANTS);
  const wanted = (style: string, variant: string) => asked.some((a) => a === style || a === `${style}/${variant}`);
  const styles = Object.keys(VARIANTS).filter((style) => VARIANTS[style].some((v) => wanted(style, v.name)));
  // The constructs' network is synthesized from the workspace package as another team installs it (compiled).
  execFileSync("npm", ["run", "-s", "build", "-w", "@fixed-egress/constructs"], { cwd: ROOT, stdio: "ignore" });
  const runDir = mkdtempSync(join(tmpdir(), "fx-corpus-moto-"));
  const env = { ...process.env, FIXED_EGRESS_RUN_DIR: runDir, FIXED_EGRESS_EMULATOR_PORT: "auto" };
  execFileSync(join(ROOT, "scripts", "emulator.sh"), ["start"], { env, stdio: "ignore" });
  const endpoint = `http://127.0.0.1:${readFileSync(join(runDir, "moto.port"), "utf8").trim()}`;
  const ec2 = new EC2Client({ region: "ap-northeast-1", endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const verdictsFile = join(OUT, "verdicts.json");
  const kept: Verdict[] = existsSync(verdictsFile) ? (JSON.parse(readFileSync(verdictsFile, "utf8")) as Verdict[]).filter((v) => !wanted(v.style, v.variant)) : [];
  const verdicts: Verdict[] = [];
  try {
    for (const style of styles) {
      const dir = mkdtempSync(join(tmpdir(), `fx-corpus-${style}-`));
      mkdirSync(join(OUT, style), { recursive: true });
      lay(dir, style, endpoint);
      terraform(dir, ["init", "-input=false"]);
      for (const variant of VARIANTS[style].filter((v) => wanted(style, v.name))) {
        const started = Date.now();
        await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
        rmSync(join(dir, "terraform.tfstate"), { force: true });
        rmSync(join(dir, "terraform.tfstate.backup"), { force: true });
        lay(dir, style, endpoint);
        terraform(dir, ["apply", "-auto-approve", "-input=false"]);
        const before: Egress = await observe(ec2);
        lay(dir, style, endpoint, variant);
        terraform(dir, ["plan", "-input=false", "-out=variant.tfplan"]);
        writeFileSync(join(OUT, style, `${variant.name}.plan.json`), terraform(dir, ["show", "-json", "variant.tfplan"]));
        try {
          terraform(dir, ["apply", "-input=false", "variant.tfplan"]);
        } catch (err) {
          // hashicorp/terraform-provider-aws#43265 (5.100): a NAT Gateway's first secondary address stops the apply
          // with "inconsistent final plan"; the provider's own advice, a second apply, completes it.
          if (!/Provider produced inconsistent final plan/.test((err as Error).message)) throw err;
          terraform(dir, ["apply", "-auto-approve", "-input=false"]);
        }
        const evidence = egressMoved(before, await observe(ec2));
        verdicts.push({ style, variant: variant.name, what: variant.what, moves: evidence.length > 0, evidence });
        process.stdout.write(`${style}/${variant.name}: ${evidence.length > 0 ? "moves egress" : "egress unchanged"} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
      }
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    execFileSync(join(ROOT, "scripts", "emulator.sh"), ["stop"], { env, stdio: "ignore" });
  }
  const all = [...kept, ...verdicts].sort((a, b) => `${a.style}/${a.variant}`.localeCompare(`${b.style}/${b.variant}`));
  writeFileSync(verdictsFile, `${JSON.stringify(all, null, 2)}\n`);
}

main().catch((err) => {
  process.stderr.write(`corpus: ${(err as Error).message}\n`);
  process.exit(1);
});
