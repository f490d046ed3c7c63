/** A moto server of the test's own, on a free loopback port, started and stopped by scripts/emulator.sh. */
import { execFileSync } from "child_process";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ROOT } from "./config";

export interface Emulator {
  readonly endpoint: string;
  readonly runDir: string;
  stop(): void;
}

/** `natAddressQuota`: the account's "Elastic IP addresses per public NAT gateway" as the emulator reports and enforces it (AWS's default: 2). */
export function startEmulator(o: { natAddressQuota?: number } = {}): Emulator {
  const runDir = mkdtempSync(join(tmpdir(), "fixed-egress-moto-"));
  const env = { ...process.env, FIXED_EGRESS_RUN_DIR: runDir, FIXED_EGRESS_EMULATOR_PORT: "auto", ...(o.natAddressQuota ? { FIXED_EGRESS_EMULATOR_NAT_ADDRESS_QUOTA: String(o.natAddressQuota) } : {}) };
  const script = join(ROOT, "scripts", "emulator.sh");
  execFileSync(script, ["start"], { env, stdio: ["ignore", "ignore", "pipe"] });
  const port = readFileSync(join(runDir, "moto.port"), "utf8").trim();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    runDir,
    stop: () => {
      execFileSync(script, ["stop"], { env, stdio: ["ignore", "ignore", "pipe"] });
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}

/** SDK v3 client settings for the emulator. */
export const clientFor = (endpoint: string) => ({
  region: "ap-northeast-1",
  endpoint,
  forcePathStyle: true,
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});

/**
 * One call to a service the project has no SDK client of (RAM, EventBridge Scheduler, CloudWatch): moto checks no
 * signature, only the service named in the credential scope. `body` is JSON, or a query string for the Query
 * protocol (`form`); the answer's text is returned.
 */
export async function emulatorCall(endpoint: string, service: string, path: string, o: { method?: string; body?: string; form?: boolean } = {}): Promise<string> {
  const authorization = `AWS4-HMAC-SHA256 Credential=test/20260101/ap-northeast-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;
  const type = o.form ? "application/x-www-form-urlencoded" : "application/json";
  const r = await fetch(`${endpoint}${path}`, { method: o.method ?? "POST", headers: { "content-type": type, authorization }, body: o.body });
  const text = await r.text();
  if (!r.ok) throw new Error(`${service} ${path} answered ${r.status}: ${text.slice(0, 300)}`);
  return text;
}
