/**
 * Creates the S3 state bucket of a config when it is missing, and brings its settings to:
 * versioning on, default encryption, public access blocked, a TLS-only bucket policy.
 * Idempotent: a second run changes nothing and says so. Serves real AWS and the emulator alike.
 * Usage: FIXED_EGRESS_CONFIG=config/x.json tsx scripts/bootstrap-state.ts
 */
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  BucketLocationConstraint,
} from "@aws-sdk/client-s3";
import type { AppConfig } from "../stacks/config";
import { clientSettings } from "./aws";
import { fail } from "./cli";
import { configFromEnv } from "./steps";

const BLOCK_ALL = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

export function tlsOnlyPolicy(bucket: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  });
}

const status = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const orMissing = async <T>(p: Promise<T>): Promise<T | undefined> => {
  try {
    return await p;
  } catch (err) {
    if (status(err) === 404) return undefined;
    throw err;
  }
};

/** The state bucket of an s3 backend, its region, and a client for it. */
function stateBucket(config: AppConfig, backend: { bucket: string; region?: string }) {
  const region = backend.region ?? config.region;
  return { bucket: backend.bucket, region, s3: new S3Client(clientSettings(config, region)) };
}

/** Runs AWS calls; an SDK error comes out as one sentence (describeAwsError). */
async function aws<T>(config: AppConfig, calls: () => Promise<T>): Promise<T> {
  try {
    return await calls();
  } catch (err) {
    throw new Error(describeAwsError(err, config));
  }
}

/** Returns the list of changes made (empty when the bucket was already right). Errors are one sentence. */
export async function bootstrapState(config: AppConfig, log: (line: string) => void = console.log): Promise<string[]> {
  if (config.backend.type !== "s3") {
    log(`backend is "${config.backend.type}": no state bucket to bootstrap`);
    return [];
  }
  const { bucket, region, s3 } = stateBucket(config, config.backend);
  return aws(config, () => settle(config, bucket, region, s3, log));
}

/** Brings an existing or new bucket to: versioning, default encryption, public access blocked, TLS-only policy. */
async function settle(config: AppConfig, bucket: string, region: string, s3: S3Client, log: (line: string) => void): Promise<string[]> {
  const changes: string[] = [];

  const exists = await orMissing(s3.send(new HeadBucketCommand({ Bucket: bucket })));
  if (!exists) {
    log(`state bucket ${bucket} is missing${config.emulator ? " (the emulator keeps everything in memory; a restart forgets it and every resource)" : ""}: creating it`);
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ...(region === "us-east-1" ? {} : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
      }),
    );
    changes.push("created the bucket");
  }

  const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
  if (versioning.Status !== "Enabled") {
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
    changes.push("turned versioning on");
  }

  const encryption = await orMissing(s3.send(new GetBucketEncryptionCommand({ Bucket: bucket })));
  if (!encryption?.ServerSideEncryptionConfiguration?.Rules?.length) {
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] },
      }),
    );
    changes.push("turned default encryption on (SSE-S3)");
  }

  const block = await orMissing(s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })));
  const cfg = block?.PublicAccessBlockConfiguration ?? {};
  if (!Object.entries(BLOCK_ALL).every(([k, v]) => cfg[k as keyof typeof BLOCK_ALL] === v)) {
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: BLOCK_ALL }));
    changes.push("blocked public access");
  }

  // The emulator speaks plain HTTP and enforces bucket policies, so a TLS-only policy would lock
  // Terraform out of its own state there; real AWS always gets it.
  if (config.emulator) {
    log(`state bucket ${bucket}: TLS-only policy not applied on the emulator (it serves plain HTTP)`);
    return report(changes);
  }
  const want = tlsOnlyPolicy(bucket);
  const policy = await orMissing(s3.send(new GetBucketPolicyCommand({ Bucket: bucket })));
  if (!policy?.Policy || JSON.stringify(JSON.parse(policy.Policy)) !== want) {
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: want }));
    changes.push("set the TLS-only bucket policy");
  }

  return report(changes);

  function report(done: string[]): string[] {
    log(done.length > 0 ? `state bucket ${bucket} (${region}): ${done.join(", ")}` : `state bucket ${bucket} (${region}): already set up, no changes`);
    return done;
  }
}

/**
 * Makes sure the state bucket exists before Terraform runs, so a missing bucket is reported in one
 * sentence with the fix instead of Terraform's init error. Terraform never falls back to local state.
 */
export async function checkStateBucket(config: AppConfig): Promise<void> {
  if (config.backend.type !== "s3") return;
  const { bucket, region, s3 } = stateBucket(config, config.backend);
  const exists = await aws(config, () => orMissing(s3.send(new HeadBucketCommand({ Bucket: bucket }))));
  if (!exists) {
    const restarted = config.emulator ? " (the emulator keeps everything in memory: was it restarted?)" : "";
    throw new Error(`the state bucket ${bucket} does not exist in ${region}${restarted}; create it with: make bootstrap`);
  }
}

if (require.main === module) {
  const { config } = configFromEnv();
  bootstrapState(config).catch((err: Error) => fail(`bootstrap of the state bucket failed: ${err.message}`));
}

/** One sentence for an SDK error; a dead endpoint is named, with how to start the emulator. */
export function describeAwsError(err: unknown, config?: Pick<AppConfig, "emulator">): string {
  const e = err as { name?: string; message?: string; code?: string; errors?: { code?: string }[] };
  const refused = e.code === "ECONNREFUSED" || e.errors?.some((x) => x.code === "ECONNREFUSED") || /ECONNREFUSED/.test(e.message ?? "");
  if (refused) {
    const where = config?.emulator ? `the emulator at ${config.emulator.endpoint}` : "the AWS endpoint";
    return `nothing answers at ${where}${config?.emulator ? "; start it with: make emulator-start" : ""}`;
  }
  return `${e.name ?? "Error"}: ${e.message ?? String(err)}`;
}
