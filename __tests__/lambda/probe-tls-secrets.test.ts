/** The probe's TLS modes against a PostgreSQL that admits TLS only, and its password from the emulator's Secrets Manager. */
import { execFileSync, spawnSync } from "child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { unzipSync } from "fflate";
import { handler, probe, readSettings, resetPasswordCache } from "../../lambda-src";
import { CA_BUNDLE_ZIP_NAME, LAMBDA_CA_BUNDLE } from "../../stacks/app-stack";
import { synthApp } from "../helpers/app";
import { LOCAL_CONFIG, ROOT, derivedConfig } from "../helpers/config";
import { clientFor, Emulator, startEmulator } from "../helpers/emulator";
import { PostgresServer, startPostgres } from "../../jobs/dataplane/postgres";

jest.setTimeout(60_000);

const PASSWORD = "tls-test-password-93be";
const certs = mkdtempSync(join(tmpdir(), "fixed-egress-certs-"));
mkdirSync(join(ROOT, ".run"), { recursive: true });
let pg: PostgresServer;
let emu: Emulator;

/** A self-signed CA certificate (a private CA, as a database admin would run). */
function ca(name: string): { certFile: string; keyFile: string } {
  const certFile = join(certs, `${name}.crt`);
  const keyFile = join(certs, `${name}.key`);
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", `/CN=${name}`, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"], { stdio: "ignore" });
  return { certFile, keyFile };
}

/** The server's certificate for 127.0.0.1, signed by `issuer`. */
function serverCert(issuer: { certFile: string; keyFile: string }): { certFile: string; keyFile: string } {
  const certFile = join(certs, "server.crt");
  const keyFile = join(certs, "server.key");
  const csr = join(certs, "server.csr");
  const ext = join(certs, "server.ext");
  writeFileSync(ext, "subjectAltName=IP:127.0.0.1\n");
  execFileSync("openssl", ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", csr, "-subj", "/CN=127.0.0.1"], { stdio: "ignore" });
  execFileSync("openssl", ["x509", "-req", "-in", csr, "-CA", issuer.certFile, "-CAkey", issuer.keyFile, "-CAcreateserial", "-out", certFile, "-days", "1", "-extfile", ext], { stdio: "ignore" });
  return { certFile, keyFile };
}

beforeAll(async () => {
  const server = serverCert(ca("db-ca"));
  ca("other");
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
    const r = await probe(readSettings(env({ DB_TLS: "verify-full", DB_TLS_CA_FILE: join(certs, "db-ca.crt") })), PASSWORD);
    expect(r.sourceIp).toBe("127.0.0.1");
  });

  it("verifies a private-CA server with the CA given only through lambda.database.caBundle, from the function's own zip", async () => {
    // The app as synthesized: the CA packed in the zip, DB_TLS_CA_FILE naming it, NODE_EXTRA_CA_CERTS for Amazon's CAs.
    const config = derivedConfig(LOCAL_CONFIG, (c) => Object.assign(c.lambda.database, { tls: "verify-full", caBundle: join(certs, "db-ca.crt") }));
    const synth = synthApp(config);
    const fn = Object.values(synth.app.resource.aws_lambda_function)[0] as { filename: string; environment: { variables: Record<string, string> } };
    const vars = fn.environment.variables;
    expect(vars).toMatchObject({ DB_TLS: "verify-full", DB_TLS_CA_FILE: CA_BUNDLE_ZIP_NAME, NODE_EXTRA_CA_CERTS: LAMBDA_CA_BUNDLE });
    // Unpacked where Lambda would (LAMBDA_TASK_ROOT), inside the project so the runtime's AWS SDK resolves as on Lambda.
    const taskRoot = mkdtempSync(join(ROOT, ".run", "task-"));
    try {
      for (const [name, bytes] of Object.entries(unzipSync(readFileSync(join(synth.stackDir("app"), fn.filename))))) writeFileSync(join(taskRoot, name), bytes);
      const run = (extra: Record<string, string>) =>
        spawnSync(process.execPath, ["-e", "require(process.env.LAMBDA_TASK_ROOT + '/index.js').handler().then((r) => console.log(JSON.stringify(r)), (e) => { console.error(e.message); process.exit(1); })"], {
          cwd: taskRoot,
          encoding: "utf8",
          timeout: 30_000,
          env: { PATH: process.env.PATH, NODE_NO_WARNINGS: "1", ...vars, ...env({}), DB_TLS: "verify-full", NODE_EXTRA_CA_CERTS: "", LAMBDA_TASK_ROOT: taskRoot, ...extra } as NodeJS.ProcessEnv,
        });
      const ok = run({ DB_TLS_CA_FILE: vars.DB_TLS_CA_FILE });
      expect(ok.stderr).toBe("");
      expect(JSON.parse(ok.stdout)).toMatchObject({ sourceIp: "127.0.0.1", egressIpExpected: true });
      // Without the bundle the same server is not trusted.
      const refused = run({ DB_TLS_CA_FILE: "" });
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/certificate/i);
    } finally {
      rmSync(taskRoot, { recursive: true, force: true });
    }
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
