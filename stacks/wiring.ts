import { Construct } from "constructs";
import { LocalBackend, S3Backend, TerraformStack } from "cdktf";
import { AwsProvider, AwsProviderEndpoints } from "@cdktf/provider-aws/lib/provider";
import { AppConfig } from "./config";

/** Fake credentials the emulator accepts; used only when `emulator` is configured. */
const EMULATOR_CREDENTIALS = { accessKey: "test", secretKey: "test" };

/** The AWS provider (region, default tags; for the emulator, its endpoints) and the state backend of one stack. */
export function wireStack(stack: TerraformStack, config: AppConfig, stackName: string): void {
  const emulator = config.emulator?.endpoint;
  const endpoints: AwsProviderEndpoints | undefined = emulator
    ? { ec2: emulator, iam: emulator, lambda: emulator, s3: emulator, sts: emulator, logs: emulator, secretsmanager: emulator }
    : undefined;

  new AwsProvider(stack, "aws", {
    region: config.region,
    defaultTags: [{ tags: { Project: "fixed-egress", Environment: config.name, Stack: stackName } }],
    ...(emulator
      ? {
          ...EMULATOR_CREDENTIALS,
          endpoints: [endpoints!],
          s3UsePathStyle: true,
          skipCredentialsValidation: true,
          skipMetadataApiCheck: "true",
          skipRequestingAccountId: true,
          skipRegionValidation: true,
        }
      : {}),
  });

  addBackend(stack, config, stackName);
}

function addBackend(scope: Construct, config: AppConfig, stackName: string): void {
  const b = config.backend;
  if (b.type === "local") {
    new LocalBackend(scope, b.path ? { path: `${b.path.replace(/\/$/, "")}/${stackName}.tfstate` } : {});
    return;
  }
  const emulator = config.emulator?.endpoint;
  const backend = new S3Backend(scope, {
    bucket: b.bucket,
    key: `${b.keyPrefix}/${stackName}.tfstate`,
    region: b.region ?? config.region,
    encrypt: true,
    ...(emulator
      ? {
          ...EMULATOR_CREDENTIALS,
          endpoints: { s3: emulator, sts: emulator, iam: emulator },
          usePathStyle: true,
          skipCredentialsValidation: true,
          skipRequestingAccountId: true,
          skipMetadataApiCheck: true,
          skipRegionValidation: true,
        }
      : {}),
  });
  // Terraform 1.11 locks S3 state with a lock object next to the state; cdktf 0.21 has no field for it.
  backend.addOverride("use_lockfile", true);
}
