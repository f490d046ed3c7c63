import { createHash } from "crypto";
import { readFileSync, readdirSync } from "fs";
import { mkdirSync, mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { TerraformResource, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { unzipSync, zipSync } from "fflate";
import { FixedEgressNetwork, IPrivateNetwork, LambdaCode, findProjectRoot, PrivateLambda, PrivateLambdaProps, VPC_ACCESS_ACTIONS, ValidationError, esbuildTarget } from "../../constructs";
import { PROBE_ENTRY } from "../../stacks/app-stack";
import { all, byPath, one, ref, synthStack, Synthesized } from "../helpers/synth";
import { ZONES, networkProps } from "../helpers/network-props";

const SECRET = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db-password-AbCdEf";

function synthLambda(over: Partial<PrivateLambdaProps> = {}, network?: IPrivateNetwork): Synthesized {
  return synthStack((scope) => {
    const net = network ?? new FixedEgressNetwork(scope, "network", networkProps());
    new PrivateLambda(scope, "probe", {
      network: net,
      functionName: "demo-probe",
      code: LambdaCode.fromEntry(PROBE_ENTRY),
      database: { port: 5432, cidrs: ["203.0.113.50/32"] },
      passwordSecretArn: SECRET,
      environment: { DB_HOST: "203.0.113.50" },
      ...over,
    });
  });
}

const base = () => ({
  network: { vpcId: "vpc-0a1b2c3d4e5f67890", privateSubnetIds: ["subnet-0a1b2c3d4e5f67890"] },
  functionName: "demo-probe",
  database: { port: 5432 },
});

describe("PrivateLambda", () => {
  const s = synthLambda();

  it("runs the function in the network's private subnets only, with its own security group", () => {
    const [, fn] = one(s, "aws_lambda_function");
    const privateSubnets = [0, 1].map((i) => ref("aws_subnet", byPath(s, "aws_subnet", `private/subnet-${ZONES[i]}`)[0]));
    const [sg] = one(s, "aws_security_group");
    expect(fn.vpc_config).toEqual({ subnet_ids: privateSubnets, security_group_ids: [ref("aws_security_group", sg)] });
  });

  it("opens no ingress and only the database port (to the database CIDRs) and HTTPS for egress, each rule described", () => {
    const [, sg] = one(s, "aws_security_group");
    const [vpc] = one(s, "aws_vpc");
    expect(sg.vpc_id).toBe(ref("aws_vpc", vpc));
    expect(sg.ingress).toEqual([]);
    expect(sg.egress).toHaveLength(2);
    expect(sg.egress).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ protocol: "tcp", from_port: 5432, to_port: 5432, cidr_blocks: ["203.0.113.50/32"], description: "External database" }),
        expect.objectContaining({ protocol: "tcp", from_port: 443, to_port: 443, cidr_blocks: ["0.0.0.0/0"] }),
      ]),
    );
    sg.egress.forEach((rule: { description?: string }) => expect(rule.description).toBeTruthy());
  });

  it("opens the database port to 0.0.0.0/0 when no database CIDRs are given", () => {
    const t = synthLambda({ database: { port: 5432 } });
    expect(one(t, "aws_security_group")[1].egress[0].cidr_blocks).toEqual(["0.0.0.0/0"]);
  });

  const doc = (t: Synthesized, prefix: string) => all(t, "aws_iam_policy_document", "data").find(([id]) => id.startsWith(prefix))![1];

  it("gives the role a Lambda trust policy, network-interface actions, logs on its own group only, and read access to exactly one secret", () => {
    const [role, body] = one(s, "aws_iam_role");
    expect(body.name).toBeUndefined();
    expect(body.name_prefix).toBe("demo-probe-role-");
    expect(body.lifecycle).toEqual({ create_before_destroy: true });
    expect(doc(s, "probe_trust").statement).toEqual([{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }] }]);
    expect(all(s, "aws_iam_role_policy_attachment")).toHaveLength(0);
    const [group] = one(s, "aws_cloudwatch_log_group");
    expect(doc(s, "probe_vpc-access-document").statement).toEqual([
      { sid: "NetworkInterfaces", actions: [...VPC_ACCESS_ACTIONS], resources: ["*"] },
      { sid: "OwnLogGroupOnly", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${ref("aws_cloudwatch_log_group", group, "arn")}:*`] },
    ]);
    expect(VPC_ACCESS_ACTIONS).toContain("ec2:DeleteNetworkInterface");
    expect(doc(s, "probe_read-secret").statement).toEqual([{ sid: "ReadOneSecret", actions: ["secretsmanager:GetSecretValue"], resources: [SECRET] }]);
    all(s, "aws_iam_role_policy").forEach(([, p]) => expect(p.role).toBe(ref("aws_iam_role", role)));
  });

  it("names the resource of every IAM statement but the network-interface one (the only \"*\", as AWS documents it)", () => {
    const t = synthLambda({ passwordSecretKmsKeyArn: "arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" });
    const statements = all(t, "aws_iam_policy_document", "data").flatMap(([, d]) => d.statement as { sid?: string; resources?: string[] }[]);
    const wildcard = statements.filter((st) => st.resources?.includes("*"));
    expect(wildcard.map((st) => st.sid)).toEqual(["NetworkInterfaces"]);
    expect(statements.length).toBeGreaterThanOrEqual(4);
  });

  it("keeps the role name inside IAM's 38-character prefix limit, and unique per deployment", () => {
    const t = synthLambda({ functionName: "a".repeat(59) });
    const prefix = one(t, "aws_iam_role")[1].name_prefix as string;
    expect(prefix.length).toBeLessThanOrEqual(38);
    expect(prefix).toMatch(/^a+-role-$/);
  });

  it("grants kms:Decrypt on the secret's customer-managed key, through Secrets Manager of the region only", () => {
    const key = "arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const t = synthLambda({ passwordSecretKmsKeyArn: key });
    const [region] = all(t, "aws_region", "data").find(([id]) => id.startsWith("probe_region"))!;
    expect(doc(t, "probe_read-secret").statement[1]).toEqual({
      sid: "DecryptThroughSecretsManagerOnly",
      actions: ["kms:Decrypt"],
      resources: [key],
      condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [`secretsmanager.\${data.aws_region.${region}.name}.amazonaws.com`] }],
    });
  });

  it("grants no secret access when no secret is given", () => {
    const t = synthLambda({ passwordSecretArn: undefined });
    expect(all(t, "aws_iam_role_policy").map(([, p]) => p.name)).toEqual(["vpc-access-and-logs"]);
  });

  it("creates the log group /aws/lambda/<name> with retention; the function depends on it and on the VPC-access permission", () => {
    const [group, body] = one(s, "aws_cloudwatch_log_group");
    expect(body).toMatchObject({ name: "/aws/lambda/demo-probe", retention_in_days: 30 });
    const [access] = byPath(s, "aws_iam_role_policy", "vpc-access");
    expect(one(s, "aws_lambda_function")[1].depends_on).toEqual([`aws_cloudwatch_log_group.${group}`, `aws_iam_role_policy.${access}`]);
  });

  it("destroys the function and its security group before the permission Lambda needs to delete their network interfaces", () => {
    const [access, policy] = byPath(s, "aws_iam_role_policy", "vpc-access");
    expect(JSON.stringify(one(s, "aws_lambda_function")[1].depends_on)).toContain(`aws_iam_role_policy.${access}`);
    expect(one(s, "aws_security_group")[1].depends_on).toEqual([`aws_iam_role_policy.${access}`]);
    // and that permission is the one granting ec2:DeleteNetworkInterface
    const [docId] = all(s, "aws_iam_policy_document", "data").find(([id]) => id.startsWith("probe_vpc-access-document"))!;
    expect(policy.policy).toBe(`\${data.aws_iam_policy_document.${docId}.json}`);
  });

  it("makes the security group replaceable: a name prefix, created before the old one is destroyed", () => {
    const [, sg] = one(s, "aws_security_group");
    expect(sg.name).toBeUndefined();
    expect(sg.name_prefix).toBe("demo-probe-lambda-");
    expect(sg.lifecycle).toEqual({ create_before_destroy: true });
    expect(sg.description).toBe("Lambda demo-probe: egress to the database on port 5432 and HTTPS only");
  });

  it("packs extra files beside index.js", () => {
    const ca = join(mkdtempSync(join(tmpdir(), "fx-ca-")), "ca.pem");
    writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    let lambda!: PrivateLambda;
    synthStack((scope) => {
      lambda = new PrivateLambda(scope, "probe", { ...base(), code: LambdaCode.fromEntry(PROBE_ENTRY, { files: { "db-ca.pem": ca } }) });
    });
    const files = unzipSync(readFileSync(lambda.bundle.zipPath));
    expect(Object.keys(files).sort()).toEqual(["db-ca.pem", "index.js"]);
    expect(Buffer.from(files["db-ca.pem"]).toString()).toContain("BEGIN CERTIFICATE");
  });

  it("defaults to nodejs22.x, index.handler, 256 MB, 30 s, and sets no variable of its own", () => {
    const [role] = one(s, "aws_iam_role");
    expect(one(s, "aws_lambda_function")[1]).toMatchObject({
      function_name: "demo-probe",
      runtime: "nodejs22.x",
      handler: "index.handler",
      memory_size: 256,
      timeout: 30,
      role: ref("aws_iam_role", role, "arn"),
      environment: { variables: { DB_HOST: "203.0.113.50" } },
    });
  });

  it("passes the secret's ARN (never the secret) under the variable the code reads, and only that name may look like a secret", () => {
    const t = synthLambda({ passwordSecretArnVariable: "CREDENTIALS_SECRET_ARN" });
    expect(one(t, "aws_lambda_function")[1].environment.variables).toEqual({ DB_HOST: "203.0.113.50", CREDENTIALS_SECRET_ARN: SECRET });
    expect(() => synthLambda({ environment: { PASSWORD_SECRET_ARN: SECRET } })).toThrow(/environment\.PASSWORD_SECRET_ARN: would put a secret .* name the variable that carries its ARN \(not the secret\) in passwordSecretArnVariable/);
    expect(() => synthLambda({ passwordSecretArnVariable: "X_ARN", passwordSecretArn: undefined })).toThrow(/passwordSecretArnVariable: is set without passwordSecretArn/);
    expect(() => synthLambda({ passwordSecretArnVariable: "X_ARN", environment: { X_ARN: "y" } })).toThrow(/environment\.X_ARN: is also passwordSecretArnVariable/);
  });

  it("bundles the code for the runtime it runs on", () => {
    const cache = mkdtempSync(join(tmpdir(), "fixed-egress-cache-"));
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = cache;
    try {
      for (const runtime of ["nodejs20.x", "nodejs22.x", "nodejs20.x"] as const) {
        synthStack((scope) => new PrivateLambda(scope, "probe", { ...base(), runtime, code: LambdaCode.fromEntry(PROBE_ENTRY) }));
      }
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
    // One build per target (the target is part of the cache key); the third reuses the first.
    expect(readdirSync(join(cache, "fixed-egress", "bundles")).filter((f) => f.endsWith(".json"))).toHaveLength(2);
    expect(esbuildTarget("nodejs20.x")).toBe("node20");
    expect(() => esbuildTarget("python3.12")).toThrow(/"python3\.12" is not a Lambda Node\.js runtime/);
  });

  it("ships a zip whose source_code_hash is the base64 SHA-256 of its bytes", () => {
    let lambda!: PrivateLambda;
    const t = synthStack((scope) => {
      lambda = new PrivateLambda(scope, "probe", {
        network: { vpcId: "vpc-0a1b2c3d4e5f67890", privateSubnetIds: ["subnet-0a1b2c3d4e5f67890"] },
        functionName: "demo-probe",
        code: LambdaCode.fromEntry(PROBE_ENTRY),
        database: { port: 5432 },
      });
    });
    const zip = readFileSync(lambda.bundle.zipPath);
    const [, fn] = one(t, "aws_lambda_function");
    expect(fn.source_code_hash).toBe(createHash("sha256").update(zip).digest("base64"));
    expect(fn.filename).toMatch(/^assets\/probe_code_[0-9A-F]{8}\/[0-9A-F]+\/[0-9a-f]{64}\.zip$/);
    expect(zip.subarray(0, 2).toString()).toBe("PK");
  });

  describe("validation", () => {
    const fails = (over: Partial<PrivateLambdaProps>, message: RegExp) => expect(() => synthLambda(over)).toThrow(message);

    it("fails on an empty private subnet list", () =>
      expect(() => synthLambda({}, { vpcId: "vpc-0a1b2c3d4e5f67890", privateSubnetIds: [] })).toThrow(/network\.privateSubnetIds: is empty/));
    it("fails on memory below Lambda's minimum", () => fails({ memoryMb: 64 }, /memoryMb: 64 is out of range; use a whole number of MB from 128 to 10240/));
    it("fails on memory above Lambda's maximum", () => fails({ memoryMb: 20000 }, /memoryMb: 20000 is out of range/));
    it("fails on a timeout above 900 seconds", () => fails({ timeoutSeconds: 901 }, /timeoutSeconds: 901 is out of range; use a whole number of seconds from 1 to 900/));
    it("fails on a malformed function name", () => fails({ functionName: "probe fn" }, /functionName: "probe fn" is not valid; use 1-59 letters/));
    it("fails on an out-of-range database port", () => fails({ database: { port: 70000 } }, /database\.port: 70000 is out of range/));
    it("fails on a bad database CIDR", () => fails({ database: { port: 5432, cidrs: ["203.0.113.0/33"] } }, /database\.cidrs\[0\]: .*prefix length above 32/));
    it("fails on a malformed secret ARN", () => fails({ passwordSecretArn: "db-password" }, /passwordSecretArn: "db-password" is not valid; give the secret's full ARN/));
    it("fails on a secret ARN without its 6-character suffix, which IAM never matches", () =>
      fails({ passwordSecretArn: "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db-password" }, /passwordSecretArn: .* with the 6-character suffix Secrets Manager adds \(aws secretsmanager describe-secret/));
    it("fails on a malformed KMS key ARN", () => fails({ passwordSecretKmsKeyArn: "alias/db" }, /passwordSecretKmsKeyArn: "alias\/db" is not valid; give the KMS key's ARN/));
    it("fails on a KMS key without a secret", () =>
      fails({ passwordSecretArn: undefined, passwordSecretKmsKeyArn: "arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }, /passwordSecretKmsKeyArn: is set without passwordSecretArn/));
    it("fails on a missing entry or extra file before adding any child", () => {
      const scopeOf = () => {
        const app = Testing.app();
        return new TerraformStack(app, "t");
      };
      const stack = scopeOf();
      expect(() => new PrivateLambda(stack, "probe", { ...base(), code: LambdaCode.fromEntry("/nonexistent/handler.ts", { files: { "ca.pem": "/nonexistent/ca.pem" } }) })).toThrow(
        /code\.entry: "\/nonexistent\/handler\.ts" does not exist[\s\S]*code\.files\.ca\.pem: "\/nonexistent\/ca\.pem" does not exist/,
      );
      expect(stack.node.findAll().filter((c) => c instanceof TerraformResource)).toHaveLength(0);
    });
    it("fails when a password is put in the environment", () => fails({ environment: { DB_PASSWORD: "x" } }, /environment\.DB_PASSWORD: would put a secret in Terraform state/));
    it("fails on a log retention CloudWatch does not offer", () => fails({ logRetentionDays: 2 }, /logRetentionDays: 2 is not a CloudWatch Logs retention period/));
    it("throws a ValidationError naming the construct path", () => {
      expect(() => synthLambda({ memoryMb: 1 })).toThrow(ValidationError);
      expect(() => synthLambda({ memoryMb: 1 })).toThrow(/^test\/probe: memoryMb:/);
    });
  });

  describe("for someone else's code", () => {
    const build = (over: Partial<PrivateLambdaProps> = {}) => {
      let lambda!: PrivateLambda;
      const t = synthStack((scope) => {
        lambda = new PrivateLambda(scope, "probe", { ...base(), code: LambdaCode.fromEntry(PROBE_ENTRY), ...over });
      });
      return { lambda, t };
    };

    it("runs without a database: no database port, HTTPS stays (and can be turned off)", () => {
      const { t } = build({ database: undefined });
      const [, sg] = one(t, "aws_security_group");
      expect(sg.egress).toEqual([expect.objectContaining({ from_port: 443, to_port: 443 })]);
      expect(sg.description).toBe("Lambda demo-probe: egress to HTTPS only");
      const none = build({ database: undefined, allowHttps: false }).t;
      expect(one(none, "aws_security_group")[1].egress).toEqual([]);
    });

    it("adds environment variables and role statements after construction", () => {
      let lambda!: PrivateLambda;
      const t = synthStack((scope) => {
        lambda = new PrivateLambda(scope, "probe", { ...base(), code: LambdaCode.fromEntry(PROBE_ENTRY), environment: { A: "1" } });
        lambda.addEnvironment("B", "2").addToRolePolicy({ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::reports/*"] });
        lambda.addToRolePolicy({ actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:ap-northeast-1:123456789012:q"] });
      });
      expect(one(t, "aws_lambda_function")[1].environment.variables).toEqual({ A: "1", B: "2" });
      const extra = all(t, "aws_iam_policy_document", "data").find(([id]) => id.startsWith("probe_extra-document"))![1];
      expect(extra.statement).toEqual([
        { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::reports/*"] },
        { actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:ap-northeast-1:123456789012:q"] },
      ]);
      expect(all(t, "aws_iam_role_policy").map(([, p]) => p.name).sort()).toEqual(["extra-permissions", "vpc-access-and-logs"]);
      expect(() => lambda.addEnvironment("DB_PASSWORD", "x")).toThrow(/addEnvironment\(DB_PASSWORD\): would put a secret/);
    });

    it("takes a ready zip with LambdaCode.fromZip, hashing its bytes", () => {
      const dir = mkdtempSync(join(tmpdir(), "fx-zip-"));
      const zip = join(dir, "fn.zip");
      writeFileSync(zip, zipSync({ "main.js": new TextEncoder().encode("exports.run = async () => 1;") }));
      const { t } = build({ code: LambdaCode.fromZip(zip), handler: "main.run" });
      const [, fn] = one(t, "aws_lambda_function");
      expect(fn.handler).toBe("main.run");
      expect(fn.source_code_hash).toBe(createHash("sha256").update(readFileSync(zip)).digest("base64"));
      writeFileSync(join(dir, "not.zip"), "hello");
      expect(() => build({ code: LambdaCode.fromZip(join(dir, "not.zip")) })).toThrow(/code: ".*not\.zip" is not a zip file/);
    });

    it("resolves a relative entry against projectRoot, never the current directory", () => {
      const root = mkdtempSync(join(tmpdir(), "fx-project-"));
      mkdirSync(join(root, "src"));
      writeFileSync(join(root, "src", "handler.ts"), "export const handler = async () => ({ ok: true });\n");
      const { lambda } = build({ code: LambdaCode.fromEntry("src/handler.ts", { projectRoot: root }) });
      expect(Object.keys(unzipSync(readFileSync(lambda.bundle.zipPath)))).toEqual(["index.js"]);
      expect(() => build({ code: LambdaCode.fromEntry("src/handler.ts", { projectRoot: tmpdir() }) })).toThrow(
        new RegExp(`code\\.entry: "${join(tmpdir(), "src", "handler.ts").replace(/[/.]/g, "\\$&")}" does not exist`),
      );
    });

    it("finds the project of a relative entry by the cdktf.json above the app", () => {
      const root = mkdtempSync(join(tmpdir(), "fx-app-"));
      mkdirSync(join(root, "bin"));
      writeFileSync(join(root, "cdktf.json"), "{}");
      expect(findProjectRoot(join(root, "bin"))).toBe(root);
      expect(findProjectRoot("/")).toBeUndefined();
    });

    it("fails on a runtime the pinned provider does not know, and on a malformed handler", () => {
      expect(() => build({ runtime: "nodejs99.x" })).toThrow(/runtime: "nodejs99\.x" is not a Node\.js runtime the pinned AWS provider knows; use one of nodejs18\.x, nodejs20\.x, nodejs22\.x/);
      expect(() => build({ runtime: "python3.12" })).toThrow(/runtime: "python3\.12"/);
      expect(() => build({ handler: "handler" })).toThrow(/handler: "handler" is not valid; write it as <file>\.<export>/);
      expect(build({ runtime: "nodejs20.x", handler: "dist/app.main" }).t.json.resource.aws_lambda_function).toBeDefined();
    });

    it("leaves no child in the tree when its props are bad", () => {
      const app = Testing.app();
      const stack = new TerraformStack(app, "t");
      expect(() => new PrivateLambda(stack, "probe", { ...base(), code: LambdaCode.fromEntry(PROBE_ENTRY), memoryMb: 1 })).toThrow(/^t\/probe: memoryMb:/);
      expect(stack.node.tryFindChild("probe")).toBeUndefined();
    });

    it("accepts private subnets that are a Terraform token list (their number does not matter)", () => {
      const t = synthStack((scope) => {
        const subnets = new TerraformVariable(scope, "subnets", { type: "list(string)" }).listValue;
        new PrivateLambda(scope, "probe", { ...base(), network: { vpcId: "vpc-0a1b2c3d4e5f67890", privateSubnetIds: subnets }, code: LambdaCode.fromEntry(PROBE_ENTRY) });
      });
      expect(one(t, "aws_lambda_function")[1].vpc_config.subnet_ids).toBe("${var.subnets}");
    });
  });
});
