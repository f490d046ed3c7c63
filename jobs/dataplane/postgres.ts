/**
 * A throwaway PostgreSQL 15 cluster (tests, and make verify on the emulator): initdb in a temp dir, a free port, its own pg_hba.
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
 */
import { execFileSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { createServer } from "net";
import { tmpdir, userInfo } from "os";
import { join } from "path";

export interface PostgresServer {
  readonly port: number;
  readonly dir: string;
  /** runs SQL as the superuser over the unix socket */
  sql(statement: string): string;
  stop(): void;
}

export interface PostgresOptions {
  /** listen_addresses @default "127.0.0.1" */
  readonly listen?: string;
  /** pg_hba host lines, e.g. "host app probe 127.0.0.1/32 scram-sha-256" */
  readonly hba: string[];
  /** run the server inside this network namespace */
  readonly netns?: string;
  readonly port?: number;
  /** serve TLS with this certificate and key (PEM files) */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const asRoot = userInfo().uid === 0;
/** argv for running a PostgreSQL binary as the right user (and in a namespace when asked) */
function pgCommand(bin: string, args: string[], netns?: string): [string, string[]] {
  let argv = [bin, ...args];
  if (asRoot) argv = ["runuser", "-u", "postgres", "--", ...argv];
  if (netns) argv = ["ip", "netns", "exec", netns, ...argv];
  return [argv[0], argv.slice(1)];
}

export async function startPostgres(options: PostgresOptions): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), "fixed-egress-pg-"));
  if (asRoot) execFileSync("chown", ["postgres:postgres", dir]);
  const data = join(dir, "data");
  const port = options.port ?? (await freePort());
  const exec = (bin: string, args: string[]) => {
    const [cmd, argv] = pgCommand(bin, args, options.netns);
    return execFileSync(cmd, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  };
  exec("initdb", ["-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=reject", "--no-sync", "-E", "UTF8"]);
  const conf = [
    `listen_addresses = '${options.listen ?? "127.0.0.1"}'`,
    `port = ${port}`,
    `unix_socket_directories = '${dir}'`,
    "password_encryption = 'scram-sha-256'",
    "fsync = off",
    ...(options.tls ? ["ssl = on", `ssl_cert_file = '${options.tls.certFile}'`, `ssl_key_file = '${options.tls.keyFile}'`] : []),
  ];
  writeFileSync(join(data, "postgresql.auto.conf"), conf.join("\n") + "\n");
  writeFileSync(join(data, "pg_hba.conf"), ["local all postgres trust", ...options.hba].join("\n") + "\n");
  exec("pg_ctl", ["-D", data, "-l", join(dir, "server.log"), "-w", "-t", "30", "start"]);
  let stopped = false;
  return {
    port,
    dir,
    sql: (statement) => exec("psql", ["-h", dir, "-p", String(port), "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-Atc", statement]),
    stop: () => {
      if (stopped) return;
      stopped = true;
      try {
        exec("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
