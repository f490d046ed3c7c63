/**
 * A stack folder initialized for one backend and then synthesized for another (the emulator on a new port,
 * say): deploy initializes it again for the emulator, and for real AWS stops with one sentence instead of
 * Terraform's "Backend configuration changed". A folder already initialized for the same backend is not
 * initialized again.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { App } from "cdktf";
import { buildStacks, stackNames } from "../../stacks";
import type { AppConfig } from "../../stacks";
import { initializedFor } from "../../jobs/stack-steps";
import { AWS_EXAMPLE, ROOT, derivedConfig } from "../helpers/config";
import { run, terraform } from "../helpers/terraform";

jest.setTimeout(120_000);

const work = mkdtempSync(join(tmpdir(), "fixed-egress-init-"));
const outdir = join(work, "cdktf.out");
const withState = (folder: string, edit: (c: any) => void = () => undefined) =>
  derivedConfig(AWS_EXAMPLE, (c) => {
    c.backend = { type: "local", path: join(work, folder) };
    edit(c);
  });
const synth = (config: AppConfig) => {
  const app = new App({ outdir });
  buildStacks(app, config);
  app.synth();
};

/** initStack of jobs/stack-steps.ts, in a process of its own (its folders come from the environment), its JobError printed as jobs/main.ts prints it. */
const initStack = (config: AppConfig) =>
  run("node", ["--import", "tsx", "-e", `require("./jobs/stack-steps").initStack(${JSON.stringify(config)}, "prod-network", "init-test").catch((e) => { process.stderr.write(e.message + "\\n"); process.exitCode = e.code; })`], {
    env: { FIXED_EGRESS_OUTDIR: outdir, FIXED_EGRESS_RUN_DIR: join(work, "run") },
    cwd: ROOT,
  });

it("for real AWS, stops with one sentence naming both ways to decide", async () => {
  const first = withState("a");
  synth(first);
  await terraform(join(outdir, "stacks", stackNames(first).network), ["init", "-input=false", "-no-color"]);
  const moved = withState("b");
  synth(moved);
  const r = await initStack(moved);
  expect(r.code).toBe(1);
  const rel = join(outdir, "stacks", "prod-network"); // outside the project: shown absolute
  expect(r.stderr.trim()).toBe(
    `prod-network: ${rel} was initialized for another state backend than the config now names. Decide what happens to its state: ` +
      `to copy it to the new backend, run scripts/tf-env.sh terraform -chdir=${rel} init -migrate-state; ` +
      `to use the new backend as it is, run scripts/tf-env.sh terraform -chdir=${rel} init -reconfigure. Then deploy again.`,
  );
});

it("for the emulator, initializes the folder again and says so", async () => {
  const emulated = withState("c", (c) => (c.emulator = { endpoint: "http://127.0.0.1:4599" }));
  synth(emulated);
  const r = await initStack(emulated);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("prod-network: the folder was initialized for another emulator endpoint; initializing it for http://127.0.0.1:4599");
});

it("skips init of a folder already initialized for the same backend and provider, and only then", async () => {
  const config = withState("d");
  synth(config);
  const dir = join(outdir, "stacks", stackNames(config).network);
  await terraform(dir, ["init", "-input=false", "-no-color", "-reconfigure"]);
  expect(initializedFor(dir)).toBe(true);
  // Same backend: initStack runs no Terraform at all (its log is never written).
  const again = await initStack(config);
  expect([again.code, again.stdout, again.stderr]).toEqual([0, "", ""]);
  const stack = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8"));
  const edit = (change: (s: any) => void) => {
    const copy = JSON.parse(JSON.stringify(stack));
    change(copy);
    writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify(copy));
    return initializedFor(dir);
  };
  expect(edit((s) => (s.terraform.backend.local.path = join(work, "elsewhere.tfstate")))).toBe(false);
  expect(edit((s) => (s.terraform.required_providers.aws.version = "5.99.0"))).toBe(false);
  expect(edit(() => undefined)).toBe(true);
  rmSync(join(dir, ".terraform.lock.hcl"));
  expect(initializedFor(dir)).toBe(false);
});
