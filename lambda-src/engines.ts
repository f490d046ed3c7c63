/** One connection, one query: the source address as the database sees it, and the server's version. */
import type { ProbeSettings } from "./settings";

export interface Seen {
  readonly sourceIp: string | null;
  readonly serverVersion: string;
}

// A NAT Gateway drops a connection idle for 350 s; keepalives start well before that.
const KEEPALIVE_DELAY_MS = 60_000;

function tlsOptions(s: ProbeSettings): { rejectUnauthorized: boolean; ca?: string } | undefined {
  if (s.tls === "disable") return undefined;
  return { rejectUnauthorized: s.tls === "verify-full", ...(s.tlsCa ? { ca: s.tlsCa } : {}) };
}

// Each driver is loaded only when used: a bundle leaves the other engine's driver out (UNUSED_DRIVERS).
export async function seenByPostgres(s: ProbeSettings, password: string): Promise<Seen> {
  const { Client } = await import("pg");
  const client = new Client({
    host: s.host,
    port: s.port,
    database: s.database,
    user: s.user,
    password,
    connectionTimeoutMillis: s.connectTimeoutMs,
    query_timeout: s.connectTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    ssl: tlsOptions(s),
  });
  client.on("error", () => undefined); // a late socket error after end() must not crash the runtime
  try {
    await client.connect();
    const res = await client.query<{ source_ip: string | null; version: string }>("SELECT host(inet_client_addr()) AS source_ip, version() AS version");
    return { sourceIp: res.rows[0].source_ip, serverVersion: res.rows[0].version };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function seenByMysql(s: ProbeSettings, password: string): Promise<Seen> {
  const mysql = await import("mysql2/promise");
  const conn = await mysql.createConnection({
    host: s.host,
    port: s.port,
    database: s.database,
    user: s.user,
    password,
    connectTimeout: s.connectTimeoutMs,
    enableKeepAlive: true,
    keepAliveInitialDelay: KEEPALIVE_DELAY_MS,
    ssl: tlsOptions(s),
  });
  try {
    // The processlist's host column is "<address>:<port>" as the server saw the connection.
    const [rows] = await conn.query({
      sql: "SELECT host AS host, VERSION() AS version FROM information_schema.processlist WHERE id = CONNECTION_ID()",
      timeout: s.connectTimeoutMs,
    });
    const row = (rows as { host: string; version: string }[])[0];
    const host = row.host.replace(/:\d+$/, "");
    return { sourceIp: host === "localhost" ? null : host, serverVersion: row.version };
  } finally {
    await conn.end().catch(() => undefined);
  }
}
