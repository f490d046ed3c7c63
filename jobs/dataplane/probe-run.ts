/**
 * The probe as Lambda runs it, run in a network namespace instead: the engine's bundle (the very zip the app stack
 * deploys) unpacked into a folder, and its handler called by node inside the namespace with the probe's settings.
 */
import { execFile } from "child_process";
import { mkdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { unzipSync } from "fflate";
import { DEFAULT_EXTERNAL, bundleNodeFunction } from "@fixed-egress/constructs";
import { PROBE_ENTRY, UNUSED_DRIVERS } from "../../stacks/app-stack";
import { PROBE_ENV } from "../../lambda-src/settings";
import type { Engine } from "../../lambda-src/settings";

export interface ProbeOutcome {
  readonly ok: boolean;
  readonly result?: { sourceIp: string | null; egressIpExpected: boolean; engine: string; serverVersion: string };
  readonly error?: string;
  /** what the handler logged before its outcome (a canary run: its line and its metrics document) */
  readonly logged: string[];
  /** wall milliseconds, node's start-up included */
  readonly ms: number;
}

/**
 * The engine's bundle unpacked into `dir` (created), with an invoke.js that calls the handler with the event in
 * PROBE_EVENT (JSON; none by default) and prints its outcome as the last line, JSON.
 */
export function unpackProbe(engine: Engine, dir: string): string {
  const zip = bundleNodeFunction(PROBE_ENTRY, { external: [...DEFAULT_EXTERNAL, ...UNUSED_DRIVERS[engine]] }).zipPath;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "index.js"), unzipSync(readFileSync(zip))["index.js"]);
  writeFileSync(
    join(dir, "invoke.js"),
    `require("./index.js").handler(JSON.parse(process.env.PROBE_EVENT || "{}")).then((r) => console.log(JSON.stringify({ ok: true, result: r })), (e) => console.log(JSON.stringify({ ok: false, error: e.message })));\n`,
  );
  return dir;
}

/** The probe's variables (PROBE_ENV) for a database without TLS, the password given in the clear (a local run). */
export function localProbeSettings(o: { engine: Engine; host: string; port: number; database: string; user: string; password: string; egressIps: readonly string[]; connectTimeoutMs: number }): Record<string, string> {
  const E = PROBE_ENV;
  return {
    [E.engine]: o.engine,
    [E.host]: o.host,
    [E.port]: String(o.port),
    [E.database]: o.database,
    [E.user]: o.user,
    [E.password]: o.password,
    [E.tls]: "disable",
    [E.egressIps]: o.egressIps.join(","),
    [E.connectTimeoutMs]: String(o.connectTimeoutMs),
  };
}

/**
 * Runs an unpacked probe once in namespace `ns` with the probe's variables `env` (PROBE_ENV names). The AWS SDK
 * comes from `nodePath`, as the Lambda runtime provides it.
 */
export function runProbeIn(ns: string, dir: string, env: Record<string, string>, nodePath: string): Promise<ProbeOutcome> {
  const started = Date.now();
  return new Promise((resolve, reject) =>
    execFile("ip", ["netns", "exec", ns, process.execPath, join(dir, "invoke.js")], { env: { PATH: process.env.PATH, NODE_PATH: nodePath, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`probe process failed: ${stderr || err.message}`));
      const lines = stdout.trim().split("\n");
      resolve({ ...(JSON.parse(lines.pop()!) as Omit<ProbeOutcome, "ms" | "logged">), logged: lines, ms: Date.now() - started });
    }),
  );
}
