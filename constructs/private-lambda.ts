import { existsSync } from "fs";
import { Construct } from "constructs";
import { AssetType, TerraformAsset, Token } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Bundle, DEFAULT_EXTERNAL, bundleNodeFunction } from "./bundle";
import { parseCidr } from "./cidr";
import { ValidationError } from "./errors";
import { IPrivateNetwork } from "./fixed-egress-network";
import { mergeTags } from "./tags";
import { rolePrefix } from "./names";
import { LAMBDA_LIMITS, Problems, checkInteger, checkPattern, checkRetention } from "./validate";

/**
 * The network-interface actions Lambda needs to attach the function to the VPC (as AWS's managed
 * AWSLambdaVPCAccessExecutionRole grants them). Lambda also needs them to delete those interfaces when the
 * function goes, so this permission must outlive the function on destroy.
 */
export const VPC_ACCESS_ACTIONS = [
  "ec2:CreateNetworkInterface",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeSubnets",
  "ec2:DeleteNetworkInterface",
  "ec2:AssignPrivateIpAddresses",
  "ec2:UnassignPrivateIpAddresses",
] as const;

/** Defaults of the optional props, in one place (the config schema is tested against them). */
export const LAMBDA_DEFAULTS = {
  handler: "index.handler",
  runtime: "nodejs22.x",
  memoryMb: 256,
  timeoutSeconds: 30,
  logRetentionDays: 30,
} as const;

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
  /**
   * Files packed beside `index.js`, as zip name → local path (a CA bundle, for example); at run time
   * they are under `LAMBDA_TASK_ROOT` (/var/task). @default {}
   */
  readonly files?: Record<string, string>;
}

export interface PrivateLambdaProps {
  /** The network to run in; the function is placed in its private subnets only. */
  readonly network: IPrivateNetwork;
  /** 1-59 letters, digits, hyphens or underscores (the role's name starts with it). */
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
  /** Secrets Manager secret the function may read (and nothing else), its full ARN with the 6-character suffix. @default - no secret access */
  readonly passwordSecretArn?: string;
  /**
   * The customer-managed KMS key that encrypts `passwordSecretArn`; the function may decrypt with it only
   * through Secrets Manager. @default - the secret uses the AWS-managed key (no KMS grant needed)
   */
  readonly passwordSecretKmsKeyArn?: string;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** @default {} */
  readonly tags?: Record<string, string>;
}

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,59}$/;
// Secrets Manager appends "-" and 6 characters to the name; IAM matches the full ARN only.
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;


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
  checkPattern(p, "passwordSecretArn", props.passwordSecretArn, SECRET_ARN, "give the secret's full ARN, with the 6-character suffix Secrets Manager adds (aws secretsmanager describe-secret --secret-id <name> --query ARN), such as \"arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db-password-AbCdEf\"");
  checkPattern(p, "passwordSecretKmsKeyArn", props.passwordSecretKmsKeyArn, KMS_KEY_ARN, "give the KMS key's ARN (aws kms describe-key --key-id <alias> --query KeyMetadata.Arn), such as \"arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\"");
  if (props.passwordSecretKmsKeyArn !== undefined && props.passwordSecretArn === undefined) {
    p.add("passwordSecretKmsKeyArn", "is set without passwordSecretArn; give the secret it encrypts, or leave the key out");
  }
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
 * through the NAT's Elastic IP. Least privilege: egress to the database port and HTTPS only, network
 * interfaces and its own log group, and read access to one secret.
 */
export class PrivateLambda extends Construct {
  public readonly function: LambdaFunction;
  public readonly securityGroup: SecurityGroup;
  public readonly role: IamRole;
  /** The inline policy that lets Lambda create and delete the function's network interfaces, and write its logs. */
  public readonly vpcAccessPolicy: IamRolePolicy;
  public readonly logGroup: CloudwatchLogGroup;
  public readonly bundle: Bundle;
  public readonly functionName: string;

  constructor(scope: Construct, id: string, props: PrivateLambdaProps) {
    super(scope, id);
    const problems = validateLambdaProps(props);
    const subnets = props.network.privateSubnetIds;
    if (!Token.isUnresolved(subnets) && subnets.length === 0) {
      problems.add("network.privateSubnetIds", "is empty; pass a FixedEgressNetwork (or another IPrivateNetwork) with at least one private subnet");
    }
    // Files are checked here, before any child exists, so a typo never leaves half a construct behind.
    if (!existsSync(props.code.entry)) problems.add("code.entry", `"${props.code.entry}" does not exist; give the path of the handler's source file`);
    for (const [zipName, path] of Object.entries(props.code.files ?? {})) {
      if (!existsSync(path)) problems.add(`code.files.${zipName}`, `"${path}" does not exist; give the path of a file to pack beside the handler`);
    }
    if (problems.list.length > 0) throw new ValidationError(problems.list, this);

    const name = props.functionName;
    const tags = (n: string) => mergeTags(n, props.tags);
    const cidrs = props.database.cidrs ?? ["0.0.0.0/0"];

    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }] }],
    });
    this.role = new IamRole(this, "role", {
      namePrefix: rolePrefix(name, "role"),
      assumeRolePolicy: trust.json,
      tags: tags(`${name}-role`),
      lifecycle: { createBeforeDestroy: true },
    });

    // Created before the function so Lambda does not create it first without retention.
    this.logGroup = new CloudwatchLogGroup(this, "log-group", {
      name: `/aws/lambda/${name}`,
      retentionInDays: props.logRetentionDays ?? LAMBDA_DEFAULTS.logRetentionDays,
      tags: tags(`${name}-logs`),
    });

    const access = new DataAwsIamPolicyDocument(this, "vpc-access-document", {
      statement: [
        // Lambda's network-interface calls cannot be narrowed to resources: AWS documents them on "*".
        { sid: "NetworkInterfaces", actions: [...VPC_ACCESS_ACTIONS], resources: ["*"] },
        { sid: "OwnLogGroupOnly", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${this.logGroup.arn}:*`] },
      ],
    });
    this.vpcAccessPolicy = new IamRolePolicy(this, "vpc-access", { role: this.role.id, name: "vpc-access-and-logs", policy: access.json });

    if (props.passwordSecretArn) {
      const region = new DataAwsRegion(this, "region");
      const read = new DataAwsIamPolicyDocument(this, "read-secret", {
        statement: [
          { sid: "ReadOneSecret", actions: ["secretsmanager:GetSecretValue"], resources: [props.passwordSecretArn] },
          ...(props.passwordSecretKmsKeyArn
            ? [
                {
                  sid: "DecryptThroughSecretsManagerOnly",
                  actions: ["kms:Decrypt"],
                  resources: [props.passwordSecretKmsKeyArn],
                  condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [`secretsmanager.${region.name}.amazonaws.com`] }],
                },
              ]
            : []),
        ],
      });
      new IamRolePolicy(this, "read-secret-policy", { role: this.role.id, name: "read-database-password", policy: read.json });
    }

    // A replacement (another port, for example) must exist before the old group goes: the function still uses it.
    // Destroy removes the group before the VPC-access permission: AWS needs it to delete Lambda's interfaces.
    this.securityGroup = new SecurityGroup(this, "security-group", {
      namePrefix: `${name}-lambda-`,
      description: `Lambda ${name}: egress to the database on port ${props.database.port} and HTTPS only`,
      vpcId: props.network.vpcId,
      ingress: [],
      egress: [
        { description: "External database", protocol: "tcp", fromPort: props.database.port, toPort: props.database.port, cidrBlocks: cidrs },
        { description: "HTTPS to AWS APIs (Secrets Manager)", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
      ],
      tags: tags(`${name}-lambda`),
      lifecycle: { createBeforeDestroy: true },
      dependsOn: [this.vpcAccessPolicy],
    });

    this.bundle = bundleNodeFunction(props.code.entry, {
      external: [...DEFAULT_EXTERNAL, ...(props.code.exclude ?? [])],
      files: props.code.files,
    });
    const asset = new TerraformAsset(this, "code", { path: this.bundle.zipPath, type: AssetType.FILE });
    const environment = { ...(props.environment ?? {}), ...(props.passwordSecretArn ? { PASSWORD_SECRET_ARN: props.passwordSecretArn } : {}) };

    this.function = new LambdaFunction(this, "function", {
      functionName: name,
      role: this.role.arn,
      runtime: props.runtime ?? LAMBDA_DEFAULTS.runtime,
      handler: props.handler ?? LAMBDA_DEFAULTS.handler,
      memorySize: props.memoryMb ?? LAMBDA_DEFAULTS.memoryMb,
      timeout: props.timeoutSeconds ?? LAMBDA_DEFAULTS.timeoutSeconds,
      filename: asset.path,
      sourceCodeHash: this.bundle.sha256Base64,
      vpcConfig: { subnetIds: subnets, securityGroupIds: [this.securityGroup.id] },
      environment: Object.keys(environment).length > 0 ? { variables: environment } : undefined,
      tags: tags(name),
      // The permission outlives the function on destroy: Lambda deletes the function's network interfaces with it.
      dependsOn: [this.logGroup, this.vpcAccessPolicy],
    });
    this.functionName = this.function.functionName;
  }
}
