import { join } from "path";
import { Construct } from "constructs";
import { Fn, TerraformOutput, TerraformStack } from "cdktf";
import { EgressCanary, FixedEgressNetwork, LambdaCode, NOT_APPLIED_OUTPUTS, PrivateLambda, findProjectRoot, networkAppliedPrecondition } from "@fixed-egress/constructs";
import { AppConfig, CA_BUNDLE_ZIP_NAME, LAMBDA_CA_BUNDLE, lambdaPropsOf } from "./config";
import { PROBE_ENV } from "../lambda-src/settings";
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

export { CA_BUNDLE_ZIP_NAME, LAMBDA_CA_BUNDLE };

/**
 * `<name>-app`: the probe function in the network's private subnets. It reads the network through an
 * explicit terraform_remote_state on the network stack's documented outputs, as an app stack in another
 * repository would.
 */
export class AppStack extends TerraformStack {
  public readonly lambda: PrivateLambda;
  public readonly canary?: EgressCanary;

  constructor(scope: Construct, id: string, config: AppConfig, networkStackName: string) {
    super(scope, id);
    wireStack(this, config, id);
    const state = remoteStateOf(this, "network-state", config, networkStackName, NOT_APPLIED_OUTPUTS);
    const network = FixedEgressNetwork.fromRemoteState(state);
    const db = config.lambda.database;
    const props = lambdaPropsOf(config);
    const canary = config.lambda.canary;
    this.lambda = new PrivateLambda(this, "probe", {
      ...props,
      network,
      code: LambdaCode.fromEntry(PROBE_ENTRY, {
        exclude: UNUSED_DRIVERS[db.engine],
        files: db.caBundle ? { [CA_BUNDLE_ZIP_NAME]: db.caBundle } : undefined,
      }),
      // What the probe expects to be seen from: the network's egress IPs, unless the canary names others.
      environment: { ...props.environment, [PROBE_ENV.egressIps]: canary?.expectedIps?.join(",") ?? Fn.join(",", network.egressIps ?? []) },
    });
    if (canary) {
      this.canary = new EgressCanary(this, "canary", { function: this.lambda.function, networkName: config.name, schedule: canary.schedule, alarmTopicArn: config.network.alarms?.topicArn, tags: config.tags });
    }
    // Before the network stack is applied its state has no outputs: say so instead of planning a function in no subnet.
    this.lambda.function.addOverride("lifecycle.precondition", [networkAppliedPrecondition(state.fqn, networkStackName)]);
    new TerraformOutput(this, "function_name", { value: this.lambda.function.functionName });
    new TerraformOutput(this, "function_arn", { value: this.lambda.function.arn });
    new TerraformOutput(this, "security_group_id", { value: this.lambda.securityGroup.id });
  }
}
