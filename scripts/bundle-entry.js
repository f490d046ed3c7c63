// Loads one of the app's TypeScript entries as plain JavaScript: esbuild bundles our code (node_modules load as
// usual) into .build/<name> in tens of milliseconds and the bundle is required, instead of a TypeScript loader
// compiling module by module in every process (`node --import tsx`: about 0.7 CPU-s more per job; npm run bench).
// The type-check is `make typecheck`, which `make test` runs. Used by scripts/app.js (cdktf's app) and
// scripts/jobs.js (the jobs).
const { buildSync } = require("esbuild");
const { mkdirSync, renameSync, writeFileSync } = require("fs");
const { join } = require("path");

const root = join(__dirname, "..");

/** Bundles `entry` (relative to the project) to .build/`name` and returns its exports. */
function load(entry, name) {
  const out = join(root, ".build", name);
  const result = buildSync({
    entryPoints: [join(root, entry)],
    bundle: true,
    packages: "external",
    platform: "node",
    target: "node20",
    format: "cjs",
    outfile: out,
    // The packages are workspace packages; bundle their TypeScript source like the app's own (tsconfig's paths).
    alias: { "@fixed-egress/constructs": join(root, "constructs", "index.ts"), "@fixed-egress/guard": join(root, "guard", "index.ts") },
    sourcemap: "inline",
    logLevel: "error",
    write: false,
  });
  // Written under this process's name, then renamed: concurrent processes never load a half-written file.
  mkdirSync(join(root, ".build"), { recursive: true });
  const mine = `${out}.${process.pid}`;
  writeFileSync(mine, result.outputFiles[0].contents);
  renameSync(mine, out);
  return require(out);
}

module.exports = { load };
