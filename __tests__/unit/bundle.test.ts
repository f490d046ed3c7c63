import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { unzipSync } from "fflate";
import { bundleNodeFunction } from "../../constructs/bundle";

describe("bundleNodeFunction", () => {
  const dir = mkdtempSync(join(tmpdir(), "fixed-egress-bundle-test-"));
  const outDir = join(dir, "out");
  const entry = join(dir, "index.ts");
  const helper = join(dir, "helper.ts");

  it("bundles the entry and its imports into a zip holding index.js", () => {
    writeFileSync(helper, "export const greeting = (n: string): string => `hello ${n}`;\n");
    writeFileSync(entry, 'import { greeting } from "./helper";\nexport const handler = async () => greeting("probe");\n');
    const b = bundleNodeFunction(entry, { outDir });
    const files = unzipSync(readFileSync(b.zipPath));
    expect(Object.keys(files)).toEqual(["index.js"]);
    const mod = { exports: {} as { handler: () => Promise<string> } };
    new Function("module", "exports", "require", Buffer.from(files["index.js"]).toString())(mod, mod.exports, require);
    return expect(mod.exports.handler()).resolves.toBe("hello probe");
  });

  it("gives the same bytes and hash for the same source, even when its files are touched", () => {
    const a = bundleNodeFunction(entry, { outDir });
    utimesSync(helper, new Date(), new Date(Date.now() + 5000));
    const b = bundleNodeFunction(entry, { outDir });
    expect(b.sha256Base64).toBe(a.sha256Base64);
    expect(readFileSync(b.zipPath)).toEqual(readFileSync(a.zipPath));
  });

  it("packs extra files in the same bytes whatever order they are given in, and rebuilds when one changes", () => {
    const a = join(dir, "a.pem");
    const b = join(dir, "b.pem");
    writeFileSync(a, "first\n");
    writeFileSync(b, "second\n");
    // Separate folders, so each is a real build and not the cache.
    const one = bundleNodeFunction(entry, { outDir: join(dir, "files-1"), files: { "a.pem": a, "b.pem": b } });
    const two = bundleNodeFunction(entry, { outDir: join(dir, "files-2"), files: { "b.pem": b, "a.pem": a } });
    expect(two.sha256Base64).toBe(one.sha256Base64);
    expect(Object.keys(unzipSync(readFileSync(one.zipPath))).sort()).toEqual(["a.pem", "b.pem", "index.js"]);
    writeFileSync(b, "changed\n");
    utimesSync(b, new Date(), new Date(Date.now() + 5000));
    const three = bundleNodeFunction(entry, { outDir: join(dir, "files-1"), files: { "a.pem": a, "b.pem": b } });
    expect(three.sha256Base64).not.toBe(one.sha256Base64);
    expect(Buffer.from(unzipSync(readFileSync(three.zipPath))["b.pem"]).toString()).toBe("changed\n");
  });

  it("rebuilds when an imported file changes", () => {
    const before = bundleNodeFunction(entry, { outDir });
    writeFileSync(helper, "export const greeting = (n: string): string => `hi ${n}`;\n");
    const after = bundleNodeFunction(entry, { outDir });
    expect(after.sha256Base64).not.toBe(before.sha256Base64);
    expect(Buffer.from(unzipSync(readFileSync(after.zipPath))["index.js"]).toString()).toContain("hi ");
  });
});
