import { Construct } from "constructs";
import { AssetType, TerraformAsset } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Bundle, DEFAULT_EXTERNAL, bundleNodeFunction } from "./bundle";
import { parseCidr } from "./cidr";
import { ValidationError } from "./errors";
import { IPrivateNetwork } from "./fixed-egress-network";
import { mergeTags } from "./tags";
import { LAMBDA_LIMITS, Problems, checkInteger, checkPattern, checkRetention } from "./validate";

/** The only managed policy the function gets: ENIs in the VPC and its own logs. */
export const VPC_ACCESS_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";

export interface DatabaseAccessProps {
  /** TCP port of the external database; the security group opens only this port (plus 443). */
  readonly port: number;
  /** Where the database lives. @default ["0.0.0.0/0"] (on `port` only) */
  readonly cidrs?: string[];
}

export interface LambdaCodeProps {
  /** Source entry (TypeScript or JavaScript) that exports the handler; bundled by esbuild into a deterministic zip. */
  readonly entry: string;
  /** Modules the function never loads at run time, left out of the bundle (besides the AWS SDK). @default [] */
  readonly exclude?: string[];
}

export interface PrivateLambdaProps {
  /** The network to run in; the function is placed in its private subnets only. */
  readonly network: IPrivateNetwork;
  /** 1-59 letters, digits, hyphens or underscores (the role is named `<functionName>-role`). */
  readonly functionName: string;
  readonly code: LambdaCodeProps;
  /** @default "index.handler" */
  readonly handler?: string;
  /** @default "nodejs22.x" */
  readonly runtime?: string;
  /** @default 256 */
  readonly memoryMb?: number;
  /** @default 30 */
  readonly timeoutSeconds?: number;
  /** Plain environment variables; never put a password here, use `passwordSecretArn`. @default {} */
  readonly environment?: Record<string, string>;
  readonly database: DatabaseAccessProps;
  /** Secrets Manager secret the function may read (and nothing else). @default - no secret access */
  readonly passwordSecretArn?: string;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** @default {} */
  readonly tags?: Record<string, string>;
}

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,59}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

export function validateLambdaProps(props: Omit<PrivateLambdaProps, "network" | "code">): Problems {
  const p = new Problems();
  checkPattern(p, "functionName", props.functionName, FUNCTION_NAME, "use 1-59 letters, digits, hyphens or underscores");
  checkInteger(p, "memoryMb", props.memoryMb, LAMBDA_LIMITS.memoryMb.min, LAMBDA_LIMITS.memoryMb.max, "MB");
  checkInteger(p, "timeoutSeconds", props.timeoutSeconds, LAMBDA_LIMITS.timeoutSeconds.min, LAMBDA_LIMITS.timeoutSeconds.max, "seconds");
  checkInteger(p, "database.port", props.database.port, 1, 65535, "TCP port");
  (props.database.cidrs ?? []).forEach((cidr, i) => {
    const r = parseCidr(cidr);
    if (typeof r === "string") p.add(`database.cidrs[${i}]`, r);
  });
  if (props.database.cidrs !== undefined && props.database.cidrs.length === 0) {
    p.add("database.cidrs", "is empty; give the database's address range, for example [\"203.0.113.50/32\"], or leave it out for 0.0.0.0/0");
  }
  checkPattern(p, "passwordSecretArn", props.passwordSecretArn, SECRET_ARN, "give a Secrets Manager secret ARN such as \"arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db-password-AbCdEf\"");
  checkRetention(p, "logRetentionDays", props.logRetentionDays);
  if (props.environment) {
    for (const key of Object.keys(props.environment)) {
      if (/PASSWORD|SECRET/i.test(key) && key !== "PASSWORD_SECRET_ARN") {
        p.add(`environment.${key}`, "would put a secret in Terraform state and the function's configuration; store it in Secrets Manager and pass passwordSecretArn");
      }
    }
  }
  return p;
}

/**
 * A Lambda function that runs only in a network's private subnets, so its outbound traffic leaves
 * through the NAT Gateway's Elastic IP. Least privilege: egress to the database port and HTTPS only,
 * the VPC-access managed policy, and read access to one secret.
 */
export class PrivateLambda extends Construct {
  public readonly function: LambdaFunction;
  public readonly securityGroup: SecurityGroup;
  public readonly role: IamRole;
  public readonly logGroup: CloudwatchLogGroup;
  public readonly bundle: Bundle;
  public readonly functionName: string;

  constructor(scope: Construct, id: string, props: PrivateLambdaProps) {
    super(scope, id);
    const problems = validateLambdaProps(props);
    if (props.network.privateSubnetIds.length === 0) {
      problems.add("network.privateSubnetIds", "is empty; pass a FixedEgressNetwork (or another IPrivateNetwork) with at least one private subnet");
    }
    if (problems.list.length > 0) throw new ValidationError(problems.list, this);

    const name = props.functionName;
    const tags = (n: string) => mergeTags(n, props.tags);
    const cidrs = props.database.cidrs ?? ["0.0.0.0/0"];

    this.securityGroup = new SecurityGroup(this, "security-group", {
      name: `${name}-lambda`,
      description: `Egress of Lambda ${name}: database and HTTPS only`,
      vpcId: props.network.vpcId,
      ingress: [],
      egress: [
        { description: "External database", protocol: "tcp", fromPort: props.database.port, toPort: props.database.port, cidrBlocks: cidrs },
        { description: "HTTPS to AWS APIs (Secrets Manager)", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
      ],
      tags: tags(`${name}-lambda`),
    });

    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }] }],
    });
    this.role = new IamRole(this, "role", { name: `${name}-role`, assumeRolePolicy: trust.json, tags: tags(`${name}-role`) });
    new IamRolePolicyAttachment(this, "vpc-access", { role: this.role.name, policyArn: VPC_ACCESS_POLICY_ARN });
    if (props.passwordSecretArn) {
      const read = new DataAwsIamPolicyDocument(this, "read-secret", {
        statement: [{ actions: ["secretsmanager:GetSecretValue"], resources: [props.passwordSecretArn] }],
      });
      new IamRolePolicy(this, "read-secret-policy", { role: this.role.id, name: "read-database-password", policy: read.json });
    }

    // Created before the function so Lambda does not create it first without retention.
    this.logGroup = new CloudwatchLogGroup(this, "log-group", {
      name: `/aws/lambda/${name}`,
      retentionInDays: props.logRetentionDays ?? 30,
      tags: tags(`${name}-logs`),
    });

    this.bundle = bundleNodeFunction(props.code.entry, { external: [...DEFAULT_EXTERNAL, ...(props.code.exclude ?? [])] });
    const asset = new TerraformAsset(this, "code", { path: this.bundle.zipPath, type: AssetType.FILE });
    const environment = { ...(props.environment ?? {}), ...(props.passwordSecretArn ? { PASSWORD_SECRET_ARN: props.passwordSecretArn } : {}) };

    this.function = new LambdaFunction(this, "function", {
      functionName: name,
      role: this.role.arn,
      runtime: props.runtime ?? "nodejs22.x",
      handler: props.handler ?? "index.handler",
      memorySize: props.memoryMb ?? 256,
      timeout: props.timeoutSeconds ?? 30,
      filename: asset.path,
      sourceCodeHash: this.bundle.sha256Base64,
      vpcConfig: { subnetIds: props.network.privateSubnetIds, securityGroupIds: [this.securityGroup.id] },
      environment: Object.keys(environment).length > 0 ? { variables: environment } : undefined,
      tags: tags(name),
      dependsOn: [this.logGroup],
    });
    this.functionName = this.function.functionName;
  }
}
