/** The probe's settings for a local PostgreSQL test database (`app`, user `probe`, loopback, no TLS), with overrides. */
export const localProbeEnv = (port: number, password: string, over: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => ({
  DB_ENGINE: "postgres",
  DB_HOST: "127.0.0.1",
  DB_PORT: String(port),
  DB_NAME: "app",
  DB_USER: "probe",
  DB_PASSWORD: password,
  DB_TLS: "disable",
  EGRESS_IPS: "203.0.113.10,127.0.0.1",
  CONNECT_TIMEOUT_MS: "3000",
  ...over,
});
