/**
 * make's node_modules (scripts/node-modules.sh): npm ci once per user per lockfile, kept in the user's cache; a
 * checkout gets a hard-linked copy whose relative links (workspace packages) point into itself; a changed
 * lockfile installs anew. Proven on a project of one local package (no registry needed).
 */
import { spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, readlinkSync, realpathSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ROOT } from "../helpers/config";

jest.setTimeout(120_000);
const cache = mkdtempSync(join(tmpdir(), "fx-nm-cache-"));
const env = { ...process.env, XDG_CACHE_HOME: cache, npm_config_update_notifier: "false" };

/** A checkout: a package depending on a workspace-like local package `./lib`. */
function checkout(version = "1.0.0"): string {
  const dir = mkdtempSync(join(tmpdir(), "fx-nm-checkout-"));
  mkdirSync(join(dir, "lib"));
  writeFileSync(join(dir, "lib", "package.json"), JSON.stringify({ name: "lib", version }));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", dependencies: { lib: "file:./lib" } }));
  spawnSync("npm", ["install", "--package-lock-only", "--no-audit", "--no-fund"], { cwd: dir, env });
  return dir;
}
const install = (dir: string) => {
  const r = spawnSync(join(ROOT, "scripts", "node-modules.sh"), [dir], { env, encoding: "utf8" });
  expect(r.status).toBe(0);
  return r.stderr;
};

it("installs once, gives another checkout a copy pointing into itself, and installs anew for a changed lockfile", () => {
  const first = checkout();
  expect(install(first)).not.toMatch(/from the cache/);
  const second = checkout();
  expect(install(second)).toMatch(/^node_modules: from the cache/);
  expect(readlinkSync(join(second, "node_modules", "lib"))).toBe("../lib");
  expect(realpathSync(join(second, "node_modules", "lib"))).toBe(realpathSync(join(second, "lib")));
  expect(install(checkout("2.0.0"))).not.toMatch(/from the cache/);
});
