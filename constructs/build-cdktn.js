#!/usr/bin/env node
/**
 * The CDK Terrain entry point, generated from the cdktf build (dist/) by an import rewrite, never kept by hand:
 * every compiled file copied to dist/cdktn/ with `cdktf` → `cdktn`, `@cdktf/provider-aws/lib/…` →
 * `@cdktn/provider-aws/lib/…`, and provider-compat (aws 5) → provider-compat-v6 (aws 6).
 * Usage: node build-cdktn.js   (npm run build runs it after tsc)
 */
const { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } = require("fs");
const { join, relative } = require("path");

const dist = join(__dirname, "dist");
const out = join(dist, "cdktn");

/** The rewrite, one rule a line: [what the cdktf build says, what the CDK Terrain build says]. */
const REWRITES = [
  [/(require\(|from |import\()(["'])cdktf(["'/])/g, "$1$2cdktn$3"],
  [/(["'])@cdktf\/provider-aws\/lib\//g, "$1@cdktn/provider-aws/lib/"],
  [/(["'])\.\/provider-compat(["'])/g, "$1./provider-compat-v6$2"],
];

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return path === out ? [] : files(path);
    return /\.(js|d\.ts)$/.test(e.name) ? [path] : [];
  });
}

rmSync(out, { recursive: true, force: true });
for (const file of files(dist)) {
  const target = join(out, relative(dist, file));
  mkdirSync(join(target, ".."), { recursive: true });
  writeFileSync(target, REWRITES.reduce((text, [from, to]) => text.replace(from, to), readFileSync(file, "utf8")));
}
