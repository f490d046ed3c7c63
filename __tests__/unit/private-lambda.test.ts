import { createHash } from "crypto";
import { readFileSync } from "fs";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { FixedEgressNetwork, IPrivateNetwork, PrivateLambda, PrivateLambdaProps, VPC_ACCESS_POLICY_ARN, ValidationError } from "../../constructs";
import { PROBE_ENTRY } from "../../stacks/app-stack";
import { all, byPath, one, ref, synthStack, Synthesized } from "../helpers/synth";
import { networkProps } from "../helpers/network-props";

const SECRET = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db-password-AbCdEf";

function synthLambda(over: Partial<PrivateLambdaProps> = {}, network?: IPrivateNetwork): Synthesized {
  return synthStack((scope) => {
    const net = network ?? new FixedEgressNetwork(scope, "network", networkProps());
    new PrivateLambda(scope, "probe", {
      network: net,
      functionName: "demo-probe",
      code: { entry: PROBE_ENTRY },
      database: { port: 5432, cidrs: ["203.0.113.50/32"] },
      passwordSecretArn: SECRET,
      environment: { DB_HOST: "203.0.113.50" },
      ...over,
    });
  });
}

describe("PrivateLambda", () => {
  const s = synthLambda();

  it("runs the function in the network's private subnets only, with its own security group", () => {
    const [, fn] = one(s, "aws_lambda_function");
    const privateSubnets = [0, 1].map((i) => ref("aws_subnet", byPath(s, "aws_subnet", `private/subnet-${i}`)[0]));
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

  it("gives the role a Lambda trust policy, only the VPC access managed policy, and read access to exactly one secret", () => {
    const [role, body] = one(s, "aws_iam_role");
    expect(body.name).toBe("demo-probe-role");
    const trust = all(s, "aws_iam_policy_document", "data").find(([id]) => id.startsWith("probe_trust"))![1];
    expect(trust.statement).toEqual([{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }] }]);
    const attachments = all(s, "aws_iam_role_policy_attachment");
    expect(attachments.map(([, a]) => a.policy_arn)).toEqual([VPC_ACCESS_POLICY_ARN]);
    expect(attachments[0][1].role).toBe(ref("aws_iam_role", role, "name"));
    const read = all(s, "aws_iam_policy_document", "data").find(([id]) => id.startsWith("probe_read-secret"))![1];
    expect(read.statement).toEqual([{ actions: ["secretsmanager:GetSecretValue"], resources: [SECRET] }]);
    expect(one(s, "aws_iam_role_policy")[1].role).toBe(ref("aws_iam_role", role));
  });

  it("grants no secret access when no secret is given", () => {
    expect(synthLambda({ passwordSecretArn: undefined }).text).not.toHaveResource(IamRolePolicy);
  });

  it("creates the log group /aws/lambda/<name> with retention, and the function depends on it", () => {
    const [group, body] = one(s, "aws_cloudwatch_log_group");
    expect(body).toMatchObject({ name: "/aws/lambda/demo-probe", retention_in_days: 30 });
    expect(one(s, "aws_lambda_function")[1].depends_on).toEqual([`aws_cloudwatch_log_group.${group}`]);
  });

  it("defaults to nodejs22.x, index.handler, 256 MB, 30 s, and passes the secret ARN in the environment", () => {
    const [role] = one(s, "aws_iam_role");
    expect(one(s, "aws_lambda_function")[1]).toMatchObject({
      function_name: "demo-probe",
      runtime: "nodejs22.x",
      handler: "index.handler",
      memory_size: 256,
      timeout: 30,
      role: ref("aws_iam_role", role, "arn"),
      environment: { variables: { DB_HOST: "203.0.113.50", PASSWORD_SECRET_ARN: SECRET } },
    });
  });

  it("ships a zip whose source_code_hash is the base64 SHA-256 of its bytes", () => {
    let lambda!: PrivateLambda;
    const t = synthStack((scope) => {
      lambda = new PrivateLambda(scope, "probe", {
        network: { vpcId: "vpc-0a1b2c3d4e5f67890", privateSubnetIds: ["subnet-0a1b2c3d4e5f67890"] },
        functionName: "demo-probe",
        code: { entry: PROBE_ENTRY },
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
    it("fails on a malformed secret ARN", () => fails({ passwordSecretArn: "db-password" }, /passwordSecretArn: "db-password" is not valid; give a Secrets Manager secret ARN/));
    it("fails when a password is put in the environment", () => fails({ environment: { DB_PASSWORD: "x" } }, /environment\.DB_PASSWORD: would put a secret in Terraform state/));
    it("fails on a log retention CloudWatch does not offer", () => fails({ logRetentionDays: 2 }, /logRetentionDays: 2 is not a CloudWatch Logs retention period/));
    it("throws a ValidationError naming the construct path", () => {
      expect(() => synthLambda({ memoryMb: 1 })).toThrow(ValidationError);
      expect(() => synthLambda({ memoryMb: 1 })).toThrow(/^test\/probe: memoryMb:/);
    });
  });
});
