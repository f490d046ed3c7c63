/**
 * npm run bench: prints figures (not a test). Median of BENCH_RUNS runs (default 5) each:
 * synth of the whole app as shipped vs the naive cdktf style (ts-node with type-checking and the
 * @cdktf/provider-aws package barrel loaded), `cdktf synth`, the unit suite, the Lambda bundles,
 * deploy/destroy of both stacks on an emulator of its own, and (once, BENCH_MAKE_TEST=0 skips it) the whole
 * `make test` as CI runs it, its installs already done; the packed guard on 10,000- and 50,000-resource plans;
 * the CPU of a Terraform command that loads the provider, with and without the tests' launchers, and of a job's
 * process, bundled and through tsx.
 */
import { execFileSync } from "child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { cpus, tmpdir, totalmem } from "os";
import { join } from "path";
import { DEFAULT_EXTERNAL, bundleNodeFunction } from "@fixed-egress/constructs";
import { PROBE_ENTRY, UNUSED_DRIVERS } from "../stacks/app-stack";
import { reviewSeconds } from "./guard-bench";
import { Sample, jobStartCpu, measure, median, providerLoadCpu } from "./bench-measure";

const ROOT = join(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const work = mkdtempSync(join(tmpdir(), "fixed-egress-bench-"));

function repeat(n: number, f: (i: number) => Sample): Pick<Sample, "seconds" | "maxRssMb"> {
  const samples = Array.from({ length: n }, (_, i) => f(i));
  return { seconds: median(samples.map((s) => s.seconds)), maxRssMb: median(samples.map((s) => s.maxRssMb)) };
}
const fmt = (s: Pick<Sample, "seconds" | "maxRssMb">) => `${s.seconds.toFixed(2)} s, ${s.maxRssMb.toFixed(0)} MB peak RSS`;
const line = (label: string, value: string, target?: string) =>
  process.stdout.write(`${label.padEnd(40)} ${value}${target ? `   (target ${target})` : ""}\n`);

function main(): void {
  process.stdout.write(`fixed-egress bench: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, node ${process.version}, median of ${RUNS} runs\n\n`);

  // The naive style loads the workspace packages as installed, compiled (their dist/ folders, which a clean tree lacks).
  execFileSync("npm", ["run", "-s", "build"], { cwd: ROOT, stdio: "ignore" });
  const outdir = (tag: string, i: number) => ({ CDKTF_OUTDIR: join(work, `${tag}-${i}`) });
  const shipped = repeat(RUNS, (i) => measure(["node", "scripts/app.js"], outdir("shipped", i)));
  // The baseline as the cdktf examples run it: ts-node type-checks, and the provider barrel is loaded.
  const naive = repeat(RUNS, (i) => measure(["node", "-r", "ts-node/register", "-e", 'require("@cdktf/provider-aws"); require("./main.ts")'], outdir("naive", i)));
  line("synth, as shipped (scripts/app.js)", fmt(shipped));
  line("synth, naive (ts-node + provider barrel)", fmt(naive));
  const speed = naive.seconds / shipped.seconds;
  const memory = naive.maxRssMb / shipped.maxRssMb;
  line("  ratio: faster", `${speed.toFixed(1)}x`, ">= 8x");
  line("  ratio: less memory", `${memory.toFixed(1)}x`, ">= 5x");

  const cdktfSynth = repeat(RUNS, (i) => measure(["cdktf", "synth", "--output", join(work, `cli-${i}`)]));
  line("cdktf synth (CLI, both stacks)", fmt(cdktfSynth), "<= 3 s");

  // The packed guard on large plans (built above): 0.1.1 took 1.0 s and 3.3 s on 10,000 and 50,000 resources; the model may cost at most 1.5x.
  for (const [n, target] of [[10000, "<= 1.5 s"], [50000, "<= 5.0 s"]] as const) {
    for (const reaching of [false, true]) {
      const r = reviewSeconds(n, RUNS, reaching);
      line(`guard review, ${n} resources${reaching ? " + routes" : ""}`, `${r.seconds.toFixed(2)} s (${r.megabytes.toFixed(0)} MB plan)`, target);
    }
  }

  const load = providerLoadCpu(RUNS);
  line("terraform show -json, provider as mirrored", `${load.mirror.toFixed(2)} CPU-s`);
  line("  through the tests' launchers", `${load.launchers.toFixed(2)} CPU-s (${(load.mirror - load.launchers).toFixed(2)} less)`);
  const job = jobStartCpu(RUNS);
  line("a job's process (cost), as make runs it", `${job.bundled.toFixed(2)} CPU-s (scripts/jobs.js)`);
  line("  through tsx (node --import tsx)", `${job.tsx.toFixed(2)} CPU-s (${(job.tsx - job.bundled).toFixed(2)} more)`);

  const unit = repeat(RUNS, () => measure(["npx", "jest", "__tests__/unit", "--silent"]));
  line("unit suite (jest __tests__/unit)", `${unit.seconds.toFixed(2)} s`);

  for (const [engine, exclude] of Object.entries(UNUSED_DRIVERS)) {
    const b = bundleNodeFunction(PROBE_ENTRY, { external: [...DEFAULT_EXTERNAL, ...exclude] });
    line(`Lambda bundle, ${engine} (zipped)`, `${(b.sizeBytes / 1024).toFixed(1)} KiB`, engine === "postgres" ? "<= 300 KB" : undefined);
  }

  const runDir = join(work, "moto");
  const emuEnv = { ...process.env, FIXED_EGRESS_RUN_DIR: runDir, FIXED_EGRESS_EMULATOR_PORT: "auto" };
  execFileSync(join(ROOT, "scripts", "emulator.sh"), ["start"], { env: emuEnv, stdio: "ignore" });
  try {
    const port = readFileSync(join(runDir, "moto.port"), "utf8").trim();
    const config = JSON.parse(readFileSync(join(ROOT, "config", "local.json"), "utf8"));
    config.emulator.endpoint = `http://127.0.0.1:${port}`;
    const file = join(work, "bench.json");
    writeFileSync(file, JSON.stringify(config));
    const jobEnv = { FIXED_EGRESS_CONFIG: file, FIXED_EGRESS_OUTDIR: join(work, "cdktf.out"), FIXED_EGRESS_RUN_DIR: join(work, "run") };
    const deploys: Sample[] = [];
    const destroys: Sample[] = [];
    const stackSeconds: Record<string, number[]> = {};
    for (let i = 0; i < RUNS; i++) {
      const deploy = measure(["node", "scripts/jobs.js", "deploy"], jobEnv);
      deploys.push(deploy);
      // each stack's plan, review and apply of the saved plan, as the job reports it
      for (const m of deploy.stdout.matchAll(/^ {4}(\S+): Apply complete!.*planned, reviewed and applied in ([\d.]+) s/gm)) {
        (stackSeconds[m[1]] ??= []).push(Number(m[2]));
      }
      destroys.push(measure(["node", "scripts/jobs.js", "destroy"], jobEnv));
    }
    line("deploy both stacks on the emulator", `${median(deploys.map((s) => s.seconds)).toFixed(1)} s (make demo's job: bootstrap, synth, init, plan, review, apply)`, "<= 60 s");
    const perStack = Object.entries(stackSeconds).map(([stack, xs]) => [stack, median(xs)] as const);
    for (const [stack, secs] of perStack) line(`  ${stack}: plan, review, apply`, `${secs.toFixed(1)} s`);
    line("  both stacks", `${perStack.reduce((sum, [, secs]) => sum + secs, 0).toFixed(1)} s`, "<= 45 s");
    line("destroy both stacks on the emulator", `${median(destroys.map((s) => s.seconds)).toFixed(1)} s`, "<= 30 s");
  } finally {
    execFileSync(join(ROOT, "scripts", "emulator.sh"), ["stop"], { env: emuEnv, stdio: "ignore" });
  }
  if (process.env.BENCH_MAKE_TEST !== "0") {
    // One run: every suite, four workers, with the virtualenvs and node_modules in place.
    const suite = measure(["make", "-s", "test"], { CI: "true" });
    line("make test (every suite, installed)", `${suite.seconds.toFixed(0)} s`, "<= 480 s");
  }
  rmSync(work, { recursive: true, force: true });
}

main();
