/** A database of either engine in the data plane's database host, admitting one user from one address only. */
import { DEFAULT_PORTS } from "../../lambda-src/settings";
import type { Engine } from "../../lambda-src/settings";
import { startMariaDb } from "./mariadb";
import { startPostgres } from "./postgres";

export interface DataPlaneDatabase {
  readonly port: number;
  stop(): Promise<void>;
}

export interface DatabaseAccess {
  /** the address it listens on */
  readonly bind: string;
  /** the only client address it admits */
  readonly admit: string;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

/** The engine's server in namespace `ns` on its usual port, with `a.database` owned by `a.user`, who may log in from `a.admit` only. */
export async function startDatabaseIn(engine: Engine, ns: string, a: DatabaseAccess): Promise<DataPlaneDatabase> {
  if (engine === "postgres") {
    const pg = await startPostgres({ listen: a.bind, port: DEFAULT_PORTS.postgres, netns: ns, hba: [`host ${a.database} ${a.user} ${a.admit}/32 scram-sha-256`] });
    pg.sql(`CREATE ROLE ${a.user} LOGIN PASSWORD '${a.password}'`);
    pg.sql(`CREATE DATABASE ${a.database} OWNER ${a.user}`);
    return { port: pg.port, stop: async () => pg.stop() };
  }
  const maria = await startMariaDb({ bind: a.bind, port: DEFAULT_PORTS.mysql, netns: ns });
  maria.sql(`CREATE DATABASE ${a.database}; CREATE USER '${a.user}'@'${a.admit}' IDENTIFIED BY '${a.password}'; GRANT ALL ON ${a.database}.* TO '${a.user}'@'${a.admit}';`);
  return { port: maria.port, stop: () => maria.stop() };
}
