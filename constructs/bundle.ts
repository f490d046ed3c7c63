import { createHash } from "crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "fs";
import { homedir } from "os";
import { dirname, join, resolve } from "path";
import { buildSync, version as esbuildVersion } from "esbuild";
import { zipSync } from "fflate";
import { LAMBDA_DEFAULTS } from "./lambda-defaults";

/** The Node.js Lambda runtime ships AWS SDK v3; pg-native is an optional binding pg never needs here. */
export const DEFAULT_EXTERNAL = ["@aws-sdk/*", "pg-native"];

export interface BundleOptions {
  /** Modules left out of the bundle. @default DEFAULT_EXTERNAL */
  readonly external?: string[];
  /** Where the archive is written. @default a per-user cache: $XDG_CACHE_HOME (or ~/.cache)/fixed-egress/bundles */
  readonly outDir?: string;
  /** Files packed beside `index.js`: zip name → local path. @default {} */
  readonly files?: Record<string, string>;
  /** The Node.js the code runs on, as esbuild names it. @default - the default runtime's (LAMBDA_DEFAULTS.runtime) */
  readonly target?: string;
}

/** esbuild's target for a Lambda Node.js runtime: `nodejs20.x` → `node20`. */
export const esbuildTarget = (runtime: string): string => {
  const m = /^nodejs(\d+)\.x$/.exec(runtime);
  if (!m) throw new Error(`"${runtime}" is not a Lambda Node.js runtime (nodejsNN.x)`);
  return `node${m[1]}`;
};

/** A cache of the user's own, never a folder shared by every user of the machine. */
export function defaultBundleDir(): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(cache, "fixed-egress", "bundles");
}

export interface Bundle {
  /** a zip holding `index.js` */
  readonly zipPath: string;
  /** base64 SHA-256 of the zip, as Lambda reports it (CodeSha256) */
  readonly sha256Base64: string;
  readonly sizeBytes: number;
}

// A fixed timestamp on the single entry keeps the archive byte-identical for the same source.
// DOS time has no zone; fflate reads local fields, which this constructor also sets locally.
const FIXED_MTIME = new Date(1980, 0, 2, 0, 0, 0);

interface CacheEntry extends Bundle {
  /** every input file of the last build, as "mtimeMs:size" */
  readonly inputs: Record<string, string>;
}

/** Writes a file of this process, then renames it into place: a reader in another process never sees half of it. */
function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

const fingerprint = (file: string): string | undefined => {
  try {
    const st = statSync(file);
    return `${st.mtimeMs}:${st.size}`;
  } catch {
    return undefined;
  }
};

/**
 * Bundles a TypeScript/JavaScript entry with esbuild into a deterministic zip (same source, same bytes,
 * same hash), so Terraform sees no change when nothing changed.
 */
export function bundleNodeFunction(entry: string, options: BundleOptions = {}): Bundle {
  const abs = resolve(entry);
  const external = options.external ?? DEFAULT_EXTERNAL;
  const outDir = options.outDir ?? defaultBundleDir();
  const target = options.target ?? esbuildTarget(LAMBDA_DEFAULTS.runtime);
  // Sorted, so the zip's entry order (and so its bytes) does not depend on how the caller wrote the object.
  const files = Object.entries(options.files ?? {})
    .map(([name, path]) => [name, resolve(path)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const key = createHash("sha256").update(JSON.stringify([abs, external, files, esbuildVersion, target])).digest("hex").slice(0, 16);
  // Like make: when no input file changed since the last build (same mtime and size), its zip is reused.
  const cacheFile = join(outDir, `${key}.json`);
  if (existsSync(cacheFile)) {
    const entry = JSON.parse(readFileSync(cacheFile, "utf8")) as CacheEntry;
    const unchanged = existsSync(entry.zipPath) && Object.entries(entry.inputs).every(([file, print]) => fingerprint(file) === print);
    if (unchanged) return { zipPath: entry.zipPath, sha256Base64: entry.sha256Base64, sizeBytes: entry.sizeBytes };
  }

  const result = buildSync({
    entryPoints: [abs],
    // Paths in the output are relative to this folder, so the bytes do not depend on the caller's cwd.
    absWorkingDir: dirname(abs),
    bundle: true,
    platform: "node",
    target,
    format: "cjs",
    minify: true,
    legalComments: "none",
    external,
    outfile: "index.js",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  const entries: Record<string, [Uint8Array, { mtime: Date; level: 9 }]> = { "index.js": [code, { mtime: FIXED_MTIME, level: 9 }] };
  for (const [name, path] of files) entries[name] = [readFileSync(path), { mtime: FIXED_MTIME, level: 9 }];
  const zip = zipSync(entries);
  const hex = createHash("sha256").update(zip).digest("hex");
  mkdirSync(outDir, { recursive: true });
  const zipPath = join(outDir, `${hex}.zip`);
  writeAtomic(zipPath, zip);
  const bundle = { zipPath, sha256Base64: Buffer.from(hex, "hex").toString("base64"), sizeBytes: zip.length };
  const inputs: Record<string, string> = {};
  for (const file of Object.keys(result.metafile!.inputs)) {
    const full = resolve(dirname(abs), file);
    inputs[full] = fingerprint(full) ?? "missing";
  }
  for (const [, path] of files) inputs[path] = fingerprint(path) ?? "missing";
  writeAtomic(cacheFile, JSON.stringify({ ...bundle, inputs } satisfies CacheEntry));
  return bundle;
}
