/** Bundles lambda-src like a synth does and prints the archive's path, size and hash. */
import { bundleNodeFunction } from "../constructs/bundle";
import { PROBE_ENTRY } from "../stacks/app-stack";

const b = bundleNodeFunction(PROBE_ENTRY);
process.stdout.write(`${b.zipPath}\n${(b.sizeBytes / 1024).toFixed(1)} KiB zipped, sha256 ${b.sha256Base64}\n`);
