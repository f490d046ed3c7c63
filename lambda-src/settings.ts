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
}

export const DEFAULT_PORTS: Record<Engine, number> = { postgres: 5432, mysql: 3306 };
export const TLS_MODES: readonly TlsMode[] = ["disable", "require", "verify-full"];
/** The TLS mode when none is set: encrypted (config/schema.json's default is tested against this). */
export const DEFAULT_TLS: TlsMode = "require";

export function readSettings(env: NodeJS.ProcessEnv = process.env): ProbeSettings {
  const need = (key: string): string => {
    const v = env[key];
    if (!v) throw new Error(`${key} is not set; the probe needs DB_HOST, DB_NAME, DB_USER and PASSWORD_SECRET_ARN (or DB_PASSWORD for local runs)`);
    return v;
  };
  const engine = (env.DB_ENGINE ?? "postgres") as Engine;
  if (!(engine in DEFAULT_PORTS)) throw new Error(`DB_ENGINE "${engine}" is not supported; use "postgres" or "mysql"`);
  const port = env.DB_PORT ? Number(env.DB_PORT) : DEFAULT_PORTS[engine];
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`DB_PORT "${env.DB_PORT}" is not a TCP port (1-65535)`);
  const connectTimeoutMs = Number(env.CONNECT_TIMEOUT_MS ?? 5000);
  if (!Number.isInteger(connectTimeoutMs) || connectTimeoutMs <= 0) {
    throw new Error(`CONNECT_TIMEOUT_MS "${env.CONNECT_TIMEOUT_MS}" must be a positive whole number of milliseconds`);
  }
  if (!env.PASSWORD_SECRET_ARN && env.DB_PASSWORD === undefined) {
    throw new Error("neither PASSWORD_SECRET_ARN nor DB_PASSWORD is set; give the secret's ARN (DB_PASSWORD is for local runs only)");
  }
  const tls = (env.DB_TLS ?? DEFAULT_TLS) as TlsMode;
  if (!TLS_MODES.includes(tls)) throw new Error(`DB_TLS "${tls}" is not a TLS mode; use ${TLS_MODES.join(", ")}`);
  let tlsCa: string | undefined;
  if (env.DB_TLS_CA_FILE) {
    // A relative path names a file packed in the function's zip, under LAMBDA_TASK_ROOT (/var/task).
    const caFile = resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), env.DB_TLS_CA_FILE);
    try {
      tlsCa = readFileSync(caFile, "utf8");
    } catch (err) {
      throw new Error(`DB_TLS_CA_FILE "${caFile}" cannot be read (${(err as NodeJS.ErrnoException).code}); ship the CA bundle with the function`);
    }
  }
  return {
    engine,
    host: need("DB_HOST"),
    port,
    database: need("DB_NAME"),
    user: need("DB_USER"),
    passwordSecretArn: env.PASSWORD_SECRET_ARN || undefined,
    password: env.DB_PASSWORD,
    egressIps: (env.EGRESS_IPS ?? "").split(",").map((s) => s.trim()).filter(Boolean),
    connectTimeoutMs,
    tls,
    tlsCa,
  };
}
