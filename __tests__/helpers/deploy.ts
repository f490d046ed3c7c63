/** Real Terraform against the emulator: synth a config, apply/plan/destroy its stacks with remote S3 state. */
import { writeFileSync } from "fs";
import { basename, join } from "path";
import type { AppConfig } from "../../stacks";
import { bootstrapState } from "../../jobs/bootstrap-state";
import { synthApp, SynthesizedApp } from "./app";
import { LOCAL_CONFIG, derivedConfig } from "./config";
import { outputsIn, terraform } from "./terraform";

export interface Deployment {
  readonly config: AppConfig;
  readonly synth: SynthesizedApp;
  /** synthesizes another config of the same environment into the same folders (state and init kept) */
  resynth(config: AppConfig): Promise<void>;
  /** `terraform init` of a stack folder, once (for a test that runs Terraform there itself) */
  init(which: "network" | "app"): Promise<void>;
  apply(which: "network" | "app"): Promise<void>;
  outputs(which: "network" | "app"): Promise<Record<string, any>>;
  /** `terraform show -json` of a fresh plan, written to <stack dir>/<stack>.plan.json; returns the path */
  planJsonFile(which: "network" | "app"): Promise<string>;
  /** applies the plan the last planJsonFile saved (review.tfplan): what was reviewed, without planning again */
  applyReviewed(which: "network" | "app"): Promise<void>;
  /** exit code of `plan -detailed-exitcode`: 0 no changes, 2 changes */
  planExitCode(which: "network" | "app"): Promise<number>;
  destroy(which: "network" | "app"): Promise<void>;
  /** destroys whatever was applied, app first; never throws (for cleanup) */
  cleanup(): Promise<void>;
}

/** A config derived from local.json, pointed at `endpoint`, with its own name (stack names, state keys). */
export function emulatorConfig(endpoint: string, name: string, edit: (c: any) => void = () => undefined): AppConfig {
  return derivedConfig(LOCAL_CONFIG, (c) => {
    c.name = name;
    c.emulator = { endpoint };
    c.backend.bucket = "fixed-egress-e2e-state";
    edit(c);
  });
}

export async function prepare(config: AppConfig): Promise<Deployment> {
  await bootstrapState(config, () => undefined);
  const synth = synthApp(config);
  const inited = new Set<string>();
  const applied = new Set<"network" | "app">();
  const dir = (w: "network" | "app") => synth.stackDir(w);
  const init = async (w: "network" | "app") => {
    if (inited.has(w)) return;
    await terraform(dir(w), ["init", "-input=false", "-no-color"]);
    inited.add(w);
  };
  const d: Deployment = {
    config,
    synth,
    resynth: async (next) => {
      synthApp(next, synth.outdir);
    },
    init,
    apply: async (w) => {
      await init(w);
      applied.add(w);
      await terraform(dir(w), ["apply", "-auto-approve", "-input=false", "-no-color"]);
    },
    outputs: (w) => outputsIn(dir(w)),
    planJsonFile: async (w) => {
      await init(w);
      await terraform(dir(w), ["plan", "-input=false", "-no-color", "-out=review.tfplan"]);
      const show = await terraform(dir(w), ["show", "-json", "review.tfplan"]);
      const file = join(dir(w), `${basename(dir(w))}.plan.json`);
      writeFileSync(file, show.stdout);
      return file;
    },
    applyReviewed: async (w) => {
      applied.add(w);
      await terraform(dir(w), ["apply", "-input=false", "-no-color", "review.tfplan"]);
    },
    planExitCode: async (w) => {
      await init(w);
      const r = await terraform(dir(w), ["plan", "-detailed-exitcode", "-input=false", "-no-color"], { allowFail: true });
      if (r.code === 1) throw new Error(`plan of ${w} failed:\n${r.stderr}`);
      return r.code;
    },
    destroy: async (w) => {
      await init(w);
      await terraform(dir(w), ["destroy", "-auto-approve", "-input=false", "-no-color"]);
      applied.delete(w);
    },
    cleanup: async () => {
      for (const w of ["app", "network"] as const) {
        if (applied.has(w)) await d.destroy(w).catch((err) => console.error(`cleanup of ${w}: ${err.message}`));
      }
    },
  };
  return d;
}
