/** README and docs/: every relative link resolves (file and heading), every `make` target they name exists. */
import { existsSync, readFileSync, readdirSync } from "fs";
import { dirname, join, relative, resolve } from "path";
import { ROOT } from "../helpers/config";

const PAGES = [join(ROOT, "README.md"), ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => join(ROOT, "docs", f))];
const TARGETS = new Set([...readFileSync(join(ROOT, "Makefile"), "utf8").matchAll(/^([a-z][a-z0-9-]*):/gm)].map((m) => m[1]));

/** GitHub's anchor of a heading: lowercase, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
const anchorsOf = (file: string) => new Set([...readFileSync(file, "utf8").matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1])));
/** Text outside fenced code blocks (a `#` in a shell example is no heading, a link in output no link). */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, "");

/** The relative links of `text` (a page at `page`) that lead to no file, or with # to no heading of it. */
function brokenLinks(page: string, text: string): string[] {
  const links = [...prose(text).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
  return links.filter((link) => {
    const [path, anchor] = link.split("#");
    const target = path === "" ? page : resolve(dirname(page), path);
    if (!existsSync(target)) return true;
    return anchor !== undefined && target.endsWith(".md") && !anchorsOf(target).has(anchor);
  });
}

/** The `make` targets `text` names that the Makefile lacks. */
const unknownTargets = (text: string) => [...text.matchAll(/\bmake ([a-z][a-z0-9-]*)/g)].map((m) => m[1]).filter((t) => !TARGETS.has(t));

describe("README and docs/", () => {
  it("has the pages README points to", () => {
    expect(PAGES.map((p) => relative(ROOT, p)).sort()).toEqual(
      ["README.md", "docs/adoption.md", "docs/commands.md", "docs/constructs.md", "docs/egress-ips.md", "docs/emulator.md", "docs/guard.md", "docs/nat.md", "docs/state.md", "docs/tests.md", "docs/troubleshooting.md"].sort(),
    );
  });

  it.each(PAGES.map((p) => [relative(ROOT, p), p]))("%s: every relative link leads to a file and, with #, to a heading in it", (_name, page) => {
    expect(brokenLinks(page, readFileSync(page, "utf8"))).toEqual([]);
  });

  it.each(PAGES.map((p) => [relative(ROOT, p), p]))("%s: every make target it names is in the Makefile", (_name, page) => {
    expect(unknownTargets(readFileSync(page, "utf8"))).toEqual([]);
  });

  it("help, the command sheet, names every npm script, and only make targets and npm scripts that exist", () => {
    const help = readFileSync(join(ROOT, "help"), "utf8");
    const scripts = Object.keys(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>);
    const named = [...help.matchAll(/npm run ([a-z][a-z0-9:-]*)/g)].map((m) => m[1]);
    expect(named.filter((n) => !scripts.includes(n))).toEqual([]);
    expect(scripts.filter((n) => !named.includes(n) && !["test", "pretest"].includes(n) && !help.includes(`npm run ${n.split(":")[0]}`) && !help.includes(n))).toEqual([]);
    expect(unknownTargets(help)).toEqual([]);
  });

  it("would catch a link to a missing page, to a missing heading, and an unknown target; links in code are no links", () => {
    const page = join(ROOT, "README.md");
    const text = "[ok](docs/guard.md#the-guard-in-your-pipeline) [gone](docs/nonexistent.md) [typo](docs/guard.md#the-guard-in-your-pipelines)\n```\n[in code](nowhere.md)\n```\nrun make deploy, then make reports\n";
    expect(brokenLinks(page, text)).toEqual(["docs/nonexistent.md", "docs/guard.md#the-guard-in-your-pipelines"]);
    expect(unknownTargets(text)).toEqual(["reports"]);
  });
});
