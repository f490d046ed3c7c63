import { Construct } from "constructs";
import { AssetType, TerraformAsset } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionUrl } from "@cdktf/provider-aws/lib/lambda-function-url";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { ValidationError } from "./errors";
import { LambdaCode } from "./lambda-code";
import { LAMBDA_DEFAULTS } from "./lambda-defaults";
import { rolePrefix } from "./names";
import { mergeTags } from "./tags";
import { Problems, checkPattern, checkRetention } from "./validate";

export interface GuardRunTaskProps {
  /** 1-59 letters, digits, hyphens or underscores: the function's name. */
  readonly functionName: string;
  /**
   * The run task handler: `LambdaCode.fromEntry(require.resolve("@fixed-egress/guard/run-task"))` (bundled by
   * esbuild; the package has no dependency of its own).
   */
  readonly code: LambdaCode;
  /**
   * A Secrets Manager secret whose SecretString is the run task's HMAC key (the one registered in HCP Terraform),
   * its full ARN. @default - a new, empty secret: put the key in it (`aws secretsmanager put-secret-value`) before
   * registering the task; until then every request is answered 500 and logged
   */
  readonly hmacSecretArn?: string;
  /** The egress IPs the database admits: a plan whose egress IPs after apply are all among them passes. @default - none */
  readonly allowListedEgressIps?: string[];
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** @default {} */
  readonly tags?: Record<string, string>;
}

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,59}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * The egress guard as an HCP Terraform run task: a Lambda function behind a function URL (register its `url`
 * as the run task's endpoint, with the HMAC key kept in Secrets Manager), its own log group with retention,
 * and a role that may write those logs and read that one secret, nothing else. The function URL takes
 * unauthenticated requests, as HCP Terraform sends them; the handler refuses any whose HMAC does not match.
 */
export class GuardRunTask extends Construct {
  public readonly function: LambdaFunction;
  public readonly functionUrl: LambdaFunctionUrl;
  /** the endpoint to register in HCP Terraform */
  public readonly url: string;
  public readonly role: IamRole;
  public readonly logGroup: CloudwatchLogGroup;
  /** the secret this construct made, when `hmacSecretArn` was not given */
  public readonly secret?: SecretsmanagerSecret;
  public readonly hmacSecretArn: string;

  constructor(scope: Construct, id: string, props: GuardRunTaskProps) {
    const p = new Problems();
    checkPattern(p, "functionName", props.functionName, FUNCTION_NAME, "use 1-59 letters, digits, hyphens or underscores");
    checkPattern(p, "hmacSecretArn", props.hmacSecretArn, SECRET_ARN, "give the secret's full ARN, with the 6-character suffix Secrets Manager adds, or leave it out for a new secret");
    props.allowListedEgressIps?.forEach((ip, i) => IPV4.test(ip) || p.add(`allowListedEgressIps[${i}]`, `"${ip}" is not an IPv4 address; list the addresses the database admits, one each (no ranges)`));
    checkRetention(p, "logRetentionDays", props.logRetentionDays);
    props.code.problems().forEach((x) => p.add(x.field, x.message));
    if (p.list.length > 0) throw new ValidationError(p.list, `${scope.node.path}/${id}`);
    super(scope, id);

    const name = props.functionName;
    const tags = (n: string) => mergeTags(n, props.tags);
    if (!props.hmacSecretArn) this.secret = new SecretsmanagerSecret(this, "hmac-key", { namePrefix: `${name}-hmac-key-`, description: `HMAC key of the ${name} run task (HCP Terraform signs each request with it)`, tags: tags(`${name}-hmac-key`) });
    this.hmacSecretArn = props.hmacSecretArn ?? this.secret!.arn;

    const trust = new DataAwsIamPolicyDocument(this, "trust", { statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }] }] });
    this.role = new IamRole(this, "role", { namePrefix: rolePrefix(name, "role"), assumeRolePolicy: trust.json, tags: tags(`${name}-role`) });
    this.logGroup = new CloudwatchLogGroup(this, "log-group", { name: `/aws/lambda/${name}`, retentionInDays: props.logRetentionDays ?? LAMBDA_DEFAULTS.logRetentionDays, tags: tags(`${name}-logs`) });
    const access = new DataAwsIamPolicyDocument(this, "access-document", {
      statement: [
        { sid: "OwnLogGroupOnly", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${this.logGroup.arn}:*`] },
        { sid: "ReadTheHmacKeyOnly", actions: ["secretsmanager:GetSecretValue"], resources: [this.hmacSecretArn] },
      ],
    });
    const policy = new IamRolePolicy(this, "access", { role: this.role.id, name: "logs-and-hmac-key", policy: access.json });

    const runtime = LAMBDA_DEFAULTS.runtime;
    const bundle = props.code.bind({ runtime });
    const asset = new TerraformAsset(this, "code", { path: bundle.zipPath, type: AssetType.FILE });
    this.function = new LambdaFunction(this, "function", {
      functionName: name,
      role: this.role.arn,
      runtime,
      handler: LAMBDA_DEFAULTS.handler,
      memorySize: LAMBDA_DEFAULTS.memoryMb,
      // A review and its callback take seconds; the callback's retries are bounded by this.
      timeout: 60,
      filename: asset.path,
      sourceCodeHash: bundle.sha256Base64,
      environment: {
        variables: {
          FIXED_EGRESS_GUARD_HMAC_SECRET_ARN: this.hmacSecretArn,
          ...(props.allowListedEgressIps?.length ? { FIXED_EGRESS_GUARD_ALLOW_LISTED: props.allowListedEgressIps.join(",") } : {}),
        },
      },
      tags: tags(name),
      dependsOn: [this.logGroup, policy],
    });
    // HCP Terraform calls without AWS credentials; the HMAC signature is the authentication.
    this.functionUrl = new LambdaFunctionUrl(this, "url", { functionName: this.function.functionName, authorizationType: "NONE" });
    this.url = this.functionUrl.functionUrl;
  }
}
