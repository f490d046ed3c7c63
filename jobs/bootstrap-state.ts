/**
 * Creates the S3 state bucket of a config when it is missing, and brings its settings to:
 * versioning on, default encryption, public access blocked, a TLS-only statement in the bucket policy
 * (merged by Sid: other statements of a shared bucket are kept), and a lifecycle rule for our keys that
 * expires noncurrent versions and cleans up expired delete markers (other rules kept).
 * Idempotent: a second run changes nothing and says so. Serves real AWS and the emulator alike.
 * Usage: FIXED_EGRESS_CONFIG=config/x.json tsx jobs/main.ts bootstrap
 */
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  GetObjectCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  BucketLocationConstraint,
  LifecycleRule,
} from "@aws-sdk/client-s3";
import type { AppConfig } from "../stacks/config";
import { clientSettings } from "./aws";
import { Job, fail } from "./cli";
import { configFromEnv } from "./app";

const BLOCK_ALL = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

export const TLS_ONLY_SID = "DenyInsecureTransport";
export const LIFECYCLE_RULE_ID = "fixed-egress-expire-noncurrent-state";

export function tlsOnlyStatement(bucket: string): Record<string, unknown> {
  return {
    Sid: TLS_ONLY_SID,
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/** A bucket policy with only the TLS-only statement. */
export function tlsOnlyPolicy(bucket: string): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: [tlsOnlyStatement(bucket)] });
}

/**
 * The bucket policy with our TLS-only statement in it, every other statement kept as it was (a shared
 * bucket holds other teams' grants); undefined when the policy already has it exactly.
 */
export function mergeTlsOnlyStatement(current: string | undefined, bucket: string): string | undefined {
  if (!current) return tlsOnlyPolicy(bucket);
  const policy = JSON.parse(current) as { Version?: string; Statement?: unknown };
  const statements = (Array.isArray(policy.Statement) ? policy.Statement : policy.Statement ? [policy.Statement] : []) as Record<string, unknown>[];
  const want = tlsOnlyStatement(bucket);
  const i = statements.findIndex((st) => st.Sid === TLS_ONLY_SID);
  if (i >= 0 && JSON.stringify(statements[i]) === JSON.stringify(want)) return undefined;
  const merged = i >= 0 ? statements.map((st, j) => (j === i ? want : st)) : [...statements, want];
  return JSON.stringify({ ...policy, Version: policy.Version ?? "2012-10-17", Statement: merged });
}

export function lifecycleRule(keyPrefix: string, noncurrentDays: number): LifecycleRule {
  return {
    ID: LIFECYCLE_RULE_ID,
    Status: "Enabled",
    Filter: { Prefix: `${keyPrefix}/` },
    NoncurrentVersionExpiration: { NoncurrentDays: noncurrentDays },
    Expiration: { ExpiredObjectDeleteMarker: true },
  };
}

/** The bucket's lifecycle rules with ours added or updated (by ID), others kept; undefined when nothing changes. */
export function mergeLifecycleRule(current: LifecycleRule[] | undefined, rule: LifecycleRule): LifecycleRule[] | undefined {
  const rules = current ?? [];
  const i = rules.findIndex((r) => r.ID === rule.ID);
  const same = (a: LifecycleRule) =>
    a.Status === rule.Status &&
    a.Filter?.Prefix === rule.Filter?.Prefix &&
    a.NoncurrentVersionExpiration?.NoncurrentDays === rule.NoncurrentVersionExpiration?.NoncurrentDays &&
    a.Expiration?.ExpiredObjectDeleteMarker === true;
  if (i >= 0 && same(rules[i])) return undefined;
  return i >= 0 ? rules.map((r, j) => (j === i ? rule : r)) : [...rules, rule];
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
export async function aws<T>(config: Pick<AppConfig, "emulator">, calls: () => Promise<T>): Promise<T> {
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
  const { keyPrefix, noncurrentVersionDays } = config.backend;
  return aws(config, () => settle(config, { bucket, region, keyPrefix, noncurrentVersionDays }, s3, log));
}

interface BucketSettings {
  readonly bucket: string;
  readonly region: string;
  readonly keyPrefix: string;
  readonly noncurrentVersionDays: number;
}

/**
 * Brings an existing or new bucket to: versioning, default encryption, public access blocked, the
 * lifecycle rule, the TLS-only statement. Only `send` of the client is used (tests give a fake one).
 */
export async function settle(
  config: Pick<AppConfig, "emulator">,
  { bucket, region, keyPrefix, noncurrentVersionDays }: BucketSettings,
  s3: Pick<S3Client, "send">,
  log: (line: string) => void,
): Promise<string[]> {
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

  const lifecycle = await orMissing(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })));
  const rules = mergeLifecycleRule(lifecycle?.Rules, lifecycleRule(keyPrefix, noncurrentVersionDays));
  if (rules) {
    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: rules } }));
    changes.push(`set the lifecycle rule ${LIFECYCLE_RULE_ID} (${keyPrefix}/: noncurrent versions expire after ${noncurrentVersionDays} days, expired delete markers removed)`);
  }

  // The emulator speaks plain HTTP and enforces bucket policies, so a TLS-only policy would lock
  // Terraform out of its own state there; real AWS always gets it.
  if (config.emulator) {
    log(`state bucket ${bucket}: TLS-only policy not applied on the emulator (it serves plain HTTP)`);
    return report(changes);
  }
  const policy = await orMissing(s3.send(new GetBucketPolicyCommand({ Bucket: bucket })));
  const merged = mergeTlsOnlyStatement(policy?.Policy, bucket);
  if (merged) {
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: merged }));
    changes.push(policy?.Policy ? `added the TLS-only statement ${TLS_ONLY_SID} to the bucket policy (other statements kept)` : "set the TLS-only bucket policy");
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

/**
 * The state object of `stack` in the config's bucket when it holds resources (`s3://<bucket>/<key>`); undefined
 * when it, or the bucket, does not exist, when it is empty (a destroyed stack leaves an empty state behind), or
 * the backend is local.
 */
export async function existingStateOf(config: AppConfig, stack: string): Promise<string | undefined> {
  if (config.backend.type !== "s3") return undefined;
  const { bucket, s3 } = stateBucket(config, config.backend);
  const key = `${config.backend.keyPrefix}/${stack}.tfstate`;
  const found = await aws(config, () => orMissing(s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))));
  if (!found?.Body) return undefined;
  const state = JSON.parse(await found.Body.transformToString()) as { resources?: unknown[] };
  return (state.resources ?? []).length > 0 ? `s3://${bucket}/${key}` : undefined;
}

export const bootstrapJob: Job = {
  summary: "create or check the S3 state bucket (versioning, encryption, TLS only, noncurrent versions expire)",
  usage: "make bootstrap-state",
  options: {},
  run: async () => {
    const { config } = configFromEnv();
    await bootstrapState(config).catch((err: Error) => fail(`bootstrap of the state bucket failed: ${err.message}`));
  },
};

/** One sentence for an SDK error; a dead endpoint is named, with how to start the emulator; missing credentials, with the usual ways to give them. */
export function describeAwsError(err: unknown, config?: Pick<AppConfig, "emulator">): string {
  const e = err as { name?: string; message?: string; code?: string; errors?: { code?: string }[] };
  if (e.name === "CredentialsProviderError") {
    return "no AWS credentials were found: set AWS_PROFILE (after aws sso login --profile <name> for SSO), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role provides them; make demo runs locally without any";
  }
  const refused = e.code === "ECONNREFUSED" || e.errors?.some((x) => x.code === "ECONNREFUSED") || /ECONNREFUSED/.test(e.message ?? "");
  if (refused) {
    const where = config?.emulator ? `the emulator at ${config.emulator.endpoint}` : "the AWS endpoint";
    return `nothing answers at ${where}${config?.emulator ? "; start it with: make emulator-start" : ""}`;
  }
  return `${e.name ?? "Error"}: ${e.message ?? String(err)}`;
}
