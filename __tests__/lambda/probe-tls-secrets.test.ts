/** The probe's TLS modes against a PostgreSQL that admits TLS only, and its password from the emulator's Secrets Manager. */
import { execFileSync } from "child_process";
import { chmodSync, mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { handler, probe, readSettings, resetPasswordCache } from "../../lambda-src";
import { clientFor, Emulator, startEmulator } from "../helpers/emulator";
import { PostgresServer, startPostgres } from "../helpers/postgres";

jest.setTimeout(60_000);

const PASSWORD = "tls-test-password-93be";
const certs = mkdtempSync(join(tmpdir(), "fixed-egress-certs-"));
let pg: PostgresServer;
let emu: Emulator;

/** A self-signed certificate for 127.0.0.1 (its own CA). */
function selfSigned(name: string): { certFile: string; keyFile: string } {
  const certFile = join(certs, `${name}.crt`);
  const keyFile = join(certs, `${name}.key`);
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  return { certFile, keyFile };
}

beforeAll(async () => {
  const server = selfSigned("server");
  selfSigned("other");
  execFileSync("chown", ["-R", "postgres", certs]);
  chmodSync(server.keyFile, 0o600);
  pg = await startPostgres({ tls: server, hba: ["hostssl app probe 127.0.0.1/32 scram-sha-256"] });
  pg.sql(`CREATE ROLE probe LOGIN PASSWORD '${PASSWORD}'`);
  pg.sql("CREATE DATABASE app OWNER probe");
  emu = startEmulator();
});
afterAll(() => {
  pg?.stop();
  emu?.stop();
  rmSync(certs, { recursive: true, force: true });
});

const env = (over: Record<string, string | undefined>): NodeJS.ProcessEnv => ({
  DB_HOST: "127.0.0.1",
  DB_PORT: String(pg.port),
  DB_NAME: "app",
  DB_USER: "probe",
  DB_PASSWORD: PASSWORD,
  EGRESS_IPS: "127.0.0.1",
  CONNECT_TIMEOUT_MS: "3000",
  ...over,
});

describe("TLS", () => {
  it("connects with DB_TLS=require to a server that admits TLS only", async () => {
    expect((await probe(readSettings(env({ DB_TLS: "require" })), PASSWORD)).egressIpExpected).toBe(true);
  });

  it("is refused without TLS by that server", async () => {
    await expect(probe(readSettings(env({ DB_TLS: "disable" })), PASSWORD)).rejects.toThrow(/the database refused the login of user "probe" \(28000: .*no encryption/);
  });

  it("verifies the server with verify-full and the right CA bundle", async () => {
    const r = await probe(readSettings(env({ DB_TLS: "verify-full", DB_TLS_CA_FILE: join(certs, "server.crt") })), PASSWORD);
    expect(r.sourceIp).toBe("127.0.0.1");
  });

  it("fails verify-full against a CA that did not sign the server", async () => {
    await expect(probe(readSettings(env({ DB_TLS: "verify-full", DB_TLS_CA_FILE: join(certs, "other.crt") })), PASSWORD)).rejects.toThrow(
      /^database 127\.0\.0\.1:\d+: the connection failed \(.*(certificate|self.signed)/i,
    );
  });

  it("names a CA file it cannot read", () => {
    expect(() => readSettings(env({ DB_TLS: "verify-full", DB_TLS_CA_FILE: "/nonexistent/ca.pem" }))).toThrow(/^DB_TLS_CA_FILE "\/nonexistent\/ca\.pem" cannot be read \(ENOENT\)/);
  });
});

describe("Secrets Manager", () => {
  const saved = process.env;
  afterEach(() => {
    process.env = saved;
    resetPasswordCache();
  });

  it("reads the password from the secret at cold start (the emulator's Secrets Manager)", async () => {
    const sm = new SecretsManagerClient(clientFor(emu.endpoint));
    const { ARN } = await sm.send(new CreateSecretCommand({ Name: "fixed-egress/probe", SecretString: JSON.stringify({ password: PASSWORD }) }));
    process.env = env({
      DB_TLS: "require",
      DB_PASSWORD: undefined,
      PASSWORD_SECRET_ARN: ARN,
      AWS_ENDPOINT_URL: emu.endpoint,
      AWS_REGION: "ap-northeast-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
    });
    const r = await handler();
    expect(r.sourceIp).toBe("127.0.0.1");
  });

  it("says which secret it could not read", async () => {
    process.env = env({
      DB_PASSWORD: undefined,
      PASSWORD_SECRET_ARN: "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:missing-AbCdEf",
      AWS_ENDPOINT_URL: emu.endpoint,
      AWS_REGION: "ap-northeast-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
    });
    await expect(handler()).rejects.toThrow(/^cannot read the database password from arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:missing-AbCdEf: /);
  });
});
