import { lstatSync, mkdtempSync, readFileSync, readdirSync } from "fs";
import { tmpdir } from "os";
import { join, relative } from "path";
import { App } from "cdktf";
import { buildStacks, stackNames } from "../../stacks";
import type { AppConfig } from "../../stacks";
import type { Json } from "./synth";

export interface SynthesizedApp {
  readonly outdir: string;
  readonly network: Json;
  readonly app: Json;
  readonly stackDir: (which: "network" | "app") => string;
}

/** Synthesizes both stacks of a config into a fresh folder, as `cdktf synth` does. */
export function synthApp(config: AppConfig, outdir = mkdtempSync(join(tmpdir(), "fixed-egress-synth-"))): SynthesizedApp {
  const app = new App({ outdir });
  buildStacks(app, config);
  app.synth();
  const names = stackNames(config);
  const stackDir = (which: "network" | "app") => join(outdir, "stacks", names[which]);
  const read = (which: "network" | "app") => JSON.parse(readFileSync(join(stackDir(which), "cdk.tf.json"), "utf8"));
  return { outdir, network: read("network"), app: read("app"), stackDir };
}

/** Every file below `dir` with its bytes, keyed by relative path; Terraform's own .terraform folders and links are left out. */
export function filesOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) =>
    readdirSync(d).forEach((name) => {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory() && name !== ".terraform") walk(p);
      else if (st.isFile()) out[relative(dir, p)] = readFileSync(p).toString("base64");
    });
  walk(dir);
  return out;
}
