/** The probe's handler against a real PostgreSQL 15 that admits one address (loopback) for one user. */
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { handler, passwordFor, probe, readSettings, resetPasswordCache } from "../../lambda-src";
import { freePort, PostgresServer, startPostgres } from "../../jobs/dataplane/postgres";
import { localProbeEnv } from "../helpers/probe-env";

jest.setTimeout(60_000);

const PASSWORD = "probe-test-password-7f3a";
let pg: PostgresServer;

beforeAll(async () => {
  pg = await startPostgres({ hba: ["host app probe 127.0.0.1/32 scram-sha-256"] });
  pg.sql(`CREATE ROLE probe LOGIN PASSWORD '${PASSWORD}'`);
  pg.sql("CREATE DATABASE app OWNER probe");
});
afterAll(() => pg?.stop());

const env = (over: Record<string, string | undefined> = {}) => localProbeEnv(pg.port, PASSWORD, over);

describe("probe against PostgreSQL", () => {
  const saved = process.env;
  afterEach(() => {
    process.env = saved;
    resetPasswordCache();
  });

  it("reports the source address the database sees, its version and whether it is an expected egress IP", async () => {
    process.env = env();
    const result = await handler();
    expect(result.engine).toBe("postgres");
    expect(result.sourceIp).toBe("127.0.0.1");
    expect(result.egressIpExpected).toBe(true);
    expect(result.serverVersion).toMatch(/^PostgreSQL 15\./);
    expect(result.latencyMs).toBeGreaterThan(0);
    expect(result.latencyMs).toBeLessThan(3000);
  });

  it("says egressIpExpected is false when the seen address is not in EGRESS_IPS", async () => {
    const result = await probe(readSettings(env({ EGRESS_IPS: "203.0.113.10" })), PASSWORD);
    expect(result.sourceIp).toBe("127.0.0.1");
    expect(result.egressIpExpected).toBe(false);
  });

  it("fails on a wrong password with the login refusal, host:port and the egress IPs to allow-list", async () => {
    const settings = readSettings(env({ EGRESS_IPS: "203.0.113.10" }));
    await expect(probe(settings, "wrong")).rejects.toThrow(
      new RegExp(`^database 127\\.0\\.0\\.1:${pg.port}: the database refused the login of user "probe" \\(28P01: .*\\); check that the database allow-lists the egress IPs 203\\.0\\.113\\.10$`),
    );
  });

  it("fails on a user pg_hba does not admit, as a refused login", async () => {
    pg.sql("CREATE ROLE other LOGIN PASSWORD 'x'");
    await expect(probe(readSettings(env({ DB_USER: "other" })), "x")).rejects.toThrow(/the database refused the login of user "other" \(28000: .*no pg_hba\.conf entry/);
  });

  it("fails on a closed port with a refused connection", async () => {
    const closed = await freePort();
    await expect(probe(readSettings(env({ DB_PORT: String(closed) })), PASSWORD)).rejects.toThrow(
      new RegExp(`^database 127\\.0\\.0\\.1:${closed}: the connection was refused \\(ECONNREFUSED`),
    );
  });

  it("names the missing variable when the environment is incomplete", () => {
    expect(() => readSettings(env({ DB_HOST: undefined }))).toThrow(/^DB_HOST is not set/);
    expect(() => readSettings(env({ DB_PORT: "x" }))).toThrow(/^DB_PORT "x" is not a TCP port/);
    expect(() => readSettings(env({ DB_PASSWORD: undefined }))).toThrow(/neither PASSWORD_SECRET_ARN nor DB_PASSWORD is set/);
  });

  it("reads the password from the secret once per cold start, as text or as JSON", async () => {
    const settings = readSettings(env({ DB_PASSWORD: undefined, PASSWORD_SECRET_ARN: "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db-AbCdEf" }));
    const calls: string[] = [];
    const secrets = {
      send: async (cmd: GetSecretValueCommand) => {
        calls.push(cmd.input.SecretId!);
        return { SecretString: JSON.stringify({ password: PASSWORD }) };
      },
    } as never;
    expect(await passwordFor(settings, secrets)).toBe(PASSWORD);
    expect(await passwordFor(settings, secrets)).toBe(PASSWORD);
    expect(calls).toHaveLength(1);
    resetPasswordCache();
    const plain = { send: async () => ({ SecretString: PASSWORD }) } as never;
    expect((await probe(settings, await passwordFor(settings, plain))).sourceIp).toBe("127.0.0.1");
  });
});
