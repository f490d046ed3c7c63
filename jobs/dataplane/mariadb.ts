/**
 * A throwaway MariaDB server (tests, and make verify on the emulator), run as the `mysql` user (it refuses root), optionally inside a
 * network namespace. Root administers it over its unix socket.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

export interface MariaDbServer {
  readonly port: number;
  sql(statement: string): string;
  stop(): Promise<void>;
}

export async function startMariaDb(opts: { bind: string; port: number; netns?: string }): Promise<MariaDbServer> {
  const dir = mkdtempSync(join(tmpdir(), "fixed-egress-mariadb-"));
  execFileSync("chown", ["mysql:mysql", dir]);
  const data = join(dir, "data");
  const socket = join(dir, "mysqld.sock");
  execFileSync("mariadb-install-db", ["--no-defaults", `--datadir=${data}`, "--user=mysql", "--auth-root-authentication-method=socket", "--skip-test-db"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const argv = [
    "runuser", "-u", "mysql", "--", "mariadbd", "--no-defaults", `--datadir=${data}`, `--socket=${socket}`, `--port=${opts.port}`,
    `--bind-address=${opts.bind}`, "--skip-name-resolve", `--pid-file=${join(dir, "mysqld.pid")}`, `--log-error=${join(dir, "error.log")}`,
    "--innodb-buffer-pool-size=16M", "--skip-log-bin",
  ];
  const child: ChildProcess = spawn(opts.netns ? "ip" : argv[0], opts.netns ? ["netns", "exec", opts.netns, ...argv] : argv.slice(1), { stdio: "ignore" });
  const sql = (statement: string) =>
    execFileSync("mariadb", ["--no-defaults", `--socket=${socket}`, "-u", "root", "-N", "-B", "-e", statement], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      sql("SELECT 1");
      break;
    } catch (err) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill("SIGKILL");
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`MariaDB did not start: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    port: opts.port,
    sql,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
