import { createHash } from "crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "fs";
import { dirname, join } from "path";
import { Construct } from "constructs";
import { AssetType, DataTerraformRemoteStateLocal, DataTerraformRemoteStateS3, LocalBackend, S3Backend, S3BackendConfig, TerraformAsset, TerraformRemoteState, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { defaultBundleDir } from "@fixed-egress/constructs";
import { AppConfig } from "./config";

export const PROJECT = "fixed-egress";
/** The provider's default tags on every resource: the project, the environment and the stack that manages it. */
/** The provider's default tags of a stack: what names it as the owner of everything it creates or adopts. */
export const defaultTagsOf = (config: Pick<AppConfig, "name">, stackName: string) => ({ Project: PROJECT, Environment: config.name, Stack: stackName });

/** Fake credentials the emulator accepts; used only when `emulator` is configured. */
const EMULATOR_CREDENTIALS = { accessKey: "test", secretKey: "test" };

/** The profile of the emulator's AWS config file (see emulatorProfile). */
const EMULATOR_PROFILE = "fixed-egress-emulator";

/**
 * The emulator's endpoint as an AWS shared config file (`endpoint_url`, every service), shipped beside the stack as
 * an asset; returns its path relative to the stack's folder, where Terraform runs the provider. Not the provider's
 * `endpoints` block: the AWS provider 5.100 spends about 2 CPU-seconds validating that block (hundreds of
 * attributes, whichever are set) in every provider process it configures: two per plan.
 */
function emulatorProfile(stack: TerraformStack, endpoint: string): string {
  const text = `# Written by fixed-egress: the emulator stands in for every AWS service.\n[profile ${EMULATOR_PROFILE}]\nendpoint_url = ${endpoint}\n`;
  // The user's own fixed-egress cache (beside the Lambda bundles), one folder per endpoint.
  const dir = join(dirname(defaultBundleDir()), "emulator", createHash("sha256").update(text).digest("hex").slice(0, 16));
  const file = join(dir, "aws-config");
  // Named by its content, so a file already there is this one (both stacks share it). Written under this process's
  // name, then renamed: a synth in another process never copies half of it.
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${file}.${process.pid}`, text);
    renameSync(`${file}.${process.pid}`, file);
  }
  return new TerraformAsset(stack, "emulator-aws-config", { path: file, type: AssetType.FILE }).path;
}

/** The AWS provider (region, default tags; for the emulator, its endpoint and fake credentials) and the state backend of one stack. */
export function wireStack(stack: TerraformStack, config: AppConfig, stackName: string): void {
  const emulator = config.emulator?.endpoint;

  new AwsProvider(stack, "aws", {
    region: config.region,
    defaultTags: [{ tags: defaultTagsOf(config, stackName) }],
    ...(emulator
      ? {
          ...EMULATOR_CREDENTIALS,
          sharedConfigFiles: [emulatorProfile(stack, emulator)],
          profile: EMULATOR_PROFILE,
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

/** The state settings of one stack: what its backend writes to and what a reader of its outputs reads from. */
type StateSettings = { readonly type: "local"; readonly path: string } | { readonly type: "s3"; readonly config: S3BackendConfig };

function stateSettings(config: AppConfig, stackName: string): StateSettings {
  const b = config.backend;
  // Without a path, where cdktf's LocalBackend puts it: the synthesizing process's folder.
  if (b.type === "local") return { type: "local", path: b.path ? `${b.path.replace(/\/$/, "")}/${stackName}.tfstate` : join(process.cwd(), `terraform.${stackName}.tfstate`) };
  const emulator = config.emulator?.endpoint;
  return {
    type: "s3",
    config: {
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
    },
  };
}

function addBackend(scope: Construct, config: AppConfig, stackName: string): void {
  const state = stateSettings(config, stackName);
  if (state.type === "local") {
    new LocalBackend(scope, { path: state.path });
    return;
  }
  const backend = new S3Backend(scope, state.config);
  // Terraform 1.11 locks S3 state with a lock object next to the state; cdktf 0.21 has no field for it.
  backend.addOverride("use_lockfile", true);
}

/**
 * Reads another stack's state with the same settings its backend writes with (an explicit
 * terraform_remote_state on documented outputs, never cdktf's hash-named cross-stack outputs).
 */
export function remoteStateOf(scope: Construct, id: string, config: AppConfig, stackName: string, defaults?: Record<string, unknown>): TerraformRemoteState {
  const state = stateSettings(config, stackName);
  return state.type === "local"
    ? new DataTerraformRemoteStateLocal(scope, id, { path: state.path, defaults })
    : new DataTerraformRemoteStateS3(scope, id, { ...state.config, defaults });
}
