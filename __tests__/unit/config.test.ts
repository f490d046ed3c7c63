import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ConfigError, loadConfig } from "../../stacks/config";
import { AWS_EXAMPLE, LOCAL_CONFIG, rawConfig, writeTempConfig } from "../helpers/config";

/** The error lines for a config derived from local.json by `edit`. */
function problemsOf(edit: (c: any) => void): string[] {
  const file = writeTempConfig(rawConfig(LOCAL_CONFIG, edit));
  try {
    loadConfig(file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).lines.map((l) => l.slice(file.length + 2));
  }
  throw new Error("expected a ConfigError");
}

describe("config loader", () => {
  it("loads the embedded default with defaults applied", () => {
    const c = loadConfig(LOCAL_CONFIG);
    expect(c.name).toBe("demo");
    expect(c.region).toBe("ap-northeast-1");
    expect(c.network.natPlacement).toBe("single");
    expect(c.network.s3Endpoint).toBe(true);
    expect(c.network.protectEgressIps).toBe(false);
    expect(c.lambda.memoryMb).toBe(256);
    expect(c.lambda.database.engine).toBe("postgres");
    expect(c.backend).toEqual({ type: "s3", bucket: "fixed-egress-state-demo", keyPrefix: "fixed-egress", noncurrentVersionDays: 90 });
  });

  it("loads the real-AWS example: no emulator, S3 state, two AZs in Tokyo, single NAT", () => {
    const c = loadConfig(AWS_EXAMPLE);
    expect(c.emulator).toBeUndefined();
    expect(c.backend.type).toBe("s3");
    expect(c.network.availabilityZones).toEqual(["ap-northeast-1a", "ap-northeast-1c"]);
    expect(c.network.natPlacement).toBe("single");
  });

  it("fails on a missing file, naming it", () => {
    expect(() => loadConfig("/nonexistent/x.json")).toThrow(/^\/nonexistent\/x\.json: cannot read the config file \(ENOENT\); set FIXED_EGRESS_CONFIG/);
  });

  it("fails on malformed JSON with the parser's position", () => {
    const file = writeTempConfig('{ "name": "demo", }');
    expect(() => loadConfig(file)).toThrow(new RegExp(`^${file}: \\$: is not valid JSON \\(.*position`));
  });

  it("fails on an unknown key, naming its path", () => {
    expect(problemsOf((c) => (c.network.vpcCdir = "10.0.0.0/16"))).toEqual([
      "$.network.vpcCdir: is not a known key; check the spelling (see config/schema.json for the keys allowed here)",
    ]);
  });

  it("fails on a missing required key", () => {
    expect(problemsOf((c) => delete c.lambda.database.host)).toEqual(["$.lambda.database.host: is required"]);
  });

  it("fails on a wrong type", () => {
    expect(problemsOf((c) => (c.lambda.memoryMb = "256"))).toEqual([`$.lambda.memoryMb: must be integer, not "256"`]);
  });

  it("fails on an unknown region, listing the known ones", () => {
    const [line] = problemsOf((c) => (c.region = "ap-northeast-9"));
    expect(line).toMatch(/^\$\.region: must be one of .*"ap-northeast-1"/);
  });

  it("fails on an unknown NAT mode", () => {
    expect(problemsOf((c) => (c.network.natPlacement = "double"))).toEqual(['$.network.natPlacement: must be one of "single", "perAz"']);
  });

  it("reads the deprecated natGateways as natPlacement, and refuses both when they disagree", () => {
    const file = writeTempConfig(rawConfig(LOCAL_CONFIG, (c) => ((c.network.natGateways = "perAz"), delete c.network.natPlacement)));
    expect(loadConfig(file).network).toMatchObject({ natPlacement: "perAz" });
    expect(problemsOf((c) => (c.network.natGateways = "perAz"))).toEqual(['$.network.natGateways: is the deprecated name of natPlacement and says "perAz" where natPlacement says "single"; drop natGateways']);
  });

  it("fails on an s3 backend without a bucket", () => {
    expect(problemsOf((c) => delete c.backend.bucket)).toEqual(["$.backend.bucket: is required"]);
  });

  it("maps construct validation to JSON paths: a subnet outside the VPC", () => {
    expect(problemsOf((c) => (c.network.privateSubnetCidrs[1] = "10.9.0.0/24"))).toEqual([
      '$.network.privateSubnetCidrs[1]: "10.9.0.0/24" is outside vpcCidr "10.0.0.0/16"; pick a range inside it',
    ]);
  });

  it("maps Lambda validation to JSON paths: the database port and the secret ARN", () => {
    expect(
      problemsOf((c) => {
        c.lambda.database.port = 0;
        c.lambda.database.passwordSecretArn = "nope";
      }),
    ).toEqual([
      "$.lambda.database.port: 0 is out of range; use a whole number of TCP port from 1 to 65535",
      expect.stringMatching(/^\$\.lambda\.database\.passwordSecretArn: "nope" is not valid; give the secret's full ARN, with the 6-character suffix/),
    ]);
  });

  it("maps the KMS key of the secret to its JSON path", () => {
    expect(problemsOf((c) => (c.lambda.database.passwordSecretKmsKeyArn = "alias/db"))).toEqual([
      expect.stringMatching(/^\$\.lambda\.database\.passwordSecretKmsKeyArn: "alias\/db" is not valid; give the KMS key's ARN/),
      "$.lambda.database.passwordSecretKmsKeyArn: is set without passwordSecretArn; give the secret it encrypts, or leave the key out",
    ]);
  });

  describe("caBundle", () => {
    const dir = mkdtempSync(join(tmpdir(), "fx-ca-config-"));
    writeFileSync(join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    writeFileSync(join(dir, "not-pem.txt"), "hello");
    const withCa = (caBundle: string, tls = "verify-full") => {
      const file = join(dir, `c-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, JSON.stringify(rawConfig(LOCAL_CONFIG, (c) => Object.assign(c.lambda.database, { tls, caBundle }))));
      return file;
    };

    it("resolves the bundle next to the config file, not the current directory", () => {
      expect(loadConfig(withCa("ca.pem")).lambda.database.caBundle).toBe(join(dir, "ca.pem"));
    });
    it("fails on a bundle that does not exist, that is not PEM, or without verify-full", () => {
      expect(() => loadConfig(withCa("missing.pem"))).toThrow(/\$\.lambda\.database\.caBundle: ".*missing\.pem" cannot be read \(ENOENT\)/);
      expect(() => loadConfig(withCa("not-pem.txt"))).toThrow(/caBundle: ".*not-pem\.txt" holds no PEM certificate/);
      expect(() => loadConfig(withCa("ca.pem", "require"))).toThrow(/caBundle: is only used with tls "verify-full" \(tls is "require"\)/);
    });
  });

  it("reports every problem at once", () => {
    const lines = problemsOf((c) => {
      c.name = "Bad Name";
      c.network.natPlacement = "x";
      c.lambda.timeoutSeconds = "30";
    });
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => l.split(":")[0]).sort()).toEqual(["$.lambda.timeoutSeconds", "$.name", "$.network.natPlacement"]);
  });
});
