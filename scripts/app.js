// cdktf's app command (cdktf.json): bundles the TypeScript app with esbuild into .build/app.js (our
// code only; node_modules load as usual) and runs it. ~30 ms of transpiling instead of a TypeScript
// loader per synth; the type-check is `make typecheck`, which `make test` runs.
const { buildSync } = require("esbuild");
const { mkdirSync, renameSync, writeFileSync } = require("fs");
const { join } = require("path");

const root = join(__dirname, "..");
const out = join(root, ".build", "app.js");
const result = buildSync({
  entryPoints: [join(root, "main.ts")],
  bundle: true,
  packages: "external",
  platform: "node",
  target: "node20",
  format: "cjs",
  outfile: out,
  // The library is a workspace package; bundle its TypeScript source like the app's own (tsconfig's paths).
  alias: { "@fixed-egress/constructs": join(root, "constructs", "index.ts"), "@fixed-egress/guard": join(root, "guard", "index.ts") },
  sourcemap: "inline",
  logLevel: "error",
  write: false,
});
// Written under this process's name, then renamed: concurrent synths never load a half-written file.
mkdirSync(join(root, ".build"), { recursive: true });
const mine = `${out}.${process.pid}`;
writeFileSync(mine, result.outputFiles[0].contents);
renameSync(mine, out);
require(out);
