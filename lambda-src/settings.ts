/** The probe's environment, read and checked once; a missing or bad variable is named in the error. */
import { readFileSync } from "fs";
import { resolve } from "path";

export type Engine = "postgres" | "mysql";
export type TlsMode = "disable" | "require" | "verify-full";

export interface ProbeSettings {
  readonly engine: Engine;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly passwordSecretArn?: string;
  readonly password?: string;
  readonly egressIps: string[];
  readonly connectTimeoutMs: number;
  readonly tls: TlsMode;
  /** PEM text of the CA bundle for verify-full */
  readonly tlsCa?: string;
  /** the canary's metric dimension: the network's name */
  readonly networkName?: string;
  /** an HTTPS endpoint that answers the caller's address, asked when the database cannot tell it */
  readonly observerUrl?: string;
}

/** The probe's environment variables by what they carry: the app stack sets them by these names, the probe reads them. */
export const PROBE_ENV = {
  engine: "DB_ENGINE",
  host: "DB_HOST",
  port: "DB_PORT",
  database: "DB_NAME",
  user: "DB_USER",
  passwordSecretArn: "PASSWORD_SECRET_ARN",
  /** local runs only: the password itself */
  password: "DB_PASSWORD",
  egressIps: "EGRESS_IPS",
  connectTimeoutMs: "CONNECT_TIMEOUT_MS",
  tls: "DB_TLS",
  tlsCaFile: "DB_TLS_CA_FILE",
  networkName: "NETWORK_NAME",
  observerUrl: "EGRESS_OBSERVER_URL",
} as const;

export const DEFAULT_PORTS: Record<Engine, number> = { postgres: 5432, mysql: 3306 };
export const TLS_MODES: readonly TlsMode[] = ["disable", "require", "verify-full"];
/** The TLS mode when none is set: encrypted (config/schema.json's default is tested against this). */
export const DEFAULT_TLS: TlsMode = "require";

const E = PROBE_ENV;

export function readSettings(env: NodeJS.ProcessEnv = process.env): ProbeSettings {
  const need = (key: string): string => {
    const v = env[key];
    if (!v) throw new Error(`${key} is not set; the probe needs ${E.host}, ${E.database}, ${E.user} and ${E.passwordSecretArn} (or ${E.password} for local runs)`);
    return v;
  };
  const engine = (env[E.engine] ?? "postgres") as Engine;
  if (!(engine in DEFAULT_PORTS)) throw new Error(`${E.engine} "${engine}" is not supported; use "postgres" or "mysql"`);
  const port = env[E.port] ? Number(env[E.port]) : DEFAULT_PORTS[engine];
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${E.port} "${env[E.port]}" is not a TCP port (1-65535)`);
  const connectTimeoutMs = Number(env[E.connectTimeoutMs] ?? 5000);
  if (!Number.isInteger(connectTimeoutMs) || connectTimeoutMs <= 0) {
    throw new Error(`${E.connectTimeoutMs} "${env[E.connectTimeoutMs]}" must be a positive whole number of milliseconds`);
  }
  if (!env[E.passwordSecretArn] && env[E.password] === undefined) {
    throw new Error(`neither ${E.passwordSecretArn} nor ${E.password} is set; give the secret's ARN (${E.password} is for local runs only)`);
  }
  const tls = (env[E.tls] ?? DEFAULT_TLS) as TlsMode;
  if (!TLS_MODES.includes(tls)) throw new Error(`${E.tls} "${tls}" is not a TLS mode; use ${TLS_MODES.join(", ")}`);
  let tlsCa: string | undefined;
  const caName = env[E.tlsCaFile];
  if (caName) {
    // A relative path names a file packed in the function's zip, under LAMBDA_TASK_ROOT (/var/task).
    const caFile = resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), caName);
    try {
      tlsCa = readFileSync(caFile, "utf8");
    } catch (err) {
      throw new Error(`${E.tlsCaFile} "${caFile}" cannot be read (${(err as NodeJS.ErrnoException).code}); ship the CA bundle with the function`);
    }
  }
  return {
    engine,
    host: need(E.host),
    port,
    database: need(E.database),
    user: need(E.user),
    passwordSecretArn: env[E.passwordSecretArn] || undefined,
    password: env[E.password],
    egressIps: (env[E.egressIps] ?? "").split(",").map((s) => s.trim()).filter(Boolean),
    connectTimeoutMs,
    tls,
    tlsCa,
    networkName: env[E.networkName] || undefined,
    observerUrl: env[E.observerUrl] || undefined,
  };
}
