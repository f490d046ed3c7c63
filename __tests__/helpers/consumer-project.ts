/**
 * Consumer projects of the packed library (on cdktf, or on CDK Terrain: cdktn, @cdktn/provider-aws for aws 6): the
 * registry's packages installed once per user into the fixed-egress cache (keyed by their versions; a provider
 * package alone unpacks to some 360 MB), and linked into a fresh project folder; the library's own tarball is
 * unpacked there, as npm would install it.
 */
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { homedir } from "os";
import { join } from "path";

/** What a team on CDK Terrain installs beside the library (issue of record: cdktn 0.24, @cdktn/provider-aws 25.x). */
export const CDKTN_PACKAGES: Record<string, string> = {
  cdktn: "0.24.0",
  "@cdktn/provider-aws": "25.7.0",
  constructs: "10.7.0",
  typescript: "5.9.3",
  "@types/node": "24.10.1",
  // the library's own dependencies, as its package.json names them
  esbuild: "0.25.12",
  fflate: "0.8.2",
};

/** The cached node_modules holding `packages` (name → exact version), installed on first use, one per set. */
export function cachedPackages(name: string, packages: Record<string, string>): string {
  const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "fixed-egress");
  const key = createHash("sha256").update(JSON.stringify(packages)).digest("hex").slice(0, 12);
  const root = join(cache, `${name}-${key}`);
  if (existsSync(join(root, ".complete"))) return join(root, "node_modules");
  mkdirSync(cache, { recursive: true });
  const aside = mkdtempSync(join(cache, "cdktn-install-"));
  writeFileSync(join(aside, "package.json"), JSON.stringify({ name: `${name}-packages`, private: true, dependencies: packages }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", "--engine-strict=false"], { cwd: aside, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_update_notifier: "false" } });
  writeFileSync(join(aside, ".complete"), "");
  try {
    renameSync(aside, root);
  } catch {
    rmSync(aside, { recursive: true, force: true }); // another run put it in place first
  }
  return join(root, "node_modules");
}

/** `dir` becomes a project whose node_modules links every cached package and holds the library from `tarball`. */
export function projectWith(dir: string, tarball: string, packages: string): { tsc: string } {
  const modules = join(dir, "node_modules");
  mkdirSync(join(modules, "@fixed-egress"), { recursive: true });
  for (const entry of readdirSync(packages)) {
    if (entry.startsWith("@")) {
      mkdirSync(join(modules, entry), { recursive: true });
      for (const scoped of readdirSync(join(packages, entry))) symlinkSync(join(packages, entry, scoped), join(modules, entry, scoped));
    } else if (entry !== ".package-lock.json") symlinkSync(join(packages, entry), join(modules, entry));
  }
  execFileSync("tar", ["-xzf", tarball, "-C", join(modules, "@fixed-egress")]);
  renameSync(join(modules, "@fixed-egress", "package"), join(modules, "@fixed-egress", "constructs"));
  return { tsc: join(packages, "typescript", "bin", "tsc") };
}

export const cdktnProject = (dir: string, tarball: string) => projectWith(dir, tarball, cachedPackages("cdktn", CDKTN_PACKAGES));
