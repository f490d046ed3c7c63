/**
 * The virtualenvs of the emulator and the scanner (scripts/venv-cache.sh): built once per user per requirements
 * file in the user's cache and linked into the checkout; reused by a second checkout; a changed requirements
 * file builds a new one and the link follows it.
 */
import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ROOT } from "../helpers/config";

jest.setTimeout(120_000);
const cache = mkdtempSync(join(tmpdir(), "fx-venv-cache-"));
const requirements = join(cache, "requirements.txt");
/** One checkout's install: sources the script and links `<checkout>/.venv`; returns its stderr and the link. */
function install(checkout: string) {
  const r = spawnSync("bash", ["-c", `set -euo pipefail; . "${ROOT}/scripts/venv-cache.sh"; cached_venv "${requirements}" "${checkout}/.venv" test`], { env: { ...process.env, XDG_CACHE_HOME: cache }, encoding: "utf8" });
  expect(r.status).toBe(0);
  return { said: r.stderr, link: readlinkSync(join(checkout, ".venv")) };
}

it("builds once, reuses it from another checkout, and builds anew when the requirements change", () => {
  // No package to fetch: what is proven is when a virtualenv is built and which one a checkout gets.
  writeFileSync(requirements, "# nothing pinned yet\n");
  const first = install(mkdtempSync(join(tmpdir(), "fx-checkout-")));
  expect(first.said).toMatch(/^test: building its virtualenv \(requirements\.txt\) in /);
  expect(first.link.startsWith(join(cache, "fixed-egress", "venvs", "test-"))).toBe(true);
  expect(existsSync(join(first.link, "bin", "python"))).toBe(true);
  const again = install(mkdtempSync(join(tmpdir(), "fx-checkout-")));
  expect(again).toEqual({ said: "", link: first.link });
  writeFileSync(requirements, "# nothing pinned yet\n# a changed pin\n");
  const changed = install(mkdtempSync(join(tmpdir(), "fx-checkout-")));
  expect(changed.said).toMatch(/building its virtualenv/);
  expect(changed.link).not.toBe(first.link);
});
