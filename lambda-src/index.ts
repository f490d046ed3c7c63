/**
 * The probe: connects to the external database from inside the VPC and reports the source address the
 * database sees. When that address is one of EGRESS_IPS, the fixed egress path works end to end.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Client, ClientConfig } from "pg";

export interface ProbeResult {
  readonly engine: "postgres";
  /** the client address as the database sees it */
  readonly sourceIp: string | null;
  readonly serverVersion: string;
  readonly latencyMs: number;
  /** sourceIp is one of EGRESS_IPS */
  readonly egressIpExpected: boolean;
}

export interface ProbeSettings {
  readonly engine: "postgres";
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly passwordSecretArn?: string;
  readonly password?: string;
  readonly egressIps: string[];
  readonly connectTimeoutMs: number;
}

/** Reads and checks the environment; a missing or bad variable is named in the error. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): ProbeSettings {
  const need = (key: string): string => {
    const v = env[key];
    if (!v) throw new Error(`${key} is not set; the probe needs DB_HOST, DB_PORT, DB_NAME, DB_USER and PASSWORD_SECRET_ARN (or DB_PASSWORD for local runs)`);
    return v;
  };
  const engine = env.DB_ENGINE ?? "postgres";
  if (engine !== "postgres") throw new Error(`DB_ENGINE "${engine}" is not supported; use "postgres"`);
  const port = Number(need("DB_PORT"));
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`DB_PORT "${env.DB_PORT}" is not a TCP port (1-65535)`);
  const connectTimeoutMs = Number(env.CONNECT_TIMEOUT_MS ?? 5000);
  if (!Number.isInteger(connectTimeoutMs) || connectTimeoutMs <= 0) throw new Error(`CONNECT_TIMEOUT_MS "${env.CONNECT_TIMEOUT_MS}" must be a positive whole number of milliseconds`);
  if (!env.PASSWORD_SECRET_ARN && env.DB_PASSWORD === undefined) {
    throw new Error("neither PASSWORD_SECRET_ARN nor DB_PASSWORD is set; give the secret's ARN (DB_PASSWORD is for local runs only)");
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
  };
}

let cachedPassword: Promise<string> | undefined;

/** The secret is read once per cold start; its value may be the password or JSON with a `password` key. */
export function passwordFor(settings: ProbeSettings, secrets: Pick<SecretsManagerClient, "send"> = new SecretsManagerClient({})): Promise<string> {
  if (!settings.passwordSecretArn) return Promise.resolve(settings.password ?? "");
  cachedPassword ??= secrets
    .send(new GetSecretValueCommand({ SecretId: settings.passwordSecretArn }))
    .then((out) => {
      const text = out.SecretString;
      if (text === undefined) throw new Error(`secret ${settings.passwordSecretArn} has no SecretString; store the password as text or as JSON {"password": "…"}`);
      if (text.trimStart().startsWith("{")) {
        const parsed = JSON.parse(text) as { password?: unknown };
        if (typeof parsed.password !== "string") throw new Error(`secret ${settings.passwordSecretArn} is JSON without a "password" string`);
        return parsed.password;
      }
      return text;
    })
    .catch((err: unknown) => {
      cachedPassword = undefined; // let the next invocation try again
      throw err;
    });
  return cachedPassword;
}

/** Forgets the cached password (a new cold start); for tests. */
export function resetPasswordCache(): void {
  cachedPassword = undefined;
}

function explain(settings: ProbeSettings, err: unknown): Error {
  const e = err as { code?: string; message?: string };
  const where = `${settings.host}:${settings.port}`;
  const allow = settings.egressIps.length > 0 ? settings.egressIps.join(", ") : "the NAT Gateway's Elastic IP(s)";
  const reason =
    e.code === "28P01" || e.code === "28000"
      ? `the database refused the login of user "${settings.user}"`
      : e.code === "ECONNREFUSED"
        ? "the connection was refused"
        : /timeout/i.test(e.message ?? "") || e.code === "ETIMEDOUT"
          ? `no answer within ${settings.connectTimeoutMs} ms`
          : "the connection failed";
  return new Error(`database ${where}: ${reason} (${e.code ?? "error"}: ${e.message ?? String(err)}); check that the database allow-lists the egress IPs ${allow}`);
}

export async function probe(settings: ProbeSettings, password: string): Promise<ProbeResult> {
  const config: ClientConfig = {
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    password,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    // A NAT Gateway drops a connection idle for 350 s; keepalives keep it known.
    keepAlive: true,
    keepAliveInitialDelayMillis: 60_000,
    query_timeout: settings.connectTimeoutMs,
  };
  const client = new Client(config);
  client.on("error", () => undefined); // a late socket error after end() must not crash the runtime
  const started = process.hrtime.bigint();
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw explain(settings, err);
  }
  try {
    const res = await client.query<{ source_ip: string | null; version: string }>("SELECT host(inet_client_addr()) AS source_ip, version() AS version");
    const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
    const sourceIp = res.rows[0].source_ip;
    return {
      engine: "postgres",
      sourceIp,
      serverVersion: res.rows[0].version,
      latencyMs: Math.round(latencyMs * 10) / 10,
      egressIpExpected: sourceIp !== null && settings.egressIps.includes(sourceIp),
    };
  } catch (err) {
    throw explain(settings, err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function handler(): Promise<ProbeResult> {
  const settings = readSettings();
  const password = await passwordFor(settings);
  return probe(settings, password);
}
