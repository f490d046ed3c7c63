import { Construct } from "constructs";
import { AssetType, TerraformAsset, Token } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { SecurityGroup, SecurityGroupEgress } from "@cdktf/provider-aws/lib/security-group";
import { Bundle } from "./bundle";
import { LambdaCode } from "./lambda-code";
import { LAMBDA_DEFAULTS } from "./lambda-defaults";

export { LAMBDA_DEFAULTS };
import { parseCidr } from "./cidr";
import { ValidationError } from "./errors";
import { IPrivateNetwork } from "./fixed-egress-network";
import { mergeTags } from "./tags";
import { rolePrefix } from "./names";
import { LAMBDA_LIMITS, Problems, checkInteger, checkPattern, checkRetention } from "./validate";
import { regionNameOf } from "./provider-compat";

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

/** Node.js runtimes the pinned AWS provider (5.100) accepts. */
export const NODE_RUNTIMES = ["nodejs18.x", "nodejs20.x", "nodejs22.x"] as const;

export interface DatabaseAccessProps {
  /** TCP port of the external database; the security group opens only this port (plus 443 with `allowHttps`). */
  readonly port: number;
  /** Where the database lives. @default ["0.0.0.0/0"] (on `port` only) */
  readonly cidrs?: string[];
}

export interface PrivateLambdaProps {
  /** The network to run in; the function is placed in its private subnets only. */
  readonly network: IPrivateNetwork;
  /** 1-59 letters, digits, hyphens or underscores (the role's name starts with it). */
  readonly functionName: string;
  /** `LambdaCode.fromEntry(…)` (bundled by esbuild) or `LambdaCode.fromZip(…)`. */
  readonly code: LambdaCode;
  /** `<file>.<export>` of the handler inside the zip. @default "index.handler" */
  readonly handler?: string;
  /** A Node.js runtime the pinned AWS provider knows (NODE_RUNTIMES). @default "nodejs22.x" */
  readonly runtime?: string;
  /** @default 256 */
  readonly memoryMb?: number;
  /** @default 30 */
  readonly timeoutSeconds?: number;
  /** Plain environment variables; never put a password here, use `passwordSecretArn`. @default {} */
  readonly environment?: Record<string, string>;
  /** The external database: the security group opens its port towards its ranges. @default - no database port (HTTPS only) */
  readonly database?: DatabaseAccessProps;
  /** Egress to 443 anywhere (AWS APIs such as Secrets Manager, HTTPS services). @default true */
  readonly allowHttps?: boolean;
  /** Secrets Manager secret the function may read (and nothing else), its full ARN with the 6-character suffix. @default - no secret access */
  readonly passwordSecretArn?: string;
  /**
   * The environment variable that carries `passwordSecretArn` to the code (the ARN, never the secret).
   * @default - none: the code learns the ARN its own way
   */
  readonly passwordSecretArnVariable?: string;
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
const HANDLER = /^[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.[A-Za-z_$][A-Za-z0-9_$]*$/;
// Secrets Manager appends "-" and 6 characters to the name; IAM matches the full ARN only.
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;


export function validateLambdaProps(props: Omit<PrivateLambdaProps, "network" | "code">): Problems {
  const p = new Problems();
  checkPattern(p, "functionName", props.functionName, FUNCTION_NAME, "use 1-59 letters, digits, hyphens or underscores");
  checkPattern(p, "handler", props.handler, HANDLER, "write it as <file>.<export> inside the zip, for example \"index.handler\"");
  if (props.runtime !== undefined && !Token.isUnresolved(props.runtime) && !(NODE_RUNTIMES as readonly string[]).includes(props.runtime)) {
    p.add("runtime", `"${props.runtime}" is not a Node.js runtime the pinned AWS provider knows; use one of ${NODE_RUNTIMES.join(", ")}`);
  }
  checkInteger(p, "memoryMb", props.memoryMb, LAMBDA_LIMITS.memoryMb.min, LAMBDA_LIMITS.memoryMb.max, "MB");
  checkInteger(p, "timeoutSeconds", props.timeoutSeconds, LAMBDA_LIMITS.timeoutSeconds.min, LAMBDA_LIMITS.timeoutSeconds.max, "seconds");
  if (props.database) {
    const db = props.database;
    checkInteger(p, "database.port", db.port, 1, 65535, "TCP port");
    // A token list synthesizes fine; only its elements cannot be checked.
    const cidrs = db.cidrs !== undefined && !Token.isUnresolved(db.cidrs) ? db.cidrs : undefined;
    cidrs?.forEach((cidr, i) => {
      if (Token.isUnresolved(cidr)) return;
      const r = parseCidr(cidr);
      if (typeof r === "string") p.add(`database.cidrs[${i}]`, r);
    });
    if (cidrs?.length === 0) {
      p.add("database.cidrs", "is empty; give the database's address range, for example [\"203.0.113.50/32\"], or leave it out for 0.0.0.0/0");
    }
  }
  checkPattern(p, "passwordSecretArn", props.passwordSecretArn, SECRET_ARN, "give the secret's full ARN, with the 6-character suffix Secrets Manager adds (aws secretsmanager describe-secret --secret-id <name> --query ARN), such as \"arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db-password-AbCdEf\"");
  checkPattern(p, "passwordSecretKmsKeyArn", props.passwordSecretKmsKeyArn, KMS_KEY_ARN, "give the KMS key's ARN (aws kms describe-key --key-id <alias> --query KeyMetadata.Arn), such as \"arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\"");
  if (props.passwordSecretKmsKeyArn !== undefined && props.passwordSecretArn === undefined) {
    p.add("passwordSecretKmsKeyArn", "is set without passwordSecretArn; give the secret it encrypts, or leave the key out");
  }
  checkRetention(p, "logRetentionDays", props.logRetentionDays);
  for (const key of Object.keys(props.environment ?? {})) checkEnvironmentKey(p, `environment.${key}`, key, props.passwordSecretArnVariable);
  if (props.passwordSecretArnVariable !== undefined) {
    if (props.passwordSecretArn === undefined) p.add("passwordSecretArnVariable", "is set without passwordSecretArn; give the secret whose ARN it carries, or leave it out");
    if (props.environment?.[props.passwordSecretArnVariable] !== undefined) {
      p.add(`environment.${props.passwordSecretArnVariable}`, "is also passwordSecretArnVariable, which sets it to passwordSecretArn; leave it out of environment");
    }
  }
  return p;
}

function checkEnvironmentKey(p: Problems, field: string, key: string, arnVariable?: string): void {
  if (/PASSWORD|SECRET/i.test(key) && key !== arnVariable) {
    p.add(field, "would put a secret in Terraform state and the function's configuration; store it in Secrets Manager, pass passwordSecretArn, and name the variable that carries its ARN (not the secret) in passwordSecretArnVariable");
  }
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
  private readonly environment: Record<string, string>;
  private readonly passwordSecretArnVariable?: string;
  private extraPolicy?: { document: DataAwsIamPolicyDocument; statements: DataAwsIamPolicyDocumentStatement[] };

  constructor(scope: Construct, id: string, props: PrivateLambdaProps) {
    // Everything is checked before the construct joins the tree: a bad prop leaves nothing behind.
    const problems = validateLambdaProps(props);
    const subnets = props.network.privateSubnetIds;
    if (!Token.isUnresolved(subnets) && subnets.length === 0) {
      problems.add("network.privateSubnetIds", "is empty; pass a FixedEgressNetwork (or another IPrivateNetwork) with at least one private subnet");
    }
    props.code.problems().forEach((x) => problems.add(x.field, x.message));
    if (problems.list.length > 0) throw new ValidationError(problems.list, `${scope.node.path}/${id}`);
    super(scope, id);

    const name = props.functionName;
    const tags = (n: string) => mergeTags(n, props.tags);
    const db = props.database;

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
                  condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [`secretsmanager.${regionNameOf(region)}.amazonaws.com`] }],
                },
              ]
            : []),
        ],
      });
      new IamRolePolicy(this, "read-secret-policy", { role: this.role.id, name: "read-database-password", policy: read.json });
    }

    const egress: SecurityGroupEgress[] = [
      ...(db ? [{ description: "External database", protocol: "tcp", fromPort: db.port, toPort: db.port, cidrBlocks: db.cidrs ?? ["0.0.0.0/0"] }] : []),
      ...((props.allowHttps ?? true) ? [{ description: "HTTPS to AWS APIs (Secrets Manager)", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] : []),
    ];
    // A replacement (another port, for example) must exist before the old group goes: the function still uses it.
    // Destroy removes the group before the VPC-access permission: AWS needs it to delete Lambda's interfaces.
    this.securityGroup = new SecurityGroup(this, "security-group", {
      namePrefix: `${name}-lambda-`,
      description: db ? `Lambda ${name}: egress to the database on port ${db.port} and HTTPS only` : `Lambda ${name}: egress ${egress.length > 0 ? "to HTTPS only" : "none"}`,
      vpcId: props.network.vpcId,
      ingress: [],
      egress,
      tags: tags(`${name}-lambda`),
      lifecycle: { createBeforeDestroy: true },
      dependsOn: [this.vpcAccessPolicy],
    });

    const runtime = props.runtime ?? LAMBDA_DEFAULTS.runtime;
    this.bundle = props.code.bind({ runtime });
    const asset = new TerraformAsset(this, "code", { path: this.bundle.zipPath, type: AssetType.FILE });
    const arnVariable = props.passwordSecretArnVariable;
    this.environment = { ...(props.environment ?? {}), ...(props.passwordSecretArn && arnVariable ? { [arnVariable]: props.passwordSecretArn } : {}) };
    this.passwordSecretArnVariable = arnVariable;

    this.function = new LambdaFunction(this, "function", {
      functionName: name,
      role: this.role.arn,
      runtime,
      handler: props.handler ?? LAMBDA_DEFAULTS.handler,
      memorySize: props.memoryMb ?? LAMBDA_DEFAULTS.memoryMb,
      timeout: props.timeoutSeconds ?? LAMBDA_DEFAULTS.timeoutSeconds,
      filename: asset.path,
      sourceCodeHash: this.bundle.sha256Base64,
      vpcConfig: { subnetIds: subnets, securityGroupIds: [this.securityGroup.id] },
      tags: tags(name),
      // The permission outlives the function on destroy: Lambda deletes the function's network interfaces with it.
      dependsOn: [this.logGroup, this.vpcAccessPolicy],
    });
    this.syncEnvironment();
    this.functionName = this.function.functionName;
  }

  /** Adds (or overrides) one environment variable; a key that looks like a password is refused, as in the props. */
  public addEnvironment(key: string, value: string): this {
    const p = new Problems();
    checkEnvironmentKey(p, `addEnvironment(${key})`, key, this.passwordSecretArnVariable);
    if (p.list.length > 0) throw new ValidationError(p.list, this);
    this.environment[key] = value;
    this.syncEnvironment();
    return this;
  }

  /** Grants the function's role one more statement, in an inline policy of its own (`extra-permissions`). */
  public addToRolePolicy(statement: DataAwsIamPolicyDocumentStatement): this {
    if (!this.extraPolicy) {
      const document = new DataAwsIamPolicyDocument(this, "extra-document", { statement: [] });
      new IamRolePolicy(this, "extra-policy", { role: this.role.id, name: "extra-permissions", policy: document.json });
      this.extraPolicy = { document, statements: [] };
    }
    this.extraPolicy.statements.push(statement);
    this.extraPolicy.document.putStatement(this.extraPolicy.statements);
    return this;
  }

  private syncEnvironment(): void {
    if (Object.keys(this.environment).length > 0) this.function.putEnvironment({ variables: { ...this.environment } });
  }
}
