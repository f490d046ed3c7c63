/**
 * The probe: connects to the external database from inside the VPC and reports the source address the
 * database sees. When that address is one of EGRESS_IPS, the fixed egress path works end to end.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CanaryResult, canaryLine, emfDocument, runCanary } from "./canary";
import { Seen, seenByMysql, seenByPostgres } from "./engines";
import { Engine, ProbeSettings, readSettings } from "./settings";

export { readSettings } from "./settings";
export type { ProbeSettings } from "./settings";
export { CANARY_METRICS, canaryLine, emfDocument, observedAddress, runCanary } from "./canary";
export type { CanaryResult } from "./canary";

export interface ProbeResult {
  readonly engine: Engine;
  /** the client address as the database sees it */
  readonly sourceIp: string | null;
  readonly serverVersion: string;
  readonly latencyMs: number;
  /** sourceIp is one of EGRESS_IPS */
  readonly egressIpExpected: boolean;
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
      throw new Error(`cannot read the database password from ${settings.passwordSecretArn}: ${(err as Error).message}`);
    });
  return cachedPassword;
}

/** Forgets the cached password (a new cold start); for tests. */
export function resetPasswordCache(): void {
  cachedPassword = undefined;
}

const REFUSED_LOGIN = new Set(["28P01", "28000", "ER_ACCESS_DENIED_ERROR", "ER_HOST_NOT_PRIVILEGED", "ER_DBACCESS_DENIED_ERROR"]);

/** One sentence: where, what happened, and the reminder that the egress IPs must be allow-listed. */
export function explain(settings: ProbeSettings, err: unknown): Error {
  const e = err as { code?: string; message?: string };
  const where = `${settings.host}:${settings.port}`;
  const allow = settings.egressIps.length > 0 ? settings.egressIps.join(", ") : "the NAT Gateway's Elastic IP(s)";
  const reason = REFUSED_LOGIN.has(e.code ?? "")
    ? `the database refused the login of user "${settings.user}"`
    : e.code === "ECONNREFUSED"
      ? "the connection was refused"
      : e.code === "ETIMEDOUT" || /timeout|timed out/i.test(e.message ?? "")
        ? `no answer within ${settings.connectTimeoutMs} ms`
        : e.code === "EHOSTUNREACH" || e.code === "ENETUNREACH"
          ? "no route to the database"
          : "the connection failed";
  return new Error(`database ${where}: ${reason} (${e.code ?? "error"}: ${e.message ?? String(err)}); check that the database allow-lists the egress IPs ${allow}`);
}

export async function probe(settings: ProbeSettings, password: string): Promise<ProbeResult> {
  const started = process.hrtime.bigint();
  let seen: Seen;
  try {
    seen = await (settings.engine === "mysql" ? seenByMysql : seenByPostgres)(settings, password);
  } catch (err) {
    throw explain(settings, err);
  }
  const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
  return {
    engine: settings.engine,
    sourceIp: seen.sourceIp,
    serverVersion: seen.serverVersion,
    latencyMs: Math.round(latencyMs * 10) / 10,
    egressIpExpected: seen.sourceIp !== null && settings.egressIps.includes(seen.sourceIp),
  };
}

/** What the canary's schedule sends (constructs/egress-canary.ts). */
export interface ProbeEvent {
  readonly canary?: boolean;
}

/**
 * A probe by default: the result, or the error. With `{ "canary": true }` (the schedule's input) it never throws once its settings are read:
 * it logs one line and one embedded-metric-format document, and returns what it found.
 */
export function handler(event?: ProbeEvent & { canary?: false }): Promise<ProbeResult>;
export function handler(event: ProbeEvent & { canary: true }): Promise<CanaryResult>;
export async function handler(event: ProbeEvent = {}): Promise<ProbeResult | CanaryResult> {
  const settings = readSettings();
  if (!event?.canary) return probe(settings, await passwordFor(settings));
  const result = await runCanary(settings, async () => (await probe(settings, await passwordFor(settings))).sourceIp);
  console.log(canaryLine(result, settings.egressIps));
  console.log(JSON.stringify(emfDocument(result)));
  return result;
}
