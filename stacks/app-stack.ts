import { join } from "path";
import { Construct } from "constructs";
import { Fn, TerraformOutput, TerraformStack } from "cdktf";
import { FixedEgressNetwork, LambdaCode, NOT_APPLIED_OUTPUTS, PrivateLambda, findProjectRoot, networkAppliedPrecondition } from "@fixed-egress/constructs";
import { AppConfig, functionNameOf } from "./config";
import { remoteStateOf, wireStack } from "./wiring";

/** The project folder (its cdktf.json), wherever this module was compiled or bundled to. */
function projectRoot(): string {
  const root = findProjectRoot(__dirname);
  if (!root) throw new Error(`no cdktf.json above ${__dirname}: the app must run from inside the project`);
  return root;
}

export const PROBE_ENTRY = join(projectRoot(), "lambda-src", "index.ts");

/** The probe loads one driver; leaving the other out keeps the bundle small (mysql2 with its TLS profiles is ~1 MB minified). */
export const UNUSED_DRIVERS: Record<"postgres" | "mysql", string[]> = { postgres: ["mysql2", "mysql2/*"], mysql: ["pg"] };

/** Where the Node.js Lambda runtime keeps Amazon's CA bundle (RDS included); Node loads it only when told to. */
export const LAMBDA_CA_BUNDLE = "/var/runtime/ca-cert.pem";
/** The name of a configured caBundle inside the function's zip (under LAMBDA_TASK_ROOT). */
export const CA_BUNDLE_ZIP_NAME = "db-ca-bundle.pem";

/**
 * `<name>-app`: the probe function in the network's private subnets. It reads the network through an
 * explicit terraform_remote_state on the network stack's documented outputs, as an app stack in another
 * repository would.
 */
export class AppStack extends TerraformStack {
  public readonly lambda: PrivateLambda;

  constructor(scope: Construct, id: string, config: AppConfig, networkStackName: string) {
    super(scope, id);
    wireStack(this, config, id);
    const state = remoteStateOf(this, "network-state", config, networkStackName, NOT_APPLIED_OUTPUTS);
    const network = FixedEgressNetwork.fromRemoteState(state);
    const db = config.lambda.database;
    const verifyFull = db.tls === "verify-full";
    this.lambda = new PrivateLambda(this, "probe", {
      network,
      functionName: functionNameOf(config),
      code: LambdaCode.fromEntry(PROBE_ENTRY, {
        exclude: UNUSED_DRIVERS[db.engine],
        files: db.caBundle ? { [CA_BUNDLE_ZIP_NAME]: db.caBundle } : undefined,
      }),
      memoryMb: config.lambda.memoryMb,
      timeoutSeconds: config.lambda.timeoutSeconds,
      logRetentionDays: config.lambda.logRetentionDays,
      database: { port: db.port, cidrs: db.cidrs },
      passwordSecretArn: db.passwordSecretArn,
      passwordSecretKmsKeyArn: db.passwordSecretKmsKeyArn,
      environment: {
        DB_ENGINE: db.engine,
        DB_HOST: db.host,
        DB_PORT: String(db.port),
        DB_NAME: db.name,
        DB_USER: db.user,
        CONNECT_TIMEOUT_MS: String(db.connectTimeoutMs),
        DB_TLS: db.tls,
        EGRESS_IPS: Fn.join(",", network.egressIps ?? []),
        // verify-full checks the server against Amazon's CAs (RDS) and, when given, the configured bundle.
        ...(verifyFull ? { NODE_EXTRA_CA_CERTS: LAMBDA_CA_BUNDLE } : {}),
        ...(db.caBundle ? { DB_TLS_CA_FILE: CA_BUNDLE_ZIP_NAME } : {}),
      },
      tags: config.tags,
    });
    // Before the network stack is applied its state has no outputs: say so instead of planning a function in no subnet.
    this.lambda.function.addOverride("lifecycle.precondition", [networkAppliedPrecondition(state.fqn, networkStackName)]);
    new TerraformOutput(this, "function_name", { value: this.lambda.function.functionName });
    new TerraformOutput(this, "function_arn", { value: this.lambda.function.arn });
    new TerraformOutput(this, "security_group_id", { value: this.lambda.securityGroup.id });
  }
}
