/** Bundles lambda-src as a synth does, once per database engine, and prints each archive's path, size and hash. */
import { DEFAULT_EXTERNAL, bundleNodeFunction } from "@fixed-egress/constructs";
import { PROBE_ENTRY, UNUSED_DRIVERS } from "../stacks/app-stack";

for (const [engine, exclude] of Object.entries(UNUSED_DRIVERS)) {
  const b = bundleNodeFunction(PROBE_ENTRY, { external: [...DEFAULT_EXTERNAL, ...exclude] });
  process.stdout.write(`${engine}: ${(b.sizeBytes / 1024).toFixed(1)} KiB zipped, sha256 ${b.sha256Base64}, ${b.zipPath}\n`);
}
