import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { loadConfig } from "../../stacks/config";
import type { AppConfig } from "../../stacks/config";

export const ROOT = join(__dirname, "..", "..");
/** The app's jobs as make runs them: `node <JOB_MAIN> <job> [options]` (scripts/jobs.js bundles jobs/main.ts). */
export const JOB_MAIN = join(ROOT, "scripts", "jobs.js");
export const LOCAL_CONFIG = join(ROOT, "config", "local.json");
export const AWS_EXAMPLE = join(ROOT, "config", "example.aws.json");

/** Writes `data` (an object, or raw text) to a fresh temp file and returns its path. */
export function writeTempConfig(data: unknown, name = "config.json"): string {
  const dir = mkdtempSync(join(tmpdir(), "fixed-egress-config-"));
  const file = join(dir, name);
  writeFileSync(file, typeof data === "string" ? data : JSON.stringify(data, null, 2));
  return file;
}

/** A config file's raw JSON with `edit` applied (a deep copy), for derived test configs. */
export function rawConfig(file: string, edit: (c: any) => void = () => undefined): any {
  const c = JSON.parse(readFileSync(file, "utf8"));
  edit(c);
  return c;
}

/** Loads a config derived from `file` by `edit`. */
export function derivedConfig(file: string, edit: (c: any) => void): AppConfig {
  return loadConfig(writeTempConfig(rawConfig(file, edit)));
}
