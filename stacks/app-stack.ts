import { existsSync } from "fs";
import { dirname, join } from "path";
import { Construct } from "constructs";
import { Fn, TerraformOutput, TerraformStack } from "cdktf";
import { FixedEgressNetwork } from "../constructs/fixed-egress-network";
import { PrivateLambda } from "../constructs/private-lambda";
import { AppConfig, functionNameOf } from "./config";
import { wireStack } from "./wiring";

/** The project folder: the one holding lambda-src, wherever this module was compiled or bundled to. */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "lambda-src", "index.ts"))) return dir;
    if (dirname(dir) === dir) throw new Error(`lambda-src/index.ts not found above ${from}`);
  }
}

export const PROBE_ENTRY = join(projectRoot(__dirname), "lambda-src", "index.ts");

/** The probe loads one driver; leaving the other out keeps the bundle small (mysql2 with its TLS profiles is ~1 MB minified). */
export const UNUSED_DRIVERS: Record<"postgres" | "mysql", string[]> = { postgres: ["mysql2", "mysql2/*"], mysql: ["pg"] };

/** `<name>-app`: the probe function in the network's private subnets; reads the network through remote state. */
export class AppStack extends TerraformStack {
  public readonly lambda: PrivateLambda;

  constructor(scope: Construct, id: string, config: AppConfig, network: FixedEgressNetwork) {
    super(scope, id);
    wireStack(this, config, id);
    const db = config.lambda.database;
    this.lambda = new PrivateLambda(this, "probe", {
      network,
      functionName: functionNameOf(config),
      code: { entry: PROBE_ENTRY, exclude: UNUSED_DRIVERS[db.engine] },
      memoryMb: config.lambda.memoryMb,
      timeoutSeconds: config.lambda.timeoutSeconds,
      logRetentionDays: config.lambda.logRetentionDays,
      database: { port: db.port, cidrs: db.cidrs },
      passwordSecretArn: db.passwordSecretArn,
      environment: {
        DB_ENGINE: db.engine,
        DB_HOST: db.host,
        DB_PORT: String(db.port),
        DB_NAME: db.name,
        DB_USER: db.user,
        CONNECT_TIMEOUT_MS: String(db.connectTimeoutMs),
        DB_TLS: db.tls,
        EGRESS_IPS: Fn.join(",", network.egressIps),
      },
      tags: config.tags,
    });
    new TerraformOutput(this, "function_name", { value: this.lambda.function.functionName });
    new TerraformOutput(this, "function_arn", { value: this.lambda.function.arn });
    new TerraformOutput(this, "security_group_id", { value: this.lambda.securityGroup.id });
  }
}
