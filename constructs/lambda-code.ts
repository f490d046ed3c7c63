import { closeSync, existsSync, openSync, readFileSync, readSync } from "fs";
import { createHash } from "crypto";
import { dirname, isAbsolute, join, resolve } from "path";
import { Bundle, DEFAULT_EXTERNAL, bundleNodeFunction, esbuildTarget } from "./bundle";
import { Problem } from "./errors";

export interface EntryOptions {
  /**
   * The folder a relative `entry` (and relative `files`) is resolved against.
   * @default - the folder of the cdktf app's cdktf.json, found above the app's main module; never the current directory
   */
  readonly projectRoot?: string;
  /** Modules the function never loads at run time, left out of the bundle (besides the AWS SDK). @default [] */
  readonly exclude?: string[];
  /** Files packed beside `index.js`, as zip name → path (a CA bundle, for example); under LAMBDA_TASK_ROOT at run time. @default {} */
  readonly files?: Record<string, string>;
}

/** The cdktf project folder: where cdktf.json is, above `from`; undefined when there is none. */
export function findProjectRoot(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "cdktf.json"))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Where the running cdktf app's main module lives (the file `cdktf synth` runs). */
const appMain = (): string | undefined => require.main?.filename ?? process.argv[1];

/**
 * The function's code, as a choice (like aws-cdk's `Code`): bundle an entry with esbuild
 * (`LambdaCode.fromEntry`), or take a ready zip (`LambdaCode.fromZip`). Problems are reported before any
 * construct exists; the zip is produced only when the function is built.
 */
export abstract class LambdaCode {
  /** Bundles `entry` (TypeScript or JavaScript exporting the handler) into a deterministic zip holding `index.js`. */
  public static fromEntry(entry: string, options: EntryOptions = {}): LambdaCode {
    return new EntryCode(entry, options);
  }

  /** A zip made elsewhere; its handler is whatever the zip holds. */
  public static fromZip(path: string, options: { readonly projectRoot?: string } = {}): LambdaCode {
    return new ZipCode(path, options.projectRoot);
  }

  /** What is wrong with this code (a missing file, a relative path with no project to resolve it in); empty when it can be built. */
  public abstract problems(): Problem[];

  /** Builds (or finds) the zip for the function's runtime. Called by PrivateLambda after `problems()` came back empty. */
  public abstract bind(options?: { readonly runtime?: string }): Bundle;
}

/** A relative path resolved against `root` (or the app's project folder), or a sentence saying why it cannot be. */
function locate(field: string, path: string, root: string | undefined): string | Problem {
  if (isAbsolute(path)) return path;
  const base = root ?? (appMain() ? findProjectRoot(dirname(appMain()!)) : undefined);
  if (!base) return { field, message: `"${path}" is relative and no cdktf.json was found above the app (${appMain() ?? "unknown"}); give an absolute path or options.projectRoot` };
  return resolve(base, path);
}

class EntryCode extends LambdaCode {
  constructor(private readonly entry: string, private readonly options: EntryOptions) {
    super();
  }

  private paths(): { entry: string | Problem; files: [string, string | Problem][] } {
    return {
      entry: locate("code.entry", this.entry, this.options.projectRoot),
      files: Object.entries(this.options.files ?? {}).map(([name, path]) => [name, locate(`code.files.${name}`, path, this.options.projectRoot)]),
    };
  }

  public problems(): Problem[] {
    const { entry, files } = this.paths();
    const out: Problem[] = [];
    if (typeof entry !== "string") out.push(entry);
    else if (!existsSync(entry)) out.push({ field: "code.entry", message: `"${entry}" does not exist; give the path of the handler's source file` });
    for (const [name, path] of files) {
      if (typeof path !== "string") out.push(path);
      else if (!existsSync(path)) out.push({ field: `code.files.${name}`, message: `"${path}" does not exist; give the path of a file to pack beside the handler` });
    }
    return out;
  }

  public bind(options: { readonly runtime?: string } = {}): Bundle {
    const { entry, files } = this.paths();
    return bundleNodeFunction(entry as string, {
      // The code is built for the Node.js it runs on.
      target: options.runtime === undefined ? undefined : esbuildTarget(options.runtime),
      external: [...DEFAULT_EXTERNAL, ...(this.options.exclude ?? [])],
      files: Object.fromEntries(files.map(([name, path]) => [name, path as string])),
    });
  }
}

/** The first `n` bytes of a file, as text. */
function fileHead(path: string, n: number): string {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0)).toString("latin1");
  } finally {
    closeSync(fd);
  }
}

class ZipCode extends LambdaCode {
  constructor(private readonly path: string, private readonly projectRoot?: string) {
    super();
  }

  public problems(): Problem[] {
    const path = locate("code", this.path, this.projectRoot);
    if (typeof path !== "string") return [path];
    if (!existsSync(path)) return [{ field: "code", message: `"${path}" does not exist; give the path of a zip holding the handler` }];
    if (fileHead(path, 2) !== "PK") return [{ field: "code", message: `"${path}" is not a zip file; give a zip holding the handler` }];
    return [];
  }

  public bind(): Bundle {
    const path = locate("code", this.path, this.projectRoot) as string;
    const bytes = readFileSync(path);
    return { zipPath: path, sha256Base64: createHash("sha256").update(bytes).digest("base64"), sizeBytes: bytes.length };
  }
}
