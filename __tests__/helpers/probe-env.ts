import { localProbeSettings } from "../../jobs/dataplane/probe-run";

/** The probe's settings for a local PostgreSQL test database (`app`, user `probe`, loopback, no TLS), with overrides. */
export const localProbeEnv = (port: number, password: string, over: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => ({
  ...localProbeSettings({ engine: "postgres", host: "127.0.0.1", port, database: "app", user: "probe", password, egressIps: ["203.0.113.10", "127.0.0.1"], connectTimeoutMs: 3000 }),
  ...over,
});
